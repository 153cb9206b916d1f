/* test_judge_archive.c - the one extractor (judge/archive.c) against hostile
 * archives built in memory: sparse members whose apparent size dwarfs
 * their data, high-ratio members, traversal, links, devices, duplicates,
 * long and deep names, entry floods, tiny-file floods, other formats.
 * Every refusal is checked on disk too: the target is left empty, nothing
 * appears beside it, no big file exists. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "judge/judge.h"
#include "tests/test_judge_archive_util.h"


static char top[64], out[128];

/* top/a/out is the target: "../x" and "../../x" both land in top/ */
static void setup(void)
{
    snprintf(top, sizeof top, "/tmp/nsjudge-test-archive-XXXXXX");
    cr_assert(mkdtemp(top));
    snprintf(out, sizeof out, "%s/a", top);
    cr_assert_eq(mkdir(out, 0755), 0);
    snprintf(out, sizeof out, "%s/a/out", top);
    cr_assert_eq(mkdir(out, 0755), 0);
}

static void teardown(void)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
    if (!strncmp(top, "/tmp/nsjudge-test-archive-", 26))
        (void)!system(cmd);
}

static void limits(struct jd_archive_limits *l, uint64_t max_bytes, unsigned ratio)
{
    jd_archive_limits_init(l, max_bytes);
    l->max_ratio = ratio;
}

/* Refused with rc and a message containing want; nothing left anywhere. */
static void refused(const void *buf, size_t len, const struct jd_archive_limits *lim, int rc_want,
                    const char *want)
{
    char err[512] = "";
    int rc = jd_archive_extract(buf, len, out, lim, NULL, err, sizeof err);
    cr_assert_eq(rc, rc_want, "rc %d (want %d): %s", rc, rc_want, err);
    cr_assert(strstr(err, want), "message '%s' lacks '%s'", err, want);
    cr_assert_eq(tree_count(out), 0, "the target is not empty after a refusal (%s)", err);
    cr_assert_eq(tree_count(top), 2, "something was written beside the target (%s)", err);
    long long max_size, disk;
    tree_sizes(top, &max_size, &disk);
    cr_assert_lt(max_size, 1 << 20, "a file of %lld bytes is on disk", max_size);
    cr_log_info("refused (%zu-byte archive): %s", len, err);
}

static void accepted(const void *buf, size_t len, const struct jd_archive_limits *lim,
                     struct jd_archive_stats *st)
{
    char err[512] = "";
    int rc = jd_archive_extract(buf, len, out, lim, st, err, sizeof err);
    cr_assert_eq(rc, 0, "refused: %s", err);
}

static char *slurp(const char *rel, size_t *len)
{
    char p[300];
    snprintf(p, sizeof p, "%s/%s", out, rel);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char *b = calloc(1, 4096);
    *len = fread(b, 1, 4095, f);
    fclose(f);
    return b;
}

static mode_t mode_of(const char *rel)
{
    char p[300];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", out, rel);
    cr_assert_eq(lstat(p, &st), 0, "%s missing", rel);
    return st.st_mode;
}

