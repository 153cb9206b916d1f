/* test_judge_archive_util.h - building hostile archives in memory for the extractor
 * and upload tests: libarchive's write API for what it can write (pax
 * sparse members, links, devices, zip), and a hand-made GNU tar header
 * for the old GNU sparse type 'S' it only reads. */
#ifndef NSJUDGE_TEST_ARCHIVE_H
#define NSJUDGE_TEST_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct archive;

struct abuild {
    struct archive *a;
    char *buf;
    size_t cap, used;
};

enum ab_kind { AB_TAR, AB_TGZ, AB_ZIP, AB_CPIO, AB_TAR_UU };

void ab_open(struct abuild *b, enum ab_kind kind, size_t cap);
void ab_file(struct abuild *b, const char *name, const void *data, size_t len, mode_t perm);
void ab_dir(struct abuild *b, const char *name);
/* type AE_IFLNK/AE_IFCHR/AE_IFBLK/AE_IFIFO, or 'h' for a hard link */
void ab_special(struct abuild *b, const char *name, int type, const char *target);
/* A pax sparse member: len bytes of data at offset 0, apparent size apparent. */
void ab_sparse(struct abuild *b, const char *name, const void *data, size_t len, int64_t apparent);
/* Finishes the archive; returns its size (data in b->buf, caller frees). */
size_t ab_close(struct abuild *b);

/* A gzip'd GNU tar with problem.yaml, data/secret/1.in, and data/secret/1.ans
 * as an old GNU sparse member ('S') of two data bytes and apparent size
 * apparent. Returns a malloc'd buffer. */
char *gnu_sparse_tgz(int64_t apparent, size_t *len);

/* A gzip'd GNU tar: problem.yaml, then a member of tar type type with
 * data_len zero bytes of data, then after.txt. */
char *gnu_typed_tgz(char type, const char *name, size_t data_len, size_t *len);

/* A tgz of a small "sum" package (problem.yaml, 1 sample, n secret tests
 * whose answers are a+b, plus off to each answer), under prefix ("" or
 * "sum/"). */
char *sum_package_tgz(const char *prefix, int n_secret, int off, size_t *len);

/* Entries in a directory tree (not counting dir itself); -1 if absent. */
long tree_count(const char *dir);
/* Largest st_size and total st_blocks*512 in a tree. */
void tree_sizes(const char *dir, long long *max_size, long long *disk);

#endif
