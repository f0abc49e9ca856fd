// Browser tests of the web UI (run by ./tests/run as the meson test
// "browser"): Debian's Chromium driven by playwright-core against a real
// suqiu-server and the test database. Each user works in a browser context
// of their own; every screen is checked for console errors, failed
// requests and axe-core violations, and photographed at 1280x720 into
// <build>/screenshots/. The ticket loop is played through the UI alone:
// an enterprise submits, the specialist dispatches, one bureau returns,
// another accepts, contacts, records progress and suspends, the enterprise
// answers, the bureau asks for an extension and resolves, the specialist
// feeds back, the enterprise rates badly, the supervisor orders
// rectification, the bureau resolves again, the enterprise rates well. A
// leader's dashboard, open from before the loop to its end, must then show
// exactly the loop's changes: nothing else creates a ticket meanwhile (the
// tests that do come after the loop, and meson runs this file alone).
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import {
	PASSWORD, act, apiSession, assertClean, checkScreen, closePage, loginUi, need, newPage, runFile, screen, startServer, test,
} from './harness.mjs';

const TAG = `浏览器测试${Date.now().toString(36)}`;
// a 1x1 PNG, uploaded as an attachment
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const ctx = { pages: {} };

/* Opens the ticket from a list by its title and waits for its view. */
async function openTicket(page, title) {
	await page.getByRole('link', { name: title, exact: true }).first().click();
	await screen(page, 'ticket');
	await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

async function userPage(name, username, home) {
	const page = await newPage(ctx.browser);
	await loginUi(page, ctx.url, username, home);
	ctx.pages[name] = page;
	return page;
}

// ---- 1. the first screen ---------------------------------------------------

/* Navigation Timing of the page's last load, in ms from its start. */
const navTiming = (page) => page.evaluate(() => {
	const n = performance.getEntriesByType('navigation')[0];
	return { ttfb: n.responseStart - n.startTime, dcl: n.domContentLoadedEventEnd - n.startTime, load: n.loadEventEnd - n.startTime };
});

/* Loads the first screen until the login form and the demo logins show. */
async function firstScreen(page) {
	await page.goto(`${ctx.url}/`);
	await page.getByRole('heading', { level: 1 }).waitFor();
	await page.getByRole('table').getByText('zhuanyuan', { exact: true }).waitFor();
	return navTiming(page);
}

const median = (runs) => [...runs].sort((a, b) => a.load - b.load)[Math.floor(runs.length / 2)];
const fmt = (t) => `first byte ${t.ttfb.toFixed(1)} ms, DOMContentLoaded ${t.dcl.toFixed(1)} ms, load ${t.load.toFixed(1)} ms`;

test('the first screen loads fast with a cold cache and lists the demo logins', async () => {
	// the browser process warms up first (a blank page); then the first
	// screen loads three times in fresh contexts (a new renderer process and
	// an empty HTTP cache each), and three times in one running page with the
	// cache disabled (every file from the server: a cold cache, without the
	// cost of starting a renderer process)
	const warm = await newPage(ctx.browser);
	await warm.goto('about:blank');
	await closePage(warm);
	const fresh = [];
	for (let i = 0; i < 3; i++) {
		const p = await newPage(ctx.browser);
		fresh.push(await firstScreen(p));
		if (i < 2) await closePage(p);
		else ctx.loginPage = p;
	}
	const page = ctx.loginPage;
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Network.enable');
	await cdp.send('Network.setCacheDisabled', { cacheDisabled: true }); // as DevTools' "Disable cache"
	const cleared = [];
	for (let i = 0; i < 3; i++) {
		await page.goto('about:blank');
		await cdp.send('Network.clearBrowserCache');
		const t = await firstScreen(page);
		const cached = await page.evaluate(() => performance.getEntriesByType('resource')
			.filter((r) => r.transferSize === 0 && !r.name.includes('/api/')).map((r) => r.name));
		if (cached.length) throw new Error(`served from a cache: ${cached.join(', ')}`);
		cleared.push(t);
	}
	await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
	await cdp.detach();
	fresh.forEach((t, i) => console.log(`# first screen (login), fresh context, run ${i + 1}: ${fmt(t)}`));
	cleared.forEach((t, i) => console.log(`# first screen (login), cache disabled, run ${i + 1}: ${fmt(t)}`));
	const busy = `machine load average ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`;
	const a = median(fresh);
	const b = median(cleared);
	console.log(`# first screen median: load ${b.load.toFixed(1)} ms with the cache disabled${b.load > 300 ? ' (over the 300 ms target)' : ''},`
		+ ` ${a.load.toFixed(1)} ms in a fresh context (${busy})`);
	if (await page.getByRole('table').getByRole('row').count() < 13) throw new Error('the demo logins are not all listed');
	await checkScreen(page, '01-login');
	// a demo login's button fills the form
	await page.getByRole('button', { name: '填入 qiye1' }).click();
	if (await page.getByLabel('用户名').inputValue() !== 'qiye1') throw new Error('the demo button did not fill the username');
	// empty fields are refused before anything is sent
	await page.getByLabel('用户名').fill('');
	await page.getByRole('button', { name: '登录', exact: true }).click();
	await page.getByText('请填写用户名。').waitFor();
	if (await page.getByLabel('用户名').getAttribute('aria-invalid') !== 'true') throw new Error('the empty username is not marked');
	assertClean(page, 'login validation');
	await closePage(page);
});

// ---- 2. the leader's dashboard, before the loop ---------------------------

/* What the open dashboard shows: every KPI and table cell by "table row
 * column" (the rank, kind and parent columns aside), a rate as [numerator,
 * denominator] (its title), a count as a number; read between two renders'
 * figures only (the generation is the same before and after). */
async function dashboardFigures(page) {
	await page.waitForFunction(() => {
		const d = document.querySelector('.dashboard');
		return d && Number(d.dataset.generation) > 0 && !d.querySelector('.dash-body[aria-busy]');
	}, null, { timeout: 15000 });
	const seen = await page.evaluate(() => {
		const d = document.querySelector('.dashboard');
		const generation = d.dataset.generation;
		const figures = {};
		const put = (key, cell) => {
			const m = /^(\d+)\/(\d+)$/.exec(cell.getAttribute('title') || '');
			const text = cell.textContent.trim();
			figures[key] = m ? [Number(m[1]), Number(m[2])] : /^\d+$/.test(text) ? Number(text) : text;
		};
		for (const k of d.querySelectorAll('.kpi')) put(`KPI ${k.querySelector('.kpi-label').textContent}`, k.querySelector('.kpi-value'));
		const TABLES = { 'dash-states': '状态', 'dash-ranking': '排名', 'dash-returns': '退回', 'dash-categories': '分类', 'dash-trend': '趋势' };
		for (const [id, name] of Object.entries(TABLES)) {
			const section = d.querySelector(`section[aria-labelledby="${id}"]`);
			const head = [...section.querySelectorAll('thead th')].map((th) => th.textContent.trim());
			for (const tr of section.querySelectorAll('tbody tr')) {
				const cells = [...tr.children];
				const th = tr.querySelector('th[scope=row]');
				const row = th ? `${th.textContent.trim()}${id === 'dash-categories' ? `/${cells[1].textContent.trim()}` : ''} ` : '';
				cells.forEach((c, i) => {
					if (c !== th && !['排名', '类型', '上级分类'].includes(head[i])) put(`${name} ${row}${head[i]}`, c);
				});
			}
		}
		return { generation, same: d.dataset.generation === generation, from: d.dataset.from, to: d.dataset.to, figures };
	});
	if (!seen.same) return dashboardFigures(page);
	return seen;
}

test('a leader\'s dashboard records its figures before the loop starts', async () => {
	const page = await userPage('lingdao', 'lingdao', 'dashboard');
	ctx.dashBefore = await dashboardFigures(page);
	if (!('KPI 诉求总数' in ctx.dashBefore.figures) || !('状态 已关闭' in ctx.dashBefore.figures)) {
		throw new Error(`the dashboard shows ${Object.keys(ctx.dashBefore.figures).slice(0, 20).join(', ')}`);
	}
	assertClean(page, 'dashboard before the loop');
});

// ---- 3. the enterprise portal: submit -------------------------------------

test('an enterprise submits a demand with an attachment after field validation', async () => {
	const page = await userPage('qiye1', 'qiye1', 'portal');
	await checkScreen(page, '02-portal');
	await page.getByRole('link', { name: '提交诉求' }).first().click();
	await screen(page, 'submit');
	await checkScreen(page, '03-submit');
	await page.getByRole('button', { name: '提交', exact: true }).click();
	await page.getByText('请选择诉求类别。').waitFor();
	await page.getByLabel('诉求标题').fill(`${TAG} 招用应届生社保补贴`);
	await page.getByLabel('诉求内容').fill('太短');
	await page.getByLabel('联系电话').fill('12ab');
	await page.getByRole('button', { name: '提交', exact: true }).click();
	await page.getByText('诉求内容不少于 10 个字。').waitFor();
	await page.getByText('请填写正确的手机号或座机号码。').waitFor();
	await page.getByLabel('诉求类别').selectOption({ label: '用工人社' });
	await page.getByLabel('诉求内容').fill('我司今年招用应届高校毕业生 12 名,申请社保补贴时系统提示材料不全,请协助核实需要补充哪些材料。');
	await page.getByLabel('联系人').fill('刘洋');
	await page.getByLabel('联系电话').fill('13812345678');
	await page.getByLabel('附件').setInputFiles({ name: '营业执照.png', mimeType: 'image/png', buffer: PNG });
	if (await page.locator('[aria-invalid="true"]').count()) throw new Error('corrected fields are still marked');
	await page.getByRole('button', { name: '提交', exact: true }).click();
	await screen(page, 'ticket');
	await page.getByRole('link', { name: '营业执照.png' }).waitFor();
	await page.locator('.timeline').getByText('登记诉求').first().waitFor();
	ctx.ticketId = Number(/#\/ticket\/(\d+)/.exec(page.url())[1]);
	ctx.title = `${TAG} 招用应届生社保补贴`;
	await checkScreen(page, '04-ticket-enterprise');
	if (await page.locator('.action-bar button').count() !== 1) throw new Error('a new ticket should offer the enterprise only 撤回');
});

// ---- 4. the triage desk ----------------------------------------------------

test('the specialist sees the new ticket in the triage queue and can search it', async () => {
	const page = await userPage('zhuanyuan', 'zhuanyuan', 'triage');
	await page.getByRole('link', { name: ctx.title, exact: true }).waitFor();
	await checkScreen(page, '05-triage');
	await page.getByLabel('搜索').fill(TAG);
	await page.getByRole('button', { name: '查询' }).click();
	await page.waitForFunction((tag) => [...document.querySelectorAll('.table-tickets tbody tr')].every((r) => r.textContent.includes(tag))
		&& document.querySelectorAll('.table-tickets tbody tr').length >= 1, TAG);
	assertClean(page, 'triage search');
});

test('the dispatch dialog is pre-filled from the category; the specialist dispatches', async () => {
	const page = ctx.pages.zhuanyuan;
	await page.goto(`${ctx.url}/#/ticket/${ctx.ticketId}`);
	await screen(page, 'ticket');
	await page.getByRole('heading', { level: 1, name: ctx.title }).waitFor();
	await page.locator('.ticket-aside').getByText('企业历史诉求').waitFor();
	await checkScreen(page, '06-ticket-specialist');
	await page.locator('.action-bar').getByRole('button', { name: '分派', exact: true }).click();
	const dialog = page.getByRole('dialog');
	await dialog.waitFor();
	const lead = await dialog.getByLabel('主办单位').inputValue();
	if (lead !== String(ctx.renshe)) throw new Error(`the lead org is ${lead}, not the category's suggestion ${ctx.renshe}`);
	await checkScreen(page, '07-dispatch-dialog');
	// first to the planning bureau, which will return it
	await dialog.getByLabel('主办单位').selectOption(String(ctx.guihua));
	await dialog.getByLabel('分派说明').fill('请核实企业补贴申请材料。');
	await dialog.getByRole('button', { name: '分派', exact: true }).click();
	await dialog.waitFor({ state: 'detached' });
	await page.locator('.ticket-number .badge', { hasText: '待签收' }).waitFor();
	assertClean(page, 'dispatch');
});

// ---- 5. the bureau desk ----------------------------------------------------

test('a bureau sees the assignment with a working-time countdown and returns it with a coded reason', async () => {
	const page = await userPage('guihua', 'guihua', 'bureau');
	const row = page.locator('tr', { has: page.getByRole('link', { name: ctx.title, exact: true }) });
	await row.waitFor();
	const countdown = await row.locator('.countdown').textContent();
	if (!/^签收:(剩余|已超期) /.test(countdown)) throw new Error(`the countdown reads "${countdown}"`);
	await checkScreen(page, '08-bureau');
	await openTicket(page, ctx.title);
	await checkScreen(page, '09-ticket-bureau');
	await act(page, '退回', async (d) => {
		await d.getByLabel('职能不符').check();
		await d.getByLabel('退回依据').fill('社保补贴属区人社局职能。');
	}, '已退回');
	// the specialist's open ticket view follows without reload
	await ctx.pages.zhuanyuan.locator('.ticket-number .badge', { hasText: '已退回' }).waitFor({ timeout: 3000 });
	assertClean(page, 'return');
});

test('the specialist re-dispatches; the right bureau accepts, contacts, records progress and suspends', async () => {
	const spec = ctx.pages.zhuanyuan;
	await act(spec, '分派', (d) => d.getByLabel('主办单位').selectOption(String(ctx.renshe)), '待签收');
	const page = await userPage('renshe', 'renshe', 'bureau');
	await openTicket(page, ctx.title);
	await act(page, '签收', null, '处置中');
	await act(page, '联系企业', async (d) => {
		await d.getByLabel('联系方式').selectOption('电话');
		await d.getByLabel('联系情况').fill('已电话联系刘洋,了解材料情况。');
	});
	await page.locator('.timeline').getByText('联系企业').first().waitFor();
	await act(page, '办理进展', (d) => d.getByLabel('进展情况').fill('已调取企业参保记录。'));
	await page.locator('.timeline').getByText('已调取企业参保记录').first().waitFor();
	await act(page, '挂起', (d) => d.getByLabel('需企业补充的材料或信息').fill('请补充 12 名应届生的劳动合同。'), '挂起');
	assertClean(page, 'bureau handling');
});

test('the enterprise sees the question in its timeline and answers it', async () => {
	const page = ctx.pages.qiye1;
	await page.locator('.ticket-number .badge', { hasText: '挂起' }).waitFor({ timeout: 5000 });
	await page.locator('.timeline').getByText('请补充 12 名应届生的劳动合同').first().waitFor();
	await page.locator('.callout').getByText('请补充 12 名应届生的劳动合同').waitFor();
	await checkScreen(page, '10-ticket-suspended');
	await act(page, '补充材料', (d) => d.getByLabel('补充的信息').fill('劳动合同已上传至附件,共 12 份。'), '处置中');
	assertClean(page, 'supply');
});

test('the bureau asks for an extension and resolves', async () => {
	const page = ctx.pages.renshe;
	await page.locator('.ticket-number .badge', { hasText: '处置中' }).waitFor({ timeout: 5000 });
	await act(page, '申请延期', async (d) => {
		await d.getByLabel('延期工作日数').fill('2');
		await d.getByLabel('延期理由').fill('需人社部门复核材料。');
	});
	await page.getByText('2 个工作日 · 待审批').waitFor();
	await act(page, '办结', (d) => d.getByLabel('办理结果').fill('已核实材料,补贴已进入发放流程。'), '已办结');
	assertClean(page, 'resolve');
});

test('the specialist feeds back; the enterprise rates it 非常不满意 with a comment', async () => {
	const spec = ctx.pages.zhuanyuan;
	await spec.locator('.ticket-number .badge', { hasText: '已办结' }).waitFor({ timeout: 5000 });
	await act(spec, '反馈结果', null, '待评价');
	const page = ctx.pages.qiye1;
	await page.locator('.ticket-number .badge', { hasText: '待评价' }).waitFor({ timeout: 5000 });
	await page.locator('.action-bar').getByRole('button', { name: '评价', exact: true }).click();
	const dialog = page.getByRole('dialog');
	for (const level of ['非常满意', '满意', '基本满意', '不满意', '非常不满意']) await dialog.getByLabel(level, { exact: true }).waitFor();
	await checkScreen(page, '11-rate-dialog');
	await dialog.getByLabel('非常不满意', { exact: true }).check();
	await dialog.getByLabel('评价意见').fill('补贴迟迟未到账。');
	await dialog.getByRole('button', { name: '评价', exact: true }).click();
	await page.getByText('第 1 轮:非常不满意').waitFor();
	assertClean(page, 'bad rating');
});

test('the supervisor orders rectification; the bureau resolves again; the enterprise rates 非常满意', async () => {
	const sup = await userPage('duban', 'duban', 'dashboard'); // the supervisor's home; the desk is next in the nav
	await sup.getByRole('link', { name: '督办台' }).click();
	await screen(sup, 'supervision');
	await sup.locator('section', { hasText: '待裁定事项' }).getByRole('link', { name: ctx.title, exact: true }).waitFor();
	await checkScreen(sup, '12-supervision');
	await openTicket(sup, ctx.title);
	await act(sup, '批准延期', (d) => d.getByLabel('备注').fill('同意延期 2 个工作日。'));
	await sup.getByText('2 个工作日 · 已批准').waitFor();
	await act(sup, '差评处理', async (d) => {
		await d.getByLabel('责令整改').check();
		await d.getByLabel('处理意见').fill('请 3 个工作日内完成发放并回访。');
	}, '整改中');
	const bureau = ctx.pages.renshe;
	await bureau.locator('.ticket-number .badge', { hasText: '整改中' }).waitFor({ timeout: 5000 });
	await act(bureau, '办结', (d) => d.getByLabel('办理结果').fill('补贴已发放到账,已电话回访。'), '已办结');
	await act(ctx.pages.zhuanyuan, '反馈结果', null, '待评价');
	const page = ctx.pages.qiye1;
	await page.locator('.ticket-number .badge', { hasText: '待评价' }).waitFor({ timeout: 5000 });
	await act(page, '评价', async (d) => {
		await d.getByLabel('非常满意', { exact: true }).check();
		await d.getByLabel('评价意见').fill('问题已解决,谢谢。');
	}, '已关闭');
	await checkScreen(page, '13-ticket-closed');
	assertClean(sup, 'supervision');
});

// ---- 6. the dashboard followed the loop; what else creates tickets comes after ---

/* How the figures changed: "+1" for a count, "+1/+2" for a rate's
 * numerator/denominator, "a → b" for text; a row that was not there
 * counts as zeros. Unchanged figures are left out. */
function changes(before, after) {
	const out = {};
	const sign = (n) => (n < 0 ? String(n) : `+${n}`);
	for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
		const [b, a] = [before[key], after[key]];
		if (Array.isArray(a) || Array.isArray(b)) {
			const [bn, bd] = b || [0, 0];
			const [an, ad] = a || [0, 0];
			if (an !== bn || ad !== bd) out[key] = `${sign(an - bn)}/${sign(ad - bd)}`;
		} else if (typeof a === 'number' || typeof b === 'number') {
			if ((a || 0) !== (b || 0)) out[key] = sign((a || 0) - (b || 0));
		} else if (a !== b) {
			out[key] = `${b} → ${a}`;
		}
	}
	return out;
}

test('the leader\'s dashboard shows exactly what the loop changed', async () => {
	const page = ctx.pages.lingdao;
	const before = ctx.dashBefore.figures;
	// the page reloads its figures on the stream's events: it shows the last rating once both ratings count
	await page.waitForFunction(([n, d]) => document.querySelector('.kpi[data-kpi="satisfaction_rate"] .kpi-value').title === `${n}/${d}`,
		[before['KPI 满意率'][0] + 1, before['KPI 满意率'][1] + 2], { timeout: 15000 });
	const seen = await dashboardFigures(page);
	if (seen.from !== ctx.dashBefore.from || seen.to !== ctx.dashBefore.to) throw new Error(`the period moved: ${seen.from}–${seen.to}`);
	// the ticket's week in the weekly trend: the last bucket that starts by today
	const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
	const week = Object.keys(seen.figures).filter((k) => k.startsWith('趋势 ')).map((k) => k.split(' ')[1]).filter((b) => b <= today).sort().pop();
	// README "Metrics": one ticket of 用工人社 from 莘庄镇, dispatched twice (区规划资源局 returned it in time: its accept
	// leg met, its resolve leg cancelled; 区人社局, the latest lead, accepted in time and resolved twice, both in time);
	// one extension asked and approved; rated 1 and then 5 (two real ratings, one of them ≥ 3); rectified once, so
	// closed but not counted as solved; feedback legs are not on the dashboard
	const expected = {
		'KPI 诉求总数': '+1', 'KPI 响应率': '+1/+2', 'KPI 解决率': '+0/+1', 'KPI 满意率': '+1/+2', 'KPI 按时签收率': '+2/+2',
		'KPI 按时办结率': '+2/+2', '状态 已关闭': '+1', '状态 整改次数': '+1',
		'排名 区人社局 诉求数': '+1', '排名 区人社局 响应率': '+1/+1', '排名 区人社局 解决率': '+0/+1', '排名 区人社局 满意率': '+1/+2',
		'排名 区人社局 按时签收率': '+1/+1', '排名 区人社局 按时办结率': '+2/+2',
		'排名 区规划资源局 响应率': '+0/+1', '排名 区规划资源局 按时签收率': '+1/+1',
		'退回 区规划资源局 派发次数': '+1', '退回 区规划资源局 退回次数': '+1',
		'退回 区人社局 派发次数': '+1', '退回 区人社局 延期申请': '+1', '退回 区人社局 延期批准': '+1',
		'分类 用工人社/— 诉求数': '+1', '分类 用工人社/— 解决率': '+0/+1', '分类 用工人社/— 满意率': '+1/+2', '分类 用工人社/— 按时办结率': '+2/+2',
		[`趋势 ${week} 诉求数`]: '+1', [`趋势 ${week} 响应率`]: '+1/+2', [`趋势 ${week} 解决率`]: '+0/+1', [`趋势 ${week} 满意率`]: '+1/+2',
		[`趋势 ${week} 按时办结率`]: '+2/+2',
	};
	const got = changes(before, seen.figures);
	delete got['KPI 平均办结工时']; // two more resolve legs move the mean by their (working) durations
	const problems = [...new Set([...Object.keys(expected), ...Object.keys(got)])]
		.filter((k) => got[k] !== expected[k]).map((k) => `${k}: ${got[k] || 'unchanged'}, expected ${expected[k] || 'unchanged'}`);
	const shown = (k) => JSON.stringify(before[k] ?? 0).replace(/^\[(\d+),(\d+)\]$/, '$1/$2');
	console.log(`# dashboard after the loop (${seen.from}–${seen.to}): ${Object.keys(expected).map((k) => `${k} ${shown(k)} ${got[k] || '±0'}`).join('; ')}`);
	if (problems.length) throw new Error(`the dashboard did not change as the loop did:\n  ${problems.join('\n  ')}`);
	assertClean(page, 'dashboard after the loop');
	await closePage(page);
	delete ctx.pages.lingdao;
});

test('a ticket created through the API appears in the open triage queue within 2 s', async () => {
	const page = ctx.pages.zhuanyuan;
	await page.goto(`${ctx.url}/#/triage`);
	await screen(page, 'triage');
	const api = await apiSession(ctx.url, 'qiye2');
	const title = `${TAG} 实时新单`;
	const started = Date.now();
	const created = await api.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title, description: '通过接口提交的诉求,用于检查分派台的实时更新。' });
	await page.getByRole('link', { name: title, exact: true }).waitFor({ timeout: 2000 });
	console.log(`# the API-created ticket ${created.number} showed in the queue after ${Date.now() - started} ms`);
	ctx.liveId = created.id;
	ctx.liveTitle = title;
	assertClean(page, 'live queue');
});

