// Browser tests of the leadership SLA dashboard (#/dashboard; run by
// ./tests/run as the meson test "browser-dashboard", alone, so that no
// other suite moves the figures while they are compared): a leader and a
// supervisor see it as their home; every KPI and every table cell (states,
// ranking, returns, categories, trend) equals the metrics API's JSON for
// the page's period, and every KPI's target and verdict (达标 / 未达标)
// GET /api/v1/stats/targets; each CSV export downloads a file that starts
// with the UTF-8 BOM; bureau and town users get no dashboard; the figures
// follow a ticket through dispatch → accept → resolve → feedback → rating
// (through the API), live, without reload; the time until all figures are
// rendered is measured and printed (target: under 1 s; a busy shared
// machine is allowed up to 3 s before the test fails).
//
// SUQIU_TEST_URL=http://127.0.0.1:8080 runs it against a running server
// (e.g. quickstart's, with its demo tickets) instead of starting one.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import {
	STATES, apiSession, assertClean, checkScreen, closePage, launch, loginUi, newPage, runAll, startServer, test,
} from './harness.mjs';

const ctx = { pages: {} };
const TAG = `驾驶舱测试${Date.now().toString(36)}`;
const BUDGET_MS = 1000;

// ---- the page's figures and the API's ---------------------------------------

const pick = (row, key) => key.split('.').reduce((o, k) => (o === null || o === undefined ? o : o[k]), row);
const rate = (r) => (r.rate === null ? '—' : `${(r.rate * 100).toFixed(1)}%`);
const KPI_KINDS = {
	response_rate: 'rate', resolution_rate: 'rate', satisfaction_rate: 'rate', 'on_time.accept': 'rate', 'on_time.resolve': 'rate',
	overdue_now: 'count', 'supervisions.total': 'count', 'resolve_hours.mean': 'hours', tickets: 'count',
};
function expectText(value, kind) {
	if (kind === 'rate') return rate(value);
	if (value === null) return '—';
	return kind === 'hours' ? `${value}小时` : String(value);
}

async function generation(page) {
	return Number(await page.locator('.dashboard').getAttribute('data-generation'));
}

/* Waits until the dashboard has rendered more than `after` times. */
async function rendered(page, after = 0) {
	await page.waitForFunction((n) => {
		const d = document.querySelector('.dashboard');
		return d && Number(d.dataset.generation) > n && !document.querySelector('.dash-body[aria-busy]');
	}, after, { timeout: 15000 });
}

/* Waits until the trend chart shows the latest figures. */
async function charted(page) {
	await page.waitForFunction(() => {
		const d = document.querySelector('.dashboard');
		return d && d.dataset.chart === d.dataset.generation && document.querySelector('.dash-chart canvas');
	}, null, { timeout: 15000 });
}

/* The four views of the page's period, fetched in the page (its session). */
async function apiFigures(page) {
	const from = await page.locator('.dashboard').getAttribute('data-from');
	const to = await page.locator('.dashboard').getAttribute('data-to');
	return page.evaluate(async ({ f, t }) => {
		const one = async (view, extra = '') => {
			const r = await fetch(`/api/v1/stats/${view}?from=${f}&to=${t}${extra}`, { credentials: 'same-origin' });
			if (!r.ok) throw new Error(`${view}: ${r.status}`);
			return r.json();
		};
		return { overview: await one('overview'), orgs: await one('orgs'), categories: await one('categories'),
			trend: await one('trend', '&granularity=week') };
	}, { f: from, t: to });
}

/* The target as the page should show it, and the verdict of value against it. */
function expectTarget(key, t, value) {
	const unit = t.kind === 'min' ? '%' : KPI_KINDS[key] === 'hours' ? '小时' : '';
	let ok = null;
	if (t.kind === 'min') ok = value.rate === null ? null : Math.round(value.rate * 10000) / 100 >= t.value;
	else if (value !== null) ok = value <= t.value;
	return { text: `目标 ${t.kind === 'min' ? '≥' : '≤'} ${t.value}${unit}${ok === null ? '' : ok ? ' · 达标' : ' · 未达标'}`,
		cls: ok === null ? '' : ok ? 'kpi-met' : 'kpi-missed' };
}

