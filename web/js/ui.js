/*
 * ui: small helpers every screen shares: building elements, times in
 * Asia/Shanghai, remaining working time ("剩余 1个工作日3小时"), error boxes,
 * notices and modal dialogs with labelled fields.
 *
 * Nothing here writes HTML as text: every string goes in as textContent,
 * so no data from the API can become markup.
 */
import { describeError } from './api.js';

/* h('p', { class: 'x', onclick: fn }, 'text', child): an element with
 * attributes (on* are listeners, booleans set or omit the attribute) and
 * children (strings become text; null and false are skipped; arrays are
 * flattened). */
export function h(tag, attrs = {}, ...children) {
	const el = document.createElement(tag);
	for (const [key, value] of Object.entries(attrs || {})) {
		if (value === undefined || value === null || value === false) continue;
		if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
		else if (key === 'dataset') Object.assign(el.dataset, value);
		else if (value === true) el.setAttribute(key, '');
		else el.setAttribute(key, String(value));
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const child of children.flat(Infinity)) {
		if (child === null || child === undefined || child === false) continue;
		el.append(child instanceof Node ? child : document.createTextNode(String(child)));
	}
}

/* Replaces the children of el. */
export function fill(el, ...children) {
	el.replaceChildren();
	append(el, children);
	return el;
}

const dateTime = new Intl.DateTimeFormat('zh-CN', {
	timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
	hour: '2-digit', minute: '2-digit', hour12: false,
});

