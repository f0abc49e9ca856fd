/*
 * admin_categories: the demand categories (#/admin/categories), parents
 * with their children below them: code, name, default urgency, the orgs
 * suggested as lead when dispatching; create one, change one, disable or
 * enable one (a disabled category takes no new tickets).
 */
import { get, post, request } from '../api.js';
import { URGENCY_LABELS, field, formDialog, h, notify } from '../ui.js';
import { adminHead, attempt, button, loadInto, stateText, table } from './admin_common.js';

export const name = 'admin-categories';

const TEXT = {
	title: '诉求类别',
	lead: '企业提交诉求时选择的类别。建议主办单位用于分派时预填,默认紧急程度用于确定办理时限。',
	create: '新建类别',
};

export async function render(root) {
	const orgs = (await get('/api/v1/orgs')).items;
	const orgName = new Map(orgs.map((o) => [o.id, o.name]));
	const leadChoices = orgs.filter((o) => !o.disabled && (o.kind === 'bureau' || o.kind === 'town')).map((o) => [String(o.id), o.name]);
	const list = h('div', { class: 'list' });
	let cats = [];
	const reload = () => loadInto(list, async () => {
		cats = (await get('/api/v1/categories')).items;
		const ordered = [];
		for (const p of cats.filter((c) => c.parent_id === null)) ordered.push(p, ...cats.filter((c) => c.parent_id === p.id));
		return table('诉求类别列表', ['代码', '名称', '默认紧急程度', '建议主办单位', '状态', '操作'], ordered.map((c) => [
			c.code,
			h('span', { class: c.parent_id ? 'tree-child' : 'tree-parent' }, c.name),
			URGENCY_LABELS[c.default_urgency],
			c.lead_org_ids.map((id) => orgName.get(id) || `#${id}`).join('、') || '—',
			stateText(c.disabled),
			h('div', { class: 'row-buttons' },
				button('修改', () => edit(c), 'secondary button-small', { 'aria-label': `修改 ${c.name}` }),
				button(c.disabled ? '启用' : '停用', () => attempt(() => setDisabled(c, !c.disabled)), `${c.disabled ? 'secondary' : 'danger-outline'} button-small`,
					{ 'aria-label': `${c.disabled ? '启用' : '停用'} ${c.name}` })),
		]));
	});
	const urgencyField = (value) => field({ name: 'default_urgency', label: '默认紧急程度', type: 'select', options: Object.entries(URGENCY_LABELS), value });
	const leadField = (value) => field({ name: 'lead_org_ids', label: '建议主办单位', type: 'checkboxes', options: leadChoices, value: value.map(String) });
	async function setDisabled(c, disabled) {
		await request('PATCH', `/api/v1/categories/${c.id}`, { body: { disabled } });
		notify(`已${disabled ? '停用' : '启用'}类别 ${c.name}。`);
		await reload();
	}
	function edit(c) {
		const fields = [field({ name: 'name', label: '名称', required: true, maxlength: 50, value: c.name }), urgencyField(c.default_urgency), leadField(c.lead_org_ids)];
		formDialog({ title: `修改类别 ${c.code}`, fields, submitLabel: '保存', onSubmit: async (v) => {
			await request('PATCH', `/api/v1/categories/${c.id}`, { body: { name: v.name, default_urgency: v.default_urgency, lead_org_ids: v.lead_org_ids.map(Number) } });
			notify(`已保存类别 ${v.name}。`);
			await reload();
		} });
	}
	function create() {
		const fields = [
			field({ name: 'code', label: '代码', required: true, maxlength: 12, hint: '2 到 12 位大写字母或数字,如 ZC05。',
				pattern: /^[0-9A-Z]{2,12}$/, patternMessage: '代码为 2 到 12 位大写字母或数字。' }),
			field({ name: 'name', label: '名称', required: true, maxlength: 50 }),
			field({ name: 'parent_id', label: '上级类别', type: 'select', placeholder: '(无,作为一级类别)',
				options: cats.filter((x) => x.parent_id === null && !x.disabled).map((x) => [String(x.id), x.name]) }),
			urgencyField('normal'), leadField([]),
		];
		formDialog({ title: TEXT.create, fields, submitLabel: '新建', onSubmit: async (v) => {
			const body = { code: v.code, name: v.name, default_urgency: v.default_urgency, lead_org_ids: v.lead_org_ids.map(Number) };
			if (v.parent_id) body.parent_id = Number(v.parent_id);
			await post('/api/v1/categories', body);
			notify(`已新建类别 ${v.name}。`);
			await reload();
		} });
	}
	root.append(...adminHead(TEXT.title, TEXT.lead, button(TEXT.create, create, 'primary')), list);
	await reload();
}