/* Every KPI's target line and verdict equal GET /api/v1/stats/targets; a KPI without one shows none. */
async function compareTargets(page, fig, eq) {
	await page.waitForSelector('.dashboard[data-targets]', { timeout: 15000 });
	const targets = await page.evaluate(async () => (await (await fetch('/api/v1/stats/targets', { credentials: 'same-origin' })).json()).targets);
	eq('targets', targets.map((t) => t.metric).sort().join(), Object.keys(KPI_KINDS).filter((k) => k !== 'tickets').sort().join());
	for (const key of Object.keys(KPI_KINDS)) {
		const card = page.locator(`.kpi[data-kpi="${key}"]`);
		const t = targets.find((x) => x.metric === key);
		const shown = await card.locator('.kpi-target').count() ? (await card.locator('.kpi-target').textContent()).trim() : null;
		const cls = await card.getAttribute('class');
		const want = t ? expectTarget(key, t, pick(fig, key)) : { text: null, cls: '' };
		eq(`KPI ${key} target`, shown, want.text);
		eq(`KPI ${key} verdict`, cls.split(' ').filter((c) => c !== 'kpi').join(' '), want.cls);
	}
}

/* Every KPI, ranking, returns, category and trend cell equals the API's JSON. */
async function compareWithApi(page, where) {
	const api = await apiFigures(page);
	const fig = api.overview.figures;
	const problems = [];
	const eq = (what, got, want) => {
		if (got !== want) problems.push(`${what}: page ${JSON.stringify(got)}, API ${JSON.stringify(want)}`);
	};
	await compareTargets(page, fig, eq);
	for (const [key, kind] of Object.entries(KPI_KINDS)) {
		const card = page.locator(`.kpi[data-kpi="${key}"]`);
		const value = pick(fig, key);
		eq(`KPI ${key}`, (await card.locator('.kpi-value').textContent()).trim(), expectText(value, kind));
		if (kind === 'rate') eq(`KPI ${key} title`, await card.locator('.kpi-value').getAttribute('title'), `${value.numerator}/${value.denominator}`);
	}
	const cells = (id) => page.locator(`section[aria-labelledby="${id}"] tbody tr`).evaluateAll((rows) => rows.map((r) =>
		[...r.children].map((c) => ({ text: c.textContent.trim(), title: c.getAttribute('title') }))));
	eq('states', JSON.stringify((await cells('dash-states')).map((r) => r.map((c) => c.text))),
		JSON.stringify([[...STATES.map((s) => String(fig.states[s])), String(fig.rectifications)]]));
	const byName = new Map(api.orgs.items.map((x) => [x.org.name, x]));
	const ranking = await cells('dash-ranking');
	eq('ranking rows', ranking.length, api.orgs.items.length);
	for (const row of ranking) {
		const x = byName.get(row[1].text);
		if (!x) {
			problems.push(`ranking: unknown org ${row[1].text}`);
			continue;
		}
		const want = [String(x.tickets), rate(x.response_rate), rate(x.resolution_rate), rate(x.satisfaction_rate), rate(x.on_time.accept),
			rate(x.on_time.resolve), String(x.overdue_now), String(x.supervisions.total)];
		eq(`ranking ${x.org.name}`, JSON.stringify(row.slice(3).map((c) => c.text)), JSON.stringify(want));
		eq(`ranking ${x.org.name} response title`, row[4].title, `${x.response_rate.numerator}/${x.response_rate.denominator}`);
	}
	// ranked by on-time resolution, nulls last
	const order = ranking.map((r) => byName.get(r[1].text)).filter(Boolean).map((x) => (x.on_time.resolve.rate === null ? -1 : x.on_time.resolve.rate));
	if (order.some((v, i) => i > 0 && v > order[i - 1])) problems.push(`ranking not ordered: ${order.join(', ')}`);
	for (const row of await cells('dash-returns')) {
		const x = byName.get(row[0].text);
		eq(`returns ${row[0].text}`, JSON.stringify(row.slice(1).map((c) => c.text)),
			JSON.stringify([x.dispatches, x.returns, x.bounced, x.extensions.requested, x.extensions.approved].map(String)));
	}
	const cats = await cells('dash-categories');
	eq('category rows', cats.length, api.categories.items.length);
	for (const row of cats) {
		const x = api.categories.items.find((c) => c.category.name === row[0].text && (c.category.parent || '—') === row[1].text);
		if (!x) {
			problems.push(`categories: unknown ${row[0].text}`);
			continue;
		}
		eq(`category ${row[0].text}`, JSON.stringify(row.slice(2).map((c) => c.text)), JSON.stringify([String(x.tickets),
			rate(x.resolution_rate), rate(x.satisfaction_rate), rate(x.on_time.resolve), String(x.repeated_demands.clusters)]));
	}
	const trend = await cells('dash-trend');
	eq('trend rows', trend.length, api.trend.items.length);
	trend.forEach((row, i) => {
		const x = api.trend.items[i];
		eq(`trend ${x.bucket}`, JSON.stringify(row.map((c) => c.text)), JSON.stringify([x.bucket, String(x.tickets), rate(x.response_rate),
			rate(x.resolution_rate), rate(x.satisfaction_rate), rate(x.on_time.resolve), String(x.overdue_now)]));
	});
	const shown = await page.locator('.clusters > li').count();
	eq('clusters listed', shown, fig.repeated_demands.items.length);
	if (problems.length) throw new Error(`${where}: the page differs from the API:\n  ${problems.join('\n  ')}`);
	return api;
}

