/*
 * json.c - the JSON writer of `--json` (popsim info, targets, compare; docs/json.md).
 *
 * Output is RFC 8259 JSON that any parser reads: strings are valid UTF-8 (a byte that does
 * not start or continue a well-formed UTF-8 sequence becomes U+FFFD), quotes, backslashes
 * and control characters are escaped, and numbers that JSON cannot express (NaN, infinities)
 * are written as null. Numbers keep 17 significant digits, so a parsed value is the double
 * the file holds, bit for bit. Members of an object or array are indented by nesting level,
 * except arrays of numbers, which stay on one line.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Bytes 0x00-0x1f must be escaped in a JSON string (RFC 8259, section 7). */
#define JSON_FIRST_PRINTABLE 0x20

void cli_json_init(cli_json *j, FILE *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->first[0] = 1;
}

/* Length of the well-formed UTF-8 sequence at p (1..4), 0 if the bytes are not one. */
static size_t utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80) {
        return 1;
    }
    size_t n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || (n == 2 && p[0] > 0xdf) || (n == 3 && p[0] > 0xef)) {
        return 0;
    }
    for (size_t k = 1; k < n; ++k) {
        if ((p[k] & 0xc0) != 0x80) {
            return 0;
        }
    }
    /* Overlong forms, UTF-16 surrogates and code points above U+10FFFF are not UTF-8. */
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)) {
        return 0;
    }
    return n;
}

static void put_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t n = utf8_len(p);
        if (n == 0) {
            fputs("\\ufffd", out);
            ++p;
        } else if (*p == '"' || *p == '\\') {
            fputc('\\', out);
            fputc(*p++, out);
        } else if (*p < JSON_FIRST_PRINTABLE) {
            fprintf(out, "\\u%04x", *p++);
        } else {
            fwrite(p, 1, n, out);
            p += n;
        }
    }
    fputc('"', out);
}

/* The separator, indentation and key before a value at the current level. */
static void member(cli_json *j, const char *key)
{
    if (!j->first[j->depth]) {
        fputc(',', j->out);
    }
    j->first[j->depth] = 0;
    if (j->depth > 0) {
        fprintf(j->out, "\n%*s", 2 * j->depth, "");
    }
    if (key != NULL) {
        put_string(j->out, key);
        fputs(": ", j->out);
    }
}

static void open_level(cli_json *j, const char *key, char bracket)
{
    member(j, key);
    fputc(bracket, j->out);
    if (j->depth + 1 < CLI_JSON_DEPTH) {
        j->depth++;
    }
    j->first[j->depth] = 1;
}

static void close_level(cli_json *j, char bracket)
{
    int empty = j->first[j->depth];
    if (j->depth > 0) {
        j->depth--;
    }
    if (!empty) {
        fprintf(j->out, "\n%*s", 2 * j->depth, "");
    }
    fputc(bracket, j->out);
    if (j->depth == 0) {
        fputc('\n', j->out);
    }
}

void cli_json_begin_object(cli_json *j, const char *key)
{
    open_level(j, key, '{');
}

void cli_json_end_object(cli_json *j)
{
    close_level(j, '}');
}

void cli_json_begin_array(cli_json *j, const char *key)
{
    open_level(j, key, '[');
}

void cli_json_end_array(cli_json *j)
{
    close_level(j, ']');
}

void cli_json_string(cli_json *j, const char *key, const char *value)
{
    member(j, key);
    if (value == NULL) {
        fputs("null", j->out);
    } else {
        put_string(j->out, value);
    }
}

static void put_number(FILE *out, double v)
{
    if (isfinite(v)) {
        fprintf(out, "%.17g", v);
    } else {
        fputs("null", out);
    }
}

void cli_json_number(cli_json *j, const char *key, double value)
{
    member(j, key);
    put_number(j->out, value);
}

void cli_json_int(cli_json *j, const char *key, long long value)
{
    member(j, key);
    fprintf(j->out, "%lld", value);
}

void cli_json_bool(cli_json *j, const char *key, int value)
{
    member(j, key);
    fputs(value ? "true" : "false", j->out);
}

void cli_json_numbers(cli_json *j, const char *key, const double *values, int n)
{
    member(j, key);
    fputc('[', j->out);
    for (int k = 0; k < n; ++k) {
        fputs(k > 0 ? ", " : "", j->out);
        put_number(j->out, values[k]);
    }
    fputc(']', j->out);
}
