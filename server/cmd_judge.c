/*
 * cmd_judge.c - `nsjudge judge`, `nsjudge verify`, `nsjudge languages`:
 * the problem setter's side of the judge layer, on the command line.
 * Exit codes: judge 0 = accepted, 1 = any other verdict, 2 = bad usage or
 * a problem/language that cannot be loaded; verify 0 = every reference
 * submission got its verdict, 1 = some did not, 2 = usage/load error.
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
#include "server/cli.h"
#include "server/cli_flags.h"

const char cmd_judge_usage[] =
    "usage: nsjudge judge PROBLEM SOLUTION [options]\n"
    "\n"
    "Judge SOLUTION (a source file, or a directory of sources) against PROBLEM:\n"
    "a Kattis/ICPC problem package (problem.yaml, data/sample, data/secret,\n"
    "output_validators/ ...) or a plain directory of NAME.in + NAME.ans (or\n"
    "NAME.out) pairs. The solution is compiled in the sandbox and every test runs\n"
    "in a fresh box; the output is checked by the problem's validator (Kattis\n"
    "default token compare, a Kattis output validator, or a testlib checker).\n"
    "\n"
    "options:\n"
    "  -l, --lang ID        language id from the language table (default: by the\n"
    "                       file extension; see 'nsjudge languages')\n"
    "  -t, --time DUR       time limit per test (500ms, 2s, 1.5 = seconds; 1ms to\n"
    "                       1000000s; default: the problem's, or 1s)\n"
    "  -m, --mem SIZE       memory limit (256M, 2G, 512K; a bare number is KiB, as\n"
    "                       in 'nsjudge run'; 1M to 4T; default: the problem's, or\n"
    "                       256M)\n"
    "  -a, --all            judge every test, do not stop at the first rejection\n"
    "  -j, --jobs N         run N tests at once, each in its own box (1 to 64;\n"
    "                       default 1)\n"
    "      --json           print one JSON report on stdout: verdict, score, time,\n"
    "                       memory, compile output, per-test results\n"
    "      --languages PATH language table (default: $NSJUDGE_LANGUAGES, then\n"
    "                       configs/languages.json next to the nsjudge build, then\n"
    "                       /etc/nsjudge/languages.json)\n"
    "  -h, --help           show this help\n"
    "\n"
    "On a terminal a live progress line (on stderr) shows each test as it\n"
    "finishes; then a table of the tests and the overall verdict. Verdicts: AC WA\n"
    "PE TLE MLE RTE OLE CE JE. A key problem.yaml or testdata.yaml does not know\n"
    "(a misspelling such as tme_limit) is a warning on stderr naming file, line\n"
    "and key. Scratch space lives under $TMPDIR and is removed on exit and on\n"
    "Ctrl-C.\n"
    "\n"
    "exit status: 0 accepted, 1 any other verdict, 2 bad usage or load error\n"
    "\n"
    "example:\n"
    "  nsjudge judge testdata/problems/sum testdata/problems/sum/submissions/accepted/sum.c\n";

const char cmd_verify_usage[] =
    "usage: nsjudge verify PROBLEM [options]\n"
    "\n"
    "Judge every program under PROBLEM/submissions/<verdict>/ (a file, or a\n"
    "directory of files) and check that each gets the verdict its directory\n"
    "names: accepted (AC), wrong_answer (WA), presentation_error (PE),\n"
    "time_limit_exceeded (TLE), memory_limit_exceeded (MLE), run_time_error\n"
    "(RTE, or MLE as on Kattis), output_limit_exceeded (OLE), compile_error (CE), rejected (anything\n"
    "but AC). On scoring problems accepted also means the full score.\n"
    "Programs in languages that are not installed here are skipped, not failed.\n"
    "First, every input validator (input_validators/ or input_validator/) checks\n"
    "every test input (exit 42 = valid); an invalid input is a failure too.\n"
    "\n"
    "When the package gives no time limit (problem.yaml limits.time_limit or\n"
    ".timelimit), it is inferred as the Kattis tools do: the accepted programs\n"
    "run first with a generous limit, the limit is their slowest test time x\n"
    "time_multiplier (ac_to_time_limit), rounded up to whole seconds; the\n"
    "time_limit_exceeded programs must then still time out at limit x\n"
    "time_safety_margin (time_limit_to_tle).\n"
    "\n"
    "-j, -t and -e are problemtools' verifyproblem flags, and its long names\n"
    "--threads, --fixed_timelim and --werror work too.\n"
    "\n"
    "options:\n"
    "  -j, --jobs N         judge N submissions at once, each in its own box(es)\n"
    "                       (1 to 64; default 1; also --threads)\n"
    "  -t, --time DUR       use this fixed time limit, do not infer one (500ms, 2s,\n"
    "                       1.5 = seconds; 1ms to 1000000s; also --fixed_timelim)\n"
    "  -e, --werror         treat warnings as errors: a key problem.yaml or\n"
    "                       testdata.yaml does not know fails the package (exit 2)\n"
    "      --json           print one JSON object: time limit and every result\n"
    "      --languages PATH language table (see 'nsjudge judge --help')\n"
    "  -h, --help           show this help\n"
    "\n"
    "Progress goes to stderr: on a terminal one live line, rewritten as each test\n"
    "finishes ([7/19] accepted/sol.py secret/12 AC); otherwise one line per\n"
    "program as it finishes ([7/19] accepted/sol.py AC 0.012s ok; none with\n"
    "--json). The table goes to stdout once, at the end. A time marked 'wall' is\n"
    "a wall-clock time-out (the program waited, or the host was too busy; its CPU\n"
    "time stayed under the limit). With no time limit given and no accepted\n"
    "program to infer it from, the limit is the 1s default, and it says so.\n"
    "\n"
    "exit status: 0 all as expected, 1 some mismatch, 2 bad usage or load error\n";

const char cmd_languages_usage[] =
    "usage: nsjudge languages [--json] [--languages PATH]\n"
    "\n"
    "List the configured languages: id, Judge0 ids, name, and whether the\n"
    "compiler and runtime are installed on this host (as seen from inside the\n"
    "box: PATH=/usr/local/bin:/usr/bin:/bin).\n"
    "\n"
    "options:\n"
    "      --json           print a JSON array\n"
    "      --languages PATH language table (default: $NSJUDGE_LANGUAGES, then\n"
    "                       configs/languages.json next to the nsjudge build, then\n"
    "                       /etc/nsjudge/languages.json)\n"
    "  -h, --help           show this help\n";

const char cmd_version_usage[] =
    "usage: nsjudge version [--json] [--languages PATH]\n"
    "\n"
    "Print the version and what this host supports: the cgroup version and\n"
    "controllers the sandbox found, the namespaces the kernel offers, and each\n"
    "language of the language table with its compiler and runtime found or not\n"
    "(as the box sees them: PATH=/usr/local/bin:/usr/bin:/bin).\n"
    "\n"
    "options:\n"
    "      --json           print one JSON object: version, cgroup_version,\n"
    "                       cgroups, namespaces, languages\n"
    "      --languages PATH language table (see 'nsjudge judge --help')\n"
    "  -h, --help           show this help\n";

/* ---- shared helpers ---------------------------------------------------- */

