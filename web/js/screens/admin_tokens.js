/*
 * admin_tokens: API tokens for integrations (#/admin/tokens), such as the
 * 12345 hotline's import: every token with the user it acts as, when it
 * expires and was last used; create one (its secret is shown once, then
 * only its hash is kept), revoke one.
 */
import { del, get, post, query } from '../api.js';
import { field, formDialog, formatTime, h, notify } from '../ui.js';
import { adminHead, button, confirmDialog, loadInto, table } from './admin_common.js';

export const name = 'admin-tokens';

const TEXT = {
	title: '接口令牌',
	lead: '外部系统(如 12345 热线)调用接口时使用的令牌,以所选用户的身份和权限操作。令牌只在创建时显示一次。',
	create: '新建令牌',
	shown: '请立即复制并妥善保存此令牌:关闭后无法再次查看,遗失只能撤销后重建。',
};

function tokenState(t) {
	if (t.revoked_at) return h('span', { class: 'badge badge-off' }, '已撤销');
	if (t.expires_at && Date.parse(t.expires_at) < Date.now()) return h('span', { class: 'badge badge-off' }, '已过期');
	return h('span', { class: 'badge badge-active' }, '有效');
}

export async function render(root) {
	const users = (await get(`/api/v1/users${query({ limit: 200 })}`)).items.filter((u) => !u.disabled);
	const list = h('div', { class: 'list' });
	const reload = () => loadInto(list, async () => {
		const tokens = (await get('/api/v1/tokens')).items;
		return table('接口令牌列表', ['名称', '使用者', '创建时间', '到期时间', '最近使用', '状态', '操作'], tokens.map((t) => [
			t.name, t.username, formatTime(t.created_at), t.expires_at ? formatTime(t.expires_at) : '永不过期',
			t.last_used_at ? formatTime(t.last_used_at) : '从未使用', tokenState(t),
			t.revoked_at ? '' : button('撤销', () => revoke(t), 'danger-outline button-small', { 'aria-label': `撤销令牌 ${t.name}` }),
		]), '尚无接口令牌。');
	});
	function revoke(t) {
		confirmDialog(`撤销令牌 ${t.name}`, '撤销后使用此令牌的请求将被拒绝,且不能恢复。', '撤销', async () => {
			await del(`/api/v1/tokens/${t.id}`);
			notify(`已撤销令牌 ${t.name}。`);
			await reload();
		});
	}
	function showOnce(created) {
		const secret = field({ name: 'token', label: `令牌“${created.name}”`, value: created.token });
		secret.input.readOnly = true;
		secret.input.classList.add('token-secret');
		formDialog({ title: '令牌已创建', intro: TEXT.shown, fields: [secret], submitLabel: '我已保存', onSubmit: async () => {} });
		secret.input.select();
	}
	function create() {
		const fields = [
			field({ name: 'name', label: '用途', required: true, maxlength: 100, hint: '如“12345 热线对接”。' }),
			field({ name: 'user_id', label: '使用者', type: 'select', required: true, placeholder: '请选择用户',
				options: users.map((u) => [String(u.id), `${u.display_name}(${u.username},${u.role_label})`]) }),
			field({ name: 'expires_in_days', label: '有效期(天)', type: 'number', min: 1, max: 3650, value: 365, hint: '留空表示永不过期。' }),
		];
		formDialog({ title: TEXT.create, fields, submitLabel: '创建', onSubmit: async (v) => {
			const body = { name: v.name, user_id: Number(v.user_id) };
			if (v.expires_in_days) body.expires_in_days = Number(v.expires_in_days);
			const created = await post('/api/v1/tokens', body);
			await reload();
			/* after this dialog has closed */
			setTimeout(() => showOnce(created), 0);
		} });
	}
	root.append(...adminHead(TEXT.title, TEXT.lead, button(TEXT.create, create, 'primary')), list);
	await reload();
}
