/*
 * utf8.c - well-formed UTF-8 (no overlong forms, no surrogates, nothing
 * past U+10FFFF): the one copy for checker messages, terminal escaping in
 * the CLI and the service's JSON text fields.
 */
#include "judge/judge.h"

size_t jd_utf8_len(const void *s, size_t n)
{
    const unsigned char *p = s;
    if (!n)
        return 0;
    unsigned c = p[0], lo = 0x80, hi = 0xbf;
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;          /* no overlong forms */
        if (c == 0xed)
            hi = 0x9f;          /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        if (c == 0xf4)
            hi = 0x8f;          /* nothing past U+10FFFF */
    } else
        return 0;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return len;
}

bool jd_utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0, l; i < n; i += l)
        if (!(l = jd_utf8_len(s + i, n - i)))
            return false;
    return true;
}
