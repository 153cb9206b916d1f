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
#include <stddef.h>
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

/* Sizes and durations as people write them on a command line, one syntax
 * for every flag:
 *   sizes      "256M", "2G", "512K", "1.5M", "1T"; K/M/G/T are binary
 *              (KiB, MiB, ...), "KB"/"KiB"/"MiB" etc. mean the same;
 *              a bare number is KiB (isolate's and Judge0's unit)
 *   durations  "500ms", "2s", "1.5"; a bare number is seconds
 * Both: -EINVAL when s is not such a value, -ERANGE when it lies outside
 * [lo, hi] (sizes in KiB, truncated to whole KiB; durations in seconds). */
int jd_parse_size_kib(const char *s, int64_t lo, int64_t hi, int64_t *out);
int jd_parse_duration(const char *s, double lo, double hi, double *out);

/* A size in KiB as the shortest exact text the parser reads back: "4T",
 * "1M", "1536K". */
void jd_size_text(int64_t kib, char *buf, size_t len);
/* A duration as text: "1ms", "0.5s", "1000000s". */
void jd_duration_text(double s, char *buf, size_t len);

#endif
