/* creditcode: GB 32100-2015 validation; see creditcode.h. */
#include "core/creditcode.h"

#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };

static int value_of(char c)
{
	const char *hit = c ? strchr(alphabet, c) : NULL;
	return hit ? (int)(hit - alphabet) : -1;
}

char creditcode_check_char(const char *first17)
{
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		int v = value_of(first17[i]);
		if (v < 0)
			return 0;
		sum += v * weights[i];
	}
	int c = 31 - sum % 31;
	return alphabet[c == 31 ? 0 : c];
}

enum creditcode_verdict creditcode_check(const char *code, int *pos)
{
	int dummy;
	if (!pos)
		pos = &dummy;
	*pos = 0;
	if (!code || strlen(code) != CREDITCODE_LEN)
		return CREDITCODE_LENGTH;
	for (int i = 0; i < CREDITCODE_LEN; i++) {
		char c = code[i];
		if (c >= 'a' && c <= 'z' && value_of((char)(c - 'a' + 'A')) >= 0) {
			*pos = i + 1;
			return CREDITCODE_LOWERCASE;
		}
		if (value_of(c) < 0) {
			*pos = i + 1;
			return CREDITCODE_ALPHABET;
		}
	}
	for (int i = 2; i < 8; i++) {
		if (code[i] < '0' || code[i] > '9') {
			*pos = i + 1;
			return CREDITCODE_DIVISION;
		}
	}
	return creditcode_check_char(code) == code[17] ? CREDITCODE_OK : CREDITCODE_CHECK;
}

const char *creditcode_message(enum creditcode_verdict v)
{
	switch (v) {
	case CREDITCODE_OK: return "统一社会信用代码有效";
	case CREDITCODE_LENGTH: return "统一社会信用代码应为18位";
	case CREDITCODE_LOWERCASE: return "统一社会信用代码中的字母应为大写";
	case CREDITCODE_ALPHABET: return "统一社会信用代码含有不允许的字符(不使用I、O、S、V、Z)";
	case CREDITCODE_DIVISION: return "统一社会信用代码第3至8位应为6位行政区划码";
	case CREDITCODE_CHECK: return "统一社会信用代码校验位不正确";
	}
	return "统一社会信用代码无效";
}
