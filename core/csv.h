/*
 * csv: RFC 4180 parsing for imports (the 12345 hotline's batches).
 *
 * Fields are separated by commas, records by CRLF or LF; a field may be
 * quoted with ", inside which "" is a quote and commas and line breaks are
 * data. A UTF-8 byte order mark at the start is skipped. Empty lines are
 * skipped. The input must already be valid UTF-8 (see core/utf8.h).
 *
 * Writing (exports that open in Excel): csv_out builds a document in
 * memory, optionally starting with a UTF-8 byte order mark, records ended
 * by CRLF. A field is quoted when it holds a comma, quote, CR or LF. A text
 * cell that starts with = + - @ TAB or CR is prefixed with ' so that a
 * spreadsheet shows it as text instead of evaluating it (CSV/formula
 * injection); number cells are written as they are.
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

/* A CSV document being written. */
struct csv_out {
	char *buf;     /* NUL-terminated; owned, freed by csv_out_finish */
	size_t len, cap;
	bool fresh;    /* no field yet in the current record */
};

/* Starts an empty document, with the UTF-8 BOM when bom. */
void csv_out_init(struct csv_out *o, bool bom);
/* Frees the document (a no-op on a finished one). */
void csv_out_finish(struct csv_out *o);
/* Appends a text cell (NULL = empty), neutralised against formulas. */
void csv_text(struct csv_out *o, const char *s);
/* Appends a cell as it is (numbers; NULL = empty): quoted when needed,
 * never prefixed. */
void csv_raw(struct csv_out *o, const char *s);
/* Ends the current record (CRLF). */
void csv_end_record(struct csv_out *o);
/* True when a text cell starting like s would be taken for a formula. */
bool csv_formula_like(const char *s);

#endif
