/*
 * problem.c - load a problem: a Kattis / ICPC package (problem.yaml,
 * data/sample + data/secret with nested groups, output validators) or a
 * plain directory of NAME.in + NAME.ans (or NAME.out) pairs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "judge/internal.h"
#include "judge/number.h"

#define DEFAULT_TIME_S 1.0
#define DEFAULT_MEM_KIB (256 * 1024)
#define DEFAULT_OUTPUT_KIB (8 * 1024)

static void group_free(struct jd_group *g)
{
    free(g->name);
    free(g->children);
    jd_strv_free(g->validator_flags);
    jd_strv_free(g->input_flags);
}

void jd_problem_free(struct jd_problem *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_tests; i++) {
        free(p->tests[i].name);
        free(p->tests[i].in_path);
        free(p->tests[i].ans_path);
    }
    free(p->tests);
    for (size_t i = 0; i < p->n_groups; i++)
        group_free(&p->groups[i]);
    free(p->groups);
    jd_checker_cache_free(p->cache);
    jd_checker_cache_free(p->post_cache);
    free(p->post_checker_path);
    free(p->build_cache_dir);
    free(p->scratch_dir);
    free(p->dir);
    free(p->name);
    free(p->format_version);
    free(p->checker_path);
    jd_strv_free(p->input_validators);
    free(p);
}

const char *jd_problem_name(const struct jd_problem *p) { return p->name; }
size_t jd_problem_test_count(const struct jd_problem *p) { return p->n_tests; }
const char *jd_problem_dir(const struct jd_problem *p) { return p->dir; }
double jd_problem_time_limit(const struct jd_problem *p) { return p->time_limit_s; }
uint64_t jd_problem_memory_kib(const struct jd_problem *p) { return p->mem_kib; }
uint64_t jd_problem_output_kib(const struct jd_problem *p) { return p->output_kib; }
bool jd_problem_time_limit_given(const struct jd_problem *p) { return p->time_limit_given; }
bool jd_problem_is_interactive(const struct jd_problem *p) { return p->interactive; }
bool jd_problem_is_scoring(const struct jd_problem *p) { return p->scoring; }
jd_feedback jd_problem_feedback(const struct jd_problem *p) { return p->feedback; }

void jd_problem_time_factors(const struct jd_problem *p, double *multiplier, double *margin)
{
    *multiplier = p->time_multiplier;
    *margin = p->time_safety_margin;
}

static int add_child(struct jd_group *g, bool is_group, size_t index)
{
    struct jd_child *c = realloc(g->children, (g->n_children + 1) * sizeof *c);
    if (!c)
        return -ENOMEM;
    c[g->n_children++] = (struct jd_child){is_group, index};
    g->children = c;
    return 0;
}

/* New group inheriting its parent's settings (not its score). */
static int new_group(struct jd_problem *p, long parent, const char *name, size_t *out)
{
    struct jd_group *gs = realloc(p->groups, (p->n_groups + 1) * sizeof *gs);
    if (!gs)
        return -ENOMEM;
    p->groups = gs;
    struct jd_group *g = &gs[p->n_groups];
    memset(g, 0, sizeof *g);
    if (parent >= 0) {
        const struct jd_group *pg = &gs[parent];
        g->aggregation_min = pg->aggregation_min;
        g->on_reject_continue = pg->on_reject_continue;
        g->accept_if_any = pg->accept_if_any;
        g->accept_score = pg->accept_score;
        g->reject_score = pg->reject_score;
        g->is_sample = pg->is_sample;
        g->validator_flags = jd_strv_dup(pg->validator_flags);
        g->input_flags = jd_strv_dup(pg->input_flags);
    } else {
        g->accept_score = 1;
        g->validator_flags = calloc(1, sizeof(char *));
        g->input_flags = calloc(1, sizeof(char *));
    }
    g->name = strdup(name);
    g->parent = parent;
    if (!g->name || !g->validator_flags || !g->input_flags) {
        group_free(g);
        return -ENOMEM;
    }
    *out = p->n_groups++;
    return 0;
}

