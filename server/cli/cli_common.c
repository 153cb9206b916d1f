/*
 * cli_common.c - what judge, verify, languages and version share: the
 * language table, the command's scratch dir and box slots, and text made
 * safe for a terminal or JSON.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "judge/judge.h"
#include "judge/number.h"
#include "server/cli/cli.h"
#include "server/cli/cli_common.h"
#include "server/cli/cli_flags.h"
#include "server/common/install_paths.h"

/* The language table: --languages, $NSJUDGE_LANGUAGES, else where serve
 * finds it (server/common/install_paths.c). */
int load_langs(const char *flag, struct jd_langs **out, char *used, size_t usedlen)
{
    char err[512];
    char cand[4][PATH_MAX];
    int n = 0;
    const char *env = getenv("NSJUDGE_LANGUAGES");
    if (flag || (env && *env)) {
        /* a cut name would open another file */
        if (snprintf(cand[n++], PATH_MAX, "%s", flag ? flag : env) >= PATH_MAX) {
            fprintf(stderr, "nsjudge: language table path longer than %d bytes\n", PATH_MAX - 1);
            return -ENAMETOOLONG;
        }
    } else if (install_paths_find("languages.json", cand[n], PATH_MAX) == 0) {
        n++;   /* the checkout's configs/, /etc/nsjudge, PREFIX/share/nsjudge: as serve */
    } else {
        fprintf(stderr, "nsjudge: no language table found (tried %s; use --languages PATH)\n", cand[0]);
        return -ENOENT;
    }
    for (int i = 0; i < n; i++) {
        if (n > 1 && access(cand[i], R_OK) != 0)
            continue;
        int rc = jd_langs_load(cand[i], out, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "nsjudge: %s\n", err);
            return rc;
        }
        char real[PATH_MAX];
        if (snprintf(used, usedlen, "%s", realpath(cand[i], real) ? real : cand[i]) >= (int)usedlen) {
            fprintf(stderr, "nsjudge: language table path longer than %zu bytes\n", usedlen - 1);
            jd_langs_free(*out);
            *out = NULL;
            return -ENAMETOOLONG;
        }
        return 0;
    }
    fprintf(stderr, "nsjudge: no language table found (tried %s; use --languages PATH)\n",
            n ? cand[0] : "nothing");
    return -ENOENT;
}

/* All scratch space of one command lives in one directory under $TMPDIR,
 * handed to the judge (its validators and input checks included).
 * Ctrl-C or SIGTERM removes it before exiting: a thread waits for those
 * signals, which every other thread blocks. */
char cli_scratch[PATH_MAX];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void scratch_remove(void)
{
    if (!cli_scratch[0])
        return;
    /* On Ctrl-C the judge's threads are still at work in it: moved aside
     * first, no new path resolves into it, and what a creation under way
     * adds (there, or the dir made again by a mkdir -p) goes with the next
     * round. Program directories are size-capped tmpfs mounts: detached
     * before each removal. */
    char gone[PATH_MAX + 8];
    snprintf(gone, sizeof gone, "%s.gone", cli_scratch);
    rename(cli_scratch, gone);
    const char *dirs[2] = {gone, cli_scratch};
    for (int round = 0; round < 20; round++) {
        bool left = false;
        for (int i = 0; i < 2; i++) {
            if (access(dirs[i], F_OK) != 0)
                continue;
            jd_scratch_unmount(dirs[i]);
            nftw(dirs[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
            left |= access(dirs[i], F_OK) == 0;
        }
        if (!left)
            break;
        usleep(5000);
    }
}

static void *signal_waiter(void *arg)
{
    int sig;
    if (sigwait((sigset_t *)arg, &sig) == 0) {
        scratch_remove();
        _exit(128 + sig);
    }
    return NULL;
}

int scratch_init(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(cli_scratch, sizeof cli_scratch, "%s/nsjudge-cli-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(cli_scratch)) {
        int e = errno;
        fprintf(stderr, "nsjudge: creating a scratch directory in %s: %s\n", base ? base : "/tmp",
                strerror(e));
        cli_scratch[0] = 0;
        return -e;
    }
    chmod(cli_scratch, 0755);
    static sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, signal_waiter, &set) == 0)
        pthread_detach(th);
    return 0;
}

