/*
 * csv: RFC 4180 parsing for imports (the 12345 hotline's batches).
 *
 * Fields are separated by commas, records by CRLF or LF; a field may be
 * quoted with ", inside which "" is a quote and commas and line breaks are
 * data. A UTF-8 byte order mark at the start is skipped. Empty lines are
 * skipped. The input must already be valid UTF-8 (see core/utf8.h).
 */
#ifndef SUQIU_CORE_CSV_H
#define SUQIU_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>

struct csv_record {
	char **fields;
	size_t n;
	size_t line; /* 1-based line where the record starts */
};

struct csv_table {
	struct csv_record *records;
	size_t n;
};

/* Parses buf[0..len) into out (free with csv_free, also after failure).
 * Fails on a NUL byte, an unterminated quote, text after a closing quote, more than
 * max_records records or more than max_fields fields in a record, with
 * a message in err. */
bool csv_parse(const char *buf, size_t len, size_t max_records, size_t max_fields, struct csv_table *out,
	       char *err, size_t errlen);
void csv_free(struct csv_table *t);

#endif
