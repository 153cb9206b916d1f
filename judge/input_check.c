/*
 * input_check.c - run a package's input validators over its test inputs:
 *   validator [input_validator_flags] < test.in
 * Exit 42 means the input is valid; anything else (43 by convention) that
 * it is not. Each run is sandboxed like every other program.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "judge/internal.h"

void jd_input_results_free(struct jd_input_result *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].test);
        free(v[i].validator);
    }
    free(v);
}

static const char *rel_to(const struct jd_problem *p, const char *path)
{
    size_t n = strlen(p->dir);
    return !strncmp(path, p->dir, n) && path[n] == '/' ? path + n + 1 : path;
}

static void run_one(struct sb_slot *slot, const struct jd_problem *p, const struct jd_program *prog,
                    size_t ti, const char *logp, struct jd_input_result *r)
{
    const struct jd_test *t = &p->tests[ti];
    char **argv = jd_program_argv(prog, p->groups[t->group].input_flags, 0);
    int in = open(t->in_path, O_RDONLY | O_CLOEXEC);
    int log = open(logp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (!argv || in < 0 || log < 0) {
        snprintf(r->message, sizeof r->message, "running the input validator: %s",
                 argv ? strerror(errno) : "out of memory");
        goto out;
    }
    struct sb_mount m[SB_MAX_MOUNTS];
    struct jd_box_run br;
    jd_box_run_helper(&br, p, prog, argv, m, 0);
    br.stdin_fd = in;
    br.stdout_fd = br.stderr_fd = log;
    struct sb_result res;
    jd_box(slot, &br, &res);
    char *text = NULL;
    if (jd_read_file(logp, 1024, &text, NULL) < 0)
        text = NULL;
    char line[320];
    sb_first_line(text, 300, line, sizeof line);
    int valid_exit = prog->lang->input_valid_exit;
    if ((res.status == SB_RE || res.status == SB_OK) && res.exit_code == valid_exit) {
        r->valid = true;
    } else if (res.status == SB_RE || res.status == SB_OK) {
        snprintf(r->message, sizeof r->message, "invalid (exit code %d)%s%s", res.exit_code,
                 line[0] ? ": " : "", line);
    } else {
        snprintf(r->message, sizeof r->message, "input validator failed: %s: %s",
                 sb_status_name(res.status), res.message);
    }
    free(text);
out:
    if (in >= 0)
        close(in);
    if (log >= 0)
        close(log);
    jd_strv_free(argv);
}

int jd_validate_inputs(const struct jd_problem *p, const struct jd_langs *langs,
                       struct sb_slot *slot, struct jd_input_result **out, size_t *n,
                       char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    size_t nv = jd_strv_len(p->input_validators);
    if (!nv)
        return 0;
    struct jd_langs *builtin = NULL;
    char *work = NULL;
    int rc = 0;
    /* one result per test per validator, or one when a validator is skipped */
    struct jd_input_result *v = calloc(nv * (p->n_tests ? p->n_tests : 1), sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (!langs && (rc = jd_langs_builtin(&builtin, err, errlen)) < 0)
        goto out;
    if (!langs)
        langs = builtin;
    if ((rc = jd_mkdtemp(p->scratch_dir, "nsjudge-inputs", &work)) < 0) {
        snprintf(err, errlen, "scratch dir: %s", strerror(-rc));
        goto out;
    }
    chmod(work, 0755);
    size_t k = 0;
    for (size_t i = 0; i < nv && rc == 0; i++) {
        const char *path = p->input_validators[i];
        const struct jd_lang *l = jd_detect_lang(langs, path);
        if (!l || !l->available) {
            /* Like a submission in a missing language: skipped, said so;
             * verify still checks what it can. */
            v[k].test = strdup("");
            v[k].validator = strdup(rel_to(p, path));
            v[k].valid = v[k].skipped = true;
            snprintf(v[k].message, sizeof v[k].message, "skipped: %s",
                     l ? "its language is not installed on this host" : "no language for this validator");
            if (l && l->run_argv && l->run_argv[0]) {
                size_t ml = strlen(v[k].message);
                snprintf(v[k].message + ml, sizeof v[k].message - ml, " (%s)", l->run_argv[0]);
            }
            if (!v[k].test || !v[k].validator) {
                rc = -ENOMEM;
                snprintf(err, errlen, "out of memory");
            }
            k++;
            continue;
        }
        char tag[32], msg[JD_MSG_MAX], *cout = NULL;
        size_t clen;
        bool ok;
        struct jd_program prog;
        snprintf(tag, sizeof tag, "iv%zu", i);
        struct jd_lang vl = *l;   /* the validator's own compile limits */
        vl.compile_limits = l->validator_compile_limits;
        rc = jd_build_cached(slot, &vl, path, work, tag, p->build_cache_dir, &prog, &ok, &cout, &clen,
                             msg, sizeof msg);
        if (rc < 0) {
            snprintf(err, errlen, "building the input validator %s: %s", path, msg);
            free(cout);
            break;
        }
        if (!ok) {
            char line[320];
            sb_first_line(cout, 300, line, sizeof line);
            snprintf(err, errlen, "the input validator %s does not compile: %s", path, line);
            free(cout);
            jd_program_free(&prog);
            rc = -EINVAL;
            break;
        }
        free(cout);
        char *logp = jd_path_join(work, "input.log");
        for (size_t t = 0; t < p->n_tests && logp; t++, k++) {
            v[k].test = strdup(p->tests[t].name);
            v[k].validator = strdup(rel_to(p, path));
            if (!v[k].test || !v[k].validator) {
                rc = -ENOMEM;
                break;
            }
            run_one(slot, p, &prog, t, logp, &v[k]);
        }
        if (!logp)
            rc = -ENOMEM;
        free(logp);
        jd_program_free(&prog);
        if (rc == -ENOMEM)
            snprintf(err, errlen, "out of memory");
    }
    if (rc == 0) {
        *out = v;
        *n = k;
        v = NULL;
    }
out:
    if (v)
        jd_input_results_free(v, nv * (p->n_tests ? p->n_tests : 1));
    if (work) {
        sb_rm_rf(work);
        free(work);
    }
    jd_langs_free(builtin);
    return rc;
}
