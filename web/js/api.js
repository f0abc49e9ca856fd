/*
 * api: the web UI's client for /api/v1.
 *
 * Every call sends the session cookie (same origin only), speaks JSON,
 * adds the X-CSRF-Token header to state-changing requests once the token
 * is known (setCsrfToken), and turns any failure into an ApiError:
 * problem+json answers keep their status, code, title and detail; network
 * failures and timeouts get codes of their own (network_error, timeout),
 * with zh-CN titles, so screens can show every error the same way.
 * A 401 on any call but the login itself also tells the handler set with
 * setUnauthorizedHandler (the app goes back to the login screen).
 */

const TIMEOUT_MS = 20000;

/* Texts for failures that have no problem+json answer to show. */
const TEXT = {
	networkTitle: '无法连接服务器',
	networkDetail: '请检查网络连接后重试。',
	timeoutTitle: '请求超时',
	timeoutDetail: '服务器长时间没有响应,请稍后重试。',
	httpTitle: (status) => `请求失败(HTTP ${status})`,
	badAnswerDetail: '服务器返回了无法识别的内容。',
};

/* An API failure. status is the HTTP status (0 when no answer came),
 * code the problem code, title and detail the texts to show, retryAfter
 * the seconds from a Retry-After header (or null), requestId the id to
 * quote when reporting the problem (or null). */
export class ApiError extends Error {
	constructor({ status, code, title, detail = '', retryAfter = null, requestId = null }) {
		super(detail ? `${title}: ${detail}` : title);
		this.name = 'ApiError';
		this.status = status;
		this.code = code;
		this.title = title;
		this.detail = detail;
		this.retryAfter = retryAfter;
		this.requestId = requestId;
	}
}

let csrfToken = null;
let unauthorized = null;

/* fn() runs whenever a call (other than logging in) answers 401: the
 * session has ended. */
export function setUnauthorizedHandler(fn) {
	unauthorized = fn;
}

/* Remembers the CSRF token of the session (from login or GET /api/v1/me);
 * null forgets it, e.g. after logging out. */
export function setCsrfToken(token) {
	csrfToken = token || null;
}

function retryAfterSeconds(response) {
	const value = response.headers.get('Retry-After');
	if (value === null) return null;
	const seconds = Number.parseInt(value, 10);
	return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

async function readJson(response) {
	const text = await response.text();
	if (text === '') return null;
	return JSON.parse(text);
}

function isJson(response) {
	const type = (response.headers.get('Content-Type') || '').toLowerCase();
	return type.startsWith('application/json') || type.startsWith('application/problem+json');
}

async function failure(response) {
	const base = {
		status: response.status,
		retryAfter: retryAfterSeconds(response),
		requestId: response.headers.get('X-Request-Id'),
	};
	let problem = null;
	if (isJson(response)) {
		try {
			problem = await readJson(response);
		} catch {
			problem = null;
		}
	}
	if (problem && typeof problem === 'object' && typeof problem.title === 'string') {
		return new ApiError({
			...base,
			code: typeof problem.code === 'string' ? problem.code : 'http_error',
			title: problem.title,
			detail: typeof problem.detail === 'string' ? problem.detail : '',
			requestId: problem.request_id || base.requestId,
		});
	}
	return new ApiError({ ...base, code: 'http_error', title: TEXT.httpTitle(response.status) });
}

/* Calls the API: method and path ("/api/v1/..."), with an optional JSON
 * body. Resolves to the parsed JSON answer (null for an empty one, such
 * as 204) or rejects with an ApiError. An AbortSignal may be passed as
 * options.signal (cancelling rejects with the AbortError itself); without
 * one the call gives up after TIMEOUT_MS. */
export async function request(method, path, { body, signal, raw, headers: extra } = {}) {
	const headers = { Accept: 'application/json, application/problem+json', ...extra };
	const init = { method, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error' };
	if (raw !== undefined) {
		/* a file as it is (attachments): the server judges its type from the content */
		headers['Content-Type'] = raw.type || 'application/octet-stream';
		init.body = raw;
	} else if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	if (csrfToken && method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
	let timer = null;
	if (signal) {
		init.signal = signal;
	} else {
		const controller = new AbortController();
		timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
		init.signal = controller.signal;
	}
	try {
		const response = await fetch(path, init);
		if (!response.ok) {
			const err = await failure(response);
			if (err.status === 401 && path !== '/api/v1/auth/login' && unauthorized) unauthorized(err);
			throw err;
		}
		try {
			return await readJson(response);
		} catch (err) {
			if (err.name === 'AbortError') throw err;
			throw new ApiError({
				status: response.status,
				code: 'bad_answer',
				title: TEXT.httpTitle(response.status),
				detail: TEXT.badAnswerDetail,
				requestId: response.headers.get('X-Request-Id'),
			});
		}
	} catch (err) {
		if (err instanceof ApiError) throw err;
		if (err.name === 'AbortError' && signal) throw err; /* the caller cancelled */
		if (err.name === 'AbortError')
			throw new ApiError({ status: 0, code: 'timeout', title: TEXT.timeoutTitle, detail: TEXT.timeoutDetail });
		throw new ApiError({ status: 0, code: 'network_error', title: TEXT.networkTitle, detail: TEXT.networkDetail });
	} finally {
		if (timer !== null) clearTimeout(timer);
	}
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options = {}) => request('POST', path, { ...options, body });
export const del = (path, options) => request('DELETE', path, options);
/* Uploads file (a File or Blob) as the body of a POST. */
export const upload = (path, file, options = {}) => request('POST', path, { ...options, raw: file });

/* "?a=1&b=x" from the defined, non-empty values of params ("" when none). */
export function query(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
	const text = q.toString();
	return text ? `?${text}` : '';
}

/* Texts that explain a problem's code better than its (English) detail. */
const HINTS = {
	version_conflict: '工单已被他人更新,页面已刷新,请核对后重试。',
	invalid_transition: '工单当前状态不允许此操作,页面已刷新。',
	forbidden: '您没有权限进行此操作。',
	unauthenticated: '登录已失效,请重新登录。',
	unsupported_media_type: '文件类型不支持:请上传 PDF、图片或 Office 文档。',
	payload_too_large: '文件过大:单个文件不超过 10 MB。',
};

/* What to show for an error: a zh-CN title and, when there is one, a zh-CN
 * explanation (the problem's detail when it is in Chinese, else a hint by
 * code) and the request id of server failures. */
export function describeError(err) {
	if (!(err instanceof ApiError)) return { title: '页面出错', detail: '请刷新页面后重试。' };
	const lines = [];
	if (HINTS[err.code]) lines.push(HINTS[err.code]);
	else if (/[\u4e00-\u9fff]/.test(err.detail)) lines.push(err.detail);
	if (err.status === 429 && err.retryAfter !== null) lines.push(`请在 ${err.retryAfter} 秒后重试。`);
	if (err.status >= 500 && err.requestId) lines.push(`请求编号:${err.requestId}`);
	return { title: err.title, detail: lines.join('\n') };
}