/* The language table: --languages, $NSJUDGE_LANGUAGES, the repo's
 * configs/ (the binary lives in <repo>/build/), /etc/nsjudge. */
static int load_langs(const char *flag, struct jd_langs **out, char *used, size_t usedlen)
{
    char err[512];
    char cand[4][PATH_MAX];
    int n = 0;
    const char *env = getenv("NSJUDGE_LANGUAGES");
    if (flag || (env && *env)) {
        /* a cut name would open another file */
        if (snprintf(cand[n++], PATH_MAX, "%s", flag ? flag : env) >= PATH_MAX) {
            fprintf(stderr, "nsjudge: language table path longer than %d bytes\n", PATH_MAX - 1);
            return -1;
        }
    } else {
        char exe[PATH_MAX];
        ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (k > 0) {
            exe[k] = 0;
            char *slash = strrchr(exe, '/');
            if (slash) {
                *slash = 0;
                snprintf(cand[n++], PATH_MAX, "%.*s/../configs/languages.json", PATH_MAX - 32, exe);
                snprintf(cand[n++], PATH_MAX, "%.*s/configs/languages.json", PATH_MAX - 32, exe);
            }
        }
        snprintf(cand[n++], PATH_MAX, "/etc/nsjudge/languages.json");
    }
    for (int i = 0; i < n; i++) {
        if (n > 1 && access(cand[i], R_OK) != 0)
            continue;
        if (jd_langs_load(cand[i], out, err, sizeof err) < 0) {
            fprintf(stderr, "nsjudge: %s\n", err);
            return -1;
        }
        char real[PATH_MAX];
        if (snprintf(used, usedlen, "%s", realpath(cand[i], real) ? real : cand[i]) >= (int)usedlen) {
            fprintf(stderr, "nsjudge: language table path longer than %zu bytes\n", usedlen - 1);
            jd_langs_free(*out);
            *out = NULL;
            return -1;
        }
        return 0;
    }
    fprintf(stderr, "nsjudge: no language table found (tried %s; use --languages PATH)\n",
            n ? cand[0] : "nothing");
    return -1;
}

/* All scratch space of one command lives in one directory under $TMPDIR,
 * handed to the judge (its validators and input checks included).
 * Ctrl-C or SIGTERM removes it before exiting: a thread waits for those
 * signals, which every other thread blocks. */
