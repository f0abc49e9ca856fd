/*
 * login: the staff login screen (index.html).
 *
 * On load it asks GET /api/v1/me whether the browser already has a
 * session; with one it shows the current user, otherwise the login form.
 * Logging in posts the form as JSON to /api/v1/auth/login; logging out
 * posts /api/v1/auth/logout with the session's CSRF token. Errors show the
 * problem's title and detail; a throttled login also says when to retry.
 */
import { ApiError, get, post, setCsrfToken } from './api.js';

/* Every text this screen shows, besides the static ones in index.html. */
const TEXT = {
	appName: '企业诉求闭环办理系统',
	loginPageTitle: '工作人员登录',
	userPageTitle: '当前用户',
	usernameRequired: '请输入用户名。',
	passwordRequired: '请输入密码。',
	loggingIn: '正在登录…',
	logIn: '登录',
	loggingOut: '正在退出…',
	logOut: '退出登录',
	loggedOut: '您已退出登录。',
	sessionEnded: '登录已失效,请重新登录。',
	userName: (user) => `${user.display_name}(${user.username})`,
	retryAfter: (seconds) =>
		seconds >= 60
			? `请在 ${seconds} 秒(约 ${Math.ceil(seconds / 60)} 分钟)后重试。`
			: `请在 ${seconds} 秒后重试。`,
	requestId: (id) => `请求编号:${id}`,
	unexpectedTitle: '页面出错',
	unexpectedDetail: '请刷新页面后重试。',
};

const $ = (id) => document.getElementById(id);

const el = {
	status: $('page-status'),
	loginView: $('login-view'),
	loginTitle: $('login-title'),
	loginNotice: $('login-notice'),
	form: $('login-form'),
	username: $('username'),
	usernameError: $('username-error'),
	password: $('password'),
	passwordError: $('password-error'),
	loginError: $('login-error'),
	loginErrorTitle: $('login-error-title'),
	loginErrorDetail: $('login-error-detail'),
	submit: $('login-submit'),
	userView: $('user-view'),
	userTitle: $('user-title'),
	userName: $('user-name'),
	userRole: $('user-role'),
	userOrg: $('user-org'),
	logoutError: $('logout-error'),
	logoutErrorTitle: $('logout-error-title'),
	logoutErrorDetail: $('logout-error-detail'),
	logout: $('logout-button'),
};

/* ---- showing things ------------------------------------------------ */

/* Fills an alert box (title and detail paragraphs) from an error, or hides it. */
function showError(box, titleEl, detailEl, err) {
	if (!err) {
		box.hidden = true;
		titleEl.textContent = '';
		detailEl.textContent = '';
		return;
	}
	const known = err instanceof ApiError;
	const lines = [];
	if (known && err.detail) lines.push(err.detail);
	if (!known) lines.push(TEXT.unexpectedDetail);
	if (known && err.retryAfter !== null && err.status === 429) lines.push(TEXT.retryAfter(err.retryAfter));
	if (known && err.status >= 500 && err.requestId) lines.push(TEXT.requestId(err.requestId));
	titleEl.textContent = known ? err.title : TEXT.unexpectedTitle;
	detailEl.textContent = lines.join('\n');
	detailEl.hidden = lines.length === 0;
	box.hidden = false;
}

function showLoginError(err) {
	showError(el.loginError, el.loginErrorTitle, el.loginErrorDetail, err);
}

function showLogoutError(err) {
	showError(el.logoutError, el.logoutErrorTitle, el.logoutErrorDetail, err);
}

function showNotice(text) {
	el.loginNotice.textContent = text || '';
	el.loginNotice.hidden = !text;
}

function setFieldError(input, errorEl, text) {
	errorEl.textContent = text || '';
	errorEl.hidden = !text;
	if (text) input.setAttribute('aria-invalid', 'true');
	else input.removeAttribute('aria-invalid');
}

function setBusy(button, busy, busyText, idleText) {
	button.disabled = busy;
	button.textContent = busy ? busyText : idleText;
	button.setAttribute('aria-busy', busy ? 'true' : 'false');
}

