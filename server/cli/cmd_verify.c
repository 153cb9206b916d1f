/*
 * cmd_verify.c - `nsjudge verify`: every reference submission of a package
 * (submissions/<verdict>/) gets the verdict its directory names, and every
 * test input passes the input validators, as problemtools' verifyproblem.
 * Exit codes: 0 = all as expected, 1 = some not, 2 = usage/load error.
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
                return -ENOMEM;
            }
            subs = ns;
            struct sub *s = &subs[n++];
            memset(s, 0, sizeof *s);
            if (asprintf(&s->path, "%s/%s", dir, names[j]->d_name) < 0 ||
                asprintf(&s->rel, "%s/%s", expects[i].dir, names[j]->d_name) < 0) {
                free_dirents(names, k);
                return -ENOMEM;
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
            return -ENOMEM;
        }
        subs = ns;
        struct sub *s = &subs[n++];
        memset(s, 0, sizeof *s);
        if (asprintf(&s->rel, "%s/", dirs[j]->d_name) < 0 || !(s->path = strdup(s->rel))) {
            free_dirents(dirs, k);
            return -ENOMEM;
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