async function userPage(name, username, home) {
	const page = await newPage(ctx.browser);
	await loginUi(page, ctx.url, username, home);
	ctx.pages[name] = page;
	return page;
}

// ---- the tests ---------------------------------------------------------------

test('a leader lands on the dashboard; every figure equals the metrics API', async () => {
	const page = await userPage('lingdao', 'lingdao', 'dashboard');
	await rendered(page);
	await charted(page);
	if (await page.getByRole('link', { name: '领导驾驶舱' }).count() !== 1) throw new Error('no dashboard link in the nav');
	await compareWithApi(page, 'leader, this month');
	// the chart has its text alternative
	const label = await page.locator('.dash-chart').getAttribute('aria-label');
	if (!label || !label.includes('趋势数据表')) throw new Error(`the chart's label: ${label}`);
	await checkScreen(page, '40-dashboard-leader');
});

test('the dashboard renders all figures within its 1 s target', async () => {
	const page = ctx.pages.lingdao;
	const runs = [];
	for (let i = 0; i < 3; i++) {
		await page.goto('about:blank');
		await page.goto(`${ctx.url}/#/dashboard`);
		await rendered(page);
		await charted(page);
		runs.push(await page.evaluate(() => {
			const at = (name) => performance.getEntriesByName(name)[0].startTime - nav.startTime;
			const nav = performance.getEntriesByType('navigation')[0];
			return { rendered: at('suqiu:dashboard-rendered'), chart: at('suqiu:dashboard-chart'), load: nav.loadEventEnd - nav.startTime };
		}));
	}
	const tickets = await page.locator('.kpi[data-kpi="tickets"] .kpi-value').textContent();
	runs.forEach((r, i) => console.log(`# dashboard, run ${i + 1}: all figures rendered ${r.rendered.toFixed(1)} ms after navigation start,`
		+ ` trend chart drawn ${r.chart.toFixed(1)} ms (load event ${r.load.toFixed(1)} ms)`));
	const median = runs.map((r) => r.rendered).sort((a, b) => a - b)[1];
	const chart = runs.map((r) => r.chart).sort((a, b) => a - b)[1];
	console.log(`# dashboard median: all figures rendered in ${median.toFixed(1)} ms, the chart drawn in ${chart.toFixed(1)} ms`
		+ ` (${tickets} tickets this month; machine load average ${loadavg()[0].toFixed(2)} on ${cpus().length} cores)`);
	// as the first screen's figure: over the target is reported; a machine shared by other
	// builds (load average 9–12 on 2 cores) can take a run there, so only a gross miss fails
	if (median > BUDGET_MS) console.log(`# dashboard: ${median.toFixed(1)} ms is over the ${BUDGET_MS} ms target`);
	if (median > 3 * BUDGET_MS) throw new Error(`the dashboard took ${median.toFixed(1)} ms (over 3 × ${BUDGET_MS} ms)`);
	assertClean(page, 'dashboard timing');
});

