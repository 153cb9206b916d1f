/* test_languages.c - the language table: parsing, lookups, placeholders. */
#include <criterion/criterion.h>
#include <string.h>
#include "judge/internal.h"
#include "tests/test_judge_util.h"

Test(judge_languages, shipped_table_loads)
{
    struct jd_langs *l = jt_langs();
    static const char *const ids[] = {"c", "cpp", "python3", "java", "rust", "javascript",
                                      "pascal", "perl", "fortran", "ada", "bash", "text"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        cr_assert(jd_lang_by_id(l, ids[i]), "missing %s", ids[i]);
    /* the toolchains the tests use are installed on this host */
    cr_assert(jd_lang_by_id(l, "c")->available);
    cr_assert(jd_lang_by_id(l, "python3")->available);
    cr_assert_null(jd_lang_by_id(l, "cobol"));
    jd_langs_free(l);
}

Test(judge_languages, judge0_ids)
{
    struct jd_langs *l = jt_langs();
    struct { int id; const char *lang; } m[] = {
        {50, "c"}, {54, "cpp"}, {52, "cpp"}, {53, "cpp"}, {71, "python3"}, {62, "java"},
        {73, "rust"}, {63, "javascript"}, {67, "pascal"}, {85, "perl"}, {59, "fortran"},
        {46, "bash"}, {43, "text"},
    };
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        const struct jd_lang *x = jd_lang_by_judge0(l, m[i].id);
        cr_assert(x, "judge0 id %d", m[i].id);
        cr_assert_str_eq(x->id, m[i].lang, "judge0 id %d", m[i].id);
    }
    cr_assert_null(jd_lang_by_judge0(l, 9999));
    jd_langs_free(l);
}

Test(judge_languages, by_filename_and_java_main)
{
    struct jd_langs *l = jt_langs();
    cr_assert_str_eq(jd_lang_by_filename(l, "/x/sol.py")->id, "python3");
    cr_assert_str_eq(jd_lang_by_filename(l, "a.cc")->id, "cpp");
    cr_assert_str_eq(jd_lang_by_filename(l, "dir.d/a.c")->id, "c");
    const struct jd_lang *j = jd_lang_by_filename(l, "Whatever.java");
    cr_assert_str_eq(j->id, "java");
    cr_assert_str_eq(j->source_file, "Main.java");
    cr_assert(j->run_extra.procs >= 128, "the JVM needs threads");
    cr_assert_null(jd_lang_by_filename(l, "Makefile"));
    cr_assert_null(jd_lang_by_filename(l, "x.unknownext"));
    /* a directory program: by its sources (validate.c + validate.h) */
    const struct jd_lang *d = jd_lang_for_path(l, jt_path("testdata/problems/pairs/output_validators/pairs"));
    cr_assert(d);
    cr_assert_str_eq(d->id, "c");
    jd_langs_free(l);
}

Test(judge_languages, errors_name_the_problem)
{
    struct jd_langs *l = NULL;
    char err[512];
    cr_assert_lt(jd_langs_parse("{\"languages\": [", &l, err, sizeof err), 0);
    cr_assert(strstr(err, "line"), "%s", err);
    cr_assert_lt(jd_langs_parse("{\"languages\": [{\"id\": \"x\"}]}", &l, err, sizeof err), 0);
    cr_assert(strstr(err, "\"x\""), "%s", err);
    cr_assert_lt(jd_langs_parse("{\"languages\": [{\"id\":\"a\",\"run\":[\"x\"]},{\"id\":\"a\",\"run\":[\"y\"]}]}",
                                &l, err, sizeof err), 0);
    cr_assert(strstr(err, "twice"), "%s", err);
    cr_assert_lt(jd_langs_parse("{\"languages\": [{\"id\":\"a\",\"run\":[\"x\"],\"source_file\":\"../a\"}]}",
                                &l, err, sizeof err), 0);
    cr_assert_lt(jd_langs_load("/nonexistent/languages.json", &l, err, sizeof err), 0);
    cr_assert(strstr(err, "/nonexistent/languages.json"), "%s", err);
}

