/*
 * zh: checks on zh-CN user-facing strings, shared by the unit tests
 * (header only: each test executable includes it once).
 */
#ifndef SUQIU_TESTS_UNIT_ZH_H
#define SUQIU_TESTS_UNIT_ZH_H

#include <stdbool.h>
#include <string.h>

#include "core/utf8.h"

/* The code point starting at *s (valid UTF-8 assumed); advances *s. */
static inline unsigned zh_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	unsigned cp;
	int extra;
	if (p[0] < 0x80) {
		cp = p[0];
		extra = 0;
	} else if (p[0] < 0xE0) {
		cp = p[0] & 0x1Fu;
		extra = 1;
	} else if (p[0] < 0xF0) {
		cp = p[0] & 0x0Fu;
		extra = 2;
	} else {
		cp = p[0] & 0x07u;
		extra = 3;
	}
	for (int i = 1; i <= extra; i++)
		cp = (cp << 6) | (p[i] & 0x3Fu);
	*s = p + 1 + extra;
	return cp;
}

static inline bool zh_is_han(unsigned cp)
{
	return cp >= 0x4E00 && cp <= 0x9FFF; /* CJK Unified Ideographs */
}

/* Non-empty valid UTF-8 of Chinese characters only (a label: "待分派"). */
static inline bool zh_all_han(const char *s)
{
	if (!s || !*s || !utf8_valid((const unsigned char *)s, strlen(s), NULL))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p;)
		if (!zh_is_han(zh_next(&p)))
			return false;
	return true;
}

/* Non-empty valid UTF-8 with at least one Chinese character (a sentence). */
static inline bool zh_has_han(const char *s)
{
	if (!s || !*s || !utf8_valid((const unsigned char *)s, strlen(s), NULL))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p;)
		if (zh_is_han(zh_next(&p)))
			return true;
	return false;
}

#endif