static int add_test(struct jd_problem *p, size_t group, const char *name, const char *in,
                    const char *ans)
{
    struct jd_test *ts = realloc(p->tests, (p->n_tests + 1) * sizeof *ts);
    if (!ts)
        return -ENOMEM;
    p->tests = ts;
    struct jd_test *t = &ts[p->n_tests];
    t->name = strdup(name);
    t->in_path = strdup(in);
    t->ans_path = strdup(ans);
    t->group = group;
    if (!t->name || !t->in_path || !t->ans_path) {
        free(t->name);
        free(t->in_path);
        free(t->ans_path);
        return -ENOMEM;
    }
    p->n_tests++;
    return add_child(&p->groups[group], false, p->n_tests - 1);
}

/* NAME.ans, or NAME.out in plain directories; NULL when neither exists. */
static char *answer_for(const char *in_path, bool allow_out)
{
    size_t n = strlen(in_path) - 3;
    char *a = jd_asprintf("%.*s.ans", (int)n, in_path);
    if (a && jd_is_file(a))
        return a;
    free(a);
    if (allow_out) {
        a = jd_asprintf("%.*s.out", (int)n, in_path);
        if (a && jd_is_file(a))
            return a;
        free(a);
    }
    return NULL;
}

static int walk(struct jd_problem *p, const char *dir, const char *rel, size_t group,
                char *err, size_t errlen)
{
    char **names = NULL;
    size_t n = 0;
    int rc = jd_list_dir(dir, &names, &n);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
        return rc;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *path = jd_path_join(dir, names[i]);
        char *name = *rel ? jd_asprintf("%s/%s", rel, names[i]) : jd_strdup(names[i]);
        if (!path || !name) {
            rc = -ENOMEM;
        } else if (jd_is_dir(path)) {
            /* At the top only sample/ and secret/ are judged (the newer
             * formats keep invalid_input/ etc. there too). */
            if (*rel || !strcmp(names[i], "sample") || !strcmp(names[i], "secret")) {
                size_t g;
                rc = new_group(p, (long)group, name, &g);
                if (rc == 0 && !*rel && !strcmp(names[i], "sample"))
                    p->groups[g].is_sample = true;
                if (rc == 0)
                    rc = add_child(&p->groups[group], true, g);
                for (int k = 0; rc == 0 && k < 2; k++) {
                    char *y = jd_path_join(path, k ? "test_group.yaml" : "testdata.yaml");
                    if (!y)
                        rc = -ENOMEM;
                    else if (jd_is_file(y))
                        rc = jd_group_apply_yaml(p, &p->groups[g], y, err, errlen);
                    free(y);
                }
                if (rc == 0)
                    rc = walk(p, path, name, g, err, errlen);
            }
        } else if (jd_has_suffix(names[i], ".in") && strlen(names[i]) > 3) {
            char *ans = answer_for(path, false);
            if (!ans && p->interactive)
                ans = strdup("");   /* none: the validator gets an empty file */
            if (!ans) {
                snprintf(err, errlen, "%s: no answer file (%.*s.ans) for this input", path,
                         (int)(strlen(names[i]) - 3), names[i]);
                rc = -ENOENT;
            } else {
                name[strlen(name) - 3] = 0;
                rc = add_test(p, group, name, path, ans);
            }
            free(ans);
        }
        free(path);
        free(name);
    }
    jd_strv_free(names);
    if (rc == -ENOMEM)
        snprintf(err, errlen, "out of memory");
    return rc;
}

static bool source_mentions_testlib(const char *path)
{
    char **names = NULL;
    size_t n = 0;
    bool found = false;
    if (!jd_is_dir(path)) {
        char *text = NULL;
        if (jd_read_file(path, 1 << 20, &text, NULL) == 0)
            found = strstr(text, "testlib.h") != NULL;
        free(text);
        return found;
    }
    if (jd_list_dir(path, &names, &n) < 0)
        return false;
    for (size_t i = 0; i < n && !found; i++) {
        char *f = jd_path_join(path, names[i]);
        found = !strcmp(names[i], "testlib.h") || (f && jd_is_file(f) && source_mentions_testlib(f));
        free(f);
    }
    jd_strv_free(names);
    return found;
}

