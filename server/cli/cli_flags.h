/*
 * cli_flags.h - the values of command line flags, one syntax and one unit
 * for every subcommand (judge/number.h parses them): sizes "256M", "2G",
 * "512K" (bare number: KiB), durations "500ms", "2s", "1.5" (bare number:
 * seconds), counts. A bad value is reported on stderr with the flag, the
 * value and the range; the caller then exits 2.
 */
#ifndef NSJUDGE_CLI_FLAGS_H
#define NSJUDGE_CLI_FLAGS_H

#include <stdint.h>

/* 0 with *out set, or -1 after the message. cmd is the subcommand ("run"). */
int cli_size(const char *cmd, const char *flag, const char *arg, int64_t lo_kib, int64_t hi_kib,
             int64_t *out_kib);
int cli_duration(const char *cmd, const char *flag, const char *arg, double lo_s, double hi_s,
                 double *out_s);
int cli_count(const char *cmd, const char *flag, const char *arg, int64_t lo, int64_t hi,
              int64_t *out);

/* The smallest memory limit a flag takes: below it nothing starts (a C
 * hello world needs ~1 MiB), and it catches "--mem 256" meant as MiB. */
#define CLI_MEM_MIN_KIB 1024
/* The smallest time limit: 1 ms (0 is not "no limit": omit the flag). */
#define CLI_TIME_MIN_S 0.001

#endif