test('the specialist answers one ticket directly and rejects another', async () => {
	const page = ctx.pages.zhuanyuan;
	await openTicket(page, ctx.liveTitle);
	await act(page, '直接答复', (d) => d.getByLabel('答复内容').fill('该政策的申报材料清单见区人社局网站,已电话告知企业。'), '直接答复');
	await page.goBack();
	await screen(page, 'triage');
	const api = await apiSession(ctx.url, 'qiye2');
	const other = await api.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title: `${TAG} 不予受理`, description: '与企业经营无关的诉求,用于检查不予受理。' });
	await page.getByRole('link', { name: `${TAG} 不予受理`, exact: true }).waitFor();
	await openTicket(page, `${TAG} 不予受理`);
	await act(page, '不予受理', (d) => d.getByLabel('不予受理理由').fill('不属于涉企诉求受理范围。'), '不予受理');
	if (other.id < 1) throw new Error('no ticket');
	assertClean(page, 'answer and reject');
});

test('the specialist records a demand from a phone call and merges a duplicate into it', async () => {
	const page = ctx.pages.zhuanyuan;
	await page.getByRole('link', { name: '登记诉求' }).first().click();
	await screen(page, 'submit');
	await checkScreen(page, '05b-record-demand');
	const title = `${TAG} 电话反映厂区停电`;
	await page.locator('#submit-form').getByLabel('企业').selectOption({ label: '上海七宝食品有限公司' });
	await page.getByRole('radio', { name: '电话' }).check();
	await page.getByLabel('诉求类别').selectOption({ label: '用工人社' });
	await page.getByLabel('诉求标题').fill(title);
	await page.getByLabel('诉求内容').fill('企业来电反映厂区用工备案系统无法提交,影响新员工入职。');
	await page.getByRole('button', { name: '提交', exact: true }).click();
	await screen(page, 'ticket');
	await page.getByText('电话', { exact: true }).first().waitFor();
	const first = Number(/#\/ticket\/(\d+)/.exec(page.url())[1]);
	// the same demand again, through the portal: a duplicate
	const ent = await apiSession(ctx.url, 'qiye2');
	const dup = await ent.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title, description: '厂区用工备案系统无法提交,影响新员工入职。' });
	await page.goto(`${ctx.url}/#/ticket/${dup.id}`);
	await screen(page, 'ticket');
	await act(page, '合并', (d) => d.getByLabel('合并到').selectOption(String(first)), '已合并');
	assertClean(page, 'record and merge');
});