/* "2026-12-05 15:16" in Asia/Shanghai, whatever the browser's zone. */
export function formatTime(iso) {
	if (!iso) return '';
	const parts = Object.fromEntries(dateTime.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
	return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export const LEG_LABELS = { accept: '签收', contact: '首次联系', resolve: '办结', feedback: '反馈', rating: '评价' };
export const URGENCY_LABELS = { normal: '一般', urgent: '紧急', critical: '特急' };
export const CHANNEL_LABELS = { portal: '企业网上提交', visit: '走访', phone: '电话', hotline_12345: '12345热线', api: '系统接口' };

/* The remaining time of a ticket's sla summary as shown on countdowns:
 * { text: '剩余 1个工作日3小时' | '已超期 2小时', level: normal|warned|overdue,
 * leg } or null when no clock runs. Working clocks count working days of
 * sla.day_minutes; calendar clocks count 24-hour days. */
export function remaining(sla) {
	if (!sla || sla.remaining_minutes === null || sla.remaining_minutes === undefined) return null;
	const working = sla.clock !== 'calendar';
	const dayMinutes = working ? sla.day_minutes || 420 : 1440;
	const m = Math.abs(sla.remaining_minutes);
	const days = Math.floor(m / dayMinutes);
	const hours = Math.floor((m % dayMinutes) / 60);
	const minutes = m % 60;
	let span = '';
	if (days) span += working ? `${days}个工作日` : `${days}天`;
	if (hours) span += `${hours}小时`;
	if (!days && minutes) span += `${minutes}分钟`;
	if (!span) span = '0分钟';
	const late = sla.remaining_minutes < 0;
	const level = late ? 'overdue' : sla.level;
	return { text: late ? `已超期 ${span}` : `剩余 ${span}`, level, leg: LEG_LABELS[sla.next_leg] || '' };
}

/* A countdown badge for a ticket's sla summary (empty when no clock runs). */
export function countdown(sla) {
	const r = remaining(sla);
	if (!r) return h('span', { class: 'countdown countdown-none' }, '—');
	const label = sla.suspended ? '已挂起' : r.text;
	return h('span', { class: `countdown countdown-${sla.suspended ? 'suspended' : r.level}`, title: formatTime(sla.next_deadline) },
		r.leg ? `${r.leg}:` : '', label);
}

/* The coloured state badge of a ticket. */
export function stateBadge(ticket) {
	return h('span', { class: `badge badge-${ticket.state}` }, ticket.state_label);
}

/* An alert box (role=alert) describing err; null hides nothing and returns null. */
export function errorBox(err) {
	if (!err) return null;
	const { title, detail } = describeError(err);
	return h('div', { class: 'alert alert-error', role: 'alert' },
		h('p', { class: 'alert-title' }, title),
		detail ? h('p', { class: 'alert-detail' }, detail) : null);
}

/* A short notice in the page's live region, gone after a few seconds. */
export function notify(text) {
	const region = document.getElementById('toasts');
	if (!region) return;
	const item = h('p', { class: 'toast' }, text);
	region.append(item);
	setTimeout(() => item.remove(), 4000);
}

let fieldSeq = 0;

/* One labelled form field. spec: { name, label, type: text|textarea|select|
 * number|radio|checkboxes|file, required, options: [[value, label]], value,
 * min, max, decimals (a number's, 0 by default), maxlength, hint, multiple }.
 * Returns { el, get(), setError(text), input }. */
export function field(spec) {
	const id = `f${++fieldSeq}-${spec.name}`;
	const errorId = `${id}-error`;
	const hintId = spec.hint ? `${id}-hint` : null;
	const describedBy = [hintId, errorId].filter(Boolean).join(' ');
	const error = h('p', { class: 'field-error', id: errorId, hidden: true });
	const hint = spec.hint ? h('p', { class: 'field-hint', id: hintId }, spec.hint) : null;
	let input;
	let get;
	let el;
	if (spec.type === 'radio' || spec.type === 'checkboxes') {
		const kind = spec.type === 'radio' ? 'radio' : 'checkbox';
		const boxes = spec.options.map(([value, label], i) => {
			const box = h('input', { type: kind, name: id, id: `${id}-${i}`, value,
				checked: Array.isArray(spec.value) ? spec.value.includes(value) : spec.value === value });
			return h('label', { class: 'choice', for: `${id}-${i}` }, box, label);
		});
		input = boxes[0] ? boxes[0].querySelector('input') : null;
		const legend = h('legend', {}, spec.label, spec.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null);
		el = h('fieldset', { class: `field field-choices field-${spec.type}`, 'aria-describedby': describedBy }, legend, hint,
			h('div', { class: 'choices' }, boxes), error);
		get = () => {
			const checked = [...el.querySelectorAll('input:checked')].map((b) => b.value);
			return kind === 'radio' ? checked[0] || '' : checked;
		};
	} else {
		const common = { id, name: spec.name, 'aria-describedby': describedBy, required: !!spec.required };
		if (spec.type === 'textarea') {
			input = h('textarea', { ...common, rows: spec.rows || 4, maxlength: spec.maxlength });
			input.value = spec.value || '';
		} else if (spec.type === 'select') {
			input = h('select', { ...common, multiple: !!spec.multiple },
				spec.placeholder !== undefined ? h('option', { value: '' }, spec.placeholder) : null,
				spec.options.map(([value, label]) => h('option', { value }, label)));
			if (spec.value !== undefined) input.value = String(spec.value);
		} else if (spec.type === 'file') {
			input = h('input', { ...common, type: 'file', multiple: !!spec.multiple, accept: spec.accept });
		} else {
			input = h('input', { ...common, type: spec.type || 'text', min: spec.min, max: spec.max,
				step: spec.decimals ? 10 ** -spec.decimals : undefined,
				maxlength: spec.maxlength, autocomplete: spec.autocomplete || 'off', inputmode: spec.inputmode });
			if (spec.value !== undefined && spec.value !== null) input.value = String(spec.value);
		}
		el = h('div', { class: 'field' },
			h('label', { for: id }, spec.label, spec.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
			hint, input, error);
		get = () => (spec.type === 'file' ? [...input.files] : spec.type === 'textarea' || spec.type === 'text' || !spec.type
			? input.value.trim() : input.value);
	}
	const setError = (text) => {
		error.textContent = text || '';
		error.hidden = !text;
		if (input) {
			if (text) input.setAttribute('aria-invalid', 'true');
			else input.removeAttribute('aria-invalid');
		}
	};
	/* a field being corrected loses its error mark */
	el.addEventListener('input', () => setError(''));
	el.addEventListener('change', () => setError(''));
	return { el, get, setError, input, spec };
}

/* A non-negative number with at most decimals digits after the point. */
export function numberPattern(decimals = 0) {
	return decimals ? new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`) : /^\d+$/;
}

/* Checks fields against their specs (required, min/max, maxlength, a
 * pattern with its message); marks the wrong ones, focuses the first and
 * returns the values by name, or null. */
export function collect(fields) {
	const values = {};
	let first = null;
	for (const f of fields) {
		const v = f.get();
		const s = f.spec;
		let problem = '';
		const empty = v === '' || (Array.isArray(v) && v.length === 0);
		if (s.required && empty) problem = s.type === 'radio' || s.type === 'select' ? `请选择${s.label}。` : `请填写${s.label}。`;
		else if (!empty && s.type === 'number' && (!numberPattern(s.decimals).test(v) || (s.min !== undefined && Number(v) < s.min)
			|| (s.max !== undefined && Number(v) > s.max))) {
			problem = s.decimals ? `${s.label}应为 ${s.min} 到 ${s.max} 之间的数,最多 ${s.decimals} 位小数。`
				: `${s.label}应为 ${s.min} 到 ${s.max} 之间的整数。`;
		}
		else if (!empty && s.maxlength && typeof v === 'string' && v.length > s.maxlength) problem = `${s.label}不能超过 ${s.maxlength} 个字。`;
		else if (!empty && s.pattern && !s.pattern.test(v)) problem = s.patternMessage;
		else if (!empty && s.check) problem = s.check(v) || '';
		f.setError(problem);
		if (problem && !first) first = f;
		values[s.name] = v;
	}
	if (first) {
		(first.input || first.el).focus();
		return null;
	}
	return values;
}

/* A modal dialog (native <dialog>: focus stays inside, Esc closes) with a
 * form of fields. onSubmit(values) may throw an ApiError, which is shown in
 * the dialog; when it resolves the dialog closes. Returns the dialog. */
export function formDialog({ title, intro, fields, submitLabel = '确定', danger = false, onSubmit }) {
	const errorSlot = h('div', { class: 'dialog-error' });
	const submit = h('button', { type: 'submit', class: `button ${danger ? 'button-danger' : 'button-primary'}` }, submitLabel);
	const cancel = h('button', { type: 'button', class: 'button button-secondary' }, '取消');
	const titleId = `dlg-${++fieldSeq}`;
	const form = h('form', { class: 'form', method: 'dialog', novalidate: true },
		intro ? h('p', { class: 'dialog-intro' }, intro) : null,
		fields.map((f) => f.el), errorSlot,
		h('div', { class: 'dialog-buttons' }, cancel, submit));
	const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
		h('h2', { class: 'dialog-title', id: titleId }, title), form);
	cancel.addEventListener('click', () => dialog.close());
	dialog.addEventListener('close', () => dialog.remove());
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		fill(errorSlot);
		const values = collect(fields);
		if (!values) return;
		submit.disabled = true;
		submit.setAttribute('aria-busy', 'true');
		try {
			await onSubmit(values);
			dialog.close();
		} catch (err) {
			fill(errorSlot, errorBox(err));
			submit.disabled = false;
			submit.removeAttribute('aria-busy');
		}
	});
	document.body.append(dialog);
	dialog.showModal();
	const firstInput = form.querySelector('input, select, textarea');
	if (firstInput) firstInput.focus();
	return dialog;
}

/* Sets the page title and returns the screen's h1 (focusable, so the
 * router can move focus to it after a navigation). */
export function pageTitle(text) {
	document.title = `${text} · 企业诉求闭环办理系统`;
	return h('h1', { class: 'page-title', tabindex: '-1' }, text);
}
