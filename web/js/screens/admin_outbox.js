/*
 * admin_outbox: notifications that could not be delivered (#/admin/outbox):
 * the dead letters by default (every attempt failed), or the pending or
 * delivered ones; retry one, or every dead one (after a gateway outage).
 * A retried message is pending again and the workers send it anew.
 */
import { get, post, query } from '../api.js';
import { formatTime, h, notify } from '../ui.js';
import { adminHead, attempt, button, confirmDialog, loadInto, table } from './admin_common.js';

export const name = 'admin-outbox';

const TEXT = {
	title: '失败通知',
	lead: '短信、即时消息等通知经网关推送;多次推送失败的通知(死信)在此列出,网关恢复后可重新推送。',
	retryAll: '全部重新推送',
};

const STATE_LABELS = { dead: '推送失败', pending: '待推送', delivered: '已送达' };
const RECIPIENT_LABELS = { enterprise: '企业', org: '单位', user: '用户' };

export async function render(root) {
	const stateSelect = h('select', { id: 'outbox-state', name: 'state' }, Object.entries(STATE_LABELS).map(([v, l]) => h('option', { value: v }, l)));
	const list = h('div', { class: 'list' });
	let dead = 0;
	const retryAll = button(TEXT.retryAll, () => confirmDialog(TEXT.retryAll, '所有推送失败的通知将重新排队推送。', '重新推送', async () => {
		const answer = await post('/api/v1/admin/outbox/retry', {});
		notify(`已重新排队 ${answer.retried} 条通知。`);
		await reload();
	}, false), 'primary');
	const reload = () => loadInto(list, async () => {
		const answer = await get(`/api/v1/admin/outbox${query({ state: stateSelect.value, limit: 200 })}`);
		if (stateSelect.value === 'dead') dead = answer.items.length;
		retryAll.disabled = stateSelect.value !== 'dead' || dead === 0;
		return [h('p', { class: 'list-count', role: 'status' }, `共 ${answer.items.length} 条${answer.next_cursor ? '(仅显示前 200 条)' : ''}`),
			table('通知列表', ['编号', '类型', '接收方', '工单', '标题', '尝试次数', '最后错误', '时间', '操作'], answer.items.map((m) => [
				String(m.id), m.kind, `${RECIPIENT_LABELS[m.recipient.kind] || m.recipient.kind} #${m.recipient.id}`,
				m.ticket ? h('a', { href: `#/ticket/${m.ticket.id}` }, m.ticket.number) : '—', m.title, String(m.attempts),
				m.last_error || '—', formatTime(m.dead_at || m.delivered_at || m.next_attempt_at || m.created_at),
				m.state === 'dead' ? button('重新推送', () => attempt(async () => {
					await post(`/api/v1/admin/outbox/${m.id}/retry`);
					notify(`通知 ${m.id} 已重新排队。`);
					await reload();
				}), 'secondary button-small', { 'aria-label': `重新推送通知 ${m.id}` }) : '',
			]), stateSelect.value === 'dead' ? '没有推送失败的通知。' : '没有通知。')];
	});
	stateSelect.addEventListener('change', reload);
	root.append(...adminHead(TEXT.title, TEXT.lead, retryAll),
		h('div', { class: 'filters' }, h('div', { class: 'filter' }, h('label', { for: stateSelect.id }, '状态'), stateSelect)), list);
	await reload();
}
