/* utf8: strict UTF-8 validation; see utf8.h. */
#include "core/utf8.h"

bool utf8_valid(const unsigned char *s, size_t len, size_t *bad_offset)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t need;
		unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c == 0xE0) {
			need = 2, lo = 0xA0; /* no overlong 3-byte forms */
		} else if (c == 0xED) {
			need = 2, hi = 0x9F; /* no surrogates */
		} else if (c >= 0xE1 && c <= 0xEF) {
			need = 2;
		} else if (c == 0xF0) {
			need = 3, lo = 0x90; /* no overlong 4-byte forms */
		} else if (c >= 0xF1 && c <= 0xF3) {
			need = 3;
		} else if (c == 0xF4) {
			need = 3, hi = 0x8F; /* nothing above U+10FFFF */
		} else {
			goto bad; /* 0x80..0xC1 and 0xF5..0xFF never start a sequence */
		}
		if (len - i <= need)
			goto bad;
		if (s[i + 1] < lo || s[i + 1] > hi)
			goto bad;
		for (size_t k = 2; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
		i += need + 1;
	}
	return true;
bad:
	if (bad_offset)
		*bad_offset = i;
	return false;
}

size_t utf8_length(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}