/* Where compiled validators are kept between runs (judge/build_cache.c):
 * $NSJUDGE_CACHE_DIR (empty: no cache), else the XDG cache dir. */
const char *build_cache_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("NSJUDGE_CACHE_DIR");
    if (env)
        return *env ? env : NULL;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n = xdg && *xdg ? snprintf(dir, sizeof dir, "%s/nsjudge/build", xdg)
            : home && *home ? snprintf(dir, sizeof dir, "%s/.cache/nsjudge/build", home) : -1;
    return n > 0 && (size_t)n < sizeof dir ? dir : NULL;
}

/* Box slots for this process; the sandbox picks ids (and so box uids) no
 * other process on this host holds. */
int open_slots(size_t n, struct sb_slot ***out)
{
    struct sb_slot **v = calloc(n, sizeof *v);
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char err[256];
        struct sb_slot_options o = {.id = SB_SLOT_ANY};
        int rc = sb_slot_open(&o, &v[i], err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "nsjudge: opening a box slot: %s\n", err);
            for (size_t k = 0; k < i; k++)
                sb_slot_close(v[k]);
            free(v);
            return rc;
        }
    }
    *out = v;
    return 0;
}

void close_slots(struct sb_slot **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        sb_slot_close(v[i]);
    free(v);
}

/* ---- text from submissions, shown on a terminal or in JSON -------------
 * Checker messages, compiler output and names can carry bytes a program
 * chose: escape sequences that erase lines and draw a fake verdict on the
 * problem setter's terminal. Human-readable output shows C0 controls (but
 * \t, and \n where a block has lines), DEL, C1 controls, bidi overrides
 * and bytes that are not UTF-8 as \xNN; JSON carries the exact text (jansson
 * escapes controls; JSON_ENSURE_ASCII keeps the output pure ASCII too). */


/* The next character of p (n > 0 bytes left) as a terminal may see it:
 * out gets its text, the return value is how many bytes it took. */
static size_t term_char(const unsigned char *p, size_t n, bool lines, char out[20], size_t *outlen)
{
    size_t k = jd_utf8_len(p, n);
    bool plain = k == 1 ? (p[0] >= 0x20 && p[0] != 0x7f) || p[0] == '\t' || (lines && p[0] == '\n')
                        : k > 1;
    if (k == 2 && p[0] == 0xc2 && p[1] < 0xa0)
        plain = false;          /* C1: U+0080..U+009F, 0x9b is CSI */
    if (k == 3 && p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
                                   (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
        plain = false;          /* bidi embeddings, overrides, isolates */
    if (!k)
        k = 1;
    if (plain) {
        memcpy(out, p, k);
        *outlen = k;
    } else {
        *outlen = 0;
        for (size_t i = 0; i < k; i++)
            *outlen += (size_t)snprintf(out + *outlen, 5, "\\x%02x", p[i]);
    }
    return k;
}

/* s made safe for a terminal, on one line, in buf (cut with "..." if long). */
const char *term_safe(char *buf, size_t len, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), o = 0;
    while (n) {
        char c[20];
        size_t cl, k = term_char(p, n, false, c, &cl);
        if (o + cl + 4 > len) {
            snprintf(buf + o, len - o, "...");
            return buf;
        }
        memcpy(buf + o, c, cl);
        o += cl;
        p += k;
        n -= k;
    }
    buf[o] = 0;
    return buf;
}

/* A block of lines (compiler output) made safe for a terminal. */
void term_put_lines(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        char c[20];
        size_t cl, k = term_char(p, n, true, c, &cl);
        fwrite(c, 1, cl, f);
        p += k;
        n -= k;
    }
}

/* A JSON string of s; bytes that are not UTF-8 (JSON cannot hold them)
 * become U+FFFD, everything else is kept exactly. NULL for NULL. */