test('an action on a ticket that changed meanwhile is refused, explained and reloaded', async () => {
	const page = ctx.pages.zhuanyuan;
	const ent = await apiSession(ctx.url, 'qiye2');
	const title = `${TAG} 并发修改`;
	const t = await ent.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title, description: '两位专员同时处理的诉求,检查版本冲突。' });
	await page.goto(`${ctx.url}/#/ticket/${t.id}`);
	await screen(page, 'ticket');
	await page.locator('.action-bar').getByRole('button', { name: '直接答复', exact: true }).click();
	const dialog = page.getByRole('dialog');
	await dialog.getByLabel('答复内容').fill('答复内容');
	// another specialist dispatches it while the dialog is open
	const other = await apiSession(ctx.url, 'zhuanyuan');
	await other.call('POST', `/api/v1/tickets/${t.id}/actions/dispatch`, { version: t.version, lead_org_id: ctx.renshe });
	await dialog.getByRole('button', { name: '直接答复', exact: true }).click();
	await dialog.waitFor({ state: 'detached' });
	await page.getByRole('alert').getByText('工单已被他人更新').waitFor();
	await page.locator('.ticket-number .badge', { hasText: '待签收' }).waitFor();
	// the refused request is the point of this test
	page.problems = page.problems.filter((x) => !(x.includes('409') && x.includes(`/tickets/${t.id}/actions/answer`))
		&& !(x.includes('409') && x.startsWith('console error')));
	assertClean(page, 'conflict');
});

