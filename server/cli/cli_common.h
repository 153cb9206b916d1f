/*
 * cli_common.h - the plumbing judge, verify, languages and version share
 * (cli_common.c).
 */
#ifndef NSJUDGE_CLI_COMMON_H
#define NSJUDGE_CLI_COMMON_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include "judge/judge.h"

#define JSON_OUT_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(6) | JSON_ENSURE_ASCII)

/* For fields of a table: room for every byte written as \xNN. */
#define SAFE_MSG (4 * JD_MSG_MAX + 4)
#define SAFE_NAME (4 * 256 + 4)

/* The language table: --languages, $NSJUDGE_LANGUAGES, the repo's
 * configs/ (the binary lives in <repo>/build/), /etc/nsjudge; used names
 * the file read. Prints its error; -1 on failure. */
int load_langs(const char *flag, struct jd_langs **out, char *used, size_t usedlen);

/* All scratch space of one command lives in cli_scratch, one directory
 * under $TMPDIR, handed to the judge. scratch_init makes it and a thread
 * that removes it on Ctrl-C, SIGTERM or SIGHUP; scratch_remove removes it
 * (registered with atexit by the caller). */
extern char cli_scratch[PATH_MAX];
int scratch_init(void);
void scratch_remove(void);

/* Where compiled validators are kept between runs (judge/build_cache.c):
 * $NSJUDGE_CACHE_DIR (empty: no cache), else the XDG cache dir. */
const char *build_cache_dir(void);

/* Box slots for this process; the sandbox picks ids (and box uids) that
 * no other process on this host holds. */
int open_slots(size_t n, struct sb_slot ***out);
void close_slots(struct sb_slot **v, size_t n);

/* s made safe for a terminal, on one line, in buf (cut with "..." if long). */
const char *term_safe(char *buf, size_t len, const char *s);
/* A block of lines (compiler output) made safe for a terminal. */
void term_put_lines(FILE *f, const char *s);
/* A JSON string of s; bytes that are not UTF-8 become U+FFFD. NULL for NULL. */
json_t *json_text(const char *s);
json_t *report_json(const struct jd_report *r);

/* The problem's load warnings (unknown keys) on stderr; with werror they
 * are errors and the caller stops (-1). warnings_json: the same for --json. */
int report_warnings(const char *cmd, const struct jd_problem *p, bool werror);
json_t *warnings_json(const struct jd_problem *p);

/* Time columns: a wall-clock TLE is marked as such ("6.002s wall"); a
 * report's time is its first wall-clock TLE, else the slowest CPU time,
 * "-" when nothing ran (a compile error). */
bool wall_tle(const struct jd_test_result *t, double limit);
const char *test_time_text(const struct jd_test_result *t, double limit, char *buf, size_t len);
const char *time_text(const struct jd_report *r, double limit, char *buf, size_t len);

/* The flags of languages and version (--json, --languages PATH, --help):
 * -1 to go on, else the exit code (help printed, or usage on bad flags). */
int json_languages_flags(int argc, char **argv, const char *usage, bool *json, const char **langs_path);

#endif
