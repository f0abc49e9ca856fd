/*
 * filetype: what an uploaded file is, judged by its content (magic bytes),
 * never by its name. Only the kinds attachments may be: PDF, images (PNG,
 * JPEG, GIF, WebP) and office documents (OOXML .docx/.xlsx/.pptx, the
 * older OLE2 .doc/.xls/.ppt, and OpenDocument).
 */
#ifndef SUQIU_CORE_FILETYPE_H
#define SUQIU_CORE_FILETYPE_H

#include <stddef.h>

/* The media type of buf[0..len), or NULL when it is none of the accepted
 * kinds. */
const char *filetype_sniff(const unsigned char *buf, size_t len);

#endif
