/*
 * router: hash routes ("#/ticket/12"). A route is a pattern with :params
 * and a screen: { title?, render(root, params, query) -> cleanup? }.
 * On every hash change the previous screen's cleanup runs, the new screen
 * renders into the main element, and focus moves to its heading so that
 * keyboard and screen-reader users land on the new content.
 */
const routes = [];
let cleanup = null;
let guard = null;
let root = null;
let renders = 0;

/* Adds a route; pattern like "/ticket/:id". */
export function route(pattern, screen) {
	const names = [];
	const re = new RegExp(`^${pattern.replace(/:[a-z]+/g, (m) => {
		names.push(m.slice(1));
		return '([^/]+)';
	})}$`);
	routes.push({ re, names, screen });
}

/* guard(path) may return another path to go to instead (e.g. the login
 * screen while nobody is logged in). */
export function setGuard(fn) {
	guard = fn;
}

export function go(path) {
	if (location.hash === `#${path}`) render();
	else location.hash = `#${path}`;
}

/* The current path ("/triage"), without its query. */
export function currentPath() {
	return (location.hash.slice(1) || '/').split('?')[0];
}

async function render() {
	const [path, search = ''] = (location.hash.slice(1) || '/').split('?');
	const redirect = guard ? guard(path) : null;
	if (redirect && redirect !== path) {
		location.replace(`#${redirect}`);
		return;
	}
	const found = routes.map((r) => ({ r, m: r.re.exec(path) })).find((x) => x.m);
	if (cleanup) {
		const done = cleanup;
		cleanup = null;
		try {
			done();
		} catch {
			/* a screen that fails to clean up must not stop the next one */
		}
	}
	if (!found) {
		location.replace('#/');
		return;
	}
	const params = Object.fromEntries(found.r.names.map((n, i) => [n, decodeURIComponent(found.m[i + 1])]));
	const mine = ++renders;
	const screen = typeof found.r.screen === 'function' ? await found.r.screen() : found.r.screen;
	if (mine !== renders) return; /* another navigation came first */
	root.replaceChildren();
	root.dataset.screen = '';
	document.dispatchEvent(new CustomEvent('suqiu:route', { detail: { path } }));
	const result = await screen.render(root, params, new URLSearchParams(search));
	if (mine !== renders) {
		if (typeof result === 'function') result();
		return;
	}
	root.dataset.screen = screen.name || '';
	cleanup = typeof result === 'function' ? result : null;
	const heading = root.querySelector('h1');
	if (heading && !root.contains(document.activeElement)) heading.focus({ preventScroll: true });
}

/* Starts routing into rootElement. */
export function start(rootElement) {
	root = rootElement;
	window.addEventListener('hashchange', render);
	render();
}
