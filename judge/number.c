/* number.c - range checks for numbers read from input (see number.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "judge/number.h"

int jd_num_real(double v, double lo, double hi)
{
    if (!isfinite(v))
        return -EDOM;
    return v >= lo && v <= hi ? 0 : -ERANGE;
}

int jd_num_int(double v, int64_t lo, int64_t hi, bool whole, int64_t *out)
{
    if (!isfinite(v))
        return -EDOM;
    /* [-2^63, 2^63) are exact doubles: inside it the cast is defined */
    if (!(v >= -0x1p63 && v < 0x1p63))
        return -ERANGE;
    int64_t t = (int64_t)v;
    if (whole && (double)t != v)
        return -EDOM;
    /* t is v truncated: a fraction beyond an end is still outside */
    if (t < lo || t > hi || (t == hi && v > (double)t) || (t == lo && v < (double)t))
        return -ERANGE;
    *out = t;
    return 0;
}

int jd_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -EINVAL;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end)
        return -EINVAL;
    if (errno == ERANGE || v < lo || v > hi)
        return -ERANGE;
    *out = v;
    return 0;
}

int jd_parse_real(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -EINVAL;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end)
        return -EINVAL;
    if (isnan(v))
        return -EINVAL;
    /* an overflow gives +-HUGE_VAL with ERANGE; an underflow is a tiny number, fine */
    if (isinf(v) || jd_num_real(v, lo, hi))
        return -ERANGE;
    *out = v;
    return 0;
}