test('a ticket with an assisting org: the assisting bureau accepts and contributes, the lead resolves', async () => {
	const spec = ctx.pages.zhuanyuan;
	const ent = await apiSession(ctx.url, 'qiye1');
	const title = `${TAG} 协办`;
	const t = await ent.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title, description: '需要两个部门共同办理的诉求,检查协办。' });
	await spec.goto(`${ctx.url}/#/ticket/${t.id}`);
	await screen(spec, 'ticket');
	await act(spec, '分派', async (d) => {
		await d.getByLabel('主办单位').selectOption(String(ctx.renshe));
		await d.getByRole('checkbox', { name: '区规划资源局', exact: true }).check();
	}, '待签收');
	const assist = ctx.pages.guihua;
	await assist.goto(`${ctx.url}/#/bureau`);
	await screen(assist, 'bureau');
	await openTicket(assist, title);
	await act(assist, '签收');
	await act(assist, '协办意见', (d) => d.getByLabel('协办意见').fill('该地块规划用途符合要求,同意办理。'));
	await assist.locator('.table').getByRole('cell', { name: '已完成' }).waitFor();
	const lead = ctx.pages.renshe;
	await lead.goto(`${ctx.url}/#/ticket/${t.id}`);
	await screen(lead, 'ticket');
	await act(lead, '签收', null, '处置中');
	await act(lead, '办结', (d) => d.getByLabel('办理结果').fill('会同区规划资源局办结。'), '已办结');
	assertClean(assist, 'assisting');
	assertClean(lead, 'lead');
});

