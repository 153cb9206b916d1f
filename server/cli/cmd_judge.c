/*
 * cmd_judge.c - `nsjudge judge`: one solution against a problem package.
 * Exit codes: 0 = accepted, 1 = any other verdict, 2 = bad usage or a
 * problem/language that cannot be loaded.
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
    "                       configs/languages.json of the checkout holding this\n"
    "                       binary, /etc/nsjudge/languages.json, then\n"
    "                       PREFIX/share/nsjudge/languages.json)\n"
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

