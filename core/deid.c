/* deid: masking of phone numbers and names; see deid.h. */
#include "core/deid.h"

#include <string.h>

#include "core/xalloc.h"

char *deid_phone(const char *phone)
{
	if (!phone)
		return NULL;
	/* count and mask whole code points, not bytes: a stray non-ASCII
	 * character must neither shift what is kept nor be cut in half */
	const unsigned char *s = (const unsigned char *)phone;
	size_t n = 0;
	for (size_t i = 0; s[i]; i++)
		n += (s[i] & 0xC0) != 0x80;
	/* short numbers (extensions, landlines without area code) lose all but
	 * their last two characters; mobile-length ones keep 3 + 4 */
	size_t keep_head = n >= 11 ? 3 : 0;
	size_t keep_tail = n >= 11 ? 4 : (n > 4 ? 2 : 0);
	char *out = xmalloc(strlen(phone) + 1);
	size_t o = 0;
	for (size_t i = 0, cp = 0; s[i]; cp++) {
		size_t len = 1;
		while ((s[i + len] & 0xC0) == 0x80)
			len++;
		if (cp < keep_head || cp + keep_tail >= n) {
			memcpy(out + o, phone + i, len);
			o += len;
		} else {
			out[o++] = '*';
		}
		i += len;
	}
	out[o] = '\0';
	return out;
}

char *deid_name(const char *name)
{
	if (!name)
		return NULL;
	/* keep the first code point, one '*' per remaining code point */
	const unsigned char *s = (const unsigned char *)name;
	size_t first = 0;
	if (s[0]) {
		first = 1;
		while ((s[first] & 0xC0) == 0x80)
			first++;
	}
	size_t rest = 0;
	for (size_t i = first; s[i]; i++)
		rest += (s[i] & 0xC0) != 0x80;
	char *out = xmalloc(first + rest + 1);
	memcpy(out, name, first);
	memset(out + first, '*', rest);
	out[first + rest] = '\0';
	return out;
}
