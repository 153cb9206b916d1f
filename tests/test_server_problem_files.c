/* test_server_problem_files.c - uploaded packages on the server's disk,
 * through the real service: hostile uploads leave nothing behind, DELETE
 * and a replacing upload remove the old copy (and only ours, never through
 * a symlink), and a package replaced or deleted while a submission is
 * judged on it stays until that judge is done. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "tests/test_judge_archive_util.h"
#include "tests/test_server.h"

static const char *const TGZ[] = {"Content-Type: application/gzip", NULL};

static void problems_dir(struct srv *s, char *out, size_t len)
{
    snprintf(out, len, "%s/data/problems", s->dir);
}

/* POST an archive as problem id; returns the HTTP code, *msg the error. */
static long upload(struct srv *s, const char *method, const char *id, const char *buf, size_t len,
                   char *path_out, size_t path_len, char *msg, size_t msg_len)
{
    char url[200];
    if (!strcmp(method, "PUT"))
        snprintf(url, sizeof url, "/problems/%s", id);
    else
        snprintf(url, sizeof url, "/problems?id=%s", id);
    struct hresp r = http(s, method, url, buf, len, TGZ);
    long code = r.code;
    if (path_out)
        snprintf(path_out, path_len, "%s", jstr(r.json, "path") ? jstr(r.json, "path") : "");
    if (msg)
        snprintf(msg, msg_len, "%s", jstr(r.json, "error") ? jstr(r.json, "error") : (r.body ? r.body : ""));
    hresp_free(&r);
    return code;
}

/* The upload directory (DATA/problems/ID-XXXXXXXX) a registration's path lies in. */
static void upload_dir(struct srv *s, const char *path, char *out, size_t len)
{
    char base[300];
    problems_dir(s, base, sizeof base);
    size_t n = strlen(base);
    cr_assert(!strncmp(path, base, n) && path[n] == '/', "%s is not under %s", path, base);
    const char *slash = strchr(path + n + 1, '/');
    snprintf(out, len, "%.*s", (int)(slash ? (size_t)(slash - path) : strlen(path)), path);
}

static bool exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static void refused_upload(struct srv *s, const char *what, const char *buf, size_t len, const char *want)
{
    char msg[600], base[300];
    long code = upload(s, "POST", "evil", buf, len, NULL, 0, msg, sizeof msg);
    cr_assert_eq(code, 422, "%s: %ld %s", what, code, msg);
    cr_assert(strstr(msg, want), "%s: '%s' lacks '%s'", what, msg, want);
    problems_dir(s, base, sizeof base);
    long n = tree_count(base);
    cr_assert(n <= 0, "%s: %ld entries left under %s", what, n, base);
    long long max_size, disk;
    char data[300];
    snprintf(data, sizeof data, "%s/data", s->dir);
    tree_sizes(data, &max_size, &disk);
    cr_assert_lt(max_size, 16 << 20, "%s: a %lld-byte file is in the data dir", what, max_size);
    cr_log_info("%s (%zu bytes): 422 %s", what, len, msg);
}

