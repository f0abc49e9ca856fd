/*
 * admin_users: the accounts (#/admin): every user with role, org and
 * state, filtered by role or org; create a user (the role must fit the
 * org's kind, an enterprise user needs an enterprise), disable or enable
 * one.
 */
import { get, post, query } from '../api.js';
import { field, formDialog, h, notify } from '../ui.js';
import { ROLE_LABELS, adminHead, attempt, button, confirmDialog, loadInto, stateText, table } from './admin_common.js';

export const name = 'admin-users';

const TEXT = {
	title: '用户管理',
	lead: '系统的全部账号。停用的账号不能登录;新建账号时角色须与所在单位的类型相符。',
	create: '新建用户',
	created: (u) => `已新建用户 ${u}。`,
	disabled: (u) => `已停用用户 ${u}。`,
	enabled: (u) => `已启用用户 ${u}。`,
};

export async function render(root) {
	const [orgs, enterprises] = await Promise.all([get('/api/v1/orgs'), get(`/api/v1/enterprises${query({ limit: 200 })}`)]);
	const orgOptions = orgs.items.filter((o) => !o.disabled).map((o) => [String(o.id), o.name]);
	const roleSelect = h('select', { id: 'users-role', name: 'role' }, h('option', { value: '' }, '全部'),
		Object.entries(ROLE_LABELS).map(([v, l]) => h('option', { value: v }, l)));
	const orgSelect = h('select', { id: 'users-org', name: 'org_id' }, h('option', { value: '' }, '全部'),
		orgOptions.map(([v, l]) => h('option', { value: v }, l)));
	const list = h('div', { class: 'list' });
	const reload = () => loadInto(list, async () => {
		const answer = await get(`/api/v1/users${query({ limit: 200, role: roleSelect.value, org_id: orgSelect.value })}`);
		return [h('p', { class: 'list-count', role: 'status' }, `共 ${answer.items.length} 个账号${answer.next_cursor ? '(仅显示前 200 个)' : ''}`),
			table('用户列表', ['用户名', '姓名', '角色', '所在单位', '状态', '操作'], answer.items.map((u) => [
				u.username, u.display_name, u.role_label, u.org.name, stateText(u.disabled),
				u.disabled
					? button('启用', () => toggle(u, 'enable'), 'secondary button-small', { 'aria-label': `启用 ${u.username}` })
					: button('停用', () => toggle(u, 'disable'), 'danger-outline button-small', { 'aria-label': `停用 ${u.username}` }),
			]), '没有符合条件的账号。')];
	});
	function toggle(u, how) {
		const run = async () => {
			await post(`/api/v1/users/${u.id}/${how}`);
			notify(how === 'disable' ? TEXT.disabled(u.username) : TEXT.enabled(u.username));
			await reload();
		};
		if (how === 'disable') confirmDialog(`停用用户 ${u.username}`, `停用后 ${u.display_name} 将不能登录,已登录的会话随即失效。`, '停用', run);
		else attempt(run);
	}
	function create() {
		const fields = [
			field({ name: 'username', label: '用户名', required: true, maxlength: 64, hint: '小写字母开头,可含小写字母、数字、_ . -,3 到 64 个字符。',
				pattern: /^[a-z][a-z0-9_.-]{2,63}$/, patternMessage: '用户名须以小写字母开头,只含小写字母、数字、_ . -,3 到 64 个字符。' }),
			field({ name: 'display_name', label: '姓名', required: true, maxlength: 64 }),
			field({ name: 'role', label: '角色', type: 'select', required: true, placeholder: '请选择角色', options: Object.entries(ROLE_LABELS) }),
			field({ name: 'org_id', label: '所在单位', type: 'select', required: true, placeholder: '请选择单位', options: orgOptions }),
			field({ name: 'enterprise_id', label: '所属企业', type: 'select', placeholder: '(仅企业用户)', hint: '角色为企业用户时必选。',
				options: enterprises.items.map((e) => [String(e.id), e.name]) }),
			field({ name: 'password', label: '初始密码', type: 'password', required: true, maxlength: 128, autocomplete: 'new-password',
				hint: '8 到 128 个字符,至少包含大写字母、小写字母、数字、其他字符中的三类,且不含用户名。',
				check: (v) => (v.length < 8 ? '初始密码至少 8 个字符。' : '') }),
			field({ name: 'phone', label: '手机号', type: 'tel', maxlength: 20, pattern: /^[0-9+-]{5,20}$/, patternMessage: '请填写正确的电话号码。' }),
		];
		formDialog({ title: TEXT.create, fields, submitLabel: '新建', onSubmit: async (v) => {
			const body = { username: v.username, display_name: v.display_name, role: v.role, org_id: Number(v.org_id), password: v.password };
			if (v.phone) body.phone = v.phone;
			if (v.role === 'enterprise' && v.enterprise_id) body.enterprise_id = Number(v.enterprise_id);
			const user = await post('/api/v1/users', body);
			notify(TEXT.created(user.username));
			await reload();
		} });
	}
	const bar = h('form', { class: 'filters', role: 'search', 'aria-label': '用户筛选' },
		h('div', { class: 'filter' }, h('label', { for: roleSelect.id }, '角色'), roleSelect),
		h('div', { class: 'filter' }, h('label', { for: orgSelect.id }, '单位'), orgSelect));
	bar.addEventListener('submit', (e) => e.preventDefault());
	roleSelect.addEventListener('change', reload);
	orgSelect.addEventListener('change', reload);
	root.append(...adminHead(TEXT.title, TEXT.lead, button(TEXT.create, create, 'primary')), bar, list);
	await reload();
}
