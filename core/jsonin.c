/* jsonin: checked parsing of untrusted JSON bodies; see jsonin.h. */
#include "core/jsonin.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

static bool fail(struct jsonin_error *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct jsonin_error *err, const char *code, const char *fmt, ...)
{
	err->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof err->detail, fmt, ap);
	va_end(ap);
	return false;
}

json_t *jsonin_parse_any(const char *buf, size_t len, struct jsonin_error *err)
{
	size_t bad = 0;
	if (!utf8_valid((const unsigned char *)buf, len, &bad)) {
		fail(err, "invalid_utf8", "request body is not valid UTF-8 at byte %zu", bad);
		return NULL;
	}
	if (len == 0) {
		fail(err, "invalid_json", "request body is empty, a JSON object was expected");
		return NULL;
	}
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root) {
		fail(err, "invalid_json", "malformed JSON at line %d column %d: %s", jerr.line,
		     jerr.column, jerr.text);
		return NULL;
	}
	return root;
}

json_t *jsonin_parse(const char *buf, size_t len, struct jsonin_error *err)
{
	json_t *root = jsonin_parse_any(buf, len, err);
	if (root && !json_is_object(root)) {
		json_decref(root);
		fail(err, "invalid_type", "request body must be a JSON object");
		return NULL;
	}
	return root;
}

static const char *type_name(enum jsonin_type t)
{
	switch (t) {
	case JT_STRING: return "a string";
	case JT_INTEGER: return "an integer";
	case JT_BOOLEAN: return "a boolean";
	case JT_OBJECT: return "an object";
	case JT_ARRAY: return "an array";
	case JT_ID: return "a positive integer id";
	case JT_NUMBER: return "a number";
	}
	return "?";
}

static bool type_matches(const json_t *v, enum jsonin_type t)
{
	switch (t) {
	case JT_STRING: return json_is_string(v);
	case JT_INTEGER: return json_is_integer(v);
	case JT_BOOLEAN: return json_is_boolean(v);
	case JT_OBJECT: return json_is_object(v);
	case JT_ARRAY: return json_is_array(v);
	case JT_ID: return json_is_integer(v) && json_integer_value(v) > 0;
	case JT_NUMBER: return json_is_number(v);
	}
	return false;
}

/* Code points of s once leading and trailing ASCII spaces are ignored. */
static size_t trimmed_length(const char *s, size_t len)
{
	size_t a = 0, b = len;
	while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n' || s[a] == '\r'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\n' || s[b - 1] == '\r'))
		b--;
	return utf8_length(s + a, b - a);
}

bool jsonin_check(json_t *obj, const struct jsonin_field *fields, struct jsonin_error *err)
{
	const char *key;
	const json_t *value;
	json_object_foreach(obj, key, value) {
		const struct jsonin_field *f = fields;
		while (f->name && strcmp(f->name, key) != 0)
			f++;
		if (!f->name)
			return fail(err, "unknown_field", "unknown field \"%.64s\"", key);
	}
	for (const struct jsonin_field *f = fields; f->name; f++) {
		value = json_object_get(obj, f->name);
		if (!value || json_is_null(value)) {
			if (f->required)
				return fail(err, "missing_field", "field \"%s\" is required", f->name);
			json_object_del(obj, f->name); /* null means absent, for every handler */
			continue;
		}
		if (!type_matches(value, f->type))
			return fail(err, "invalid_type", "field \"%s\" must be %s", f->name,
				    type_name(f->type));
		if (f->type == JT_STRING) {
			size_t n = trimmed_length(json_string_value(value), json_string_length(value));
			if (memchr(json_string_value(value), '\0', json_string_length(value)))
				return fail(err, "invalid_value", "field \"%s\" contains a NUL character", f->name);
			if (n < f->min_len)
				return fail(err, f->required && n == 0 ? "missing_field" : "invalid_value",
					    "field \"%s\" must have at least %zu characters", f->name, f->min_len);
			if (f->max_len && utf8_length(json_string_value(value), json_string_length(value)) > f->max_len)
				return fail(err, "invalid_value", "field \"%s\" must have at most %zu characters",
					    f->name, f->max_len);
		}
	}
	return true;
}

json_t *jsonin_parse_checked(const char *buf, size_t len, const struct jsonin_field *fields,
			     struct jsonin_error *err)
{
	json_t *root = jsonin_parse(buf, len, err);
	if (root && !jsonin_check(root, fields, err)) {
		json_decref(root);
		return NULL;
	}
	return root;
}

const char *jsonin_str(const json_t *obj, const char *name, const char *fallback)
{
	const json_t *v = json_object_get(obj, name);
	return json_is_string(v) ? json_string_value(v) : fallback;
}

long long jsonin_int(const json_t *obj, const char *name, long long fallback)
{
	const json_t *v = json_object_get(obj, name);
	return json_is_integer(v) ? (long long)json_integer_value(v) : fallback;
}

bool jsonin_bool(const json_t *obj, const char *name, bool fallback)
{
	const json_t *v = json_object_get(obj, name);
	return json_is_boolean(v) ? json_is_true(v) : fallback;
}

bool jsonin_id_text(const char *s, long long *out)
{
	long long v = 0;
	size_t n = 0;
	if (!s)
		return false;
	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 18)
			return false;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || v <= 0)
		return false;
	*out = v;
	return true;
}
