/*
 * admin_orgs: the org tree (#/admin/orgs): district → center, bureaus and
 * towns → offices, as nested lists; create an org under another, disable
 * one (its users can no longer take new work there).
 */
import { get, post } from '../api.js';
import { field, formDialog, h, notify } from '../ui.js';
import { ORG_KIND_LABELS, adminHead, button, confirmDialog, loadInto } from './admin_common.js';

export const name = 'admin-orgs';

const TEXT = {
	title: '单位管理',
	lead: '区 → 服务中心、委办局和街镇 → 科室。服务中心、委办局和街镇设在区下,科室设在服务中心、委办局或街镇下。',
	create: '新建单位',
};

/* Which kinds may sit under a parent of each kind (the database's rule). */
const CHILD_KINDS = { district: ['center', 'bureau', 'town'], center: ['office'], bureau: ['office'], town: ['office'], office: [] };

export async function render(root) {
	const tree = h('div', { class: 'org-tree' });
	let orgs = [];
	const reload = () => loadInto(tree, async () => {
		orgs = (await get('/api/v1/orgs')).items;
		const children = (id) => orgs.filter((o) => o.parent_id === id).sort((a, b) => a.id - b.id);
		const node = (o) => h('li', { class: 'org-node', dataset: { orgId: o.id } },
			h('div', { class: 'org-row' },
				h('span', { class: `org-name${o.disabled ? ' muted' : ''}` }, o.name),
				h('span', { class: 'badge badge-kind' }, ORG_KIND_LABELS[o.kind]),
				o.short_name ? h('span', { class: 'muted' }, `简称:${o.short_name}`) : null,
				o.disabled ? h('span', { class: 'badge badge-off' }, '已停用') : null,
				!o.disabled && CHILD_KINDS[o.kind].length
					? button('新建下级', () => create(o), 'secondary button-small', { 'aria-label': `新建下级 ${o.name}` }) : null,
				!o.disabled && o.kind !== 'district'
					? button('停用', () => disable(o), 'danger-outline button-small', { 'aria-label': `停用 ${o.name}` }) : null),
			children(o.id).length ? h('ul', { class: 'org-children' }, children(o.id).map(node)) : null);
		return h('ul', { class: 'org-root', 'aria-label': '单位树' }, orgs.filter((o) => o.parent_id === null).map(node));
	});
	function create(parent) {
		const parents = orgs.filter((o) => !o.disabled && CHILD_KINDS[o.kind].length);
		const kinds = parent ? CHILD_KINDS[parent.kind] : ['center', 'bureau', 'town', 'office'];
		const fields = [
			field({ name: 'parent_id', label: '上级单位', type: 'select', required: true, placeholder: '请选择上级单位',
				options: parents.map((o) => [String(o.id), `${o.name}(${ORG_KIND_LABELS[o.kind]})`]), value: parent ? String(parent.id) : '' }),
			field({ name: 'kind', label: '单位类型', type: 'select', required: true, placeholder: '请选择类型',
				options: kinds.map((k) => [k, ORG_KIND_LABELS[k]]), value: kinds.length === 1 ? kinds[0] : undefined }),
			field({ name: 'name', label: '单位全称', required: true, maxlength: 100 }),
			field({ name: 'short_name', label: '简称', maxlength: 20 }),
		];
		formDialog({ title: parent ? `在 ${parent.name} 下新建单位` : TEXT.create, fields, submitLabel: '新建', onSubmit: async (v) => {
			const body = { parent_id: Number(v.parent_id), kind: v.kind, name: v.name };
			if (v.short_name) body.short_name = v.short_name;
			const org = await post('/api/v1/orgs', body);
			notify(`已新建单位 ${org.name}。`);
			await reload();
		} });
	}
	function disable(o) {
		confirmDialog(`停用 ${o.name}`, '停用后不能再向该单位分派工单或新建其账号;已有工单和记录保留。', '停用', async () => {
			await post(`/api/v1/orgs/${o.id}/disable`);
			notify(`已停用 ${o.name}。`);
			await reload();
		});
	}
	root.append(...adminHead(TEXT.title, TEXT.lead, button(TEXT.create, () => create(null), 'primary')), tree);
	await reload();
}
