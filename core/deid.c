/* deid: masking of phone numbers and names; see deid.h. */
#include "core/deid.h"

#include <string.h>

#include "core/xalloc.h"

char *deid_phone(const char *phone)
{
	if (!phone)
		return NULL;
	size_t n = strlen(phone);
	char *out = xstrdup(phone);
	/* short numbers (extensions, landlines without area code) lose all but
	 * their last two characters; mobile-length ones keep 3 + 4 */
	size_t keep_head = n >= 11 ? 3 : 0;
	size_t keep_tail = n >= 11 ? 4 : (n > 4 ? 2 : 0);
	for (size_t i = keep_head; i + keep_tail < n; i++)
		out[i] = '*';
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