Test(judge_languages, availability_follows_the_toolchain)
{
    struct jd_langs *l = NULL;
    char err[256];
    int r = jd_langs_parse("{\"languages\": ["
                           "{\"id\":\"yes\",\"run\":[\"sh\",\"{src}\"]},"
                           "{\"id\":\"nocc\",\"compile\":[\"no-such-compiler-xyz\"],\"run\":[\"./main\"]},"
                           "{\"id\":\"norun\",\"run\":[\"/no/such/interpreter\"]}]}", &l, err, sizeof err);
    cr_assert_eq(r, 0, "%s", err);
    cr_assert(jd_lang_by_id(l, "yes")->available);
    cr_assert_not(jd_lang_by_id(l, "nocc")->available);
    cr_assert_not(jd_lang_by_id(l, "norun")->available);
    /* defaults: compile limits are always bounded */
    cr_assert_gt(jd_lang_by_id(l, "nocc")->compile_limits.cpu_s, 0);
    cr_assert_gt(jd_lang_by_id(l, "nocc")->compile_limits.mem_kib, 0);
    jd_langs_free(l);
}

Test(judge_languages, placeholders)
{
    char *tmpl[] = {"cc", "{opts}", "-o", "main", "{src}", "-DMEM={mem_mib}", "x{src}y", NULL};
    char *srcs[] = {"a.c", "b.c", NULL};
    char **v = jd_expand_argv(tmpl, srcs, "-O2  -Wall", NULL, 64 * 1024);
    cr_assert(v);
    const char *want[] = {"cc", "-O2", "-Wall", "-o", "main", "a.c", "b.c", "-DMEM=64", "xa.cy", NULL};
    for (int i = 0; want[i]; i++)
        cr_assert_str_eq(v[i], want[i], "arg %d", i);
    cr_assert_null(v[9]);
    jd_strv_free(v);
}

/* Limits of languages.json: checked before any cast, the error names the
 * language, the object and the key. */
static void lang_rejects(const char *limits, const char *needle)
{
    char json[1024], err[512] = "";
    struct jd_langs *l = NULL;
    snprintf(json, sizeof json,
             "{\"languages\": [{\"id\":\"c\",\"run\":[\"./main\"],\"judge0_ids\":[50],%s}]}", limits);
    int rc = jd_langs_parse(json, &l, err, sizeof err);
    if (rc == 0)
        jd_langs_free(l);
    cr_assert_lt(rc, 0, "%s must be refused", limits);
    cr_assert(strstr(err, needle) && strstr(err, "\"c\""), "error '%s' should name %s", err, needle);
}

