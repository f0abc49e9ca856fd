/*
 * utf8: strict UTF-8 validation (RFC 3629).
 *
 * Rejects overlong forms, UTF-16 surrogates (U+D800..U+DFFF), code points
 * above U+10FFFF and truncated sequences. Every byte sequence that reaches
 * the database or a JSON parser passes through here first.
 */
#ifndef SUQIU_CORE_UTF8_H
#define SUQIU_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when buf[0..len) is well-formed UTF-8. On failure, *bad_offset (if
 * not NULL) receives the offset of the first byte of the bad sequence. */
bool utf8_valid(const unsigned char *buf, size_t len, size_t *bad_offset);

/* Number of code points in a valid UTF-8 string of len bytes. */
size_t utf8_length(const char *s, size_t len);

#endif