Test(server_problem_files, hostile_uploads_leave_nothing, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 0, NULL);
    size_t len;
    /* the 1 GiB .ans in a ~200-byte .tgz that used to be written out */
    char *tgz = gnu_sparse_tgz(1LL << 30, &len);
    refused_upload(&s, "GNU sparse 1 GiB", tgz, len, "apparent size");
    free(tgz);

    struct abuild b;
    ab_open(&b, AB_TGZ, 1 << 20);
    ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
    ab_sparse(&b, "data/secret/1.ans", "1\n", 2, 1LL << 30);
    len = ab_close(&b);
    refused_upload(&s, "pax sparse 1 GiB", b.buf, len, "apparent size");
    free(b.buf);

    size_t big = 64u << 20;
    char *zeros = calloc(1, big);
    cr_assert(zeros);
    ab_open(&b, AB_ZIP, 1 << 20);
    ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
    ab_file(&b, "data/secret/1.ans", zeros, big, 0644);
    len = ab_close(&b);
    free(zeros);
    refused_upload(&s, "64 MiB of zeros in a zip", b.buf, len, "likely archive bomb");
    free(b.buf);

    ab_open(&b, AB_TGZ, 1 << 20);
    ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
    ab_special(&b, "data/sample/1.ans", AE_IFLNK, "/etc/shadow");
    len = ab_close(&b);
    refused_upload(&s, "symlink to /etc/shadow", b.buf, len, "symbolic link");
    free(b.buf);

    ab_open(&b, AB_TGZ, 1 << 20);
    ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
    ab_special(&b, "data/sample/1.ans", 'h', "/etc/shadow");
    len = ab_close(&b);
    refused_upload(&s, "hard link to /etc/shadow", b.buf, len, "hard link");
    free(b.buf);

    ab_open(&b, AB_TGZ, 1 << 20);
    ab_file(&b, "../../escaped.txt", "x", 1, 0644);
    len = ab_close(&b);
    refused_upload(&s, "traversal", b.buf, len, "unsafe path");
    free(b.buf);
    char p[400];
    snprintf(p, sizeof p, "%s/escaped.txt", s.dir);
    cr_assert(!exists(p));

    ab_open(&b, AB_TGZ, 1 << 20);
    ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
    ab_special(&b, "data/sample/1.in", AE_IFCHR, NULL);
    len = ab_close(&b);
    refused_upload(&s, "device node", b.buf, len, "device");
    free(b.buf);

    ab_open(&b, AB_TGZ, 1 << 20);
    ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
    ab_file(&b, "problem.yaml", "name: y\n", 8, 0644);
    len = ab_close(&b);
    refused_upload(&s, "duplicate", b.buf, len, "appears twice");
    free(b.buf);

    ab_open(&b, AB_TGZ, 1 << 20);
    ab_file(&b, "data", "x", 1, 0644);
    ab_file(&b, "data/secret/1.in", "1 2\n", 4, 0644);
    len = ab_close(&b);
    refused_upload(&s, "a file as a parent directory", b.buf, len, "also a file");
    free(b.buf);

    /* a directory named like an answer file: unpacked, then the loader
     * finds no answer and the upload is refused and removed */
    ab_open(&b, AB_TGZ, 1 << 20);
    ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
    ab_file(&b, "data/secret/1.in", "1 2\n", 4, 0644);
    ab_dir(&b, "data/secret/1.ans/");
    len = ab_close(&b);
    refused_upload(&s, "directory named 1.ans", b.buf, len, "no answer file");
    free(b.buf);

    ab_open(&b, AB_TGZ, 1 << 20);
    ab_dir(&b, "empty/");
    len = ab_close(&b);
    refused_upload(&s, "no files", b.buf, len, "no files");
    free(b.buf);

    struct hresp r = http(&s, "GET", "/problems", NULL, 0, NULL);
    cr_assert_eq(json_array_size(json_object_get(r.json, "problems")), 0, "%s", r.body);
    hresp_free(&r);
    srv_cleanup(&s);
}

