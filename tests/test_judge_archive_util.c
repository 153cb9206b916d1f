/* test_judge_archive_util.c - hostile archives built in memory (see test_judge_archive_util.h). */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <archive.h>
#include <archive_entry.h>
#include "tests/test_judge_archive_util.h"

void ab_open(struct abuild *b, enum ab_kind kind, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
    b->buf = malloc(cap);
    cr_assert(b->buf);
    b->a = archive_write_new();
    cr_assert(b->a);
    switch (kind) {
    case AB_ZIP: archive_write_set_format_zip(b->a); break;
    case AB_CPIO: archive_write_set_format_cpio_newc(b->a); break;
    default: archive_write_set_format_pax_restricted(b->a); break;
    }
    if (kind == AB_TGZ)
        archive_write_add_filter_gzip(b->a);
    if (kind == AB_TAR_UU)
        archive_write_add_filter_uuencode(b->a);
    /* no padding to 10 KiB records: the archive's size is its content */
    archive_write_set_bytes_per_block(b->a, kind == AB_ZIP ? 0 : 512);
    cr_assert_eq(archive_write_open_memory(b->a, b->buf, cap, &b->used), ARCHIVE_OK, "%s",
                 archive_error_string(b->a));
}

static struct archive_entry *entry(const char *name, int type, mode_t perm, int64_t size)
{
    struct archive_entry *e = archive_entry_new();
    cr_assert(e);
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, (unsigned)type);
    archive_entry_set_perm(e, perm);
    archive_entry_set_size(e, size);
    archive_entry_set_mtime(e, 1700000000, 0);
    return e;
}

void ab_file(struct abuild *b, const char *name, const void *data, size_t len, mode_t perm)
{
    struct archive_entry *e = entry(name, AE_IFREG, perm, (int64_t)len);
    cr_assert_eq(archive_write_header(b->a, e), ARCHIVE_OK, "%s", archive_error_string(b->a));
    if (len)
        cr_assert_eq(archive_write_data(b->a, data, len), (la_ssize_t)len, "%s", archive_error_string(b->a));
    archive_entry_free(e);
}

void ab_dir(struct abuild *b, const char *name)
{
    struct archive_entry *e = entry(name, AE_IFDIR, 0755, 0);
    cr_assert_eq(archive_write_header(b->a, e), ARCHIVE_OK, "%s", archive_error_string(b->a));
    archive_entry_free(e);
}

void ab_special(struct abuild *b, const char *name, int type, const char *target)
{
    struct archive_entry *e = entry(name, type == 'h' ? (int)AE_IFREG : type, 0644, 0);
    if (type == 'h')
        archive_entry_set_hardlink(e, target);
    else if (type == AE_IFLNK)
        archive_entry_set_symlink(e, target);
    else if (type == AE_IFCHR || type == AE_IFBLK)
        archive_entry_set_rdev(e, makedev(1, 3));
    cr_assert_eq(archive_write_header(b->a, e), ARCHIVE_OK, "%s", archive_error_string(b->a));
    archive_entry_free(e);
}

void ab_sparse(struct abuild *b, const char *name, const void *data, size_t len, int64_t apparent)
{
    struct archive_entry *e = entry(name, AE_IFREG, 0644, apparent);
    archive_entry_sparse_add_entry(e, 0, (int64_t)len);
    cr_assert_eq(archive_write_header(b->a, e), ARCHIVE_OK, "%s", archive_error_string(b->a));
    cr_assert_eq(archive_write_data(b->a, data, len), (la_ssize_t)len, "%s", archive_error_string(b->a));
    archive_entry_free(e);
}

size_t ab_close(struct abuild *b)
{
    cr_assert_eq(archive_write_close(b->a), ARCHIVE_OK, "%s", archive_error_string(b->a));
    archive_write_free(b->a);
    b->a = NULL;
    return b->used;
}

/* ---- GNU tar by hand: old sparse members ('S') ---------------------------- */