/* Shows the login form; focus moves to the username field unless told otherwise. */
function showLogin({ notice = '', error = null, focus = true } = {}) {
	setCsrfToken(null);
	el.status.hidden = true;
	el.userView.hidden = true;
	el.loginView.hidden = false;
	document.title = `${TEXT.loginPageTitle} · ${TEXT.appName}`;
	showNotice(notice);
	showLoginError(error);
	if (focus) el.username.focus();
}

/* Shows who is logged in; answer is the body of login or GET /api/v1/me. */
function showUser(answer, { focus = true } = {}) {
	const user = answer.user;
	setCsrfToken(answer.csrf_token);
	el.userName.textContent = TEXT.userName(user);
	el.userRole.textContent = user.role_label;
	el.userOrg.textContent = user.org.name;
	showLogoutError(null);
	setBusy(el.logout, false, TEXT.loggingOut, TEXT.logOut);
	el.status.hidden = true;
	el.loginView.hidden = true;
	el.userView.hidden = false;
	document.title = `${TEXT.userPageTitle} · ${TEXT.appName}`;
	if (focus) el.userTitle.focus();
}

/* ---- actions ------------------------------------------------------- */

/* Checks the form; marks and focuses the first empty field. */
function validate() {
	const username = el.username.value.trim();
	const password = el.password.value;
	setFieldError(el.username, el.usernameError, username ? '' : TEXT.usernameRequired);
	setFieldError(el.password, el.passwordError, password ? '' : TEXT.passwordRequired);
	if (!username) {
		el.username.focus();
		return null;
	}
	if (!password) {
		el.password.focus();
		return null;
	}
	return { username, password };
}

let loggingIn = false;

async function onSubmit(event) {
	event.preventDefault();
	if (loggingIn) return;
	showNotice('');
	showLoginError(null);
	const credentials = validate();
	if (!credentials) return;
	loggingIn = true;
	el.form.setAttribute('aria-busy', 'true');
	setBusy(el.submit, true, TEXT.loggingIn, TEXT.logIn);
	let answer = null;
	let error = null;
	try {
		answer = await post('/api/v1/auth/login', credentials);
	} catch (err) {
		error = err;
	}
	loggingIn = false;
	el.form.removeAttribute('aria-busy');
	setBusy(el.submit, false, TEXT.loggingIn, TEXT.logIn);
	if (!error) {
		el.form.reset();
		showUser(answer);
		return;
	}
	showLoginError(error);
	if (error instanceof ApiError && (error.status === 401 || error.status === 429)) {
		/* rejected credentials: ask for the password again */
		el.password.value = '';
		el.password.focus();
	} else {
		el.submit.focus();
	}
}

async function onLogout() {
	if (el.logout.disabled) return;
	showLogoutError(null);
	setBusy(el.logout, true, TEXT.loggingOut, TEXT.logOut);
	try {
		await post('/api/v1/auth/logout');
		showLogin({ notice: TEXT.loggedOut });
	} catch (err) {
		if (err instanceof ApiError && err.status === 401) {
			/* the session had already ended: the user is logged out either way */
			showLogin({ notice: TEXT.sessionEnded });
			return;
		}
		setBusy(el.logout, false, TEXT.loggingOut, TEXT.logOut);
		showLogoutError(err);
		el.logout.focus();
	}
}

function clearFieldErrorOnInput(input, errorEl) {
	input.addEventListener('input', () => {
		if (input.value) setFieldError(input, errorEl, '');
	});
}

async function start() {
	el.form.addEventListener('submit', onSubmit);
	el.logout.addEventListener('click', onLogout);
	clearFieldErrorOnInput(el.username, el.usernameError);
	clearFieldErrorOnInput(el.password, el.passwordError);
	try {
		showUser(await get('/api/v1/me'), { focus: false });
	} catch (err) {
		const anonymous = err instanceof ApiError && err.status === 401;
		showLogin({ error: anonymous ? null : err });
	}
}

start();