test('the specialist sends a resolution back for rework', async () => {
	const page = ctx.pages.zhuanyuan;
	const ent = await apiSession(ctx.url, 'qiye1');
	const spec = await apiSession(ctx.url, 'zhuanyuan');
	const bureau = await apiSession(ctx.url, 'renshe');
	const title = `${TAG} 退回重办`;
	let t = await ent.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title, description: '办理结果不完整的诉求,检查退回重办。' });
	t = await spec.call('POST', `/api/v1/tickets/${t.id}/actions/dispatch`, { version: t.version, lead_org_id: ctx.renshe });
	t = await bureau.call('POST', `/api/v1/tickets/${t.id}/actions/accept`, { version: t.version });
	t = await bureau.call('POST', `/api/v1/tickets/${t.id}/actions/resolve`, { version: t.version, resolution: '已处理。' });
	await page.goto(`${ctx.url}/#/triage`);
	await screen(page, 'triage');
	await openTicket(page, title);
	await act(page, '退回重办', (d) => d.getByLabel('退回重办理由').fill('办理结果过于简单,请写明处理措施。'), '处置中');
	assertClean(page, 'send back');
});

test('an enterprise withdraws a ticket of its own', async () => {
	const page = ctx.pages.qiye1;
	const api = await apiSession(ctx.url, 'qiye1');
	const t = await api.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title: `${TAG} 撤回`, description: '已自行解决的诉求,用于检查撤回。' });
	await page.goto(`${ctx.url}/#/portal`);
	await screen(page, 'portal');
	await openTicket(page, `${TAG} 撤回`);
	await act(page, '撤回', (d) => d.getByLabel('撤回原因').fill('问题已自行解决。'), '已关闭');
	if (!t.id) throw new Error('no ticket');
	assertClean(page, 'withdraw');
});

