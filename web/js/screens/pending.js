/*
 * pending: the place of screens that are not built yet (administration),
 * so that every role lands somewhere meaningful after login.
 */
import { h, pageTitle } from '../ui.js';

export const name = 'pending';

export function render(root) {
	root.append(pageTitle('系统管理'),
		h('p', { class: 'screen-lead' }, '用户、单位、诉求类别、时限规则、工作日历和接口令牌的管理页面正在建设中,目前请通过管理接口(/api/v1/openapi.json)或 suqiu-admin 命令操作。'));
}
