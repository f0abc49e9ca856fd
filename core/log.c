/* log: JSON lines on stdout; see log.h. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"

static const char *component = "suqiu";
static bool buffered;

void log_set_buffered(bool on)
{
	buffered = on;
	if (on)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
}

void log_flush(void)
{
	fflush(stdout);
}

void log_line(const char *line, size_t len)
{
	fwrite(line, 1, len, stdout);
	fputc('\n', stdout);
	if (!buffered)
		fflush(stdout);
}

size_t log_escape(char *out, size_t outlen, const char *s)
{
	size_t n = 0;
	for (; *s && n + 7 < outlen; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, outlen - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	return n;
}

void log_set_component(const char *name)
{
	component = name;
}

void log_obj(const char *level, const char *event, json_t *obj)
{
	char ts[TIMEFMT_LEN];
	timefmt_now(ts);
	json_t *line = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level", level, "component",
				 component, "event", event);
	if (obj)
		json_object_update(line, obj);
	json_decref(obj);
	char *text = json_dumps(line, JSON_COMPACT);
	if (text) {
		log_line(text, strlen(text));
		free(text);
	}
	json_decref(line);
}

void logj(const char *level, const char *event, const char *fmt, ...)
{
	json_t *obj = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		json_error_t err;
		obj = json_vpack_ex(&err, 0, fmt, ap);
		va_end(ap);
		if (!obj)
			obj = json_pack("{s:s}", "log_error", err.text);
	}
	log_obj(level, event, obj);
}
