/*
 * archive.c - the one unpacker of uploaded archives: problem packages
 * (POST /problems) and a submission's additional_files. Everything in an
 * archive is hostile: its names, its entry types and the sizes it claims.
 *
 * Every file is created with openat() under an fd of the target directory,
 * one path component at a time with O_NOFOLLOW, so no name can resolve
 * outside it; only regular files and directories are ever written. Sizes
 * are counted as apparent sizes (a sparse entry's holes count: 200 bytes of
 * archive must not become a 1 GiB .ans that a checker then reads), bounded
 * both absolutely and relative to the archive's own size, and checked again
 * against what landed on disk. On any refusal the target is emptied.
 *
 * Only the service reaches this file (POST /problems, and single.c for
 * additional_files), so the CLI binary never links it nor loads libarchive
 * (~8 ms at every `nsjudge run`): keep libarchive's users in here, and
 * keep the CLI's code paths off single.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "judge/internal.h"

#define NAME_CAP 1024           /* bytes of a cleaned member name */

void jd_archive_limits_init(struct jd_archive_limits *l, uint64_t max_bytes)
{
    l->max_bytes = max_bytes;
    l->max_entries = 20000;
    l->max_depth = 32;
    l->max_ratio = 200;
    l->ratio_floor = 16u << 20;
}

struct unpack {
    struct archive *a;
    int root;                   /* the target directory */
    const struct jd_archive_limits *lim;
    size_t in_len;
    uint64_t allowed;           /* bytes this archive may unpack to */
    bool by_ratio;              /* allowed comes from the ratio, not max_bytes */
    struct jd_archive_stats st;
    char *err;
    size_t errlen;
};

/* A member name fit for a message: printable ASCII only (names reach logs
 * and terminals), shortened. */
static const char *shown(const char *name, char *buf, size_t len)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && n + 4 < len; p++)
        buf[n++] = (*p >= 0x20 && *p < 0x7f) ? (char)*p : '?';
    if (name[n] && n + 4 >= len)
        n += (size_t)snprintf(buf + n, len - n, "...");
    buf[n] = 0;
    return buf;
}

/* Rewrites name into out as components joined by single slashes, without
 * "." components. Refuses absolute names, "..", over-long names and deep
 * nesting. *depth: number of components. Returns 0 or -EINVAL with a message. */
static int clean_name(struct unpack *u, const char *name, char *out, size_t *depth)
{
    char sb[160];
    if (name[0] == '/') {
        snprintf(u->err, u->errlen, "unsafe path in archive: %s (absolute)", shown(name, sb, sizeof sb));
        return -EINVAL;
    }
    size_t n = 0;
    *depth = 0;
    for (const char *p = name; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            snprintf(u->err, u->errlen, "unsafe path in archive: %s (..)", shown(name, sb, sizeof sb));
            return -EINVAL;
        }
        if (len > NAME_MAX || n + len + 1 > NAME_CAP) {
            snprintf(u->err, u->errlen, "name too long in archive: %s (at most %d bytes, %d per component)",
                     shown(name, sb, sizeof sb), NAME_CAP, NAME_MAX);
            return -ENAMETOOLONG;
        }
        if (len && !(len == 1 && p[0] == '.')) {
            if (++*depth > u->lim->max_depth) {
                snprintf(u->err, u->errlen, "archive member %s is nested deeper than %u directories",
                         shown(name, sb, sizeof sb), u->lim->max_depth);
                return -EINVAL;
            }
            if (n)
                out[n++] = '/';
            memcpy(out + n, p, len);
            n += len;
        }
        p += len;
        while (*p == '/')
            p++;
    }
    out[n] = 0;
    return 0;
}

/* what: "bytes of apparent size" (sparse holes count) or "bytes on disk" */
static int too_big(struct unpack *u, const char *what, const char *name, uint64_t total)
{
    char sb[160];
    if (u->by_ratio)
        snprintf(u->err, u->errlen,
                 "archive expands more than %u times its %zu bytes (at %s: %llu %s); "
                 "refused as a likely archive bomb",
                 u->lim->max_ratio, u->in_len, shown(name, sb, sizeof sb), (unsigned long long)total, what);
    else
        snprintf(u->err, u->errlen, "archive unpacks to more than %llu bytes (at %s: %llu %s)",
                 (unsigned long long)u->allowed, shown(name, sb, sizeof sb), (unsigned long long)total, what);
    return -EFBIG;
}