test('each table exports its CSV, a file that starts with the UTF-8 BOM', async () => {
	const page = ctx.pages.lingdao;
	const links = page.locator('a.csv-link');
	const n = await links.count();
	if (n < 6) throw new Error(`only ${n} CSV links`);
	const names = await links.allTextContents();
	if (!names.every((x) => /^导出 CSV(.+)$/.test(x))) throw new Error(`CSV links: ${names.join(', ')}`);
	for (let i = 0; i < n; i++) {
		const link = links.nth(i);
		const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
		const bytes = readFileSync(await download.path());
		if (bytes[0] !== 0xef || bytes[1] !== 0xbb || bytes[2] !== 0xbf) throw new Error(`${names[i]}: no BOM`);
		if (!/^suqiu-stats-\w+-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/.test(download.suggestedFilename())) throw new Error(`file name ${download.suggestedFilename()}`);
	}
	assertClean(page, 'CSV export');
});

test('the period picker asks for last month, the year and a custom period; a reversed period is refused', async () => {
	const page = ctx.pages.lingdao;
	for (const label of ['上月', '本年', '本季度']) {
		const before = await generation(page);
		await page.getByRole('combobox', { name: '统计时段' }).selectOption({ label });
		await rendered(page, before);
		await compareWithApi(page, label);
	}
	await page.getByRole('combobox', { name: '统计时段' }).selectOption({ label: '自定义' });
	await page.getByLabel('开始日期').fill('2026-12-31');
	await page.getByLabel('结束日期').fill('2026-01-01');
	await page.getByRole('button', { name: '查询' }).click();
	await page.getByText('开始日期不能晚于结束日期。').waitFor();
	const before = await generation(page);
	await page.getByLabel('开始日期').fill('2026-01-01');
	await page.getByRole('button', { name: '查询' }).click();
	await rendered(page, before);
	if (await page.locator('.dashboard').getAttribute('data-from') !== '2026-01-01') throw new Error('the custom period was not sent');
	await compareWithApi(page, 'custom');
	await page.getByRole('combobox', { name: '统计时段' }).selectOption({ label: '本月' });
	await rendered(page, before + 1);
	assertClean(page, 'period picker');
});

test('a supervisor lands on the dashboard too; the figures equal the API', async () => {
	const page = await userPage('duban', 'duban', 'dashboard');
	await rendered(page);
	await charted(page);
	await compareWithApi(page, 'supervisor');
	await checkScreen(page, '41-dashboard-supervisor');
	await closePage(page);
	delete ctx.pages.duban;
});

test('bureau and town users have no dashboard', async () => {
	for (const [username, home] of [['renshe', 'bureau'], ['xinzhuang', 'town']]) {
		const page = await newPage(ctx.browser);
		await loginUi(page, ctx.url, username, home);
		if (await page.getByRole('link', { name: '领导驾驶舱' }).count()) throw new Error(`${username} sees the dashboard link`);
		await page.goto(`${ctx.url}/#/dashboard`);
		await page.waitForFunction((h) => document.getElementById('main').dataset.screen === h, home);
		if (await page.locator('.dashboard').count()) throw new Error(`${username} opened the dashboard`);
		assertClean(page, username);
		await closePage(page);
	}
});