static void empty_out(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir '%s'", out, out);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(archive, .init = setup, .fini = teardown);

/* The control: a real package lands whole, with sane modes. */
Test(archive, accepts_a_package)
{
    struct abuild b;
    ab_open(&b, AB_TGZ, 1 << 20);
    ab_dir(&b, "./");
    ab_file(&b, "./sum/problem.yaml", "name: Sum\n", 10, 0644);
    ab_file(&b, "sum//data/./secret/1.in", "1 2\n", 4, 0600);
    ab_file(&b, "sum/run.sh", "#!/bin/sh\n", 10, 04755);   /* setuid asked for */
    ab_dir(&b, "sum/data/");                                  /* after its files */
    ab_dir(&b, "sum/data/");                                  /* and twice */
    size_t len = ab_close(&b);
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    struct jd_archive_stats st;
    accepted(b.buf, len, &lim, &st);
    size_t n;
    char *s = slurp("sum/data/secret/1.in", &n);
    cr_assert(s && n == 4 && !memcmp(s, "1 2\n", 4));
    free(s);
    cr_assert_eq(mode_of("sum/run.sh") & 07777, 0755, "mode %o", mode_of("sum/run.sh") & 07777);
    cr_assert_eq(mode_of("sum/data/secret/1.in") & 07777, 0644);
    cr_assert_eq(st.files, 3);
    cr_assert_eq(st.bytes, 24);
    cr_assert_geq(st.dirs, 3);
    free(b.buf);

    /* the same as a zip */
    empty_out();
    ab_open(&b, AB_ZIP, 1 << 20);
    ab_dir(&b, "p/");
    ab_file(&b, "p/1.ans", "3\n", 2, 0644);
    len = ab_close(&b);
    accepted(b.buf, len, &lim, &st);
    s = slurp("p/1.ans", &n);
    cr_assert(s && n == 2 && !memcmp(s, "3\n", 2));
    free(s);
    free(b.buf);
}

/* The attack that was accepted: ~200 bytes of .tgz holding an old GNU
 * sparse .ans of 1 GiB apparent size (two bytes of data), written out as
 * a 1 GiB file because only data blocks were counted. */
Test(archive, gnu_sparse_member_counted_by_apparent_size)
{
    size_t len;
    char *tgz = gnu_sparse_tgz(1LL << 30, &len);
    cr_log_info("GNU sparse .tgz: %zu bytes for 1 GiB apparent", len);
    cr_assert_lt(len, 400);
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 256u << 20);
    refused(tgz, len, &lim, -EFBIG, "1073741836 bytes of apparent size");
    refused(tgz, len, &lim, -EFBIG, "times its");
    /* without the ratio check the absolute cap still holds */
    limits(&lim, 256u << 20, 0);
    refused(tgz, len, &lim, -EFBIG, "unpacks to more than 268435456 bytes");
    free(tgz);
}

/* The same through pax (GNU.sparse 1.0, the map inside the data). */
Test(archive, pax_sparse_member_counted_by_apparent_size)
{
    struct abuild b;
    ab_open(&b, AB_TGZ, 1 << 20);
    ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
    ab_sparse(&b, "data/secret/1.ans", "1\n", 2, 1LL << 30);
    size_t len = ab_close(&b);
    cr_log_info("pax sparse .tgz: %zu bytes for 1 GiB apparent", len);
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 256u << 20);
    refused(b.buf, len, &lim, -EFBIG, "times its");
    limits(&lim, 256u << 20, 0);
    refused(b.buf, len, &lim, -EFBIG, "unpacks to more than");
    free(b.buf);
}

/* A sparse member within the limits is written as counted; one past them
 * is refused although its data is two bytes. */
Test(archive, sparse_member_within_limits_lands_as_counted)
{
    struct jd_archive_limits lim;
    limits(&lim, 1 << 20, 0);
    struct abuild b;
    ab_open(&b, AB_TAR, 1 << 20);
    ab_sparse(&b, "s.ans", "1\n", 2, 65536);
    size_t len = ab_close(&b);
    struct jd_archive_stats st;
    accepted(b.buf, len, &lim, &st);
    cr_assert_eq(st.bytes, 65536);
    struct stat sst;
    char p[300];
    snprintf(p, sizeof p, "%s/s.ans", out);
    cr_assert_eq(stat(p, &sst), 0);
    cr_assert_eq(sst.st_size, 65536);
    free(b.buf);

    empty_out();
    ab_open(&b, AB_TAR, 1 << 20);
    ab_sparse(&b, "s.ans", "1\n", 2, 2 << 20);
    len = ab_close(&b);
    refused(b.buf, len, &lim, -EFBIG, "unpacks to more than 1048576 bytes");
    free(b.buf);
}

/* A zip bomb-ish member: 32 MiB of zeros deflate to ~32 KiB (1000:1). */
Test(archive, high_ratio_member_refused)
{
    size_t big = 32u << 20;
    char *zeros = calloc(1, big);
    cr_assert(zeros);
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 256u << 20);
    enum ab_kind kinds[] = {AB_ZIP, AB_TGZ};
    for (int k = 0; k < 2; k++) {
        struct abuild b;
        ab_open(&b, kinds[k], 4 << 20);
        ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
        ab_file(&b, "data/secret/1.ans", zeros, big, 0644);
        size_t len = ab_close(&b);
        cr_log_info("%s: %zu bytes for %zu unpacked (%.0f:1)", k ? "tgz" : "zip", len, big,
                    (double)big / (double)len);
        refused(b.buf, len, &lim, -EFBIG, "times its");
        refused(b.buf, len, &lim, -EFBIG, "likely archive bomb");
        free(b.buf);
    }
    /* as compressible but small: under the floor, so accepted */
    struct abuild b;
    ab_open(&b, AB_ZIP, 4 << 20);
    ab_file(&b, "1.ans", zeros, 1 << 20, 0644);
    size_t len = ab_close(&b);
    accepted(b.buf, len, &lim, NULL);
    free(b.buf);
    free(zeros);
}