Test(judge_languages, limits_out_of_range_are_refused)
{
    lang_rejects("\"compile_limits\": {\"mem_kib\": -5}", "compile_limits.mem_kib");
    lang_rejects("\"compile_limits\": {\"mem_mib\": 1e300}", "compile_limits.mem_mib");
    lang_rejects("\"run_extra\": {\"stack_kib\": 1e30}", "run_extra.stack_kib");
    lang_rejects("\"run_extra\": {\"fsize_mib\": -1}", "run_extra.fsize_mib");
    lang_rejects("\"run_extra\": {\"as_kib\": 18446744073709551615.0}", "run_extra.as_kib");
    lang_rejects("\"run_extra\": {\"tmp_mib\": 1e16}", "run_extra.tmp_mib");
    lang_rejects("\"compile_limits\": {\"cpu_s\": 1e300}", "compile_limits.cpu_s");
    lang_rejects("\"compile_limits\": {\"wall_s\": -3}", "compile_limits.wall_s");
    lang_rejects("\"compile_limits\": {\"procs\": 10000000000}", "compile_limits.procs");
    lang_rejects("\"run_extra\": {\"nofile\": -1}", "run_extra.nofile");
    lang_rejects("\"compile_limits\": {\"mem_kib\": \"lots\"}", "compile_limits.mem_kib");
    lang_rejects("\"judge0_ids_x\": 0, \"compile_limits\": 5", "compile_limits");

    /* judge0_ids: (int)10000000000 wrapped to 1410065408 */
    char err[512] = "";
    struct jd_langs *l = NULL;
    cr_assert_lt(jd_langs_parse("{\"languages\": [{\"id\":\"c\",\"run\":[\"x\"],\"judge0_ids\":[50, 10000000000]}]}",
                                &l, err, sizeof err), 0);
    cr_assert(strstr(err, "judge0_ids[1]"), "%s", err);
    cr_assert_lt(jd_langs_parse("{\"languages\": [{\"id\":\"c\",\"run\":[\"x\"],\"judge0_ids\":-4}]}",
                                &l, err, sizeof err), 0);
    cr_assert(strstr(err, "judge0_ids"), "%s", err);

    /* in range still loads, MiB converted */
    cr_assert_eq(jd_langs_parse("{\"languages\": [{\"id\":\"c\",\"run\":[\"x\"],\"judge0_ids\":[50],"
                                "\"compile_limits\": {\"mem_mib\": 1.5, \"procs\": 8}}]}",
                                &l, err, sizeof err), 0, "%s", err);
    cr_assert_eq(l->v[0].compile_limits.mem_kib, 1536);
    cr_assert_eq(l->v[0].compile_limits.procs, 8);
    cr_assert_eq(l->v[0].judge0_ids[0], 50);
    jd_langs_free(l);
}

/* judge0_archived_ids: answered to, but after the listed ids (GET
 * /languages shows only the first judge0_listed of judge0_ids). */
Test(judge_languages, judge0_archived_ids)
{
    char err[512] = "";
    struct jd_langs *l = NULL;
    cr_assert_eq(jd_langs_parse("{\"languages\": [{\"id\":\"c\",\"run\":[\"x\"],\"judge0_ids\":[50],"
                                "\"judge0_archived_ids\":[48, 49]}]}", &l, err, sizeof err), 0, "%s", err);
    cr_assert_eq(l->v[0].judge0_listed, 1);
    cr_assert_eq(l->v[0].judge0_ids[1], 48);
    cr_assert_eq(jd_lang_by_judge0(l, 49), &l->v[0]);
    jd_langs_free(l);
    /* without archived ids every id is listed, as before */
    cr_assert_eq(jd_langs_parse("{\"languages\": [{\"id\":\"c\",\"run\":[\"x\"],\"judge0_ids\":[50, 48]}]}",
                                &l, err, sizeof err), 0, "%s", err);
    cr_assert_eq(l->v[0].judge0_listed, 2);
    jd_langs_free(l);
    cr_assert_lt(jd_langs_parse("{\"languages\": [{\"id\":\"c\",\"run\":[\"x\"],\"judge0_ids\":[50],"
                                "\"judge0_archived_ids\":[48, 50]}]}", &l, err, sizeof err), 0);
    cr_assert(strstr(err, "Judge0 id 50 is given twice"), "%s", err);
    cr_assert_lt(jd_langs_parse("{\"languages\": [{\"id\":\"c\",\"run\":[\"x\"],\"judge0_ids\":[1,2,3,4],"
                                "\"judge0_archived_ids\":[5,6,7,8]}]}", &l, err, sizeof err), 0);
    cr_assert(strstr(err, "judge0_archived_ids[3]"), "%s", err);
    /* the shipped table lists C once */
    l = jt_langs();
    const struct jd_lang *c = jd_lang_by_judge0(l, 48);
    cr_assert(c && !strcmp(c->id, "c"));
    cr_assert_eq(c->judge0_listed, 1);
    cr_assert_eq(c->judge0_ids[0], 50);
    jd_langs_free(l);
}