/* Counts n more apparent bytes of member name against the allowance. */
static int charge(struct unpack *u, uint64_t n, const char *name)
{
    if (n > u->allowed - u->st.bytes)
        return too_big(u, "bytes of apparent size", name, u->st.bytes + n);
    u->st.bytes += n;
    return 0;
}

/* Blocks a file or directory takes on disk, counted against the same
 * allowance: many tiny files cost a block each, whatever their size. */
static int charge_disk(struct unpack *u, int fd, const char *name, uint64_t apparent)
{
    struct stat st;
    char sb[160];
    if (fstat(fd, &st) < 0) {
        int e = errno;
        snprintf(u->err, u->errlen, "%s: %s", shown(name, sb, sizeof sb), strerror(e));
        return -e;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > apparent) {
        snprintf(u->err, u->errlen, "%s became %lld bytes on disk, more than the %llu counted",
                 shown(name, sb, sizeof sb), (long long)st.st_size, (unsigned long long)apparent);
        return -EFBIG;
    }
    u->st.disk_bytes += (uint64_t)st.st_blocks * 512;
    if (u->st.disk_bytes > u->allowed)
        return too_big(u, "bytes on disk", name, u->st.disk_bytes);
    return 0;
}

/* The directory that holds the last component of the cleaned name,
 * creating the ones missing; *last points at that component. Returns an
 * fd to close (or u->root) or -errno. */
