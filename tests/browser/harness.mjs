// The browser tests' harness: a real suqiu-server on 127.0.0.1 against the
// test database that ./tests/run prepares, Debian's Chromium driven by
// playwright-core, one browser context per user, and the checks every
// screen gets: no console error, no failed request, no serious or critical
// axe-core violation, a 1280x720 screenshot in <build>/screenshots/.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

export const ROOT = process.env.SUQIU_TEST_ROOT || join(here, '..', '..');
export const BUILD = process.env.SUQIU_TEST_BUILD;
export const PASSWORD = 'Demo@2026';
export const SCREENSHOTS = BUILD ? join(BUILD, 'screenshots') : null;

const CHROMIUM = process.env.SUQIU_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--no-first-run'];
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/* The ticket states in the order the UI lists them (DESIGN §3). */
export const STATES = ['new', 'answered', 'dispatched', 'returned', 'in_progress', 'suspended', 'resolved', 'feedback', 'closed',
	'rectifying', 'rejected', 'merged'];

export function need(name) {
	const v = process.env[name];
	if (!v) throw new Error(`${name} is not set: run the browser tests through ./tests/run`);
	return v;
}

// ---- the server ------------------------------------------------------

/* Starts suqiu-server on a free port with the demo logins listed; resolves
 * to { url, stop(), log }. */
export async function startServer(extraEnv = {}) {
	const logDir = process.env.SUQIU_TEST_LOG_DIR || '/tmp';
	const log = join(logDir, `server-browser-${process.pid}-${Date.now()}.log`);
	const env = {
		...process.env, SUQIU_DATABASE_URL: need('SUQIU_TEST_DATABASE_URL'), SUQIU_LISTEN: '127.0.0.1:0',
		SUQIU_WEB_DIR: join(ROOT, 'web'), SUQIU_DEMO_LOGINS: '1', SUQIU_SHUTDOWN_GRACE: '2', ...extraEnv,
	};
	const child = spawn(join(need('SUQIU_TEST_BUILD'), 'server', 'suqiu-server'), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const chunks = [];
	const collect = (d) => {
		output += d;
		chunks.push(d);
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	const port = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`suqiu-server did not get ready:\n${output}`)), 30000);
		child.on('exit', (code) => reject(new Error(`suqiu-server exited (${code}):\n${output}`)));
		const poll = setInterval(() => {
			const m = /"event":"listening".*?"addr":"127\.0\.0\.1:(\d+)"/.exec(output);
			if (m) {
				clearInterval(poll);
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		}, 50);
	});
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	return {
		url: `http://127.0.0.1:${port}`,
		async stop() {
			child.kill('SIGTERM');
			const status = await exited;
			writeFileSync(log, Buffer.concat(chunks.map((c) => Buffer.from(c))));
			return status;
		},
	};
}

// ---- the API, for setting things up beside the UI ----------------------

/* Logs in through the API: resolves to { call(method, path, body, headers) }. */
export async function apiSession(url, username) {
	const res = await fetch(`${url}/api/v1/auth/login`, {
		method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }),
	});
	if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
	const cookie = res.headers.get('set-cookie').split(';')[0];
	const { csrf_token: csrf } = await res.json();
	return {
		async call(method, path, body, headers = {}) {
			const r = await fetch(`${url}${path}`, {
				method,
				headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
				body: body ? JSON.stringify(body) : undefined,
			});
			const text = await r.text();
			const json = text ? JSON.parse(text) : null;
			if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`);
			return json;
		},
	};
}

// ---- the browser -----------------------------------------------------

export async function launch() {
	return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/* A context (own cookies and cache) with one page at 1280x720 that
 * records every console error, page error and failed request in
 * page.problems (the stream's own aborts at closing time excepted). */
export async function newPage(browser, { width = 1280, height = 720 } = {}) {
	const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
	const page = await context.newPage();
	page.problems = [];
	page.closing = false;
	page.on('console', (msg) => {
		if (msg.type() === 'error') page.problems.push(`console error: ${msg.text()} (${msg.location().url || ''})`);
	});
	page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
	page.on('requestfailed', (req) => {
		const aborted = req.failure() && req.failure().errorText === 'net::ERR_ABORTED';
		if (aborted && (page.closing || req.url().endsWith('/api/v1/stream'))) return;
		page.problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure() ? req.failure().errorText : ''}`);
	});
	page.on('response', (res) => {
		if (res.status() >= 400) page.problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
	});
	return page;
}

export async function closePage(page) {
	page.closing = true;
	await page.context().close();
}

/* Fails when the page has recorded a problem. */
export function assertClean(page, where) {
	if (page.problems.length) {
		const list = page.problems.splice(0);
		throw new Error(`${where}: ${list.join('\n  ')}`);
	}
}