static char cli_scratch[PATH_MAX];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void scratch_remove(void)
{
    if (!cli_scratch[0])
        return;
    /* program directories are size-capped tmpfs mounts: detach them first */
    jd_scratch_unmount(cli_scratch);
    nftw(cli_scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
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

static int scratch_init(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(cli_scratch, sizeof cli_scratch, "%s/nsjudge-cli-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(cli_scratch)) {
        fprintf(stderr, "nsjudge: creating a scratch directory in %s: %s\n", base ? base : "/tmp",
                strerror(errno));
        cli_scratch[0] = 0;
        return -1;
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
static const char *build_cache_dir(void)
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

/* Box slots for this process; ids offset by the pid so that several nsjudge
 * processes on one host do not share box uids. */
static int open_slots(size_t n, struct sb_slot ***out)
{
    struct sb_slot **v = calloc(n, sizeof *v);
    if (!v)
        return -1;
    int base = 100 + (int)(getpid() % 2000) * 16;
    for (size_t i = 0; i < n; i++) {
        char err[256];
        struct sb_slot_options o = {.id = base + (int)i};
        if (sb_slot_open(&o, &v[i], err, sizeof err) < 0) {
            fprintf(stderr, "nsjudge: opening box slot %d: %s\n", o.id, err);
            for (size_t k = 0; k < i; k++)
                sb_slot_close(v[k]);
            free(v);
            return -1;
        }
    }
    *out = v;
    return 0;
}

static void close_slots(struct sb_slot **v, size_t n)
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
static const char *term_safe(char *buf, size_t len, const char *s)
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
static void term_put_lines(FILE *f, const char *s)
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
static json_t *json_text(const char *s)
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

#define JSON_OUT_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(6) | JSON_ENSURE_ASCII)

/* For fields of a table: room for every byte written as \xNN. */
#define SAFE_MSG (4 * JD_MSG_MAX + 4)
#define SAFE_NAME (4 * 256 + 4)

static json_t *report_json(const struct jd_report *r)
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
 * are errors and the caller stops (-1). */
static int report_warnings(const char *cmd, const struct jd_problem *p, bool werror)
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
        return -1;
    }
    return 0;
}

static json_t *warnings_json(const struct jd_problem *p)
{
    json_t *a = json_array();
    for (size_t i = 0; jd_problem_warning(p, i); i++)
        json_array_append_new(a, json_text(jd_problem_warning(p, i)));
    return a;
}

/* ---- nsjudge judge ----------------------------------------------------- */

struct progress { bool tty; };

static void on_progress(void *ctx, const struct jd_report *partial, size_t idx, size_t total)
{
    struct progress *pr = ctx;
    if (!pr->tty)
        return;
    /* one live line, rewritten in place; the final table follows */
    if (idx == (size_t)-1) {
        fprintf(stderr, "\r\033[K%s", partial->verdict == JD_CE ? "compilation error\n" : "compiled");
        return;
    }
    const struct jd_test_result *t = &partial->tests[partial->n_tests - 1];
    char name[SAFE_NAME];
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s %.2fs %.1f MiB", partial->n_tests, total,
            term_safe(name, sizeof name, t->name), jd_verdict_code(t->verdict), t->time_s,
            t->mem_kib / 1024.0);
    if (partial->n_tests == total)
        fprintf(stderr, "\r\033[K");
}

/* A test's time for a table: CPU seconds, or "wall" and the wall time
 * when it timed out on the wall clock (it waited or slept, or the host
 * was too busy to run it; its CPU time stayed under the limit: a
 * different fix from a slow algorithm). The sandbox says which limit
 * it hit; without its word, a CPU time under the limit tells. */
static bool wall_tle(const struct jd_test_result *t, double limit)
{
    if (t->verdict != JD_TLE)
        return false;
    if (strstr(t->message, "wall time limit"))
        return true;
    if (strstr(t->message, "CPU time limit"))
        return false;
    return t->time_s < limit;
}

static const char *test_time_text(const struct jd_test_result *t, double limit, char *buf, size_t len)
{
    if (wall_tle(t, limit))
        snprintf(buf, len, "%.3fs wall", t->wall_s);
    else
        snprintf(buf, len, "%.3fs", t->time_s);
    return buf;
}

/* A report's time: of its first wall-clock TLE, else the slowest CPU time;
 * "-" when nothing ran (a compile error). */
static const char *time_text(const struct jd_report *r, double limit, char *buf, size_t len)
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

static void print_table(FILE *f, const struct jd_report *r, bool scoring, double limit)
{
    fprintf(f, "%-32s %-4s %12s %10s %s %s\n", "test", "verd", "time", "memory",
            scoring ? "   score" : "", "message");
    for (size_t i = 0; i < r->n_tests; i++) {
        const struct jd_test_result *t = &r->tests[i];
        char sc[16] = "";
        if (scoring)
            snprintf(sc, sizeof sc, "%8g", isnan(t->score) ? 0.0 : t->score);
        char name[SAFE_NAME], msg[SAFE_MSG], tm[32];
        fprintf(f, "%-32s %-4s %12s %6.1f MiB %s %s\n", term_safe(name, sizeof name, t->name),
                jd_verdict_code(t->verdict), test_time_text(t, limit, tm, sizeof tm),
                t->mem_kib / 1024.0, sc, term_safe(msg, sizeof msg, t->message));
    }
}

int cmd_judge(int argc, char **argv)
{
    static const struct option opts[] = {
        {"lang", required_argument, 0, 'l'}, {"time", required_argument, 0, 't'},
        {"mem", required_argument, 0, 'm'}, {"all", no_argument, 0, 'a'},
        {"jobs", required_argument, 0, 'j'}, {"json", no_argument, 0, 'J'},
        {"languages", required_argument, 0, 'L'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *lang_id = NULL, *langs_path = NULL;
    double time_s = 0;
    int64_t mem_kib = 0, jobs = 1;
    bool all = false, json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "l:t:m:aj:h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': lang_id = optarg; break;
        case 't':
            if (cli_duration("judge", "--time", optarg, CLI_TIME_MIN_S, JD_SECONDS_MAX, &time_s))
                return 2;
            break;
        case 'm':
            if (cli_size("judge", "--mem", optarg, CLI_MEM_MIN_KIB, JD_KIB_MAX, &mem_kib))
                return 2;
            break;
        case 'a': all = true; break;
        case 'j':
            if (cli_count("judge", "--jobs", optarg, 1, 64, &jobs))
                return 2;
            break;
        case 'J': json = true; break;
        case 'L': langs_path = optarg; break;
        case 'h': fputs(cmd_judge_usage, stdout); return 0;
        default: fputs(cmd_judge_usage, stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        fputs(cmd_judge_usage, stderr);
        return 2;
    }
    const char *pdir = argv[optind], *src = argv[optind + 1];
    if (scratch_init() < 0)
        return 2;
    atexit(scratch_remove);
    struct jd_langs *langs = NULL;
    char used[PATH_MAX], err[JD_MSG_MAX];
    if (load_langs(langs_path, &langs, used, sizeof used) < 0)
        return 2;
    const struct jd_lang *lang = NULL;
    if (lang_id) {
        lang = jd_lang_by_id(langs, lang_id);
        if (!lang) {
            fprintf(stderr, "nsjudge judge: unknown language '%s' (see 'nsjudge languages')\n", lang_id);
            jd_langs_free(langs);
            return 2;
        }
    } else {
        /* a directory program: the language of its sources */
        struct jd_langs *l = langs;
        lang = jd_lang_for_path(l, src);
        if (!lang) {
            fprintf(stderr, "nsjudge judge: cannot tell the language of %s; use --lang ID\n", src);
            jd_langs_free(langs);
            return 2;
        }
    }
    if (!lang->available) {
        fprintf(stderr, "nsjudge judge: language %s (%s) is not installed on this host\n", lang->id,
                lang->name);
        jd_langs_free(langs);
        return 2;
    }
    struct jd_problem_options po = {.time_limit_s = time_s, .mem_limit_kib = (uint64_t)mem_kib,
                                    .build_cache_dir = build_cache_dir(), .scratch_dir = cli_scratch};
    struct jd_problem *p = NULL;
    char safe[SAFE_MSG];
    if (jd_problem_load(pdir, &po, &p, err, sizeof err) < 0) {
        fprintf(stderr, "nsjudge judge: %s\n", term_safe(safe, sizeof safe, err));
        jd_langs_free(langs);
        return 2;
    }
    report_warnings("judge", p, false);
    size_t n_slots = (size_t)jobs * (jd_problem_is_interactive(p) ? 2 : 1);
    struct sb_slot **slots = NULL;
    if (open_slots(n_slots, &slots) < 0) {
        jd_problem_free(p);
        jd_langs_free(langs);
        return 2;
    }
    struct progress pr = {.tty = !json && isatty(2)};
    struct jd_judge_options jo = {
        .run_all = all, .parallel = jobs, .slots = slots, .n_slots = n_slots, .langs = langs,
        .progress = on_progress, .progress_ctx = &pr, .scratch_dir = cli_scratch,
    };
    struct jd_report rep;
    int rc = jd_judge(p, lang, src, &jo, &rep, err, sizeof err);
    if (pr.tty)
        fprintf(stderr, "\r\033[K");
    int exit_code;
    if (rc < 0) {
        fprintf(stderr, "nsjudge judge: %s\n", term_safe(safe, sizeof safe, err));
        exit_code = 2;
    } else {
        if (json) {
            json_t *o = report_json(&rep);
            json_object_set_new(o, "problem", json_text(jd_problem_name(p)));
            json_object_set_new(o, "language", json_string(lang->id));
            json_object_set_new(o, "time_limit", json_real(jd_problem_time_limit(p)));
            json_object_set_new(o, "warnings", warnings_json(p));
            char *s = json_dumps(o, JSON_OUT_FLAGS);
            if (s)
                puts(s);
            else
                fprintf(stderr, "nsjudge judge: cannot render the JSON report\n");
            free(s);
            json_decref(o);
        } else {
            if (rep.verdict == JD_CE && rep.compile_output) {
                term_put_lines(stdout, rep.compile_output);
                fputc('\n', stdout);
            }
            if (rep.n_tests)
                print_table(stdout, &rep, jd_problem_is_scoring(p), jd_problem_time_limit(p));
            printf("verdict: %s (%s)", jd_verdict_code(rep.verdict), jd_verdict_name(rep.verdict));
            if (jd_problem_is_scoring(p))
                printf("  score %g/%g", rep.score, rep.max_score);
            if (rep.verdict == JD_CE) /* nothing ran: a time or memory would be the compiler's */
                printf("\n");
            else
                printf("  max time %.3fs  max memory %.1f MiB  (time limit %gs)\n", rep.max_time_s,
                       rep.max_mem_kib / 1024.0, jd_problem_time_limit(p));
            if (rep.verdict != JD_AC && rep.message[0])
                printf("%s\n", term_safe(safe, sizeof safe, rep.message));
        }
        exit_code = rep.verdict == JD_AC ? 0 : 1;
        jd_report_free(&rep);
    }
    close_slots(slots, n_slots);
    jd_problem_free(p);
    jd_langs_free(langs);
    return exit_code;
}

/* ---- nsjudge verify ---------------------------------------------------- */

struct sub {
    char *path, *rel;
    const char *expect_dir;
    const struct jd_lang *lang;
    bool skipped, match, done;
    char note[JD_MSG_MAX];
    struct jd_report rep;
    double time_limit;
};

/* kind: 0 exact, 1 any rejection, 2 partial, 3 RTE or MLE (problemtools has
 * no MLE verdict: a program over its memory limit is a run-time error there,
 * so Kattis packages keep such programs under run_time_error/) */
struct expect { const char *dir; jd_verdict v; int kind; };
static const struct expect expects[] = {
    {"accepted", JD_AC, 0}, {"wrong_answer", JD_WA, 0}, {"presentation_error", JD_PE, 0},
    {"time_limit_exceeded", JD_TLE, 0}, {"memory_limit_exceeded", JD_MLE, 0},
    {"run_time_error", JD_RTE, 3}, {"output_limit_exceeded", JD_OLE, 0},
    {"compile_error", JD_CE, 0}, {"judge_error", JD_JE, 0}, {"rejected", JD_WA, 1},
    {"partially_accepted", JD_AC, 2},
};

static const struct expect *expect_of(const char *dir)
{
    for (size_t i = 0; i < sizeof expects / sizeof *expects; i++)
        if (!strcmp(expects[i].dir, dir))
            return &expects[i];
    return NULL;
}

struct verify {
    const struct jd_problem *p;
    const struct jd_langs *langs;
    struct sub *subs; size_t n;
    size_t next;
    int phase;             /* 0: accepted only (time limit inference), 1: the rest */
    double tl, tl_tle;
    bool tty;              /* stderr is a terminal: one live line, rewritten */
    bool compact;          /* not a terminal: one line per finished program */
    size_t started, total; /* programs begun / to judge, for [k/N] */
    struct sb_slot **slots;
    pthread_mutex_t lock;
};

/* The live line of one program under judging: [k/N] REL TEST VERDICT. */
struct sub_progress { struct verify *v; struct sub *s; size_t k; };

static void on_sub_progress(void *ctx, const struct jd_report *partial, size_t idx, size_t total)
{
    struct sub_progress *sp = ctx;
    (void)total;
    if (!sp->v->tty || idx == (size_t)-1 || !partial->n_tests)
        return;
    const struct jd_test_result *t = &partial->tests[partial->n_tests - 1];
    char rel[SAFE_NAME], name[SAFE_NAME];
    pthread_mutex_lock(&sp->v->lock);
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s %s", sp->k, sp->v->total,
            term_safe(rel, sizeof rel, sp->s->rel), term_safe(name, sizeof name, t->name),
            jd_verdict_code(t->verdict));
    pthread_mutex_unlock(&sp->v->lock);
}

static void judge_sub(struct verify *v, struct sub *s, struct sb_slot **slots, size_t k)
{
    const struct expect *e = expect_of(s->expect_dir);
    char err[JD_MSG_MAX];
    s->time_limit = e->v == JD_TLE && e->kind == 0 ? v->tl_tle : v->tl;
    struct sub_progress sp = {.v = v, .s = s, .k = k};
    struct jd_judge_options jo = {
        .slots = slots, .n_slots = 2, .langs = v->langs, .time_limit_s = s->time_limit,
        .progress = on_sub_progress, .progress_ctx = &sp, .scratch_dir = cli_scratch,
    };
    if (jd_judge(v->p, s->lang, s->path, &jo, &s->rep, err, sizeof err) < 0) {
        s->rep.verdict = JD_JE;
        snprintf(s->rep.message, sizeof s->rep.message, "%s", err);
    }
    bool full = !jd_problem_is_scoring(v->p) || s->rep.score >= s->rep.max_score - 1e-9;
    if (e->kind == 1)
        s->match = s->rep.verdict != JD_AC && s->rep.verdict != JD_JE;
    else if (e->kind == 2)
        s->match = s->rep.score > 0 && !full;
    else if (e->kind == 3)
        s->match = s->rep.verdict == JD_RTE || s->rep.verdict == JD_MLE;
    else
        s->match = s->rep.verdict == e->v && (e->v != JD_AC || full);
    s->done = true;
}

static void *verify_worker(void *arg)
{
    struct sb_slot **slots = ((struct sb_slot ***)arg)[0];
    struct verify *v = ((struct verify **)arg)[1];
    for (;;) {
        pthread_mutex_lock(&v->lock);
        struct sub *s = NULL;
        while (v->next < v->n) {
            struct sub *c = &v->subs[v->next++];
            bool ac = !strcmp(c->expect_dir, "accepted");
            if (!c->skipped && !c->done && (v->phase == 1 || ac)) {
                s = c;
                break;
            }
        }
        size_t k = s ? ++v->started : 0;
        pthread_mutex_unlock(&v->lock);
        if (!s)
            break;
        judge_sub(v, s, slots, k);
        pthread_mutex_lock(&v->lock);
        char rel[SAFE_NAME], tm[32];
        if (v->compact)
            fprintf(stderr, "[%zu/%zu] %s %s %s %s\n", k, v->total, term_safe(rel, sizeof rel, s->rel),
                    jd_verdict_code(s->rep.verdict), time_text(&s->rep, s->time_limit, tm, sizeof tm),
                    s->match ? "ok" : "MISMATCH");
        pthread_mutex_unlock(&v->lock);
    }
    return NULL;
}

static void run_phase(struct verify *v, int phase, int jobs)
{
    v->phase = phase;
    v->next = 0;
    pthread_t th[64];
    void *args[64][2];
    int started = 0;
    for (int k = 0; k < jobs; k++) {
        args[k][0] = &v->slots[2 * k];
        args[k][1] = v;
        if (k == 0)
            continue;
        if (pthread_create(&th[k], NULL, verify_worker, args[k]) != 0)
            break;
        started = k;
    }
    verify_worker(args[0]);
    for (int k = 1; k <= started; k++)
        pthread_join(th[k], NULL);
}

static int skip_dots(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static void free_dirents(struct dirent **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int collect_subs(const struct jd_problem *p, const struct jd_langs *langs,
                        struct sub **out, size_t *n_out)
{
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s/submissions", jd_problem_dir(p));
    struct sub *subs = NULL;
    size_t n = 0;
    for (size_t i = 0; i < sizeof expects / sizeof *expects; i++) {
        char dir[PATH_MAX + 64];
        snprintf(dir, sizeof dir, "%s/%s", base, expects[i].dir);
        struct dirent **names = NULL;
        int k = scandir(dir, &names, skip_dots, alphasort);
        if (k < 0)
            continue;
        for (int j = 0; j < k; j++) {
            struct sub *ns = realloc(subs, (n + 1) * sizeof *ns);
            if (!ns) {
                free_dirents(names, k);
                free(subs);
                return -1;
            }
            subs = ns;
            struct sub *s = &subs[n++];
            memset(s, 0, sizeof *s);
            if (asprintf(&s->path, "%s/%s", dir, names[j]->d_name) < 0 ||
                asprintf(&s->rel, "%s/%s", expects[i].dir, names[j]->d_name) < 0) {
                free_dirents(names, k);
                return -1;
            }
            s->expect_dir = expects[i].dir;
            s->lang = jd_lang_for_path(langs, s->path);
            if (!s->lang) {
                s->skipped = true;
                snprintf(s->note, sizeof s->note, "no language for this file");
            } else if (!s->lang->available) {
                s->skipped = true;
                snprintf(s->note, sizeof s->note, "%s not installed", s->lang->id);
            }
        }
        free_dirents(names, k);
    }
    /* directories that name no verdict we know: listed as skipped, so a
     * typo in a directory name does not silently drop its programs */
    struct dirent **dirs = NULL;
    int k = scandir(base, &dirs, skip_dots, alphasort);
    for (int j = 0; j < k; j++) {
        if (expect_of(dirs[j]->d_name))
            continue;
        struct sub *ns = realloc(subs, (n + 1) * sizeof *ns);
        if (!ns) {
            free_dirents(dirs, k);
            free(subs);
            return -1;
        }
        subs = ns;
        struct sub *s = &subs[n++];
        memset(s, 0, sizeof *s);
        if (asprintf(&s->rel, "%s/", dirs[j]->d_name) < 0 || !(s->path = strdup(s->rel))) {
            free_dirents(dirs, k);
            return -1;
        }
        s->expect_dir = "(unknown)";
        s->skipped = true;
        snprintf(s->note, sizeof s->note, "not a verdict directory this judge knows");
    }
    if (k > 0)
        free_dirents(dirs, k);
    *out = subs;
    *n_out = n;
    return 0;
}

int cmd_verify(int argc, char **argv)
{
    /* problemtools' verifyproblem names: -j/--threads, -t/--fixed_timelim, -e/--werror */
    static const struct option opts[] = {
        {"jobs", required_argument, 0, 'j'}, {"threads", required_argument, 0, 'j'},
        {"time", required_argument, 0, 't'}, {"fixed_timelim", required_argument, 0, 't'},
        {"fixed-timelim", required_argument, 0, 't'}, {"werror", no_argument, 0, 'e'},
        {"json", no_argument, 0, 'J'}, {"languages", required_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *langs_path = NULL;
    bool json = false, werror = false;
    double fixed_tl = 0;
    int64_t jobs = 1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:t:eh", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            if (cli_count("verify", "--jobs", optarg, 1, 64, &jobs))
                return 2;
            break;
        case 't':
            if (cli_duration("verify", "--time", optarg, CLI_TIME_MIN_S, JD_SECONDS_MAX, &fixed_tl))
                return 2;
            break;
        case 'e': werror = true; break;
        case 'J': json = true; break;
        case 'L': langs_path = optarg; break;
        case 'h': fputs(cmd_verify_usage, stdout); return 0;
        default: fputs(cmd_verify_usage, stderr); return 2;
        }
    }
    if (argc - optind != 1) {
        fputs(cmd_verify_usage, stderr);
        return 2;
    }
    if (scratch_init() < 0)
        return 2;
    atexit(scratch_remove);
    struct jd_langs *langs = NULL;
    char used[PATH_MAX], err[JD_MSG_MAX];
    if (load_langs(langs_path, &langs, used, sizeof used) < 0)
        return 2;
    struct jd_problem *p = NULL;
    char safe[SAFE_MSG], rel[SAFE_NAME], name[SAFE_NAME];
    struct jd_problem_options vo = {.build_cache_dir = build_cache_dir(), .scratch_dir = cli_scratch};
    if (jd_problem_load(argv[optind], &vo, &p, err, sizeof err) < 0) {
        fprintf(stderr, "nsjudge verify: %s\n", term_safe(safe, sizeof safe, err));
        jd_langs_free(langs);
        return 2;
    }
    if (report_warnings("verify", p, werror) < 0) {
        jd_problem_free(p);
        jd_langs_free(langs);
        return 2;
    }
    bool tty = isatty(2);
    struct verify v = {.p = p, .langs = langs, .tty = tty, .compact = !tty && !json};
    pthread_mutex_init(&v.lock, NULL);
    if (collect_subs(p, langs, &v.subs, &v.n) < 0) {
        fprintf(stderr, "nsjudge verify: out of memory\n");
        jd_problem_free(p);
        jd_langs_free(langs);
        return 2;
    }
    if (v.n == 0) {
        fprintf(stderr, "nsjudge verify: %s/submissions has no programs\n", jd_problem_dir(p));
        jd_problem_free(p);
        jd_langs_free(langs);
        return 2;
    }
    if (open_slots((size_t)jobs * 2, &v.slots) < 0) {
        jd_problem_free(p);
        jd_langs_free(langs);
        return 2;
    }
    /* The test inputs first: every input validator on every input. */
    struct jd_input_result *inputs = NULL;
    size_t n_inputs = 0, bad_inputs = 0, skipped_validators = 0;
    char input_err[JD_MSG_MAX] = "";
    if (jd_validate_inputs(p, langs, v.slots[0], &inputs, &n_inputs, input_err, sizeof input_err) < 0)
        bad_inputs++;
    for (size_t i = 0; i < n_inputs; i++) {
        if (inputs[i].skipped)
            skipped_validators++;
        else if (!inputs[i].valid)
            bad_inputs++;
    }
    /* A validator skipped for its language is said on stderr too: a setter
     * must not read "all inputs valid" when one check never ran. */
    for (size_t i = 0; i < n_inputs; i++)
        if (inputs[i].skipped) {
            char val[SAFE_NAME];
            fprintf(stderr, "warning: input validator %s %s\n",
                    term_safe(val, sizeof val, inputs[i].validator),
                    term_safe(safe, sizeof safe, inputs[i].message));
        }
    if (v.tty && (n_inputs || input_err[0]))
        fprintf(stderr, "input validation: %zu checks, %zu failed%s%s\n",
                n_inputs - skipped_validators, bad_inputs,
                input_err[0] ? ": " : "", term_safe(safe, sizeof safe, input_err));

    for (size_t i = 0; i < v.n; i++)
        if (!v.subs[i].skipped)
            v.total++;
    double mult, margin;
    jd_problem_time_factors(p, &mult, &margin);
    bool inferred = !fixed_tl && !jd_problem_time_limit_given(p);
    const char *tl_note = "", *tl_source = fixed_tl ? "flag" : "package";
    if (inferred) {
        /* Kattis-style: accepted first with a generous limit, then the limit
         * is their slowest test x time_multiplier, in whole seconds. */
        v.tl = v.tl_tle = 10;
        run_phase(&v, 0, jobs);
        double slowest = 0;
        size_t accepted_runs = 0;
        for (size_t i = 0; i < v.n; i++)
            if (v.subs[i].done) {
                accepted_runs++;
                if (v.subs[i].rep.max_time_s > slowest)
                    slowest = v.subs[i].rep.max_time_s;
            }
        double exact = slowest * mult;
        v.tl = fmax(1.0, ceil(exact));
        /* accepted results stay valid when they ran within the inferred limit */
        for (size_t i = 0; i < v.n; i++)
            if (v.subs[i].done && v.subs[i].rep.max_time_s > v.tl) {
                v.subs[i].match = false;
                snprintf(v.subs[i].note, sizeof v.subs[i].note, "slower than the inferred time limit");
            }
        /* nothing to infer from: the 1 s is a default, not a measurement */
        tl_note = accepted_runs ? " (inferred)"
                                : " (a default: no accepted submission ran to infer it from)";
        tl_source = accepted_runs ? "inferred" : "default";
    } else {
        v.tl = fixed_tl ? fixed_tl : jd_problem_time_limit(p);
    }
    v.tl_tle = v.tl * margin;
    run_phase(&v, 1, jobs);
    if (v.tty)
        fprintf(stderr, "\r\033[K");

    size_t bad = 0, skipped = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.subs[i].skipped)
            skipped++;
        else if (!v.subs[i].match)
            bad++;
    }
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < v.n; i++) {
            struct sub *s = &v.subs[i];
            json_t *o = json_pack("{s:o, s:s, s:s?, s:b, s:b, s:o}", "submission", json_text(s->rel),
                                  "expected", s->expect_dir, "language", s->lang ? s->lang->id : NULL,
                                  "skipped", s->skipped, "ok", s->skipped || s->match,
                                  "note", json_text(s->note));
            if (!s->skipped) {
                json_object_set_new(o, "time_limit", json_real(s->time_limit));
                json_object_set_new(o, "report", report_json(&s->rep));
            }
            json_array_append_new(arr, o);
        }
        json_t *ins = json_array();
        for (size_t i = 0; i < n_inputs; i++)
            json_array_append_new(ins, json_pack("{s:o, s:o, s:b, s:b, s:o}", "test",
                                                 json_text(inputs[i].test), "validator",
                                                 json_text(inputs[i].validator), "valid",
                                                 inputs[i].valid, "skipped", inputs[i].skipped,
                                                 "message", json_text(inputs[i].message)));
        json_t *root = json_pack("{s:o, s:f, s:b, s:f, s:I, s:I, s:o, s:I, s:I, s:o, s:o}", "problem",
                                 json_text(jd_problem_name(p)), "time_limit", v.tl,
                                 "time_limit_inferred", inferred && strcmp(tl_source, "default"), "tle_time_limit", v.tl_tle,
                                 "mismatches", (json_int_t)bad, "skipped", (json_int_t)skipped,
                                 "submissions", arr, "invalid_inputs", (json_int_t)bad_inputs,
                                 "skipped_input_validators", (json_int_t)skipped_validators,
                                 "input_error", json_text(input_err), "inputs", ins);
        json_object_set_new(root, "time_limit_source", json_string(tl_source));
        json_object_set_new(root, "warnings", warnings_json(p));
        char *s = json_dumps(root, JSON_OUT_FLAGS);
        if (s)
            puts(s);
        else
            fprintf(stderr, "nsjudge verify: cannot render the JSON report\n");
        free(s);
        json_decref(root);
    } else {
        printf("problem %s: time limit %gs%s, time_limit_exceeded judged at %gs\n",
               term_safe(name, sizeof name, jd_problem_name(p)), v.tl, tl_note, v.tl_tle);
        printf("%-48s %-22s %-4s %12s  %s\n", "submission", "expected", "got", "time", "");
        for (size_t i = 0; i < v.n; i++) {
            struct sub *s = &v.subs[i];
            term_safe(rel, sizeof rel, s->rel);
            if (s->skipped) {
                printf("%-48s %-22s %-4s %12s  skipped: %s\n", rel, s->expect_dir, "-", "-",
                       term_safe(safe, sizeof safe, s->note));
                continue;
            }
            char tm[32];
            printf("%-48s %-22s %-4s %12s  %s%s%s\n", rel, s->expect_dir,
                   jd_verdict_code(s->rep.verdict), time_text(&s->rep, s->time_limit, tm, sizeof tm),
                   s->match ? "ok" : "MISMATCH",
                   !s->match && s->rep.message[0] ? ": " : "",
                   !s->match ? term_safe(safe, sizeof safe, s->rep.message) : "");
        }
        printf("%zu submissions, %zu as expected, %zu mismatches, %zu skipped\n", v.n,
               v.n - bad - skipped, bad, skipped);
        if (input_err[0])
            printf("input validation failed: %s\n", term_safe(safe, sizeof safe, input_err));
        for (size_t i = 0; i < n_inputs; i++)
            if (inputs[i].skipped) {
                char val[SAFE_NAME];
                printf("input validator %s %s\n", term_safe(val, sizeof val, inputs[i].validator),
                       term_safe(safe, sizeof safe, inputs[i].message));
            } else if (!inputs[i].valid) {
                char val[SAFE_NAME];
                printf("input %s rejected by %s: %s\n", term_safe(name, sizeof name, inputs[i].test),
                       term_safe(val, sizeof val, inputs[i].validator),
                       term_safe(safe, sizeof safe, inputs[i].message));
            }
        if (n_inputs > skipped_validators)
            printf("%zu input checks, %zu failed\n", n_inputs - skipped_validators, bad_inputs);
    }
    jd_input_results_free(inputs, n_inputs);
    for (size_t i = 0; i < v.n; i++) {
        free(v.subs[i].path);
        free(v.subs[i].rel);
        jd_report_free(&v.subs[i].rep);
    }
    free(v.subs);
    close_slots(v.slots, (size_t)jobs * 2);
    pthread_mutex_destroy(&v.lock);
    jd_problem_free(p);
    jd_langs_free(langs);
    return bad || bad_inputs ? 1 : 0;
}

