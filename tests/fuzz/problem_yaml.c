/*
 * problem_yaml.c - fuzz target: problem.yaml and testdata.yaml through
 * jd_problem_load, as `nsjudge judge` and problem registration load a
 * package. The input is up to three files split by 0x1e bytes:
 *   problem.yaml 0x1e data/testdata.yaml 0x1e data/secret/group1/testdata.yaml
 * (a part that is not there is a file that is not there). The package has
 * one sample and two secret tests. A loaded problem is then scored as the
 * judge scores it: every test accepted, then the first secret test wrong.
 *
 * Properties (abort = finding): no crash, leak or UB; a failed load says
 * why; the effective time limit is positive; all tests accepted gives AC
 * with a score no higher than the maximum; one wrong test is never AC
 * unless a group accepts when any test is accepted.
 */
#include <math.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tests/fuzz/fuzz.h"

static char *pkg, *files[3];

static void put(const char *rel, const char *text)
{
    char *p = jd_path_join(pkg, rel);
    if (!p || jd_write_file(p, text, strlen(text), 0644) < 0)
        fuzz_die("write", rel);
    free(p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    pkg = fuzz_tmpdir("nsjudge-fuzz-problem");
    static const char *const dirs[] = {"data", "data/sample", "data/secret", "data/secret/group1"};
    for (size_t i = 0; i < 4; i++) {
        char *d = jd_path_join(pkg, dirs[i]);
        if (!d || mkdir(d, 0755) < 0)
            fuzz_die("mkdir", dirs[i]);
        free(d);
    }
    put("data/sample/1.in", "1 2\n");
    put("data/sample/1.ans", "3\n");
    put("data/secret/group1/01.in", "2 2\n");
    put("data/secret/group1/01.ans", "4\n");
    put("data/secret/02.in", "5 5\n");
    put("data/secret/02.ans", "10\n");
    files[0] = jd_path_join(pkg, "problem.yaml");
    files[1] = jd_path_join(pkg, "data/testdata.yaml");
    files[2] = jd_path_join(pkg, "data/secret/group1/testdata.yaml");
    if (!files[0] || !files[1] || !files[2])
        fuzz_die("path", "out of memory");
    return 0;
}

static bool any_accepts_any(const struct jd_problem *p)
{
    for (size_t g = 0; g < p->n_groups; g++)
        if (p->groups[g].accept_if_any)
            return true;
    return false;
}

static void score(const struct jd_problem *p)
{
    struct jd_test_result *r = calloc(p->n_tests, sizeof *r);
    bool *needed = calloc(p->n_tests, sizeof *needed);
    if (!r || !needed)
        fuzz_die("calloc", "out of memory");
    for (size_t i = 0; i < p->n_tests; i++)
        r[i].verdict = JD_AC;
    struct jd_report rep;
    memset(&rep, 0, sizeof rep);
    jd_tests_needed(p, r, false, needed);
    jd_score(p, r, false, &rep);
    FUZZ_CHECK(rep.verdict == JD_AC, "all tests accepted gives %s", jd_verdict_code(rep.verdict));
    FUZZ_CHECK(!(rep.score > rep.max_score), "score %g above max %g", rep.score, rep.max_score);
    size_t secret = 0;
    while (secret < p->n_tests && p->groups[p->tests[secret].group].is_sample)
        secret++;
    if (secret < p->n_tests) {
        r[secret].verdict = JD_WA;
        memset(&rep, 0, sizeof rep);
        jd_tests_needed(p, r, false, needed);
        jd_score(p, r, true, &rep);
        FUZZ_CHECK(rep.verdict != JD_AC || any_accepts_any(p), "a wrong test still gives AC");
    }
    free(needed);
    free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part = data;
    size_t left = size;
    for (int k = 0; k < 3; k++) {
        bool present = k == 0 || part != NULL;
        if (!present) {
            unlink(files[k]);
            continue;
        }
        const uint8_t *a, *b;
        size_t an, bn;
        fuzz_split(part, left, 0x1e, &a, &an, &b, &bn);
        if (jd_write_file(files[k], a, an, 0644) < 0)
            fuzz_die("write", files[k]);
        /* the next part exists only after a separator */
        part = (a + an < part + left) ? b : NULL;
        left = bn;
    }
    struct jd_problem *p = NULL;
    char err[JD_MSG_MAX] = "";
    int rc = jd_problem_load(pkg, NULL, &p, err, sizeof err);
    if (rc < 0) {
        FUZZ_CHECK(err[0], "jd_problem_load failed (%d) without a message", rc);
        return 0;
    }
    FUZZ_CHECK(jd_problem_test_count(p) == 3, "%zu tests", jd_problem_test_count(p));
    double tl = jd_problem_time_limit(p);
    FUZZ_CHECK(tl > 0, "time limit %g", tl);
    double mult, margin;
    jd_problem_time_factors(p, &mult, &margin);
    (void)jd_problem_name(p);
    (void)jd_problem_is_interactive(p);
    for (size_t g = 0; g < p->n_groups; g++) {
        struct jd_default_flags f;
        char ferr[JD_MSG_MAX];
        (void)jd_default_flags_parse(p->groups[g].validator_flags, &f, ferr, sizeof ferr);
    }
    score(p);
    jd_problem_free(p);
    return 0;
}