/* Runs axe-core on the page as it is: no serious or critical violation. */
export async function assertAccessible(page, where) {
	const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
	if (!loaded) await page.evaluate(AXE_SOURCE);
	const result = await page.evaluate(async () => {
		const r = await window.axe.run(document, { resultTypes: ['violations'] });
		return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
	});
	const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	if (bad.length) throw new Error(`${where}: axe violations:\n  ${bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`).join('\n  ')}`);
	if (result.length) console.log(`# axe, ${where}: ${result.map((v) => `${v.impact} ${v.id}`).join(', ')}`);
	return result.length;
}

/* Saves a screenshot of what the viewport shows as <build>/screenshots/<name>.png. */
export async function screenshot(page, name) {
	mkdirSync(SCREENSHOTS, { recursive: true });
	const path = join(SCREENSHOTS, `${name}.png`);
	await page.screenshot({ path });
	return path;
}

/* The checks of a screen: clean so far, accessible, and photographed. */
export async function checkScreen(page, name) {
	await page.waitForTimeout(50);
	assertClean(page, name);
	await assertAccessible(page, name);
	await screenshot(page, name);
	assertClean(page, name);
}

/* Logs in through the login form; waits for the role's home screen. */
export async function loginUi(page, url, username, home) {
	await page.goto(`${url}/#/login`);
	await page.getByLabel('用户名').fill(username);
	await page.getByLabel('密码').fill(PASSWORD);
	await page.getByRole('button', { name: '登录', exact: true }).click();
	try {
		await page.waitForFunction((screen) => document.getElementById('main').dataset.screen === screen, home, { timeout: 15000 });
	} catch (err) {
		// say where the login went instead: another home, or the form's error
		const seen = await page.evaluate(() => ({ screen: document.getElementById('main').dataset.screen,
			alert: [...document.querySelectorAll('[role=alert]')].map((e) => e.textContent.trim()).filter(Boolean).join(' / ') }));
		throw new Error(`${username} did not reach ${home}: the page shows screen "${seen.screen}"${seen.alert ? `, alert "${seen.alert}"` : ''} (${err.message})`);
	}
}

/* Waits until the main element shows the screen of that name. */
export async function screen(page, name) {
	await page.waitForFunction((n) => document.getElementById('main').dataset.screen === n, name);
}

/* Takes an action through its button and dialog: fill(dialog) fills the
 * fields; waits until the page shows state (a zh-CN state label). */
export async function act(page, label, fill, stateLabel) {
	await page.locator('.action-bar').getByRole('button', { name: label, exact: true }).click();
	const dialog = page.getByRole('dialog');
	await dialog.waitFor();
	if (fill) await fill(dialog);
	await dialog.getByRole('button', { name: label, exact: true }).click();
	await dialog.waitFor({ state: 'detached' });
	if (stateLabel) await page.locator('.ticket-number .badge', { hasText: stateLabel }).waitFor({ timeout: 5000 });
}

// ---- a tiny test runner --------------------------------------------------

const tests = [];
export function test(name, fn) {
	tests.push({ name, fn });
}

/* Runs the tests in order (each may rely on the ones before); prints one
 * line per test and "N passed, N failed". Resolves to the failure count. */
export async function runAll(ctx) {
	let passed = 0;
	let failed = 0;
	for (const t of tests) {
		const started = Date.now();
		try {
			await t.fn(ctx);
			passed++;
			console.log(`ok ${passed + failed} - ${t.name} (${Date.now() - started} ms)`);
		} catch (err) {
			failed++;
			console.log(`not ok ${passed + failed} - ${t.name}\n  ${String(err.stack || err).split('\n').join('\n  ')}`);
		}
	}
	console.log(`${passed} passed, ${failed} failed`);
	return failed;
}

/* Runs a file of tests: starts the server and the browser (ctx.server,
 * ctx.url, ctx.browser), runs setup(ctx) and then the tests, closes the
 * pages left in ctx.pages, the browser and the server, and exits with 1 if
 * anything failed (the server's exit status included). */
export function runFile(ctx, setup = async () => {}) {
	(async () => {
		ctx.pages = ctx.pages || {};
		ctx.server = await startServer();
		ctx.url = ctx.server.url;
		ctx.browser = await launch();
		let failed = 1;
		try {
			await setup(ctx);
			failed = await runAll(ctx);
		} finally {
			for (const page of Object.values(ctx.pages)) await closePage(page).catch(() => {});
			await ctx.browser.close();
			const status = await ctx.server.stop();
			if (status.code !== 0) {
				console.log(`the server exited with ${status.code ?? status.signal}`);
				failed++;
			}
		}
		console.log(`# screenshots: ${SCREENSHOTS}`);
		process.exit(failed ? 1 : 0);
	})().catch((err) => {
		console.log(`not ok - the browser tests could not run: ${err.stack || err}`);
		process.exit(1);
	});
}