json_t *json_text(const char *s)
{
    if (!s)
        return NULL;
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t n = strlen(s), o = 0;
    char *t = malloc(3 * n + 1);
    if (!t)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; n;) {
        size_t k = jd_utf8_len(p, n);
        if (k) {
            memcpy(t + o, p, k);
            o += k;
        } else {
            memcpy(t + o, "\xef\xbf\xbd", 3);
            o += 3;
            k = 1;
        }
        p += k;
        n -= k;
    }
    t[o] = 0;
    j = json_string(t);
    free(t);
    return j;
}


json_t *report_json(const struct jd_report *r)
{
    json_t *tests = json_array();
    for (size_t i = 0; i < r->n_tests; i++) {
        const struct jd_test_result *t = &r->tests[i];
        json_array_append_new(tests, json_pack("{s:o, s:s, s:f, s:f, s:I, s:f, s:i, s:i, s:o}",
            "name", json_text(t->name ? t->name : ""), "verdict", jd_verdict_code(t->verdict),
            "time", t->time_s, "wall_time", t->wall_s, "memory", (json_int_t)t->mem_kib,
            "score", isnan(t->score) ? 0.0 : t->score, "exit_code", t->exit_code,
            "signal", t->signal, "message", json_text(t->message)));
    }
    return json_pack("{s:s, s:s, s:f, s:f, s:f, s:I, s:o?, s:o, s:o}",
        "verdict", jd_verdict_code(r->verdict), "verdict_name", jd_verdict_name(r->verdict),
        "score", r->score, "max_score", r->max_score, "time", r->max_time_s,
        "memory", (json_int_t)r->max_mem_kib, "compile_output", json_text(r->compile_output),
        "message", json_text(r->message), "tests", tests);
}

/* The problem's load warnings (unknown keys) on stderr; with werror they
 * are errors and the caller stops (-EINVAL). */
int report_warnings(const char *cmd, const struct jd_problem *p, bool werror)
{
    size_t n = jd_problem_n_warnings(p);
    char safe[SAFE_MSG];
    for (size_t i = 0; jd_problem_warning(p, i); i++)
        fprintf(stderr, "nsjudge %s: %s: %s\n", cmd, werror ? "error" : "warning",
                term_safe(safe, sizeof safe, jd_problem_warning(p, i)));
    if (n > JD_WARNINGS_MAX)
        fprintf(stderr, "nsjudge %s: ... and %zu more\n", cmd, n - JD_WARNINGS_MAX);
    if (werror && n) {
        fprintf(stderr, "nsjudge %s: %zu warning%s treated as error%s (--werror)\n", cmd, n,
                n == 1 ? "" : "s", n == 1 ? "" : "s");
        return -EINVAL;
    }
    return 0;
}

json_t *warnings_json(const struct jd_problem *p)
{
    json_t *a = json_array();
    for (size_t i = 0; jd_problem_warning(p, i); i++)
        json_array_append_new(a, json_text(jd_problem_warning(p, i)));
    return a;
}


bool wall_tle(const struct jd_test_result *t, double limit)
{
    if (t->verdict != JD_TLE)
        return false;
    if (strstr(t->message, "wall time limit"))
        return true;
    if (strstr(t->message, "CPU time limit"))
        return false;
    return t->time_s < limit;
}

const char *test_time_text(const struct jd_test_result *t, double limit, char *buf, size_t len)
{
    if (wall_tle(t, limit))
        snprintf(buf, len, "%.3fs wall", t->wall_s);
    else
        snprintf(buf, len, "%.3fs", t->time_s);
    return buf;
}

/* A report's time: of its first wall-clock TLE, else the slowest CPU time;
 * "-" when nothing ran (a compile error). */
const char *time_text(const struct jd_report *r, double limit, char *buf, size_t len)
{
    for (size_t i = 0; i < r->n_tests; i++)
        if (wall_tle(&r->tests[i], limit))
            return test_time_text(&r->tests[i], limit, buf, len);
    if (r->verdict == JD_CE || !r->n_tests)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.3fs", r->max_time_s);
    return buf;
}

int json_languages_flags(int argc, char **argv, const char *usage, bool *json, const char **langs_path)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'J'}, {"languages", required_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'J': *json = true; break;
        case 'L': *langs_path = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return 2;
    }
    return -1;
}