Test(archive, path_traversal_refused)
{
    char abs_name[200];
    snprintf(abs_name, sizeof abs_name, "%s/x", top);
    const char *names[] = {"../x", "../../x", "./../../x", "sub/../../../x", "sub/./../..", abs_name, "/tmp/x-nsjudge-abs"};
    enum ab_kind kinds[] = {AB_TAR, AB_ZIP};
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            struct abuild b;
            ab_open(&b, kinds[k], 1 << 20);
            ab_file(&b, "ok.txt", "fine\n", 5, 0644);
            ab_file(&b, names[i], "escaped\n", 8, 0644);
            size_t len = ab_close(&b);
            refused(b.buf, len, &lim, -EINVAL, "unsafe path");
            cr_assert_neq(access(abs_name, F_OK), 0);
            cr_assert_neq(access("/tmp/x-nsjudge-abs", F_OK), 0);
            free(b.buf);
        }
}

Test(archive, links_refused)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    struct { int type; const char *name, *target; enum ab_kind kind; } v[] = {
        {AE_IFLNK, "evil.ans", "/etc/passwd", AB_TAR},
        {AE_IFLNK, "up", "..", AB_TAR},              /* then "up/x" would land beside */
        {AE_IFLNK, "evil.ans", "/etc/passwd", AB_ZIP},
        {'h', "hard.ans", "/etc/passwd", AB_TAR},
        {'h', "hard2.ans", "ok.txt", AB_TAR},        /* even to a member */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct abuild b;
        ab_open(&b, v[i].kind, 1 << 20);
        ab_file(&b, "ok.txt", "fine\n", 5, 0644);
        ab_special(&b, v[i].name, v[i].type, v[i].target);
        ab_file(&b, "up/x", "escaped\n", 8, 0644);
        size_t len = ab_close(&b);
        refused(b.buf, len, &lim, -EINVAL, v[i].type == 'h' ? "hard link" : "symbolic link");
        free(b.buf);
    }
}

Test(archive, devices_and_fifos_refused)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    int types[] = {AE_IFCHR, AE_IFBLK, AE_IFIFO};
    for (size_t i = 0; i < 3; i++) {
        struct abuild b;
        ab_open(&b, AB_TAR, 1 << 20);
        ab_file(&b, "ok.txt", "fine\n", 5, 0644);
        ab_special(&b, "data/secret/1.ans", types[i], NULL);
        size_t len = ab_close(&b);
        refused(b.buf, len, &lim, -EINVAL, "device, fifo or socket");
        free(b.buf);
    }
}

Test(archive, duplicates_and_file_dir_clashes_refused)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    struct abuild b;

    ab_open(&b, AB_TAR, 1 << 20);
    ab_file(&b, "1.ans", "3\n", 2, 0644);
    ab_file(&b, "./1.ans", "4\n", 2, 0644);   /* same member, other spelling */
    size_t len = ab_close(&b);
    refused(b.buf, len, &lim, -EEXIST, "appears twice");
    free(b.buf);

    ab_open(&b, AB_ZIP, 1 << 20);
    ab_file(&b, "1.ans", "3\n", 2, 0644);
    ab_file(&b, "1.ans", "4\n", 2, 0644);
    len = ab_close(&b);
    refused(b.buf, len, &lim, -EEXIST, "appears twice");
    free(b.buf);

    ab_open(&b, AB_TAR, 1 << 20);
    ab_file(&b, "1.ans", "3\n", 2, 0644);
    ab_dir(&b, "1.ans/");
    len = ab_close(&b);
    refused(b.buf, len, &lim, -EEXIST, "both a file and a directory");
    free(b.buf);

    ab_open(&b, AB_TAR, 1 << 20);
    ab_dir(&b, "1.ans/");
    ab_file(&b, "1.ans", "3\n", 2, 0644);
    len = ab_close(&b);
    refused(b.buf, len, &lim, -EEXIST, "as a file and a directory");
    free(b.buf);

    ab_open(&b, AB_TAR, 1 << 20);
    ab_file(&b, "data", "3\n", 2, 0644);
    ab_file(&b, "data/1.ans", "3\n", 2, 0644);
    len = ab_close(&b);
    refused(b.buf, len, &lim, -ENOTDIR, "a parent directory is also a file");
    free(b.buf);
}