Test(server_problem_files, delete_and_replace_leave_no_copy, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 0, NULL);
    char base[300], path1[600], path2[600], dir1[600], dir2[600], msg[600];
    problems_dir(&s, base, sizeof base);
    size_t len;
    char *tgz = sum_package_tgz("sum/", 5, 0, &len);
    cr_assert_eq(upload(&s, "POST", "sum", tgz, len, path1, sizeof path1, msg, sizeof msg), 201, "%s", msg);
    upload_dir(&s, path1, dir1, sizeof dir1);
    cr_assert(strstr(path1, "/sum"), "package root is the archive's subdirectory: %s", path1);
    cr_assert_eq(tree_count(base) > 0, 1);

    /* uploaded again under the same id: the first copy goes */
    cr_assert_eq(upload(&s, "PUT", "sum", tgz, len, path2, sizeof path2, msg, sizeof msg), 200, "%s", msg);
    upload_dir(&s, path2, dir2, sizeof dir2);
    cr_assert_str_neq(dir1, dir2);
    cr_assert(!exists(dir1), "the replaced upload %s is still on disk", dir1);
    cr_assert(exists(path2));

    /* what a crash may leave, and what is not ours: an unregistered
     * ID-XXXXXXXX dir goes (without following the link inside it); a
     * symlink with such a name, and other names, stay untouched */
    char victim[400], p[700];
    snprintf(victim, sizeof victim, "%s/victim", s.dir);
    cr_assert_eq(mkdir(victim, 0755), 0);
    snprintf(p, sizeof p, "%s/precious", victim);
    FILE *f = fopen(p, "w");
    cr_assert(f);
    fputs("keep me\n", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/orphan-0123abcd", base);
    cr_assert_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/orphan-0123abcd/link", base);
    cr_assert_eq(symlink(victim, p), 0);
    snprintf(p, sizeof p, "%s/trap-0000000a", base);
    cr_assert_eq(symlink(victim, p), 0);
    snprintf(p, sizeof p, "%s/not-ours", base);
    cr_assert_eq(mkdir(p, 0755), 0);

    struct hresp r = http(&s, "DELETE", "/problems/sum", NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    hresp_free(&r);
    cr_assert(!exists(dir2), "DELETE left %s behind", dir2);
    snprintf(p, sizeof p, "%s/orphan-0123abcd", base);
    cr_assert(!exists(p), "an unregistered upload dir was not swept");
    snprintf(p, sizeof p, "%s/trap-0000000a", base);
    cr_assert(exists(p), "a symlink named like an upload was removed");
    snprintf(p, sizeof p, "%s/not-ours", base);
    cr_assert(exists(p));
    snprintf(p, sizeof p, "%s/precious", victim);
    cr_assert(exists(p), "the sweep followed a symlink");
    cr_assert_eq(tree_count(base), 2, "left under %s: other than not-ours and the trap link", base);

    /* a package at the archive's top level: its directory is the root */
    free(tgz);
    tgz = sum_package_tgz("", 2, 0, &len);
    cr_assert_eq(upload(&s, "POST", "flat", tgz, len, path1, sizeof path1, msg, sizeof msg), 201, "%s", msg);
    upload_dir(&s, path1, dir1, sizeof dir1);
    cr_assert_str_eq(dir1, path1);
    r = http(&s, "DELETE", "/problems/flat", NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    hresp_free(&r);
    cr_assert(!exists(dir1));
    r = http(&s, "DELETE", "/problems/flat", NULL, 0, NULL);
    cr_assert_eq(r.code, 404, "%s", r.body);
    hresp_free(&r);
    free(tgz);
    srv_cleanup(&s);
}

/* Another process judging on a package (an `nsjudge worker` on the same
 * host) holds it the same way: a shared flock on its directory. Here the
 * test process takes it; DELETE must leave the directory, and the next
 * sweep after the hold ends removes it. */
Test(server_problem_files, a_hold_from_another_process_defers_removal, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 0, NULL);
    char path[600], dir[600], msg[600];
    size_t len;
    char *tgz = sum_package_tgz("sum/", 2, 0, &len);
    cr_assert_eq(upload(&s, "POST", "sum", tgz, len, path, sizeof path, msg, sizeof msg), 201, "%s", msg);
    upload_dir(&s, path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cr_assert(fd >= 0);
    cr_assert_eq(flock(fd, LOCK_SH), 0);
    struct hresp r = http(&s, "DELETE", "/problems/sum", NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    hresp_free(&r);
    cr_assert(exists(path), "a held package was removed");
    close(fd);
    /* any later upload or delete sweeps it */
    cr_assert_eq(upload(&s, "POST", "other", tgz, len, NULL, 0, msg, sizeof msg), 201, "%s", msg);
    cr_assert(!exists(dir), "the released package was not swept");
    free(tgz);
    srv_cleanup(&s);
}

#define SUM_SLOW "#include <stdio.h>\n#include <unistd.h>\nint main(void){long a,b;usleep(300000);scanf(\"%ld %ld\",&a,&b);printf(\"%ld\\n\",a+b);return 0;}\n"

/* Submits SUM_SLOW to problem sum and waits until it is judging (some but
 * not all tests done). Returns the token. */
static char *start_slow(struct srv *s, int total)
{
    json_t *b = json_pack("{s:i, s:s, s:s}", "language_id", 50, "source_code", SUM_SLOW, "problem_id", "sum");
    char *tok = submit(s, b);
    char path[200];
    snprintf(path, sizeof path, "/submissions/%s?fields=status,tests", tok);
    for (int k = 0; k < 1500; k++) {
        struct hresp r = http(s, "GET", path, NULL, 0, NULL);
        int st = status_id(r.json);
        size_t nt = json_array_size(json_object_get(r.json, "tests"));
        hresp_free(&r);
        if (st == 2 && nt >= 1 && nt + 2 < (size_t)total)
            return tok;
        cr_assert(st <= 2, "the job ended before it could be caught judging");
        usleep(20000);
    }
    cr_assert_fail("the job never showed partial results");
    return NULL;
}

static void wait_gone(const char *p)
{
    for (int i = 0; i < 100 && exists(p); i++)
        usleep(50000);
    cr_assert(!exists(p), "%s is still on disk after its last judge ended", p);
}

Test(server_problem_files, judged_while_replaced_then_deleted, .timeout = 300)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    char base[300], path1[600], path2[600], dir1[600], dir2[600], msg[600];
    problems_dir(&s, base, sizeof base);
    const int secret = 8, total = secret + 1;
    size_t len;
    char *tgz = sum_package_tgz("sum/", secret, 0, &len);
    cr_assert_eq(upload(&s, "POST", "sum", tgz, len, path1, sizeof path1, msg, sizeof msg), 201, "%s", msg);
    free(tgz);
    upload_dir(&s, path1, dir1, sizeof dir1);

    /* replaced while judged: the judge finishes on the old package (all
     * its tests, all accepted), then the old copy goes */
    char *tok = start_slow(&s, total);
    tgz = sum_package_tgz("sum/", secret, 1, &len);   /* every answer off by one */
    cr_assert_eq(upload(&s, "PUT", "sum", tgz, len, path2, sizeof path2, msg, sizeof msg), 200, "%s", msg);
    free(tgz);
    upload_dir(&s, path2, dir2, sizeof dir2);
    cr_assert(exists(path1), "the package being judged was removed at once");
    json_t *d = wait_done(&s, tok, 120);
    cr_assert_eq(status_id(d), 3, "judged on a half-removed package? %s", json_dumps(d, 0));
    cr_assert_eq(json_array_size(json_object_get(d, "tests")), (size_t)total, "%s", json_dumps(d, 0));
    json_decref(d);
    free(tok);
    wait_gone(dir1);
    cr_assert(exists(path2));

    /* deleted while judged: the judge finishes on it (the new answers are
     * off by one: WA, not an internal error), then it goes */
    tok = start_slow(&s, total);
    struct hresp r = http(&s, "DELETE", "/problems/sum", NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    hresp_free(&r);
    cr_assert(exists(path2), "the package being judged was removed at once");
    d = wait_done(&s, tok, 120);
    cr_assert_eq(status_id(d), 4, "%s", json_dumps(d, 0));
    cr_assert_str_eq(jstr(d, "verdict"), "WA");
    json_decref(d);
    free(tok);
    wait_gone(dir2);
    cr_assert_eq(tree_count(base), 0);
    srv_cleanup(&s);
}