static int open_parent(struct unpack *u, char *name, const char *orig, char **last)
{
    int cur = u->root;
    char *p = name, *s;
    char sb[160];
    while ((s = strchr(p, '/'))) {
        *s = 0;
        bool made = mkdirat(cur, p, 0755) == 0;
        int e = errno;
        int next = (made || e == EEXIST) ? openat(cur, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
        if (next < 0 && (made || e == EEXIST))
            e = errno;
        *s = '/';
        if (cur != u->root)
            close(cur);
        if (next < 0) {
            snprintf(u->err, u->errlen, "archive member %s: %s", shown(orig, sb, sizeof sb),
                     e == ENOTDIR || e == ELOOP ? "a parent directory is also a file in the archive" : strerror(e));
            return -e;
        }
        cur = next;
        int rc = made ? charge_disk(u, cur, orig, 0) : 0;
        if (made)
            u->st.dirs++;
        if (rc < 0) {
            close(cur);
            return rc;
        }
        p = s + 1;
    }
    *last = p;
    return cur;
}

static int write_all_at(int fd, const void *buf, size_t len, la_int64_t off)
{
    const char *p = buf;
    while (len) {
        ssize_t w = pwrite(fd, p, len, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? -errno : -EIO;
        p += w;
        len -= (size_t)w;
        off += w;
    }
    return 0;
}

static int unpack_file(struct unpack *u, struct archive_entry *e, int dfd, const char *last,
                       const char *name)
{
    char sb[160];
    la_int64_t declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
    if (declared < 0) {
        snprintf(u->err, u->errlen, "corrupt archive: %s has a negative size", shown(name, sb, sizeof sb));
        return -EINVAL;
    }
    /* A sparse or lying header is refused before a byte is written. */
    int rc = charge(u, (uint64_t)declared, name);
    if (rc < 0)
        return rc;
    uint64_t charged = (uint64_t)declared, data = 0, end = 0;
    mode_t mode = (archive_entry_perm(e) & 0111) ? 0755 : 0644;
    int fd = openat(dfd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        rc = -errno;
        if (errno == EEXIST)
            snprintf(u->err, u->errlen, "archive member %s appears twice (or as a file and a directory)",
                     shown(name, sb, sizeof sb));
        else
            snprintf(u->err, u->errlen, "%s: %s", shown(name, sb, sizeof sb), strerror(errno));
        return rc;
    }
    u->st.files++;
    const void *buf;
    size_t size;
    la_int64_t off;
    int r;
    while ((r = archive_read_data_block(u->a, &buf, &size, &off)) == ARCHIVE_OK) {
        if (off < 0) {
            snprintf(u->err, u->errlen, "corrupt archive: %s has a bad data offset", shown(name, sb, sizeof sb));
            rc = -EINVAL;
            goto out;
        }
        /* the furthest byte reached, or all data given, whichever is more */
        data += size;
        if ((uint64_t)off + size > end)
            end = (uint64_t)off + size;
        uint64_t need = end > data ? end : data;
        if (need > charged) {
            if ((rc = charge(u, need - charged, name)) < 0)
                goto out;
            charged = need;
        }
        if (size && (rc = write_all_at(fd, buf, size, off)) < 0) {
            snprintf(u->err, u->errlen, "%s: %s", shown(name, sb, sizeof sb), strerror(-rc));
            goto out;
        }
    }
    if (r != ARCHIVE_EOF) {
        snprintf(u->err, u->errlen, "corrupt archive: %s", archive_error_string(u->a));
        rc = -EINVAL;
        goto out;
    }
    /* a hole at the end of a (counted) sparse entry */
    if ((uint64_t)declared > end && ftruncate(fd, declared) < 0) {
        rc = -errno;
        snprintf(u->err, u->errlen, "%s: %s", shown(name, sb, sizeof sb), strerror(errno));
        goto out;
    }
    if (fchmod(fd, mode) < 0) {
        rc = -errno;
        snprintf(u->err, u->errlen, "%s: %s", shown(name, sb, sizeof sb), strerror(errno));
        goto out;
    }
    rc = charge_disk(u, fd, name, charged);
out:
    if (close(fd) < 0 && rc == 0) {
        rc = -errno;
        snprintf(u->err, u->errlen, "%s: %s", shown(name, sb, sizeof sb), strerror(errno));
    }
    return rc;
}

static int unpack_dir(struct unpack *u, int dfd, const char *last, const char *name)
{
    char sb[160];
    if (mkdirat(dfd, last, 0755) == 0) {
        u->st.dirs++;
        int fd = openat(dfd, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            snprintf(u->err, u->errlen, "%s: %s", shown(name, sb, sizeof sb), strerror(e));
            return -e;
        }
        int rc = charge_disk(u, fd, name, 0);
        close(fd);
        return rc;
    }
    int e = errno;
    struct stat st;
    if (e == EEXIST && fstatat(dfd, last, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
        return 0;   /* tar lists "a/" after its files have made it; fine */
    if (e == EEXIST) {
        snprintf(u->err, u->errlen, "archive member %s is both a file and a directory", shown(name, sb, sizeof sb));
        return -EEXIST;
    }
    snprintf(u->err, u->errlen, "%s: %s", shown(name, sb, sizeof sb), strerror(e));
    return -e;
}

static int unpack_entry(struct unpack *u, struct archive_entry *e)
{
    char sb[160], clean[NAME_CAP + 1];
    const char *name = archive_entry_pathname(e);
    if (!name)
        name = archive_entry_pathname_utf8(e);
    if (!name) {
        snprintf(u->err, u->errlen, "archive member without a readable name");
        return -EINVAL;
    }
    size_t depth;
    int rc = clean_name(u, name, clean, &depth);
    if (rc < 0)
        return rc;
    /* A hard link entry may also claim to be a regular file: ask first. */
    const char *target = archive_entry_hardlink(e);
    if (target) {
        snprintf(u->err, u->errlen, "archive member %s is a hard link; links are refused (tar --hard-dereference)",
                 shown(name, sb, sizeof sb));
        return -EINVAL;
    }
    mode_t type = archive_entry_filetype(e);
    if (type == AE_IFLNK || archive_entry_symlink(e)) {
        snprintf(u->err, u->errlen, "archive member %s is a symbolic link; links are refused (tar -h)",
                 shown(name, sb, sizeof sb));
        return -EINVAL;
    }
    if (type != AE_IFREG && type != AE_IFDIR) {
        snprintf(u->err, u->errlen, "archive member %s is a device, fifo or socket; only files and directories are accepted",
                 shown(name, sb, sizeof sb));
        return -EINVAL;
    }
    /* Data we do not read, libarchive skips by decompressing it: a GNU
     * dumpdir ('D') of terabytes in a small .tar.bz2 would run for hours. */
    if (type == AE_IFDIR && archive_entry_size_is_set(e) && archive_entry_size(e) > 0) {
        snprintf(u->err, u->errlen, "archive member %s is a directory that carries %lld bytes of data",
                 shown(name, sb, sizeof sb), (long long)archive_entry_size(e));
        return -EINVAL;
    }
    if (!depth && type == AE_IFREG) {
        snprintf(u->err, u->errlen, "archive member %s is a file without a name", shown(name, sb, sizeof sb));
        return -EINVAL;
    }
    if (!depth)
        return 0;   /* "." or "./": the target itself */
    char *last = NULL;
    int dfd = open_parent(u, clean, name, &last);
    if (dfd < 0)
        return dfd;
    rc = type == AE_IFDIR ? unpack_dir(u, dfd, last, name) : unpack_file(u, e, dfd, last, name);
    if (dfd != u->root)
        close(dfd);
    return rc;
}

/* Only library-backed filters: libarchive runs an external lzop, lrzip or
 * grzip (fork+exec from the server, on hostile bytes) for the others. A
 * filter this libarchive build could only run as a program is left out. */
static void add_filters(struct archive *a)
{
    int (*const filters[])(struct archive *) = {
        archive_read_support_filter_gzip, archive_read_support_filter_bzip2,
        archive_read_support_filter_xz, archive_read_support_filter_lzma,
        archive_read_support_filter_zstd,
    };
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        struct archive *probe = archive_read_new();
        int ok = probe && filters[i](probe) == ARCHIVE_OK;
        if (probe)
            archive_read_free(probe);
        if (ok)
            filters[i](a);
    }
}

/* Removes what was unpacked, leaving root empty (it was empty before). */
static void empty_dir(int root)
{
    int fd = dup(root);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    rewinddir(d);   /* the dup shares its offset with root */
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            sb_rm_rf_at(root, de->d_name);
    closedir(d);
}

static bool dir_is_empty(int root)
{
    int fd = dup(root);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    rewinddir(d);
    struct dirent *de;
    bool empty = true;
    while (empty && (de = readdir(d)))
        empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
    closedir(d);
    return empty;
}

int jd_archive_extract(const void *data, size_t len, const char *dir,
                       const struct jd_archive_limits *lim, struct jd_archive_stats *stats,
                       char *err, size_t errlen)
{
    struct unpack u = {.lim = lim, .in_len = len, .err = err, .errlen = errlen, .root = -1};
    u.allowed = lim->max_bytes;
    if (lim->max_ratio) {
        uint64_t by_ratio = (uint64_t)len > UINT64_MAX / lim->max_ratio ? UINT64_MAX
                                                                       : (uint64_t)len * lim->max_ratio;
        if (by_ratio < lim->ratio_floor)
            by_ratio = lim->ratio_floor;
        if (by_ratio < u.allowed) {
            u.allowed = by_ratio;
            u.by_ratio = true;
        }
    }
    u.root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (u.root < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", dir, strerror(e));
        return -e;
    }
    if (!dir_is_empty(u.root)) {
        snprintf(err, errlen, "%s: not an empty directory", dir);
        close(u.root);
        return -ENOTEMPTY;
    }
    int rc = 0;
    u.a = archive_read_new();
    if (!u.a) {
        snprintf(err, errlen, "out of memory");
        close(u.root);
        return -ENOMEM;
    }
    /* tar (ustar, pax, GNU) and zip only: the other formats libarchive
     * knows (rar, 7z, iso9660, cab, mtree, ...) are parsers we do not need
     * to expose to uploads. */
    add_filters(u.a);
    archive_read_support_format_tar(u.a);
    archive_read_support_format_zip(u.a);
    if (archive_read_open_memory(u.a, data, len) != ARCHIVE_OK) {
        snprintf(err, errlen, "not a readable archive (tar, tar.gz, tar.bz2, tar.xz, tar.zst or zip): %s",
                 archive_error_string(u.a));
        rc = -EINVAL;
        goto out;
    }
    uint64_t entries = 0;
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(u.a, &e);
        if (r == ARCHIVE_EOF)
            break;
        /* WARN: e.g. a name not convertible to the locale; the entry is there */
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            snprintf(err, errlen, "corrupt archive: %s", archive_error_string(u.a));
            rc = -EINVAL;
            break;
        }
        if (++entries > lim->max_entries) {
            snprintf(err, errlen, "archive has more than %llu entries", (unsigned long long)lim->max_entries);
            rc = -E2BIG;
            break;
        }
        if ((rc = unpack_entry(&u, e)) < 0)
            break;
    }
out:
    archive_read_free(u.a);
    if (rc < 0)
        empty_dir(u.root);
    close(u.root);
    if (stats)
        *stats = u.st;
    return rc;
}

/* additional_files of a Judge0 submission, unpacked into a program's box
 * directory (a tmpfs of JD_PROGRAM_DIR_KIB). */
int jd_extract_zip(const char *data, size_t len, const char *dir, char *err, size_t errlen)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, (uint64_t)JD_PROGRAM_DIR_KIB * 1024);
    char msg[JD_MSG_MAX];
    int rc = jd_archive_extract(data, len, dir, &lim, NULL, msg, sizeof msg);
    if (rc < 0)
        snprintf(err, errlen, "additional_files: %s", msg);
    return rc;
}
