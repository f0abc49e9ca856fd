/*
 * admin_common: what the administration screens (#/admin/...) share: the
 * screen head with its main button, a
 * table builder, a confirmation dialog, and loading a part of a screen
 * with its error shown in place.
 */
import { ApiError, describeError } from '../api.js';
import { errorBox, fill, formDialog, h, notify, pageTitle } from '../ui.js';

export const ROLE_LABELS = {
	enterprise: '企业用户', specialist: '企业服务专员', bureau_handler: '承办人', bureau_leader: '分管领导',
	supervisor: '督办人员', leader: '区领导', town_viewer: '街镇查询员', admin: '系统管理员',
};

export const ORG_KIND_LABELS = { district: '区', center: '服务中心', bureau: '委办局', town: '街镇', office: '科室' };

/* The screen's head: its h1, a lead, and an optional main button. */
export function adminHead(title, lead, button) {
	return [h('div', { class: 'screen-head' }, pageTitle(title), button || null),
		lead ? h('p', { class: 'screen-lead' }, lead) : null];
}

/* A button that runs onClick (for opening dialogs). */
export function button(label, onClick, kind = 'secondary', extra = {}) {
	return h('button', { type: 'button', class: `button button-${kind}`, onclick: onClick, ...extra }, label);
}

/* A table: label is its (hidden) caption, head the column titles, rows
 * arrays of cells (strings or elements); empty when there are no rows. */
export function table(label, head, rows, empty = '暂无数据。') {
	if (!rows.length) return h('p', { class: 'empty' }, empty);
	return h('div', { class: 'table-wrap' }, h('table', { class: 'table table-admin' },
		h('caption', { class: 'visually-hidden' }, label),
		h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
		h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c)))))));
}

/* Asks before doing something (a dialog without fields); run() may throw an
 * ApiError, shown in the dialog. */
export function confirmDialog(title, intro, label, run, danger = true) {
	return formDialog({ title, intro, fields: [], submitLabel: label, danger, onSubmit: run });
}

/* Runs load() and fills slot with what it returns, or with the error. A
 * 401 is left to the app (it goes back to the login screen). */
export async function loadInto(slot, load) {
	try {
		fill(slot, await load());
	} catch (err) {
		if (!(err instanceof ApiError && err.status === 401)) fill(slot, errorBox(err));
	}
}

/* "启用" / "已停用" badge text. */
export const stateText = (disabled) => h('span', { class: `badge ${disabled ? 'badge-off' : 'badge-active'}` }, disabled ? '已停用' : '启用中');

/* Runs an action started by a button without a dialog; its failure is
 * shown as a notice (a 401 is left to the app). */
export async function attempt(run) {
	try {
		await run();
	} catch (err) {
		if (err instanceof ApiError && err.status === 401) return;
		const { title, detail } = describeError(err);
		notify(detail ? `${title}:${detail}` : title);
	}
}
