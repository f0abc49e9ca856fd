// Browser tests of the ticket dialogs the loop in run.mjs does not reach
// (the meson test "browser-dialogs", suite browser), each as the right user
// in a browser context of their own, the ticket brought to the state the
// dialog needs through the API: the specialist's 吹哨报到 (summon) of a
// bureau; a bureau's 申诉复核 (appeal) of a bad rating and the supervisor's
// 申诉裁定; the specialist's 撤单质检 (withdrawal check) finding a pressed
// withdrawal; the specialist's 提请审定退回 (dispute of a return) and the
// supervisor's 审定退回 forcing the ticket back on the bureau.
import {
	act, apiSession, assertClean, checkScreen, loginUi, newPage, runFile, screen, test,
} from './harness.mjs';

const TAG = `对话框测试${Date.now().toString(36)}`;
const ctx = { pages: {} };

/* A page of username, logged in, kept for the next tests. */
async function userPage(username, home) {
	if (!ctx.pages[username]) {
		const page = await newPage(ctx.browser);
		await loginUi(page, ctx.url, username, home);
		ctx.pages[username] = page;
	}
	return ctx.pages[username];
}

/* Opens the ticket view of t. */
async function openTicket(page, t) {
	await page.goto(`${ctx.url}/#/ticket/${t.id}`);
	await screen(page, 'ticket');
	await page.getByRole('heading', { level: 1, name: t.title }).waitFor();
}

/* Takes actions through the API: steps are [session, action, body]; each
 * carries the version the last answer gave. Resolves to the ticket. */
async function through(t, steps) {
	for (const [who, action, body] of steps) t = await who.call('POST', `/api/v1/tickets/${t.id}/actions/${action}`, { version: t.version, ...body });
	return t;
}

async function newTicket(title) {
	return ctx.ent.call('POST', '/api/v1/tickets', { category_id: ctx.categoryId, title: `${TAG} ${title}`,
		description: '浏览器测试中用于检查工单对话框的诉求。' });
}

test('the specialist summons a bureau to a ticket in progress (吹哨报到)', async () => {
	let t = await newTicket('吹哨报到');
	t = await through(t, [[ctx.spec, 'dispatch', { lead_org_id: ctx.shichang }], [ctx.bureau, 'accept', {}]]);
	const page = await userPage('zhuanyuan', 'triage');
	await openTicket(page, t);
	await page.locator('.action-bar').getByRole('button', { name: '吹哨报到', exact: true }).click();
	const dialog = page.getByRole('dialog');
	await dialog.waitFor();
	await checkScreen(page, 'dialogs-01-summon');
	await dialog.getByLabel('区规划资源局').check();
	await dialog.getByLabel('备注').fill('请规划资源局到场协调用地问题。');
	await dialog.getByRole('button', { name: '吹哨报到', exact: true }).click();
	await dialog.waitFor({ state: 'detached' });
	// the summoned bureau finds the ticket on its desk
	const guihua = await userPage('guihua', 'bureau');
	await guihua.getByRole('link', { name: t.title, exact: true }).first().waitFor({ timeout: 5000 });
	assertClean(page, 'summon');
	assertClean(guihua, 'summoned bureau');
});

test('a bureau appeals a bad rating and the supervisor rules on the appeal', async () => {
	let t = await newTicket('差评申诉');
	t = await through(t, [[ctx.spec, 'dispatch', { lead_org_id: ctx.shichang }], [ctx.bureau, 'accept', {}],
		[ctx.bureau, 'resolve', { resolution: '已按规定办理完毕。' }], [ctx.spec, 'feedback', {}],
		[ctx.ent, 'rate', { score: 1, comment: '与本单位无关的恶意差评测试。' }]]);
	const page = await userPage('shichang', 'bureau');
	await openTicket(page, t);
	await act(page, '申诉复核', async (d) => {
		await d.getByLabel('申诉理由').fill('企业评价针对的是其他部门的事项,申请复核。');
		await checkScreen(page, 'dialogs-02-appeal');
	});
	// appealed once, it is not offered again
	await page.locator('.action-bar').getByRole('button', { name: '申诉复核', exact: true }).waitFor({ state: 'detached', timeout: 5000 });
	const sup = await userPage('duban', 'dashboard');
	await openTicket(sup, t);
	await act(sup, '申诉裁定', async (d) => {
		await d.getByLabel('申诉成立,评价不计入统计').check();
		await checkScreen(sup, 'dialogs-03-rule-appeal');
	});
	await sup.locator('.action-bar').getByRole('button', { name: '申诉裁定', exact: true }).waitFor({ state: 'detached' });
	assertClean(page, 'appeal');
	assertClean(sup, 'rule appeal');
});

test('the specialist finds a withdrawal was pressed (撤单质检) and the ticket is open again', async () => {
	let t = await newTicket('撤单质检');
	t = await through(t, [[ctx.spec, 'dispatch', { lead_org_id: ctx.shichang }], [ctx.ent, 'withdraw', { reason: '承办人员要求撤回。' }]]);
	const page = await userPage('zhuanyuan', 'triage');
	await openTicket(page, t);
	await act(page, '撤单质检', async (d) => {
		await d.getByLabel('被要求撤回(重新受理)').check();
		await checkScreen(page, 'dialogs-04-withdrawal-check');
	}, '待分派');
	assertClean(page, 'withdrawal check');
});

test('the specialist disputes a return and the supervisor forces it back on the bureau', async () => {
	let t = await newTicket('退回审定');
	t = await through(t, [[ctx.spec, 'dispatch', { lead_org_id: ctx.shichang }],
		[ctx.bureau, 'return', { code: 'not_our_function', basis: '不属于本局职能。' }]]);
	const page = await userPage('zhuanyuan', 'triage');
	await openTicket(page, t);
	await act(page, '提请审定退回', async (d) => {
		await d.getByLabel('提请理由').fill('该事项属市场监管局职能,退回理由不成立。');
		await checkScreen(page, 'dialogs-05-dispute-return');
	});
	const sup = await userPage('duban', 'dashboard');
	await openTicket(sup, t);
	await act(sup, '审定退回', async (d) => {
		await d.getByLabel('退回不成立,由原单位办理').check();
		const note = d.locator('textarea');
		if (await note.count()) await note.first().fill('经审定,该事项由区市场监管局办理。');
		await checkScreen(sup, 'dialogs-06-adjudicate-return');
	}, '待签收');
	// the bureau has it again, to accept
	const bureau = await userPage('shichang', 'bureau');
	await openTicket(bureau, t);
	await bureau.locator('.action-bar').getByRole('button', { name: '签收', exact: true }).waitFor();
	assertClean(page, 'dispute return');
	assertClean(sup, 'adjudicate return');
	assertClean(bureau, 'bureau after the ruling');
});

runFile(ctx, async () => {
	ctx.ent = await apiSession(ctx.url, 'qiye1');
	ctx.spec = await apiSession(ctx.url, 'zhuanyuan');
	ctx.bureau = await apiSession(ctx.url, 'shichang');
	const orgs = (await ctx.spec.call('GET', '/api/v1/orgs')).items;
	ctx.shichang = orgs.find((o) => o.name === '区市场监管局').id;
	const cats = (await ctx.spec.call('GET', '/api/v1/categories')).items;
	ctx.categoryId = cats.find((c) => c.name === '用工人社').id;
});
