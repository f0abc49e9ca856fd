/*
 * admin_sla: the SLA policies (#/admin/sla), one per category × urgency
 * (a category without its own follows its parent's, then the district's
 * default): the time allowed for each leg, the clock, the rating window,
 * the warning share and the supervision delay; edit one, or add one for a
 * category and urgency.
 */
import { get, post, request } from '../api.js';
import { URGENCY_LABELS, field, formDialog, h, notify } from '../ui.js';
import { adminHead, button, loadInto, table } from './admin_common.js';

export const name = 'admin-sla';

const TEXT = {
	title: '时限规则',
	lead: '按诉求类别 × 紧急程度设定各环节时限。没有专门规则的类别沿用上级类别的规则,再没有则沿用全区默认规则。修改只影响此后开始计时的工单。',
	create: '新增规则',
};

const LEGS = [['accept', '签收'], ['contact', '首次联系'], ['resolve', '办结'], ['feedback', '反馈'], ['rectify', '整改']];
const UNIT_LABELS = { days: '工作日', minutes: '分钟' };
const CLOCK_LABELS = { working: '工作时间', calendar: '自然时间(24×7)' };

const legText = (leg, clock) => (leg ? `${leg.amount}${leg.unit === 'days' ? (clock === 'calendar' ? '天' : '个工作日') : '分钟'}` : '—');

/* The fields of a policy's times, filled from policy (or defaults). */
function policyFields(policy) {
	const p = policy || { clock: 'working', accept: { amount: 1, unit: 'days' }, contact: { amount: 1, unit: 'days' },
		resolve: { amount: 5, unit: 'days' }, feedback: { amount: 1, unit: 'days' }, rectify: { amount: 5, unit: 'days' },
		rating_window_days: 7, warning_share: 0.8, supervision_delay_minutes: 420, extension_cap: 1 };
	const fields = [field({ name: 'clock', label: '计时方式', type: 'radio', required: true, value: p.clock, options: Object.entries(CLOCK_LABELS) })];
	for (const [key, label] of LEGS) {
		const leg = p[key] || { amount: '', unit: 'days' };
		fields.push(field({ name: `${key}_amount`, label: `${label}时限`, type: 'number', required: key !== 'rectify', min: 1, max: 525600,
			value: leg.amount, inputmode: 'numeric' }));
		fields.push(field({ name: `${key}_unit`, label: `${label}时限单位`, type: 'select', options: Object.entries(UNIT_LABELS), value: leg.unit }));
	}
	fields.push(
		field({ name: 'rating_window_days', label: '评价期(天)', type: 'number', required: true, min: 1, max: 90, value: p.rating_window_days }),
		field({ name: 'warning_pct', label: '预警比例(%)', type: 'number', required: true, min: 1, max: 99, value: Math.round(p.warning_share * 100),
			hint: '已用时间达到时限的该比例时预警。' }),
		field({ name: 'supervision_delay_minutes', label: '超期后转督办(工作分钟)', type: 'number', required: true, min: 1, max: 525600,
			value: p.supervision_delay_minutes }),
		field({ name: 'extension_cap', label: '最多延期次数', type: 'number', required: true, min: 0, max: 10, value: p.extension_cap }));
	return fields;
}

/* The request body of policyFields' values. */
function policyBody(v) {
	const body = { clock: v.clock, rating_window_days: Number(v.rating_window_days), warning_share: Number(v.warning_pct) / 100,
		supervision_delay_minutes: Number(v.supervision_delay_minutes), extension_cap: Number(v.extension_cap) };
	for (const [key] of LEGS) if (v[`${key}_amount`]) body[key] = { amount: Number(v[`${key}_amount`]), unit: v[`${key}_unit`] };
	return body;
}

export async function render(root) {
	const list = h('div', { class: 'list' });
	let cats = [];
	const reload = () => loadInto(list, async () => {
		const [policies, categories] = await Promise.all([get('/api/v1/sla-policies'), get('/api/v1/categories')]);
		cats = categories.items;
		const rank = { normal: 0, urgent: 1, critical: 2 };
		const items = [...policies.items].sort((a, b) => (a.category ? a.category.code : '').localeCompare(b.category ? b.category.code : '')
			|| rank[a.urgency] - rank[b.urgency]);
		return table('时限规则列表', ['诉求类别', '紧急程度', '计时', ...LEGS.map(([, l]) => l), '评价期', '预警', '操作'], items.map((p) => {
			const what = `${p.category ? p.category.name : '全区默认'} · ${URGENCY_LABELS[p.urgency]}`;
			return [p.category ? `${p.category.name}(${p.category.code})` : '全区默认', URGENCY_LABELS[p.urgency], CLOCK_LABELS[p.clock],
				...LEGS.map(([k]) => legText(p[k], p.clock)), `${p.rating_window_days}天`, `${Math.round(p.warning_share * 100)}%`,
				button('修改', () => edit(p, what), 'secondary button-small', { 'aria-label': `修改 ${what}` })];
		}), '尚无时限规则。');
	});
	function edit(p, what) {
		formDialog({ title: `修改时限规则:${what}`, fields: policyFields(p), submitLabel: '保存', onSubmit: async (v) => {
			await request('PATCH', `/api/v1/sla-policies/${p.id}`, { body: policyBody(v) });
			notify(`已保存时限规则:${what}。`);
			await reload();
		} });
	}
	function create() {
		const fields = [
			field({ name: 'category_id', label: '诉求类别', type: 'select', placeholder: '全区默认',
				options: cats.filter((c) => !c.disabled).map((c) => [String(c.id), c.parent_id ? `— ${c.name}` : c.name]) }),
			field({ name: 'urgency', label: '紧急程度', type: 'select', required: true, options: Object.entries(URGENCY_LABELS), value: 'normal' }),
			...policyFields(null)];
		formDialog({ title: TEXT.create, intro: '同一类别和紧急程度只能有一条规则;已有的请在列表中修改。', fields, submitLabel: '新增', onSubmit: async (v) => {
			const body = { urgency: v.urgency, ...policyBody(v) };
			if (v.category_id) body.category_id = Number(v.category_id);
			await post('/api/v1/sla-policies', body);
			notify('已新增时限规则。');
			await reload();
		} });
	}
	root.append(...adminHead(TEXT.title, TEXT.lead, button(TEXT.create, create, 'primary')), list);
	await reload();
}
