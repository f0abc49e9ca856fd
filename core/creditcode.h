/*
 * creditcode: the unified social credit code (统一社会信用代码, GB 32100-2015).
 *
 * 18 characters from the alphabet 0-9 A-H J-N P-R T U W X Y (no I, O, S, V, Z),
 * upper case as printed on the business licence:
 *   1      registration authority (登记管理部门代码)
 *   2      entity type (机构类别代码)
 *   3-8    administrative division code (登记管理机关行政区划码), 6 digits
 *   9-17   organisation code (主体标识码)
 *   18     check character: weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
 *          over the first 17, c = 31 - sum mod 31, and 31 is written 0.
 */
#ifndef SUQIU_CORE_CREDITCODE_H
#define SUQIU_CORE_CREDITCODE_H

#define CREDITCODE_LEN 18

enum creditcode_verdict {
	CREDITCODE_OK,
	CREDITCODE_LENGTH,     /* not exactly 18 characters */
	CREDITCODE_LOWERCASE,  /* a lower-case letter: codes are upper case */
	CREDITCODE_ALPHABET,   /* a character outside the code alphabet */
	CREDITCODE_DIVISION,   /* positions 3-8 are not six digits */
	CREDITCODE_CHECK,      /* the check character does not match */
};

/* Checks code (NUL-terminated); on CREDITCODE_ALPHABET, CREDITCODE_LOWERCASE
 * and CREDITCODE_DIVISION *pos is the 1-based offending position. */
enum creditcode_verdict creditcode_check(const char *code, int *pos);

/* The check character for the first 17 characters of code, or 0 when one
 * of them is outside the alphabet. */
char creditcode_check_char(const char *first17);

/* A zh-CN explanation of a verdict, for problem details. */
const char *creditcode_message(enum creditcode_verdict v);

#endif