Test(archive, long_and_deep_names_refused)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    char name[2200];
    struct abuild b;

    memset(name, 'c', 300);                        /* one component > NAME_MAX */
    name[300] = 0;
    ab_open(&b, AB_TAR, 1 << 20);
    ab_file(&b, name, "x", 1, 0644);
    size_t len = ab_close(&b);
    refused(b.buf, len, &lim, -ENAMETOOLONG, "name too long");
    free(b.buf);

    name[0] = 0;                                   /* 1250 bytes in 50-byte parts */
    for (int i = 0; i < 25; i++)
        strcat(name, "ddddddddddddddddddddddddddddddddddddddddddddddddd/");
    strcat(name, "f");
    ab_open(&b, AB_ZIP, 1 << 20);
    ab_file(&b, name, "x", 1, 0644);
    len = ab_close(&b);
    refused(b.buf, len, &lim, -ENAMETOOLONG, "name too long");
    free(b.buf);

    /* cut at 1023 bytes this would end in "/.." (components <= 255) */
    name[0] = 0;
    for (int i = 0; i < 4; i++) {
        size_t at = strlen(name), part = i ? 254 : 255;
        memset(name + at, 'e', part);
        strcpy(name + at + part, "/");
    }
    strcat(name, "..x/f");
    cr_assert_eq(strlen(name), 1026);
    ab_open(&b, AB_TAR, 1 << 20);
    ab_file(&b, name, "x", 1, 0644);
    len = ab_close(&b);
    refused(b.buf, len, &lim, -ENAMETOOLONG, "name too long");
    free(b.buf);

    name[0] = 0;                                   /* 40 levels in 81 bytes */
    for (int i = 0; i < 40; i++)
        strcat(name, "a/");
    strcat(name, "f");
    ab_open(&b, AB_TAR, 1 << 20);
    ab_file(&b, name, "x", 1, 0644);
    len = ab_close(&b);
    refused(b.buf, len, &lim, -EINVAL, "nested deeper than 32");
    free(b.buf);
}

Test(archive, too_many_entries_refused)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    cr_assert_eq(lim.max_entries, 20000);
    lim.max_entries = 50;
    for (int n = 50; n <= 51; n++) {
        struct abuild b;
        ab_open(&b, AB_TGZ, 1 << 20);
        for (int i = 0; i < n; i++) {
            char name[32];
            snprintf(name, sizeof name, "t/%03d.in", i);
            ab_file(&b, name, "", 0, 0644);
        }
        size_t len = ab_close(&b);
        if (n == 50) {
            struct jd_archive_stats st;
            accepted(b.buf, len, &lim, &st);
            cr_assert_eq(st.files, 50);
            empty_out();
        } else {
            refused(b.buf, len, &lim, -E2BIG, "more than 50 entries");
        }
        free(b.buf);
    }
}

/* Small files cost a block each: what lands on disk is counted too. */
Test(archive, tiny_file_flood_counted_on_disk)
{
    /* the block one 1-byte file takes here */
    char p[300];
    snprintf(p, sizeof p, "%s/probe", top);
    int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    cr_assert(fd >= 0 && write(fd, "x", 1) == 1);
    fsync(fd);
    struct stat st;
    cr_assert_eq(fstat(fd, &st), 0);
    close(fd);
    unlink(p);
    long long block = (long long)st.st_blocks * 512;
    if (block == 0)
        cr_skip_test("this filesystem keeps one-byte files in the inode (no blocks to count)");
    struct jd_archive_limits lim;
    limits(&lim, 1 << 20, 0);
    int n = (int)((1 << 20) / block) + 8;
    struct abuild b;
    ab_open(&b, AB_TGZ, 4 << 20);
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%04d", i);
        ab_file(&b, name, "x", 1, 0644);
    }
    size_t len = ab_close(&b);
    cr_log_info("%d one-byte files, %lld bytes each on disk, in %zu bytes of tgz", n, block, len);
    refused(b.buf, len, &lim, -EFBIG, "bytes on disk");
    free(b.buf);
}