/* output_validator/ is the program when it holds files; when it holds
 * only one directory (problemtools' output_validator/guess_validator/
 * validate.cc + validate.h), that directory is. */
static char *newer_program_dir(const char *dir)
{
    char **names = NULL;
    size_t n = 0;
    if (jd_list_dir(dir, &names, &n) < 0)
        return strdup(dir);
    char *only = n == 1 ? jd_path_join(dir, names[0]) : NULL;
    jd_strv_free(names);
    if (n == 1 && !only)
        return NULL;
    if (only && jd_is_dir(only))
        return only;
    free(only);
    return strdup(dir);
}

/* The output validator: output_validators/<one program> (legacy),
 * output_validator/ (newer; the dir is the program, or the one dir in it), or a testlib-style
 * checker.* / checker/ at the top of the problem. */
static int find_checker(struct jd_problem *p, char *err, size_t errlen)
{
    char *path = NULL;
    bool interactor = false;
    int rc = 0;
    char *legacy = jd_path_join(p->dir, "output_validators");
    char *newer = jd_path_join(p->dir, "output_validator");
    if (!legacy || !newer) {
        rc = -ENOMEM;
        goto out;
    }
    if (jd_is_dir(newer)) {
        if (!(path = newer_program_dir(newer))) {
            rc = -ENOMEM;
            goto out;
        }
    } else if (jd_is_dir(legacy)) {
        char **names = NULL;
        size_t n = 0;
        if ((rc = jd_list_dir(legacy, &names, &n)) < 0) {
            snprintf(err, errlen, "%s: %s", legacy, strerror(-rc));
            goto out;
        }
        if (n == 0) {
            snprintf(err, errlen, "%s: empty (expected one validator program)", legacy);
            rc = -ENOENT;
        } else {
            path = jd_path_join(legacy, names[0]);
        }
        jd_strv_free(names);
        if (rc < 0)
            goto out;
    }
    if (path) {
        p->checker = source_mentions_testlib(path) ? JD_CHECK_TESTLIB : JD_CHECK_KATTIS;
    } else {
        /* Polygon: a testlib interactor (interactor input output answer,
         * talking to the solution on stdin/stdout) makes the problem
         * interactive, whatever problem.yaml says. */
        char **names = NULL;
        size_t n = 0;
        if (jd_list_dir(p->dir, &names, &n) == 0)
            for (size_t i = 0; i < n && !path; i++)
                if (!strncmp(names[i], "interactor", 10) &&
                    (names[i][10] == 0 || names[i][10] == '.'))
                    path = jd_path_join(p->dir, names[i]);
        jd_strv_free(names);
        if (path) {
            p->checker = JD_CHECK_TESTLIB;
            p->interactive = interactor = true;
            /* Polygon's optional checker then judges the interactor's output file */
            names = NULL;   /* freed above; jd_list_dir leaves it untouched on failure */
            if (jd_list_dir(p->dir, &names, &n) == 0)
                for (size_t i = 0; i < n && !p->post_checker_path; i++)
                    if (!strncmp(names[i], "checker", 7) &&
                        (names[i][7] == 0 || names[i][7] == '.') &&
                        !(p->post_checker_path = jd_path_join(p->dir, names[i])))
                        rc = -ENOMEM;
            jd_strv_free(names);
            if (rc < 0)
                goto out;
        }
    }
    if (!path) {
        char **names = NULL;
        size_t n = 0;
        if (jd_list_dir(p->dir, &names, &n) == 0)
            for (size_t i = 0; i < n && !path; i++)
                if (!strncmp(names[i], "checker", 7) &&
                    (names[i][7] == 0 || names[i][7] == '.'))
                    path = jd_path_join(p->dir, names[i]);
        jd_strv_free(names);
        if (path)
            p->checker = JD_CHECK_TESTLIB;
    }
    if (!path && p->multipass) {
        snprintf(err, errlen, "%s: multi-pass problem without output_validators/ or output_validator/",
                 p->dir);
        rc = -ENOENT;
        goto out;
    }
    if (path && p->checker == JD_CHECK_TESTLIB && (p->multipass || (p->interactive && !interactor))) {
        snprintf(err, errlen, "%s: multi-pass problems, and interactive ones without a testlib interactor.*, need a Kattis-style output validator", path);
        free(path);
        rc = -EINVAL;
        goto out;
    }
    if (!path && p->interactive) {
        snprintf(err, errlen, "%s: interactive problem without output_validators/ or output_validator/",
                 p->dir);
        rc = -ENOENT;
        goto out;
    }
    p->checker_path = path;
out:
    if (rc == -ENOMEM)
        snprintf(err, errlen, "out of memory");
    free(legacy);
    free(newer);
    return rc;
}

