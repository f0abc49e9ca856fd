/*
 * login: the login screen (#/login). Posts the form to
 * /api/v1/auth/login; on success the app takes over (role home). On a
 * demo installation (GET /api/v1/auth/demo-logins lists logins) the page
 * lists the demo logins, each with a button that fills the form.
 */
import { ApiError, get, post } from '../api.js';
import { signedIn } from '../app.js';
import { collect, errorBox, field, fill, h, pageTitle } from '../ui.js';

export const name = 'login';

const TEXT = {
	title: '工作人员与企业登录',
	lead: '请使用分配的账号登录。',
	username: '用户名',
	password: '密码',
	submit: '登录',
	busy: '正在登录…',
	demoTitle: '演示账号',
	demoLead: (password) => `演示环境的账号,密码均为 ${password}。点击“填入”后再登录。`,
	use: '填入',
	demoCols: ['用户名', '姓名', '角色', '单位', '操作'],
};

export async function render(root, params, query) {
	const username = field({ name: 'username', label: TEXT.username, required: true, maxlength: 64, autocomplete: 'username' });
	const password = field({ name: 'password', label: TEXT.password, type: 'password', required: true, maxlength: 1024,
		autocomplete: 'current-password' });
	const errorSlot = h('div');
	const submit = h('button', { class: 'button button-primary', type: 'submit' }, TEXT.submit);
	const notice = query.get('notice');
	const form = h('form', { class: 'form', novalidate: true, id: 'login-form' },
		username.el, password.el, errorSlot, submit);
	const demo = h('section', { class: 'card card-wide', 'aria-labelledby': 'demo-title', hidden: true });
	root.append(h('div', { class: 'login-page' },
		h('section', { class: 'card', 'aria-labelledby': 'login-title' },
			Object.assign(pageTitle(TEXT.title), { id: 'login-title' }),
			h('p', { class: 'card-lead' }, TEXT.lead),
			notice ? h('div', { class: 'alert alert-info', role: 'status' }, notice) : null,
			form),
		demo));

	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		fill(errorSlot);
		const values = collect([username, password]);
		if (!values) return;
		submit.disabled = true;
		submit.textContent = TEXT.busy;
		try {
			signedIn(await post('/api/v1/auth/login', values));
		} catch (err) {
			submit.disabled = false;
			submit.textContent = TEXT.submit;
			fill(errorSlot, errorBox(err));
			if (err instanceof ApiError && (err.status === 401 || err.status === 429)) {
				password.input.value = '';
				password.input.focus();
			}
		}
	});

	try {
		const answer = await get('/api/v1/auth/demo-logins');
		if (answer.logins.length) showDemo(demo, answer, username, password);
	} catch {
		/* the list is a convenience: the form works without it */
	}
}

function showDemo(section, answer, username, password) {
	const rows = answer.logins.map((u) => h('tr', {},
		h('td', {}, h('code', {}, u.username)), h('td', {}, u.display_name), h('td', {}, u.role_label), h('td', {}, u.org),
		h('td', {}, h('button', { type: 'button', class: 'button button-small', 'aria-label': `${TEXT.use} ${u.username}`,
			onclick: () => {
				username.input.value = u.username;
				password.input.value = answer.password;
				password.input.form.querySelector('button[type=submit]').focus();
			} }, TEXT.use))));
	fill(section,
		h('h2', { class: 'card-title', id: 'demo-title' }, TEXT.demoTitle),
		h('p', { class: 'card-lead' }, TEXT.demoLead(answer.password)),
		h('table', { class: 'table' },
			h('thead', {}, h('tr', {}, TEXT.demoCols.map((c) => h('th', { scope: 'col' }, c)))),
			h('tbody', {}, rows)));
	section.hidden = false;
}
