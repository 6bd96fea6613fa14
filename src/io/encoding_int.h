/*
 * encoding_int.h - library-internal text encodings (src/io/encoding.c): Chinese Windows
 * saves CSV and text files in GB18030 (GBK) by default; popsim reads planner tables in it
 * and names it in the message for scenario files, which must be UTF-8.
 */
#ifndef PS_IO_ENCODING_INT_H
#define PS_IO_ENCODING_INT_H

#include <stddef.h>

/**
 * Convert text that is not UTF-8 from GB18030 (a superset of GBK and GB2312) to UTF-8.
 * @param[out] out  the UTF-8 text (malloc'ed, NUL-terminated) and its length in *len_out
 * @return 1 when the whole text is valid GB18030 with at least one Chinese character and
 *         was converted; 0 otherwise (*out NULL): the text is something else
 */
int ps_gb18030__to_utf8(char **out, size_t *len_out, const char *text, size_t len);

#endif /* PS_IO_ENCODING_INT_H */
