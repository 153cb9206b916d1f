/*
 * number.h - numbers read from input (JSON bodies, query strings, config
 * files, problem packages, flags), range-checked before they are converted.
 * Casting a double outside the target type's range is undefined behaviour
 * in C, and a wrapped limit is a wrong limit, so every conversion from
 * input goes through these. Shared by judge/ and server/ (the server is the
 * layer above and may include it); one copy.
 */
#ifndef NSJUDGE_JUDGE_NUMBER_H
#define NSJUDGE_JUDGE_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

/* Upper bounds of any limit, whatever the file says: they keep every
 * product the sandbox forms (KiB * 1024, seconds + extra + 2 as rlim_t,
 * seconds * 1e9 as a timespec) far from overflow. */
#define JD_SECONDS_MAX 1e6                       /* ~11.6 days */
#define JD_KIB_MAX ((int64_t)1 << 32)            /* 4 TiB */
#define JD_FACTOR_MAX 1000.0                     /* time multipliers */

/* 0 when v is finite and lo <= v <= hi; -EDOM when v is NaN or infinite;
 * -ERANGE when it lies outside [lo, hi]. */
int jd_num_real(double v, double lo, double hi);

/* v as an integer in [lo, hi] (lo <= hi): 0 with *out = v truncated toward
 * zero; -EDOM when v is NaN or infinite, or has a fraction and whole is set;
 * -ERANGE when v lies outside [lo, hi] (checked on v itself, before any
 * conversion). */
int jd_num_int(double v, int64_t lo, int64_t hi, bool whole, int64_t *out);

/* Text forms: the whole string must be the number (no spaces around it).
 * jd_parse_int takes decimal digits with an optional sign; jd_parse_real
 * what strtod takes, finite. -EINVAL when s is not such a number, -ERANGE
 * when it is outside [lo, hi]. */
int jd_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out);
int jd_parse_real(const char *s, double lo, double hi, double *out);

#endif
