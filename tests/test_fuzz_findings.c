/*
 * test_fuzz_findings.c - one test per bug the fuzz targets (tests/fuzz/)
 * found, with the input that showed it (the input also sits in
 * testdata/fuzz/TARGET/, so `make test` replays it under the sanitizers).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "judge/internal.h"
#include "server/problem_archive.h"
#include "tests/test_server.h"

static const char *const form_ct[] = {"Content-Type: application/x-www-form-urlencoded", NULL};

/* form_body target: form values skip the JSON parser's UTF-8 check, so
 * compiler_options=-O%F2 was stored and every later GET of the submission
 * answered 500 (json_string refuses the bytes). Now it is a 422. */
Test(fuzz_findings, form_value_not_utf8_is_refused, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    static const char *const bad[] = {
        "source_code=x&language_id=50&compiler_options=-O%F2",
        "source_code=x&language_id=50&command_line_arguments=%C3",
        "source_code=x&language_id=50&callback_url=http://h/%ED%A0%80",   /* a UTF-16 surrogate */
    };
    static const char *const field[] = {"compiler_options", "command_line_arguments", "callback_url"};
    for (size_t i = 0; i < 3; i++) {
        struct hresp r = http(&s, "POST", "/submissions", bad[i], strlen(bad[i]), form_ct);
        cr_assert_eq(r.code, 422, "%s -> %ld %s", bad[i], r.code, r.body);
        json_t *msgs = json_object_get(r.json, field[i]);
        cr_assert(json_is_array(msgs) && strstr(json_string_value(json_array_get(msgs, 0)), "UTF-8"),
                  "%s", r.body);
        hresp_free(&r);
    }
    /* the same post with UTF-8 is taken, and its GET renders */
    const char *good = "source_code=x&language_id=50&compiler_options=-DNAME=%C3%A9";
    struct hresp r = http(&s, "POST", "/submissions", good, strlen(good), form_ct);
    cr_assert_eq(r.code, 201, "%s", r.body);
    char path[128];
    snprintf(path, sizeof path, "/submissions/%s?fields=*", jstr(r.json, "token"));
    hresp_free(&r);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "compiler_options"), "-DNAME=\xc3\xa9");
    hresp_free(&r);
    srv_cleanup(&s);
}

/* A zip in memory: (name, content or NULL for a directory) pairs. */
static void *make_zip(const char *const *entries, size_t n, size_t *len)
{
    size_t cap = 1 << 16;
    void *buf = malloc(cap);
    struct archive *a = archive_write_new();
    cr_assert(buf && a);
    cr_assert_eq(archive_write_set_format_zip(a), ARCHIVE_OK);
    cr_assert_eq(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
    for (size_t i = 0; i < n; i += 2) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, entries[i]);
        archive_entry_set_filetype(e, entries[i + 1] ? AE_IFREG : AE_IFDIR);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, entries[i + 1] ? (la_int64_t)strlen(entries[i + 1]) : 0);
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
        if (entries[i + 1])
            archive_write_data(a, entries[i + 1], strlen(entries[i + 1]));
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    return buf;
}

/* archive target: a file entry with the name of a directory already
 * unpacked was "extracted" (libarchive's NO_OVERWRITE keeps the old one)
 * but its mode was applied: data/ became 0644, and nobody but root could
 * enter it. Same for a file named twice (the second mode won). Refused now. */
Test(fuzz_findings, problem_archive_path_twice_is_refused)
{
    static const char *const dir_then_file[] = {
        "problem.yaml", "name: x\n", "data/secret/1.in", "1\n", "data/secret/1.ans", "1\n", "data", "",
    };
    static const char *const file_twice[] = {"run.sh", "echo one\n", "run.sh", "echo two\n"};
    static const char *const dir_twice[] = {"data/", NULL, "data/1.in", "1\n", "data/", NULL};
    struct { const char *const *e; size_t n; int want; } cases[] = {
        {dir_then_file, 8, -EINVAL}, {file_twice, 4, -EINVAL}, {dir_twice, 6, 0},
    };
    for (size_t i = 0; i < 3; i++) {
        size_t len = 0;
        void *zip = make_zip(cases[i].e, cases[i].n, &len);
        char *dest = NULL, err[512] = "";
        cr_assert_eq(jd_mkdtemp(NULL, "nsjudge-test-archive", &dest), 0);
        int rc = srv_archive_extract(zip, len, dest, 1 << 20, err, sizeof err);
        cr_assert_eq(rc, cases[i].want, "case %zu: rc %d (%s)", i, rc, err);
        if (rc)
            cr_assert(strstr(err, "appears twice"), "case %zu: %s", i, err);
        char *data = jd_path_join(dest, "data");
        struct stat st;
        if (stat(data, &st) == 0)
            cr_assert(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755, "case %zu: data/ has mode %o",
                      i, (unsigned)st.st_mode & 0777);
        free(data);
        jd_rm_rf(dest);
        free(dest);
        free(zip);
    }
}

/* Reading srv_archive_extract for the fuzz target: an entry name longer
 * than its 1 KiB copy was cut, so a different (shorter) path was written. */
Test(fuzz_findings, problem_archive_long_name_is_refused)
{
    char name[1500] = "";
    while (strlen(name) + 101 < sizeof name)
        strcat(name, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/");
    strcat(name, "x.in");
    const char *const entries[] = {name, "1\n"};
    size_t len = 0;
    void *zip = make_zip(entries, 2, &len);
    char *dest = NULL, err[512] = "";
    cr_assert_eq(jd_mkdtemp(NULL, "nsjudge-test-archive", &dest), 0);
    int rc = srv_archive_extract(zip, len, dest, 1 << 20, err, sizeof err);
    cr_assert_eq(rc, -ENAMETOOLONG, "rc %d (%s)", rc, err);
    jd_rm_rf(dest);
    free(dest);
    free(zip);
}
