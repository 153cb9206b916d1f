/*
 * languages.c - fuzz target: a language table (configs/languages.json)
 * through jd_langs_parse, then every lookup the judge and the service make
 * with it: by id, by Judge0 id, by file name, its box mounts, its compile
 * and run command lines expanded, and a deep copy.
 *
 * Properties (abort = finding): no crash, leak or UB; a failed parse says
 * why; every language has an id, a name, a plain source file name and a
 * non-empty run command; lookups find what the table holds.
 */
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void use(const struct jd_langs *ls, const struct jd_lang *l)
{
    FUZZ_CHECK(l->id && l->name && l->source_file && l->run_argv && l->run_argv[0] && l->extensions,
               "language %s: a required member is missing", l->id ? l->id : "(null)");
    FUZZ_CHECK(!strchr(l->source_file, '/'), "source_file %s has a slash", l->source_file);
    FUZZ_CHECK(jd_lang_by_id(ls, l->id), "%s not found by its id", l->id);
    for (size_t k = 0; k < 8 && l->judge0_ids[k]; k++)
        FUZZ_CHECK(jd_lang_by_judge0(ls, l->judge0_ids[k]), "judge0 id %d not found", l->judge0_ids[k]);
    FUZZ_CHECK(l->judge0_listed >= 0 && l->judge0_listed <= 7 &&
               (l->judge0_listed == 0 || l->judge0_ids[l->judge0_listed - 1]),
               "language %s: %d listed ids", l->id, l->judge0_listed);
    char *name = jd_asprintf("x.%s", l->extensions[0] ? l->extensions[0] : "none");
    if (!name)
        fuzz_die("asprintf", "out of memory");
    (void)jd_lang_by_filename(ls, name);
    free(name);
    struct sb_mount m[8];
    int n = jd_lang_mounts(l, m, 8);
    FUZZ_CHECK(n >= 0 && n <= 8, "%d mounts", n);
    char *srcs[] = {l->source_file, "extra.c", NULL};
    char **c = jd_expand_argv(l->compile_argv, srcs, "-O2 -g", "a b", 256 * 1024);
    char **r = jd_expand_argv(l->run_argv, srcs, NULL, "a b", 0);
    FUZZ_CHECK(c && r, "jd_expand_argv failed");
    jd_strv_free(c);
    jd_strv_free(r);
    struct jd_lang copy;
    FUZZ_CHECK(jd_lang_copy(&copy, l) == 0, "jd_lang_copy failed");
    FUZZ_CHECK(!strcmp(copy.id, l->id) && jd_strv_len(copy.run_argv) == jd_strv_len(l->run_argv),
               "copy differs");
    jd_lang_clear(&copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    struct jd_langs *ls = NULL;
    char err[512] = "";
    int rc = jd_langs_parse(text, &ls, err, sizeof err);
    free(text);
    if (rc < 0) {
        FUZZ_CHECK(err[0], "jd_langs_parse failed (%d) without a message", rc);
        FUZZ_CHECK(!ls, "table returned on failure");
        return 0;
    }
    for (size_t i = 0; i < ls->n; i++)
        use(ls, &ls->v[i]);
    jd_langs_free(ls);
    return 0;
}
