/* filetype: content sniffing for attachments; see filetype.h. */
#include "core/filetype.h"

#include <stdbool.h>
#include <string.h>

static bool starts(const unsigned char *buf, size_t len, const void *magic, size_t n)
{
	return len >= n && memcmp(buf, magic, n) == 0;
}

/* True when the bytes contain needle (a ZIP's entry names are plain text
 * in its local headers and central directory). */
static bool contains(const unsigned char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (buf[i] == (unsigned char)needle[0] && memcmp(buf + i, needle, n) == 0)
			return true;
	return false;
}

static const char *zip_kind(const unsigned char *buf, size_t len)
{
	/* OpenDocument stores its media type uncompressed as the first entry */
	static const char odf[] = "mimetypeapplication/vnd.oasis.opendocument.";
	if (len > 30 + sizeof odf && memcmp(buf + 30, odf, sizeof odf - 1) == 0) {
		const unsigned char *kind = buf + 30 + sizeof odf - 1;
		if (len - (size_t)(kind - buf) >= 4 && memcmp(kind, "text", 4) == 0)
			return "application/vnd.oasis.opendocument.text";
		if (len - (size_t)(kind - buf) >= 11 && memcmp(kind, "spreadsheet", 11) == 0)
			return "application/vnd.oasis.opendocument.spreadsheet";
		if (len - (size_t)(kind - buf) >= 12 && memcmp(kind, "presentation", 12) == 0)
			return "application/vnd.oasis.opendocument.presentation";
		return NULL;
	}
	if (!contains(buf, len, "[Content_Types].xml"))
		return NULL;
	if (contains(buf, len, "word/"))
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
	if (contains(buf, len, "xl/"))
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	if (contains(buf, len, "ppt/"))
		return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
	return NULL;
}

const char *filetype_sniff(const unsigned char *buf, size_t len)
{
	if (!buf)
		return NULL;
	if (starts(buf, len, "%PDF-", 5))
		return "application/pdf";
	if (starts(buf, len, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (starts(buf, len, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (starts(buf, len, "GIF87a", 6) || starts(buf, len, "GIF89a", 6))
		return "image/gif";
	if (len >= 12 && memcmp(buf, "RIFF", 4) == 0 && memcmp(buf + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (starts(buf, len, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
		return "application/x-ole-storage"; /* .doc, .xls, .ppt: one container format */
	if (starts(buf, len, "PK\x03\x04", 4))
		return zip_kind(buf, len);
	return NULL;
}