/* ---- nsjudge languages ------------------------------------------------- */

int cmd_languages(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'J'}, {"languages", required_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *langs_path = NULL;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'J': json = true; break;
        case 'L': langs_path = optarg; break;
        case 'h': fputs(cmd_languages_usage, stdout); return 0;
        default: fputs(cmd_languages_usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fputs(cmd_languages_usage, stderr);
        return 2;
    }
    struct jd_langs *langs = NULL;
    char used[PATH_MAX];
    if (load_langs(langs_path, &langs, used, sizeof used) < 0)
        return 2;
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < langs->n; i++) {
            const struct jd_lang *l = &langs->v[i];
            json_t *ids = json_array(), *ext = json_array();
            for (int k = 0; k < 8 && l->judge0_ids[k]; k++)
                json_array_append_new(ids, json_integer(l->judge0_ids[k]));
            for (char **e = l->extensions; e && *e; e++)
                json_array_append_new(ext, json_string(*e));
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:o, s:b, s:b}", "id", l->id,
                "name", l->name, "source_file", l->source_file, "extensions", ext,
                "judge0_ids", ids, "compiled", l->compile_argv != NULL, "available", l->available));
        }
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        if (s)
            puts(s);
        free(s);
        json_decref(arr);
    } else {
        printf("languages from %s\n", used);
        printf("%-12s %-24s %-9s %-26s %s\n", "id", "judge0 ids", "installed", "name", "extensions");
        for (size_t i = 0; i < langs->n; i++) {
            const struct jd_lang *l = &langs->v[i];
            char ids[64] = "", ext[64] = "";
            for (int k = 0; k < 8 && l->judge0_ids[k]; k++)
                snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%d", k ? "," : "", l->judge0_ids[k]);
            for (char **e = l->extensions; e && *e; e++)
                snprintf(ext + strlen(ext), sizeof ext - strlen(ext), "%s%s", e == l->extensions ? "" : " ", *e);
            printf("%-12s %-24s %-9s %-26s %s\n", l->id, ids[0] ? ids : "-", l->available ? "yes" : "no",
                   l->name, ext);
        }
    }
    jd_langs_free(langs);
    return 0;
}