/* input_validators/<programs> (legacy) or input_validator/ (newer: the dir
 * is the program). */
static int find_input_validators(struct jd_problem *p)
{
    char *legacy = jd_path_join(p->dir, "input_validators");
    char *newer = jd_path_join(p->dir, "input_validator");
    int rc = 0;
    /* problemtools' older packages name it input_format_validators/ */
    if (legacy && !jd_is_dir(legacy)) {
        char *older = jd_path_join(p->dir, "input_format_validators");
        if (older && jd_is_dir(older)) {
            free(legacy);
            legacy = older;
        } else {
            free(older);
        }
    }
    if (!legacy || !newer || !(p->input_validators = calloc(1, sizeof(char *)))) {
        rc = -ENOMEM;
    } else if (jd_is_dir(newer)) {
        rc = jd_strv_push(&p->input_validators, newer);
    } else if (jd_is_dir(legacy)) {
        char **names = NULL;
        size_t n = 0;
        if (jd_list_dir(legacy, &names, &n) == 0)
            for (size_t i = 0; i < n && rc == 0; i++) {
                char *f = jd_path_join(legacy, names[i]);
                rc = f ? jd_strv_push(&p->input_validators, f) : -ENOMEM;
                free(f);
            }
        jd_strv_free(names);
    }
    free(legacy);
    free(newer);
    return rc;
}

static int read_timelimit_file(struct jd_problem *p, char *err, size_t errlen)
{
    char *f = jd_path_join(p->dir, ".timelimit");
    char *text = NULL;
    if (!f)
        return -ENOMEM;
    if (jd_read_file(f, 256, &text, NULL) == 0) {
        size_t l = strlen(text);
        while (l && (text[l - 1] == ' ' || text[l - 1] == '\n' || text[l - 1] == '\r'))
            text[--l] = 0;
        double v = 0;
        if (jd_parse_real(text, 0, JD_SECONDS_MAX, &v) || !(v > 0)) {
            snprintf(err, errlen, "%s: not a number of seconds (above 0, at most %.15g)", f,
                     JD_SECONDS_MAX);
            free(f);
            free(text);
            return -EINVAL;
        }
        p->time_limit_s = v;
        p->time_limit_given = true;
    }
    free(f);
    free(text);
    return 0;
}

static int load_plain(struct jd_problem *p, char *err, size_t errlen)
{
    char **names = NULL;
    size_t n = 0;
    int rc = jd_list_dir(p->dir, &names, &n);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", p->dir, strerror(-rc));
        return rc;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!jd_has_suffix(names[i], ".in") || strlen(names[i]) <= 3)
            continue;
        char *in = jd_path_join(p->dir, names[i]);
        char *ans = in ? answer_for(in, true) : NULL;
        if (!in) {
            rc = -ENOMEM;
        } else if (!ans) {
            snprintf(err, errlen, "%s: no answer file (.ans or .out) for this input", in);
            rc = -ENOENT;
        } else {
            names[i][strlen(names[i]) - 3] = 0;
            rc = add_test(p, 0, names[i], in, ans);
        }
        free(in);
        free(ans);
    }
    jd_strv_free(names);
    return rc;
}

