/*
 * encoding.c - GB18030 (GBK) text to UTF-8 with glibc's iconv. A file is taken for GB18030
 * only when it is not UTF-8, converts without a single invalid or incomplete sequence, and
 * holds at least one character of the CJK Unified Ideographs block (U+4E00..U+9FFF), as
 * yearbook headers (年龄, 男, 女) do: random binary bytes almost never pass all three.
 */
#include "encoding_int.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

/* 1 if UTF-8 text holds a character in U+4E00..U+9FFF (lead byte 0xE4..0xE9). */
static int has_cjk(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n; ++i) {
        if (s[i] >= 0xE4 && s[i] <= 0xE9 && (s[i + 1] & 0xC0) == 0x80 &&
            (s[i + 2] & 0xC0) == 0x80) {
            return 1;
        }
    }
    return 0;
}

int ps_gb18030__to_utf8(char **out, size_t *len_out, const char *text, size_t len)
{
    *out = NULL;
    *len_out = 0;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) {
        return 0;
    }
    /* Each GB18030 byte becomes at most 2 UTF-8 bytes (2-byte codes become 3, 4-byte 4). */
    size_t cap = 2 * len + 1;
    char *buf = malloc(cap);
    int ok = buf != NULL;
    char *in = (char *)text, *dst = buf;
    size_t in_left = len, out_left = cap - 1;
    if (ok && iconv(cd, &in, &in_left, &dst, &out_left) == (size_t)-1) {
        ok = 0; /* EILSEQ, EINVAL (a cut sequence) or E2BIG: not GB18030 text */
    }
    iconv_close(cd);
    size_t n = ok ? (size_t)(dst - buf) : 0;
    if (!ok || in_left != 0 || !has_cjk((const unsigned char *)buf, n)) {
        free(buf);
        return 0;
    }
    buf[n] = '\0';
    *out = buf;
    *len_out = n;
    return 1;
}