/* Only tar and zip, through library filters: cpio, uuencode and an mtree
 * text (which names host files) are not unpacked. */
Test(archive, other_formats_refused)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    enum ab_kind kinds[] = {AB_CPIO, AB_TAR_UU};
    for (int k = 0; k < 2; k++) {
        struct abuild b;
        ab_open(&b, kinds[k], 1 << 20);
        ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
        size_t len = ab_close(&b);
        refused(b.buf, len, &lim, -EINVAL, "not a readable archive");
        free(b.buf);
    }
    const char *mtree = "#mtree\nproblem.yaml type=file size=20 contents=/etc/hostname\n";
    refused(mtree, strlen(mtree), &lim, -EINVAL, "not a readable archive");
    refused("definitely not an archive", 25, &lim, -EINVAL, "not a readable archive");
}

Test(archive, names_in_messages_are_printable)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    struct abuild b;
    ab_open(&b, AB_TAR, 1 << 20);
    ab_file(&b, "\x1b]0;owned\x07\x1b[2J/../x", "x", 1, 0644);
    size_t len = ab_close(&b);
    char err[512] = "";
    cr_assert_eq(jd_archive_extract(b.buf, len, out, &lim, NULL, err, sizeof err), -EINVAL);
    for (const char *c = err; *c; c++)
        cr_assert((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f, "raw byte 0x%02x in: %s",
                  (unsigned char)*c, err);
    cr_assert(strstr(err, "unsafe path"), "%s", err);
    free(b.buf);
}

/* The caller's files are never part of the cleanup: a target with
 * something in it is refused before anything is written. */
Test(archive, target_must_be_empty)
{
    char p[300];
    snprintf(p, sizeof p, "%s/mine", out);
    int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    cr_assert(fd >= 0);
    close(fd);
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    struct abuild b;
    ab_open(&b, AB_TAR, 1 << 20);
    ab_file(&b, "x", "x", 1, 0644);
    size_t len = ab_close(&b);
    char err[512];
    cr_assert_eq(jd_archive_extract(b.buf, len, out, &lim, NULL, err, sizeof err), -ENOTEMPTY);
    cr_assert_eq(access(p, F_OK), 0);
    cr_assert_eq(tree_count(out), 1);
    free(b.buf);
}

/* additional_files of a submission go through the same checks. */
Test(archive, additional_files_use_the_same_checks)
{
    size_t len;
    char *tgz = gnu_sparse_tgz(1LL << 30, &len);
    char err[512] = "";
    int rc = jd_extract_zip(tgz, len, out, err, sizeof err);
    cr_assert_eq(rc, -EFBIG, "rc %d: %s", rc, err);
    cr_assert(strstr(err, "additional_files: archive expands more than"), "%s", err);
    cr_assert_eq(tree_count(out), 0);
    free(tgz);
    struct abuild b;
    ab_open(&b, AB_ZIP, 1 << 20);
    ab_special(&b, "link", AE_IFLNK, "/etc/shadow");
    size_t n = ab_close(&b);
    cr_assert_eq(jd_extract_zip(b.buf, n, out, err, sizeof err), -EINVAL);
    cr_assert(strstr(err, "symbolic link"), "%s", err);
    cr_assert_eq(tree_count(out), 0);
    free(b.buf);
}

/* Data the extractor does not read is skipped by decompressing it, so an
 * entry that is not a file must carry none: a GNU dumpdir ('D') is a
 * directory with data (a few hundred bytes of .tar.bz2 can hold
 * terabytes of it). A regular file named "." has nowhere to go. */
Test(archive, directory_with_data_and_nameless_file_refused)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, 1 << 20);
    size_t len;
    char *tgz = gnu_typed_tgz('D', "d/", 4096, &len);
    refused(tgz, len, &lim, -EINVAL, "directory that carries 4096 bytes");
    free(tgz);
    tgz = gnu_typed_tgz('0', ".", 4096, &len);
    refused(tgz, len, &lim, -EINVAL, "file without a name");
    free(tgz);
    /* the control: the same tar with a plain file there is fine */
    tgz = gnu_typed_tgz('0', "d/f", 4096, &len);
    accepted(tgz, len, &lim, NULL);
    free(tgz);
}