int jd_problem_load(const char *dir, const struct jd_problem_options *opt,
                    struct jd_problem **out, char *err, size_t errlen)
{
    char real[PATH_MAX];
    if (!dir || !out)
        return -EINVAL;
    if (!realpath(dir, real) || !jd_is_dir(real)) {
        snprintf(err, errlen, "%s: %s", dir, errno ? strerror(errno) : "not a directory");
        return errno ? -errno : -ENOTDIR;
    }
    struct jd_problem *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc = -ENOMEM;
    const char *base = strrchr(real, '/');
    p->dir = strdup(real);
    p->name = strdup(base && base[1] ? base + 1 : real);
    p->format_version = strdup("legacy");
    p->time_limit_s = DEFAULT_TIME_S;
    p->time_multiplier = 5.0;
    p->time_safety_margin = 2.0;
    p->mem_kib = DEFAULT_MEM_KIB;
    p->validation_passes = 2;
    p->output_kib = DEFAULT_OUTPUT_KIB;
    size_t root;
    if (!p->dir || !p->name || !p->format_version || jd_checker_cache_new(&p->cache) < 0 ||
        jd_checker_cache_new(&p->post_cache) < 0 ||
        (opt && opt->build_cache_dir && !(p->build_cache_dir = strdup(opt->build_cache_dir))) ||
        (opt && opt->scratch_dir && !(p->scratch_dir = strdup(opt->scratch_dir))) ||
        new_group(p, -1, "", &root) < 0)
        goto fail_nomem;

    char *yaml = jd_path_join(real, "problem.yaml");
    char *data = jd_path_join(real, "data");
    if (!yaml || !data) {
        free(yaml);
        free(data);
        goto fail_nomem;
    }
    p->plain = !jd_is_file(yaml) && !jd_is_dir(data);
    rc = 0;
    if (jd_is_file(yaml))
        rc = jd_problem_parse_yaml(p, yaml, err, errlen);
    if (rc == 0)
        rc = read_timelimit_file(p, err, errlen);
    if (rc == 0) {
        /* scoring problems judge every test unless told otherwise */
        p->groups[0].on_reject_continue = p->scoring;
        for (int k = 0; rc == 0 && k < 2; k++) {
            char *y = jd_path_join(data, k ? "test_group.yaml" : "testdata.yaml");
            if (!y)
                rc = -ENOMEM;
            else if (jd_is_file(y))
                rc = jd_group_apply_yaml(p, &p->groups[0], y, err, errlen);
            free(y);
        }
    }
    if (rc == 0 && !p->plain) {
        if (!jd_is_dir(data)) {
            snprintf(err, errlen, "%s: missing (a package keeps its tests in data/sample and data/secret)", data);
            rc = -ENOENT;
        } else {
            rc = walk(p, data, "", root, err, errlen);
        }
    }
    if (rc == 0 && p->plain)
        rc = load_plain(p, err, errlen);
    if (rc == 0 && !p->plain)
        rc = find_checker(p, err, errlen);
    if (rc == 0 && !p->plain)
        rc = find_input_validators(p);
    free(yaml);
    free(data);
    if (rc == -ENOMEM)
        goto fail_nomem;
    if (rc < 0)
        goto fail;
    if (p->n_tests == 0) {
        snprintf(err, errlen, "%s: no tests found (%s)", real,
                 p->plain ? "expected NAME.in with NAME.ans or NAME.out" : "data/sample, data/secret");
        rc = -ENOENT;
        goto fail;
    }
    if (opt && opt->time_limit_s > 0) {
        p->time_limit_s = opt->time_limit_s;
        p->time_limit_given = true;
    }
    if (opt && opt->mem_limit_kib)
        p->mem_kib = opt->mem_limit_kib;
    if (!p->validation_time_s)
        p->validation_time_s = 30;
    if (!p->validation_mem_kib)
        p->validation_mem_kib = 1024 * 1024;
    *out = p;
    return 0;
fail_nomem:
    snprintf(err, errlen, "out of memory");
    rc = -ENOMEM;
fail:
    jd_problem_free(p);
    return rc;
}