test('a ticket through dispatch → accept → resolve → feedback → rating moves the figures, live', async () => {
	const page = ctx.pages.lingdao;
	await page.goto(`${ctx.url}/#/dashboard`);
	await rendered(page);
	const before = (await compareWithApi(page, 'before the loop')).overview.figures;
	const gen = await generation(page);
	const qiye1 = await apiSession(ctx.url, 'qiye1');
	const qiye2 = await apiSession(ctx.url, 'qiye2');
	const zhuanyuan = await apiSession(ctx.url, 'zhuanyuan');
	const renshe = await apiSession(ctx.url, 'renshe');
	const title = `${TAG} 稳岗补贴申领`;
	let t = await qiye1.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title, description: '驾驶舱测试:企业申请稳岗补贴,材料已经备齐。' });
	// the same demand from a second enterprise: one more 一类事 cluster
	await qiye2.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title, description: '驾驶舱测试:另一家企业反映同一件事。' });
	const act = async (who, action, fields = {}) => {
		const r = await who.call('POST', `/api/v1/tickets/${t.id}/actions/${action}`, { version: t.version, ...fields });
		t = r || await zhuanyuan.call('GET', `/api/v1/tickets/${t.id}`);
	};
	await act(zhuanyuan, 'dispatch', { lead_org_id: ctx.renshe });
	await act(renshe, 'accept');
	await act(renshe, 'resolve', { resolution: '已按规定受理稳岗补贴申请,补贴将于十个工作日内拨付。' });
	await act(zhuanyuan, 'feedback');
	await act(qiye1, 'rate', { score: 5, comment: '办理及时,非常满意。' });
	if (t.state !== 'closed') throw new Error(`the ticket is ${t.state}, not closed`);
	// the page reloads its figures on the stream's events, without navigation
	await page.waitForFunction(({ g, n }) => Number(document.querySelector('.dashboard').dataset.generation) > g
		&& document.querySelector('.kpi[data-kpi="tickets"] .kpi-value').textContent === String(n), { g: gen, n: before.tickets + 2 }, { timeout: 15000 });
	await rendered(page, gen);
	const after = (await compareWithApi(page, 'after the loop')).overview.figures;
	const grew = (key, part, by) => {
		const a = pick(after, key);
		const b = pick(before, key);
		if ((part ? a[part] - b[part] : a - b) !== by) throw new Error(`${key}${part ? `.${part}` : ''}: ${JSON.stringify(b)} → ${JSON.stringify(a)}, expected +${by}`);
	};
	grew('tickets', null, 2);
	grew('states.closed', null, 1);
	grew('states.new', null, 1);
	grew('dispatches', null, 1);
	for (const k of ['response_rate', 'resolution_rate', 'satisfaction_rate', 'on_time.accept']) {
		grew(k, 'numerator', 1);
		grew(k, 'denominator', 1);
	}
	grew('repeated_demands.clusters', null, 1);
	grew('repeated_demands.tickets', null, 2);
	// the cluster lists its tickets, linked to the ticket view
	const cluster = page.locator('.cluster', { hasText: title });
	await cluster.locator('summary').click();
	await cluster.getByRole('link', { name: t.number }).waitFor();
	// a live reload keeps the cluster open
	const g2 = await generation(page);
	await qiye2.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title: `${TAG} 另一件事`, description: '驾驶舱测试:实时刷新时展开的一类事保持展开。' });
	await rendered(page, g2);
	await page.locator('.cluster[open]', { hasText: title }).getByRole('link', { name: t.number }).click();
	await page.waitForFunction(() => document.getElementById('main').dataset.screen === 'ticket');
	await page.getByRole('heading', { level: 1, name: title }).waitFor();
	assertClean(page, 'loop');
});

// ---- run -------------------------------------------------------------------

async function main() {
	ctx.server = process.env.SUQIU_TEST_URL ? null : await startServer();
	ctx.url = ctx.server ? ctx.server.url : process.env.SUQIU_TEST_URL;
	const browser = await launch();
	ctx.browser = browser;
	let failed = 1;
	try {
		const api = await apiSession(ctx.url, 'zhuanyuan');
		const orgs = (await api.call('GET', '/api/v1/orgs')).items;
		ctx.renshe = orgs.find((o) => o.name === '区人社局').id;
		const cats = (await api.call('GET', '/api/v1/categories')).items;
		ctx.categoryId = cats.find((c) => c.name === '用工人社').id;
		failed = await runAll(ctx);
	} finally {
		for (const page of Object.values(ctx.pages)) await closePage(page).catch(() => {});
		await browser.close();
		if (ctx.server) {
			const status = await ctx.server.stop();
			if (status.code !== 0) {
				console.log(`the server exited with ${status.code ?? status.signal}`);
				failed++;
			}
		}
	}
	process.exit(failed ? 1 : 0);
}

main().catch((err) => {
	console.log(`not ok - the dashboard tests could not run: ${err.stack || err}`);
	process.exit(1);
});