test('the live stream reconnects after the server restarts', async () => {
	const page = ctx.pages.zhuanyuan;
	await page.goto(`${ctx.url}/#/triage`);
	await screen(page, 'triage');
	await page.waitForFunction(() => document.documentElement.dataset.live === 'open');
	const port = new URL(ctx.url).port;
	const status = await ctx.server.stop();
	if (status.code !== 0) throw new Error(`the server exited with ${status.code ?? status.signal}`);
	await page.waitForFunction(() => document.documentElement.dataset.live === 'broken');
	ctx.server = await startServer({ SUQIU_LISTEN: `127.0.0.1:${port}` });
	await page.waitForFunction(() => document.documentElement.dataset.live === 'open', null, { timeout: 15000 });
	// the pages saw the stream drop while the server was away: that is expected
	for (const p of Object.values(ctx.pages)) p.problems = p.problems.filter((x) => !x.includes('/api/v1/stream'));
	const api = await apiSession(ctx.url, 'qiye2');
	const title = `${TAG} 重启后新单`;
	await api.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title, description: '服务重启后提交的诉求,检查实时更新恢复。' });
	await page.getByRole('link', { name: title, exact: true }).waitFor({ timeout: 2000 });
	assertClean(page, 'after the restart');
});

test('a bureau leader filters the overdue assignments, shown in red with the time past the deadline', async () => {
	const spec = await apiSession(ctx.url, 'zhuanyuan');
	const ent = await apiSession(ctx.url, 'qiye1');
	const title = `${TAG} 超期未签收`;
	const t = await ent.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title, description: '分派后长时间未签收的诉求,检查超期显示。' });
	await spec.call('POST', `/api/v1/tickets/${t.id}/actions/dispatch`, { version: t.version, lead_org_id: ctx.shichang });
	// as if three working days had passed and the worker had flagged it overdue
	execFileSync('psql', [need('SUQIU_TEST_OWNER_URL'), '-qAt', '-v', 'ON_ERROR_STOP=1', '-c',
		`UPDATE sla_clocks SET started_at = started_at - interval '10 days', warn_at = warn_at - interval '10 days',
		 deadline = deadline - interval '10 days', supervise_at = supervise_at - interval '10 days', stage = 'overdue',
		 due_at = NULL WHERE ticket_id = ${t.id} AND leg = 'accept' AND outcome IS NULL`]);
	const page = await userPage('shichang_lead', 'shichang_lead', 'bureau');
	await page.getByLabel('时限状态').selectOption('overdue');
	const row = page.locator('tr', { has: page.getByRole('link', { name: title, exact: true }) });
	await row.waitFor();
	const text = await row.locator('.countdown-overdue').textContent();
	if (!/^签收:已超期 \d+个工作日/.test(text)) throw new Error(`the overdue countdown reads "${text}"`);
	// the filtered list: every row overdue
	await page.waitForFunction(() => [...document.querySelectorAll('.table-tickets tbody tr')].every((r) => r.classList.contains('row-overdue')),
		null, { timeout: 5000 });
	await checkScreen(page, '15-bureau-leader-overdue');
	ctx.overdueTitle = title;
});

