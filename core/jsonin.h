/*
 * jsonin: turning an untrusted request body into a checked JSON object.
 *
 * A body is accepted only when it is valid UTF-8, parses as one JSON
 * object without duplicate keys, has no field the endpoint does not know,
 * and every known field has the declared type and length. Anything else
 * yields a problem code from core/problem.h and a detail naming the field,
 * so handlers never see half-valid input.
 */
#ifndef SUQIU_CORE_JSONIN_H
#define SUQIU_CORE_JSONIN_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum jsonin_type {
	JT_STRING,  /* JSON string, length checked in code points */
	JT_INTEGER, /* JSON integer (no fraction, no exponent) */
	JT_BOOLEAN,
	JT_OBJECT,
	JT_ARRAY,
	JT_ID,      /* positive integer */
	JT_NUMBER,  /* any JSON number, integer or not */
};

struct jsonin_field {
	const char *name;
	enum jsonin_type type;
	bool required;
	size_t min_len;    /* JT_STRING: minimum code points after trimming spaces */
	size_t max_len;    /* JT_STRING: maximum code points; 0 = no limit */
};

#define JSONIN_END { NULL, 0, false, 0, 0 }

struct jsonin_error {
	const char *code;  /* a core/problem.h code */
	char detail[256];
};

/* Parses buf[0..len) as a JSON object. Returns a new reference or NULL
 * with *err filled in. An empty body is "invalid_json". */
json_t *jsonin_parse(const char *buf, size_t len, struct jsonin_error *err);

/* The same for any JSON value (e.g. an array of rows to import). */
json_t *jsonin_parse_any(const char *buf, size_t len, struct jsonin_error *err);

/* Checks obj against the NULL-terminated field table. Optional fields that
 * are null are removed: after a successful check, null and absent are the
 * same thing and handlers test presence with json_object_get alone. */
bool jsonin_check(json_t *obj, const struct jsonin_field *fields, struct jsonin_error *err);

/* Convenience: parse and check in one step. */
json_t *jsonin_parse_checked(const char *buf, size_t len, const struct jsonin_field *fields,
			     struct jsonin_error *err);

/* Accessors for checked objects: absent or null fields give the fallback. */
const char *jsonin_str(const json_t *obj, const char *name, const char *fallback);
long long jsonin_int(const json_t *obj, const char *name, long long fallback);
bool jsonin_bool(const json_t *obj, const char *name, bool fallback);

/* Parses a decimal id from a path or query ("42"): digits only, > 0,
 * at most 18 digits. */
bool jsonin_id_text(const char *s, long long *out);

#endif
