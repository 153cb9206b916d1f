/* number.c - range checks for numbers read from input (see number.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* The number at the start of s and where its suffix begins: -EINVAL when
 * there is no finite number there. */
static int leading_number(const char *s, double *v, const char **suffix)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -EINVAL;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || isnan(*v))
        return -EINVAL;
    if (isinf(*v))
        return errno == ERANGE ? -ERANGE : -EINVAL; /* "1e999" is a number, "inf" is not */
    *suffix = end;
    return 0;
}

int jd_parse_size_kib(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    static const struct { const char *name; double kib; } units[] = {
        {"", 1}, {"k", 1}, {"kb", 1}, {"kib", 1},
        {"m", 1024}, {"mb", 1024}, {"mib", 1024},
        {"g", 1024.0 * 1024}, {"gb", 1024.0 * 1024}, {"gib", 1024.0 * 1024},
        {"t", 1024.0 * 1024 * 1024}, {"tb", 1024.0 * 1024 * 1024}, {"tib", 1024.0 * 1024 * 1024},
    };
    double v;
    const char *suffix;
    int rc = leading_number(s, &v, &suffix);
    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (!strcasecmp(suffix, units[i].name))
            return jd_num_int(v * units[i].kib, lo, hi, false, out) ? -ERANGE : 0;
    return -EINVAL;
}

int jd_parse_duration(const char *s, double lo, double hi, double *out)
{
    double v;
    const char *suffix;
    int rc = leading_number(s, &v, &suffix);
    if (rc)
        return rc;
    if (!strcmp(suffix, "ms"))
        v /= 1000;
    else if (*suffix && strcmp(suffix, "s"))
        return -EINVAL;
    if (jd_num_real(v, lo, hi))
        return -ERANGE;
    *out = v;
    return 0;
}

void jd_size_text(int64_t kib, char *buf, size_t len)
{
    static const char units[] = "KMGT";
    int u = 0;
    while (u < 3 && kib && kib % 1024 == 0) {
        kib /= 1024;
        u++;
    }
    snprintf(buf, len, "%lld%c", (long long)kib, units[u]);
}

void jd_duration_text(double s, char *buf, size_t len)
{
    if (s > 0 && s < 1)
        snprintf(buf, len, "%.15gms", s * 1000);
    else
        snprintf(buf, len, "%.15gs", s);
}
