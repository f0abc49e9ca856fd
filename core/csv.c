/* csv: RFC 4180 parsing; see csv.h. */
#include "core/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

struct builder {
	char *field;
	size_t len, cap;
	struct csv_record rec;
	size_t rec_cap;
};

static void field_add(struct builder *b, char c)
{
	if (b->len + 1 >= b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->field = xrealloc(b->field, b->cap);
	}
	b->field[b->len++] = c;
}

static bool field_end(struct builder *b, size_t max_fields)
{
	if (b->rec.n >= max_fields)
		return false;
	if (b->rec.n == b->rec_cap) {
		b->rec_cap = b->rec_cap ? b->rec_cap * 2 : 8;
		b->rec.fields = xrealloc(b->rec.fields, b->rec_cap * sizeof *b->rec.fields);
	}
	char *f = xmalloc(b->len + 1);
	if (b->len) /* an empty field may come before any buffer exists */
		memcpy(f, b->field, b->len);
	f[b->len] = '\0';
	b->rec.fields[b->rec.n++] = f;
	b->len = 0;
	return true;
}

static void record_drop(struct csv_record *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->fields[i]);
	free(r->fields);
	memset(r, 0, sizeof *r);
}

bool csv_parse(const char *buf, size_t len, size_t max_records, size_t max_fields, struct csv_table *out,
	       char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct builder b = { 0 };
	size_t cap = 0, i = 0, line = 1;
	bool ok = true;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	const char *nul = memchr(buf, '\0', len);
	if (nul) { /* fields are C strings: a NUL would cut one short without a word */
		snprintf(err, errlen, "a NUL byte at offset %zu", (size_t)(nul - buf));
		return false;
	}
	while (ok && i < len) {
		/* one record */
		b.rec.line = line;
		bool record_done = false, blank = true;
		while (!record_done) {
			bool quoted = i < len && buf[i] == '"';
			if (quoted) {
				blank = false;
				size_t start_line = line;
				i++;
				for (;;) {
					if (i >= len) {
						snprintf(err, errlen, "line %zu: a quoted field is not closed", start_line);
						ok = false;
						break;
					}
					if (buf[i] == '"' && i + 1 < len && buf[i + 1] == '"') {
						field_add(&b, '"');
						i += 2;
					} else if (buf[i] == '"') {
						i++;
						break;
					} else {
						if (buf[i] == '\n')
							line++;
						field_add(&b, buf[i++]);
					}
				}
				if (!ok)
					break;
				if (i < len && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r') {
					snprintf(err, errlen, "line %zu: text after a closing quote", line);
					ok = false;
					break;
				}
			} else {
				while (i < len && buf[i] != ',' && buf[i] != '\n' && !(buf[i] == '\r' && i + 1 < len &&
										  buf[i + 1] == '\n')) {
					if (buf[i] == '"') {
						snprintf(err, errlen, "line %zu: a quote inside an unquoted field", line);
						ok = false;
						break;
					}
					blank = false;
					field_add(&b, buf[i++]);
				}
				if (!ok)
					break;
			}
			if (!field_end(&b, max_fields)) {
				snprintf(err, errlen, "line %zu: more than %zu fields", b.rec.line, max_fields);
				ok = false;
				break;
			}
			if (i < len && buf[i] == ',') {
				blank = false;
				i++;
				continue;
			}
			if (i < len && buf[i] == '\r')
				i++;
			if (i < len && buf[i] == '\n')
				i++;
			line++;
			record_done = true;
		}
		if (!ok)
			break;
		if (blank) { /* an empty line */
			record_drop(&b.rec);
			b.rec_cap = 0;
			continue;
		}
		if (out->n >= max_records) {
			snprintf(err, errlen, "more than %zu records", max_records);
			ok = false;
			break;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->records = xrealloc(out->records, cap * sizeof *out->records);
		}
		out->records[out->n++] = b.rec;
		memset(&b.rec, 0, sizeof b.rec);
		b.rec_cap = 0;
	}
	record_drop(&b.rec);
	free(b.field);
	return ok;
}

void csv_free(struct csv_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		record_drop(&t->records[i]);
	free(t->records);
	memset(t, 0, sizeof *t);
}

/* ---- writing ---------------------------------------------------------- */

static void out_add(struct csv_out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		while (o->len + n + 1 > o->cap)
			o->cap = o->cap ? o->cap * 2 : 256;
		o->buf = xrealloc(o->buf, o->cap);
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

void csv_out_init(struct csv_out *o, bool bom)
{
	memset(o, 0, sizeof *o);
	o->fresh = true;
	out_add(o, bom ? "\xEF\xBB\xBF" : "", bom ? 3 : 0);
}

void csv_out_finish(struct csv_out *o)
{
	free(o->buf);
	memset(o, 0, sizeof *o);
}

bool csv_formula_like(const char *s)
{
	return s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r');
}

static void cell(struct csv_out *o, const char *s, bool neutralise)
{
	if (!o->fresh)
		out_add(o, ",", 1);
	o->fresh = false;
	if (!s)
		return;
	bool prefix = neutralise && csv_formula_like(s);
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		out_add(o, "\"", 1);
	if (prefix)
		out_add(o, "'", 1);
	for (const char *p = s; *p;) { /* runs between quotes; a quote doubled */
		size_t run = strcspn(p, "\"");
		out_add(o, p, run);
		p += run;
		if (*p == '"') {
			out_add(o, "\"\"", 2);
			p++;
		}
	}
	if (quote)
		out_add(o, "\"", 1);
}

void csv_text(struct csv_out *o, const char *s)
{
	cell(o, s, true);
}

void csv_raw(struct csv_out *o, const char *s)
{
	cell(o, s, false);
}

void csv_end_record(struct csv_out *o)
{
	out_add(o, "\r\n", 2);
	o->fresh = true;
}
