/*
 * app: the single page's start. Asks who is logged in, builds the
 * role-aware navigation, starts the live stream and the router; a 401 from
 * any call brings the login screen back.
 */
import { ApiError, get, post, setCsrfToken, setUnauthorizedHandler } from './api.js';
import * as live from './live.js';
import { currentPath, go, route, setGuard, start } from './router.js';
import { fill, h, notify } from './ui.js';
import * as login from './screens/login.js';

/* Screens other than the login load when first opened, so that the first
 * screen fetches only what it needs. */
const portal = () => import('./screens/portal.js');
const submit = () => import('./screens/submit.js');
const triage = () => import('./screens/triage.js');
const bureau = () => import('./screens/bureau.js');
const overview = () => import('./screens/overview.js');
const ticket = () => import('./screens/ticket.js');
const supervision = () => import('./screens/supervision.js');
const dashboard = () => import('./screens/dashboard.js');
const town = () => import('./screens/town.js');
const ADMIN = {
	'/admin': () => import('./screens/admin_users.js'),
	'/admin/orgs': () => import('./screens/admin_orgs.js'),
	'/admin/categories': () => import('./screens/admin_categories.js'),
	'/admin/sla': () => import('./screens/admin_sla.js'),
	'/admin/calendar': () => import('./screens/admin_calendar.js'),
	'/admin/tokens': () => import('./screens/admin_tokens.js'),
	'/admin/outbox': () => import('./screens/admin_outbox.js'),
	'/admin/targets': () => import('./screens/admin_targets.js'),
};

/* Every screen a role may open from the navigation, its home first. */
const NAV = {
	enterprise: [['/portal', '我的诉求'], ['/portal/new', '提交诉求']],
	specialist: [['/triage', '分派台'], ['/triage/new', '登记诉求']],
	bureau_handler: [['/bureau', '承办台']],
	bureau_leader: [['/bureau', '承办台']],
	supervisor: [['/dashboard', '领导驾驶舱'], ['/supervision', '督办台'], ['/tickets', '工单查询']],
	leader: [['/dashboard', '领导驾驶舱'], ['/tickets', '工单查询']],
	town_viewer: [['/town', '本街镇诉求'], ['/tickets', '工单查询']],
	admin: [['/admin', '用户'], ['/admin/orgs', '单位'], ['/admin/categories', '诉求类别'], ['/admin/sla', '时限规则'],
		['/admin/calendar', '工作日历'], ['/admin/tokens', '接口令牌'], ['/admin/outbox', '失败通知'],
		['/admin/targets', '驾驶舱目标']],
};

const session = { user: null };
/* Set while this browser has a session, so that a visitor who never
 * logged in gets the login screen without a 401 from GET /me first. */
const SIGNED_IN_KEY = 'suqiu.signedIn';

/* The logged-in user ({ id, username, display_name, role, role_label, org }) or null. */
export function currentUser() {
	return session.user;
}

function homeOf(user) {
	return NAV[user.role] ? NAV[user.role][0][0] : '/tickets';
}

const el = {
	nav: document.getElementById('nav'),
	userbox: document.getElementById('userbox'),
	userLabel: document.getElementById('user-label'),
	logout: document.getElementById('logout'),
	main: document.getElementById('main'),
};

function renderNav() {
	const user = session.user;
	el.nav.hidden = !user;
	el.userbox.hidden = !user;
	if (!user) {
		fill(el.nav);
		return;
	}
	el.userLabel.textContent = `${user.display_name} · ${user.role_label} · ${user.org.name}`;
	const path = currentPath();
	fill(el.nav, h('ul', { class: 'nav-list' }, NAV[user.role].map(([href, label]) =>
		h('li', {}, h('a', { href: `#${href}`, class: 'nav-link', 'aria-current': path === href ? 'page' : false }, label)))));
}

/* Called by the login screen with the login answer, and at start with GET /me. */
export function signedIn(answer, { navigate = true } = {}) {
	session.user = answer.user;
	localStorage.setItem(SIGNED_IN_KEY, '1');
	setCsrfToken(answer.csrf_token);
	/* the stream carries ticket events, which an admin may not read */
	if (answer.user.role !== 'admin') live.connect();
	renderNav();
	if (navigate) go(homeOf(answer.user));
}

function signedOut(notice) {
	session.user = null;
	localStorage.removeItem(SIGNED_IN_KEY);
	setCsrfToken(null);
	live.disconnect();
	renderNav();
	go(notice ? `/login?notice=${encodeURIComponent(notice)}` : '/login');
}

async function onLogout() {
	el.logout.disabled = true;
	try {
		await post('/api/v1/auth/logout');
		signedOut('您已退出登录。');
	} catch (err) {
		if (err instanceof ApiError && err.status === 401) signedOut('登录已失效,请重新登录。');
		else notify('退出失败,请重试。');
	} finally {
		el.logout.disabled = false;
	}
}

route('/login', login);
route('/portal', portal);
route('/portal/new', submit);
route('/triage', triage);
route('/triage/new', submit);
route('/bureau', bureau);
route('/tickets', overview);
route('/supervision', supervision);
route('/dashboard', dashboard);
route('/ticket/:id', ticket);
route('/town', town);
for (const [path, screen] of Object.entries(ADMIN)) route(path, screen);
route('/', { name: 'home', render: () => go(session.user ? homeOf(session.user) : '/login') });

/* Logged out: only the login screen. Logged in: the role's screens and
 * ticket views; anything else goes to the role's home. */
setGuard((path) => {
	if (!session.user) return path === '/login' ? null : '/login';
	const mine = (NAV[session.user.role] || []).map(([href]) => href);
	if (path === '/' || path.startsWith('/ticket/') || mine.includes(path)) return null;
	return homeOf(session.user);
});

setUnauthorizedHandler(() => {
	if (session.user) signedOut('登录已失效,请重新登录。');
});

document.addEventListener('suqiu:route', renderNav);
el.logout.addEventListener('click', onLogout);

async function boot() {
	if (!localStorage.getItem(SIGNED_IN_KEY)) {
		start(el.main);
		return;
	}
	try {
		signedIn(await get('/api/v1/me'), { navigate: false });
	} catch (err) {
		session.user = null;
		localStorage.removeItem(SIGNED_IN_KEY);
		if (!(err instanceof ApiError && err.status === 401)) notify('无法连接服务器,请稍后刷新页面。');
	}
	start(el.main);
}

boot();
