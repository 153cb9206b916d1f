/* cli_flags.c - flag values checked and their errors worded (cli_flags.h). */
#include <errno.h>
#include <stdio.h>
#include "judge/number.h"
#include "server/cli/cli_flags.h"

int cli_size(const char *cmd, const char *flag, const char *arg, int64_t lo_kib, int64_t hi_kib,
             int64_t *out_kib)
{
    int rc = jd_parse_size_kib(arg, lo_kib, hi_kib, out_kib);
    if (!rc)
        return 0;
    char lo[32], hi[32];
    jd_size_text(lo_kib, lo, sizeof lo);
    jd_size_text(hi_kib, hi, sizeof hi);
    fprintf(stderr, "nsjudge %s: bad %s '%s': %s from %s to %s (K, M, G, T suffixes; a bare number is KiB, so write 256M for 256 MiB)\n",
            cmd, flag, arg, rc == -ERANGE ? "out of range, a size" : "not a size; give a size", lo,
            hi);
    return rc;
}

int cli_duration(const char *cmd, const char *flag, const char *arg, double lo_s, double hi_s,
                 double *out_s)
{
    int rc = jd_parse_duration(arg, lo_s, hi_s, out_s);
    if (!rc)
        return 0;
    char lo[32], hi[32];
    jd_duration_text(lo_s, lo, sizeof lo);
    jd_duration_text(hi_s, hi, sizeof hi);
    fprintf(stderr, "nsjudge %s: bad %s '%s': %s from %s to %s (e.g. 500ms, 2s; a bare number is seconds)\n",
            cmd, flag, arg, rc == -ERANGE ? "out of range, a duration" : "not a duration; give one",
            lo, hi);
    return rc;
}

int cli_count(const char *cmd, const char *flag, const char *arg, int64_t lo, int64_t hi,
              int64_t *out)
{
    int rc = jd_parse_int(arg, lo, hi, out);
    if (!rc)
        return 0;
    fprintf(stderr, "nsjudge %s: bad %s '%s': %s from %lld to %lld\n", cmd, flag, arg,
            rc == -ERANGE ? "out of range, a whole number" : "not a whole number; give one",
            (long long)lo, (long long)hi);
    return rc;
}