/* ---- nsjudge version --------------------------------------------------- */

/* The namespaces the sandbox uses, and whether this kernel has each. */
static const char *const ns_names[] = {"pid", "net", "mnt", "ipc", "uts", "user", "cgroup", "time"};

static bool ns_available(const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/ns/%s", name);
    return access(path, F_OK) == 0;
}

int cmd_version(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'J'}, {"languages", required_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *langs_path = NULL;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'J': json = true; break;
        case 'L': langs_path = optarg; break;
        case 'h': fputs(cmd_version_usage, stdout); return 0;
        default: fputs(cmd_version_usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fputs(cmd_version_usage, stderr);
        return 2;
    }
    struct sb_host_info hi;
    sb_host_probe(&hi);
    /* a missing or broken language table is reported, not fatal: the
     * version and the host are still worth knowing */
    struct jd_langs *langs = NULL;
    char used[PATH_MAX] = "";
    if (load_langs(langs_path, &langs, used, sizeof used) < 0)
        langs = NULL;
    if (json) {
        json_t *ns = json_object();
        for (size_t i = 0; i < sizeof ns_names / sizeof *ns_names; i++)
            json_object_set_new(ns, ns_names[i], json_boolean(ns_available(ns_names[i])));
        json_t *arr = langs ? json_array() : json_null();
        for (size_t i = 0; langs && i < langs->n; i++) {
            const struct jd_lang *l = &langs->v[i];
            const char *cc = l->compile_argv ? l->compile_argv[0] : NULL;
            json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s?, s:b, s:s, s:b, s:b}",
                "id", l->id, "name", l->name, "compiled", cc != NULL, "compiler", cc,
                "compiler_found", cc && jd_command_exists(cc), "runtime", l->run_argv[0],
                "runtime_found", jd_command_exists(l->run_argv[0]), "available", l->available));
        }
        json_t *o = json_pack("{s:s, s:i, s:s, s:o, s:s?, s:o, s:b}", "version", NSJUDGE_VERSION,
                              "cgroup_version", hi.cgroup_version, "cgroups", hi.cgroup_detail,
                              "namespaces", ns, "language_table", used[0] ? used : NULL,
                              "languages", arr, "root", geteuid() == 0);
        char *s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
        if (s)
            puts(s);
        free(s);
        json_decref(o);
    } else {
        printf("nsjudge %s\n", NSJUDGE_VERSION);
        printf("cgroups: %s\n", hi.cgroup_detail);
        printf("namespaces:");
        for (size_t i = 0; i < sizeof ns_names / sizeof *ns_names; i++)
            printf(" %s%s", ns_names[i], ns_available(ns_names[i]) ? "" : " (missing)");
        printf("\n");
        if (langs) {
            printf("languages (%s):\n", used);
            for (size_t i = 0; i < langs->n; i++) {
                const struct jd_lang *l = &langs->v[i];
                const char *cc = l->compile_argv ? l->compile_argv[0] : NULL;
                bool rt = jd_command_exists(l->run_argv[0]);
                printf("  %-14s %-9s", l->id, l->available ? "installed" : "missing");
                if (cc)
                    printf(" compiler %s%s,", cc, jd_command_exists(cc) ? "" : " (not found)");
                printf(" runtime %s%s\n", l->run_argv[0], rt ? "" : " (not found)");
            }
        }
    }
    jd_langs_free(langs);
    return 0;
}
