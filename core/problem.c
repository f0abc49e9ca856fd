/* problem: the catalogue of API error codes; see problem.h. */
#include "core/problem.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

const struct problem_kind problem_catalogue[] = {
	/* 400: the request itself is malformed */
	{ "invalid_json", 400, "请求体不是合法的 JSON" },
	{ "invalid_utf8", 400, "请求包含非法的 UTF-8 字符" },
	{ "invalid_type", 400, "字段类型错误" },
	{ "unknown_field", 400, "包含未知字段" },
	{ "missing_field", 400, "缺少必填字段" },
	{ "invalid_value", 400, "字段取值无效" },
	{ "invalid_query", 400, "查询参数无效" },
	{ "invalid_path", 400, "请求路径无效" },
	{ "bad_request", 400, "请求无效" },
	{ "invalid_credit_code", 400, "统一社会信用代码无效" },
	{ "unknown_action", 404, "不支持该操作" },
	/* 401/403: who you are and what you may do */
	{ "unauthenticated", 401, "请先登录" },
	{ "invalid_credentials", 401, "用户名或密码错误" },
	{ "csrf_failed", 403, "缺少或错误的 CSRF 令牌" },
	{ "forbidden", 403, "无权执行此操作" },
	{ "out_of_scope", 403, "超出本单位的数据范围" },
	/* 404/405/406/409/412/413/415/422/429 */
	{ "not_found", 404, "资源不存在" },
	{ "method_not_allowed", 405, "不支持该请求方法" },
	{ "conflict", 409, "与现有数据冲突" },
	{ "version_conflict", 409, "数据已被他人修改,请刷新后重试" },
	{ "invalid_transition", 409, "工单当前状态不允许此操作" },
	{ "action_unavailable", 409, "当前条件下不能执行此操作" },
	{ "payload_too_large", 413, "请求体过大" },
	{ "unsupported_media_type", 415, "不支持的内容类型" },
	{ "unprocessable", 422, "数据不满足业务规则" },
	{ "unknown_category", 422, "诉求分类不存在或已停用" },
	{ "too_many_attempts", 429, "尝试次数过多,请稍后再试" },
	/* 5xx: our side */
	{ "internal", 500, "服务器内部错误" },
	{ "overloaded", 503, "服务繁忙,请稍后再试" },
	{ "database_unavailable", 503, "数据库暂时不可用" },
	{ "shutting_down", 503, "服务正在重启,请稍后再试" },
	{ "query_timeout", 503, "查询超时,请缩小统计范围后重试" },
	{ NULL, 0, NULL },
};

const struct problem_kind *problem_lookup(const char *code)
{
	const struct problem_kind *internal = NULL;
	for (const struct problem_kind *k = problem_catalogue; k->code; k++) {
		if (code && strcmp(k->code, code) == 0)
			return k;
		if (strcmp(k->code, "internal") == 0)
			internal = k;
	}
	return internal;
}

json_t *problem_body(const char *code, const char *detail)
{
	const struct problem_kind *k = problem_lookup(code);
	char *type = xasprintf("https://suqiu.invalid/problems/%s", k->code);
	json_t *body = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", k->title,
				 "status", k->status, "code", k->code);
	free(type);
	if (detail)
		json_object_set_new(body, "detail", json_string(detail));
	return body;
}