static void octal(char *field, size_t width, uint64_t v)
{
    snprintf(field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

/* A GNU header (magic "ustar  "); sparse map and realsize for type 'S'. */
static void gnu_header(char h[512], const char *name, char type, uint64_t size, uint64_t realsize,
                       uint64_t sp_off, uint64_t sp_len)
{
    memset(h, 0, 512);
    snprintf(h, 100, "%s", name);
    octal(h + 100, 8, 0644);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, size);
    octal(h + 136, 12, 1700000000);
    h[156] = type;
    memcpy(h + 257, "ustar  ", 8);
    if (type == 'S') {
        octal(h + 386, 12, sp_off);
        octal(h + 398, 12, sp_len);
        octal(h + 483, 12, realsize);
    }
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += (unsigned char)h[i];
    snprintf(h + 148, 8, "%06o", sum);
}

static size_t gnu_member(char *out, const char *name, const char *data, size_t len)
{
    gnu_header(out, name, '0', len, 0, 0, 0);
    memset(out + 512, 0, (len + 511) / 512 * 512);
    memcpy(out + 512, data, len);
    return 512 + (len + 511) / 512 * 512;
}

/* gzip of raw bytes, through libarchive's "raw" format */
static char *gzip_bytes(const char *data, size_t len, size_t *out_len)
{
    struct abuild b;
    memset(&b, 0, sizeof b);
    b.cap = len + 65536;
    b.buf = malloc(b.cap);
    cr_assert(b.buf);
    b.a = archive_write_new();
    archive_write_set_format_raw(b.a);
    archive_write_add_filter_gzip(b.a);
    archive_write_set_bytes_per_block(b.a, 0);
    cr_assert_eq(archive_write_open_memory(b.a, b.buf, b.cap, &b.used), ARCHIVE_OK);
    struct archive_entry *e = entry("raw", AE_IFREG, 0644, (int64_t)len);
    cr_assert_eq(archive_write_header(b.a, e), ARCHIVE_OK, "%s", archive_error_string(b.a));
    cr_assert_eq(archive_write_data(b.a, data, len), (la_ssize_t)len);
    archive_entry_free(e);
    *out_len = ab_close(&b);
    return b.buf;
}

char *gnu_sparse_tgz(int64_t apparent, size_t *len)
{
    char tar[8192];
    size_t n = 0;
    n += gnu_member(tar + n, "problem.yaml", "name: big\n", 10);
    n += gnu_member(tar + n, "data/secret/1.in", "1\n", 2);
    /* one 512-byte data block holds the 2 bytes of the map's only region */
    gnu_header(tar + n, "data/secret/1.ans", 'S', 512, (uint64_t)apparent, 0, 2);
    n += 512;
    memset(tar + n, 0, 512);
    memcpy(tar + n, "1\n", 2);
    n += 512;
    memset(tar + n, 0, 1024);
    n += 1024;
    return gzip_bytes(tar, n, len);
}

char *gnu_typed_tgz(char type, const char *name, size_t data_len, size_t *len)
{
    size_t cap = 4096 + (data_len + 511) / 512 * 512;
    char *tar = calloc(1, cap);
    cr_assert(tar);
    size_t n = gnu_member(tar, "problem.yaml", "name: x\n", 8);
    gnu_header(tar + n, name, type, data_len, 0, 0, 0);
    n += 512 + (data_len + 511) / 512 * 512;   /* zeros */
    n += gnu_member(tar + n, "after.txt", "1\n", 2);
    n += 1024;
    char *out = gzip_bytes(tar, n, len);
    free(tar);
    return out;
}

char *sum_package_tgz(const char *prefix, int n_secret, int off, size_t *len)
{
    struct abuild b;
    char name[256], in[64], ans[64];
    ab_open(&b, AB_TGZ, 1 << 20);
    if (*prefix)
        ab_dir(&b, prefix);
    snprintf(name, sizeof name, "%sproblem.yaml", prefix);
    ab_file(&b, name, "name: Sum of Two\n", 17, 0644);
    snprintf(name, sizeof name, "%sdata/sample/1.in", prefix);
    ab_file(&b, name, "1 2\n", 4, 0644);
    snprintf(name, sizeof name, "%sdata/sample/1.ans", prefix);
    ab_file(&b, name, "3\n", 2, 0644);
    for (int i = 1; i <= n_secret; i++) {
        snprintf(in, sizeof in, "%d %d\n", i, i * 100);
        snprintf(ans, sizeof ans, "%d\n", i * 101 + off);
        snprintf(name, sizeof name, "%sdata/secret/%d.in", prefix, i);
        ab_file(&b, name, in, strlen(in), 0644);
        snprintf(name, sizeof name, "%sdata/secret/%d.ans", prefix, i);
        ab_file(&b, name, ans, strlen(ans), 0644);
    }
    *len = ab_close(&b);
    return b.buf;
}

/* ---- looking at the disk ------------------------------------------------- */

static long walk_count;
static long long walk_max, walk_disk;

static int count_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)p, (void)flag;
    if (f->level > 0)
        walk_count++;
    if (st->st_size > walk_max && !S_ISDIR(st->st_mode))
        walk_max = st->st_size;
    walk_disk += (long long)st->st_blocks * 512;
    return 0;
}

long tree_count(const char *dir)
{
    walk_count = 0;
    walk_max = walk_disk = 0;
    if (nftw(dir, count_one, 16, FTW_PHYS) < 0)
        return -1;
    return walk_count;
}

void tree_sizes(const char *dir, long long *max_size, long long *disk)
{
    tree_count(dir);
    *max_size = walk_max;
    *disk = walk_disk;
}