test('the supervisor sees the overdue ticket across the district and issues a supervision notice', async () => {
	const page = ctx.pages.duban;
	await page.goto(`${ctx.url}/#/supervision`);
	await screen(page, 'supervision');
	const overdue = page.locator('section', { hasText: '全区超期工单' });
	await overdue.getByRole('link', { name: ctx.overdueTitle, exact: true }).waitFor();
	await checkScreen(page, '16-supervision-overdue');
	await openTicket(page, ctx.overdueTitle);
	await act(page, '督办', (d) => d.getByLabel('督办意见').fill('请区市场监管局立即签收并于今日内联系企业。'));
	await page.locator('.timeline').getByText('督办').first().waitFor();
	assertClean(page, 'supervise');
});

test('the keyboard alone logs in, moves between screens and opens a ticket', async () => {
	const page = await newPage(ctx.browser);
	await page.goto(`${ctx.url}/#/login`);
	await screen(page, 'login');
	const focused = () => page.evaluate(() => {
		const a = document.activeElement;
		return `${a.tagName}:${a.getAttribute('name') || a.textContent.trim().slice(0, 40)}`;
	});
	if (!(await focused()).startsWith('H1')) throw new Error(`focus starts on ${await focused()}, not the heading`);
	await page.keyboard.press('Tab');
	if (await focused() !== 'INPUT:username') throw new Error(`Tab went to ${await focused()}`);
	await page.keyboard.type('zhuanyuan');
	await page.keyboard.press('Tab');
	await page.keyboard.type(PASSWORD);
	await page.keyboard.press('Enter');
	await screen(page, 'triage');
	if (await focused() !== 'H1:分派台') throw new Error(`after login the focus is on ${await focused()}`);
	// Tab on to the first ticket of the queue and open it with Enter
	let target = '';
	for (let i = 0; i < 40 && !target.startsWith('A:MH-'); i++) {
		await page.keyboard.press('Tab');
		target = await focused();
	}
	if (!target.startsWith('A:MH-')) throw new Error('no ticket link is reachable with Tab');
	await page.keyboard.press('Enter');
	await screen(page, 'ticket');
	if (!(await focused()).startsWith('H1')) throw new Error(`the ticket view leaves the focus on ${await focused()}`);
	// a dialog takes the focus and Escape closes it
	let button = '';
	for (let i = 0; i < 10 && !button.startsWith('BUTTON'); i++) {
		await page.keyboard.press('Tab');
		button = await focused();
	}
	if (button.startsWith('BUTTON')) {
		await page.keyboard.press('Enter');
		await page.getByRole('dialog').waitFor();
		await page.keyboard.press('Escape');
		await page.getByRole('dialog').waitFor({ state: 'detached' });
	}
	assertClean(page, 'keyboard');
	await closePage(page);
});

