/*
 * problem: the catalogue of API error codes (RFC 9457 problem+json).
 *
 * Every error the API can answer has one stable machine code here, with
 * its HTTP status and a zh-CN title shown to users. The `detail` of each
 * answer is written where the error happens and says what exactly failed.
 * Clients match on `code`, never on text.
 */
#ifndef SUQIU_CORE_PROBLEM_H
#define SUQIU_CORE_PROBLEM_H

#include <jansson.h>

struct problem_kind {
	const char *code;  /* stable machine code, e.g. "invalid_json" */
	int status;        /* HTTP status */
	const char *title; /* zh-CN, short */
};

/* Looks up a code; unknown codes yield the "internal" entry (500). */
const struct problem_kind *problem_lookup(const char *code);

/* Builds the problem+json body {type,title,status,detail,code}.
 * Returns a new reference the caller owns. detail may be NULL. */
json_t *problem_body(const char *code, const char *detail);

/* The whole table, terminated by an entry with code == NULL (for docs and tests). */
extern const struct problem_kind problem_catalogue[];

#endif
