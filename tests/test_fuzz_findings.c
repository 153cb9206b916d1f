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
#include "judge/judge.h"


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
/* An uploaded package goes through the one extractor with the service's
 * limits (1 MiB here). */
static int extract(const void *zip, size_t len, const char *dest, char *err, size_t errlen)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    return jd_archive_extract(zip, len, dest, &lim, NULL, err, errlen);
}

Test(fuzz_findings, problem_archive_path_twice_is_refused)
{
    static const char *const dir_then_file[] = {
        "problem.yaml", "name: x\n", "data/secret/1.in", "1\n", "data/secret/1.ans", "1\n", "data", "",
    };
    static const char *const file_twice[] = {"run.sh", "echo one\n", "run.sh", "echo two\n"};
    static const char *const dir_twice[] = {"data/", NULL, "data/1.in", "1\n", "data/", NULL};
    struct { const char *const *e; size_t n; int want; } cases[] = {
        {dir_then_file, 8, -EEXIST}, {file_twice, 4, -EEXIST}, {dir_twice, 6, 0},
    };
    for (size_t i = 0; i < 3; i++) {
        size_t len = 0;
        void *zip = make_zip(cases[i].e, cases[i].n, &len);
        char *dest = NULL, err[512] = "";
        cr_assert_eq(jd_mkdtemp(NULL, "nsjudge-test-archive", &dest), 0);
        int rc = extract(zip, len, dest, err, sizeof err);
        cr_log_info("case %zu: rc %d (%s)", i, rc, err);
        cr_assert_eq(rc, cases[i].want, "case %zu: rc %d (%s)", i, rc, err);
        char *data = jd_path_join(dest, "data");
        struct stat st;
        if (stat(data, &st) == 0)
            cr_assert(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755, "case %zu: data/ has mode %o",
                      i, (unsigned)st.st_mode & 0777);
        free(data);
        sb_rm_rf(dest);
        free(dest);
        free(zip);
    }
}

/* Reading the old package extractor for the fuzz target: an entry name
 * longer than its 1 KiB copy was cut, so a different (shorter) path was
 * written. The one extractor refuses such names. */
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
    int rc = extract(zip, len, dest, err, sizeof err);
    cr_assert_lt(rc, 0, "a name over 1 KiB was unpacked (%s)", err);
    cr_assert(sb_rm_rf(dest) == 0 && mkdir(dest, 0755) == 0);
    sb_rm_rf(dest);
    free(dest);
    free(zip);
}