test('a town viewer reads the tickets of its town de-identified and can take no action', async () => {
	const page = await userPage('xinzhuang', 'xinzhuang', 'town');
	await page.getByLabel('搜索').fill(ctx.title);
	await page.getByRole('button', { name: '查询' }).click();
	await openTicket(page, ctx.title);
	await page.getByText('138****5678').waitFor();
	await page.getByText('刘*').first().waitFor();
	if (await page.locator('.action-bar button').count() !== 0) throw new Error('a town viewer is offered actions');
	await checkScreen(page, '17-ticket-town-viewer');
	await closePage(page);
	delete ctx.pages.xinzhuang;
});

test('an ended session brings the login screen back with a notice', async () => {
	const page = await newPage(ctx.browser);
	await loginUi(page, ctx.url, 'qiye2', 'portal');
	await page.context().clearCookies(); // as if the session had expired
	await page.getByRole('button', { name: '查询' }).click();
	await screen(page, 'login');
	await page.getByText('登录已失效,请重新登录。').waitFor();
	page.problems = page.problems.filter((x) => !x.includes('401'));
	assertClean(page, 'session end');
	await closePage(page);
});

test('every screen also fits a tablet', async () => {
	const page = await newPage(ctx.browser, { width: 820, height: 1180 });
	await loginUi(page, ctx.url, 'zhuanyuan', 'triage');
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
	if (overflow > 0) throw new Error(`the triage desk scrolls sideways by ${overflow}px on a tablet`);
	await checkScreen(page, '18-triage-tablet');
	await closePage(page);
});

// ---- run -------------------------------------------------------------------

runFile(ctx, async () => {
	const admin = await apiSession(ctx.url, 'zhuanyuan');
	const orgs = (await admin.call('GET', '/api/v1/orgs')).items;
	ctx.guihua = orgs.find((o) => o.name === '区规划资源局').id;
	ctx.renshe = orgs.find((o) => o.name === '区人社局').id;
	ctx.shichang = orgs.find((o) => o.name === '区市场监管局').id;
	const cats = (await admin.call('GET', '/api/v1/categories')).items;
	ctx.categoryId = cats.find((c) => c.name === '用工人社').id;
});
