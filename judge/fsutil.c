/* fsutil.c - strings, string vectors and host file helpers of the judge. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "judge/internal.h"

char *jd_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *jd_asprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

char *jd_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    if (la && a[la - 1] == '/')
        return jd_asprintf("%.*s/%s", (int)(la - 1), a, b);
    return jd_asprintf("%s/%s", a, b);
}

void jd_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

size_t jd_strv_len(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

int jd_strv_push(char ***v, const char *s)
{
    size_t n = jd_strv_len(*v);
    char *c = strdup(s);
    if (!c)
        return -ENOMEM;
    char **nv = realloc(*v, (n + 2) * sizeof *nv);
    if (!nv) {
        free(c);
        return -ENOMEM;
    }
    nv[n] = c;
    nv[n + 1] = NULL;
    *v = nv;
    return 0;
}

char **jd_strv_split(const char *s)
{
    char **v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    while (s && *s) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if (!*s)
            break;
        size_t n = strcspn(s, " \t\r\n");
        char *w = strndup(s, n);
        if (!w || jd_strv_push(&v, w) < 0) {
            free(w);
            jd_strv_free(v);
            return NULL;
        }
        free(w);
        s += n;
    }
    return v;
}

char **jd_strv_dup(char *const *src)
{
    char **v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; src && src[i]; i++)
        if (jd_strv_push(&v, src[i]) < 0) {
            jd_strv_free(v);
            return NULL;
        }
    return v;
}

bool jd_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool jd_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool jd_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

const char *jd_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    return dot ? dot + 1 : "";
}

int jd_read_file_at(int dfd, const char *path, size_t cap, char **out, size_t *len)
{
    /* Files a box wrote may be symlinks planted to make us read host files. */
    int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -EINVAL;
    }
    size_t want = (size_t)st.st_size < cap ? (size_t)st.st_size : cap;
    char *buf = malloc(want + 1);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t r = read(fd, buf + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = 0;
    *out = buf;
    if (len)
        *len = got;
    return 0;
}

int jd_read_file(const char *path, size_t cap, char **out, size_t *len)
{
    return jd_read_file_at(AT_FDCWD, path, cap, out, len);
}

int jd_write_file_at(int dfd, const char *path, const void *data, size_t len, mode_t mode)
{
    /* written over and then cut to length rather than opened with O_TRUNC:
     * a file kept between jobs keeps its pages when the size is the same */
    int fd = openat(dfd, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return -errno;
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = -errno;
            close(fd);
            return e;
        }
        p += w;
        left -= (size_t)w;
    }
    struct stat st;
    int rc = fstat(fd, &st) < 0 ? -errno : 0;
    if (rc == 0 && (size_t)st.st_size != len && ftruncate(fd, (off_t)len) < 0)
        rc = -errno;
    if (rc == 0 && (st.st_mode & 07777) != mode)
        fchmod(fd, mode);
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    return rc;
}

int jd_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    return jd_write_file_at(AT_FDCWD, path, data, len, mode);
}

int jd_copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -errno;
    int outfd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (outfd < 0) {
        int e = -errno;
        close(in);
        return e;
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            break;
        }
        if (r == 0)
            break;
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(outfd, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = -errno;
                goto out;
            }
            off += w;
        }
    }
out:
    fchmod(outfd, mode);
    close(in);
    if (close(outfd) < 0 && !rc)
        rc = -errno;
    return rc;
}

/* Package files are trusted: symlinks in them (a validator dir linking to a
 * shared testlib.h) are followed, to a bounded depth. */
static int copy_tree_depth(const char *from, const char *to, int depth)
{
    struct stat st;
    if (stat(from, &st) < 0)
        return -errno;
    if (S_ISREG(st.st_mode))
        return jd_copy_file(from, to, (st.st_mode & 0111) ? 0755 : 0644);
    if (!S_ISDIR(st.st_mode))
        return 0;   /* devices, fifos: never copied */
    if (depth > 16)
        return -ELOOP;
    if (mkdir(to, 0755) < 0 && errno != EEXIST)
        return -errno;
    char **names = NULL;
    size_t n = 0;
    int rc = jd_list_dir(from, &names, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *a = jd_path_join(from, names[i]), *b = jd_path_join(to, names[i]);
        rc = (a && b) ? copy_tree_depth(a, b, depth + 1) : -ENOMEM;
        free(a);
        free(b);
    }
    jd_strv_free(names);
    return rc;
}

int jd_copy_tree(const char *from, const char *to)
{
    return copy_tree_depth(from, to, 0);
}

/* What a box wrote is not trusted: lstat, never follow a link, open with
 * O_NOFOLLOW; only regular files (their exec bit kept) and directories. */
static int copy_untrusted_at(int from_dir, const char *name, const char *to, int depth)
{
    struct stat st;
    if (fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -errno;
    if (S_ISREG(st.st_mode)) {
        int in = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (in < 0)
            return -errno;
        char *self = jd_asprintf("/proc/self/fd/%d", in);
        int rc = self ? jd_copy_file(self, to, (st.st_mode & 0111) ? 0755 : 0644) : -ENOMEM;
        free(self);
        close(in);
        return rc;
    }
    if (!S_ISDIR(st.st_mode))
        return 0;   /* symlinks, devices, fifos, sockets: never copied */
    if (depth > 16)
        return -ELOOP;
    int dfd = openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    if (mkdir(to, 0755) < 0 && errno != EEXIST) {
        int e = -errno;
        close(dfd);
        return e;
    }
    DIR *d = fdopendir(dfd);
    if (!d) {
        int e = -errno;
        close(dfd);
        return e;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *b = jd_path_join(to, e->d_name);
        rc = b ? copy_untrusted_at(dirfd(d), e->d_name, b, depth + 1) : -ENOMEM;
        free(b);
    }
    closedir(d);
    return rc;
}

int jd_copy_tree_nofollow(const char *from, const char *to)
{
    return copy_untrusted_at(AT_FDCWD, from, to, 0);
}

int jd_mkdtemp(const char *parent, const char *prefix, char **out)
{
    const char *base = parent;
    if (base)
        sb_mkdir_p(base, 0755);   /* a caller's scratch dir may not exist yet */
    else
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    char *t = jd_asprintf("%s/%s-XXXXXX", base, prefix);
    if (!t)
        return -ENOMEM;
    if (!mkdtemp(t)) {
        int e = -errno;
        free(t);
        return e;
    }
    *out = t;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int jd_list_dir_fd(int dfd, char ***names, size_t *n)
{
    int fd = dup(dfd); /* closedir closes it; dfd stays the caller's */
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        int e = -errno;
        if (fd >= 0)
            close(fd);
        return e;
    }
    rewinddir(d); /* the dup shares dfd's offset */
    char **v = calloc(1, sizeof *v);
    if (!v) {
        closedir(d);
        return -ENOMEM;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        if (jd_strv_push(&v, e->d_name) < 0) {
            closedir(d);
            jd_strv_free(v);
            return -ENOMEM;
        }
    }
    closedir(d);
    size_t len = jd_strv_len(v);
    qsort(v, len, sizeof *v, cmp_str);
    *names = v;
    *n = len;
    return 0;
}

int jd_list_dir(const char *dir, char ***names, size_t *n)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    int rc = jd_list_dir_fd(dfd, names, n);
    close(dfd);
    return rc;
}

int jd_empty_dir_fd(int dfd, jd_keep_fn keep, void *ctx)
{
    /* read with getdents64 on dfd itself (from its start): a DIR stream on
     * a dup costs five more system calls, and this runs twice per job */
    if (lseek(dfd, 0, SEEK_SET) < 0)
        return -errno;
    /* the names to remove, collected first: removing while reading may
     * skip entries; keep sees each entry's type from the listing (no
     * stat per entry where the filesystem gives it) */
    char **gone = calloc(1, sizeof *gone);
    if (!gone)
        return -ENOMEM;
    int rc = 0;
    _Alignas(struct dirent64) char buf[4096];
    for (;;) {
        ssize_t n = getdents64(dfd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -errno : 0;
            break;
        }
        for (ssize_t off = 0; rc == 0 && off < n;) {
            struct dirent64 *e = (struct dirent64 *)(buf + off);
            off += e->d_reclen;
            const char *name = e->d_name;
            if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
                continue;
            unsigned char type = e->d_type;
            if (type == DT_UNKNOWN) {
                struct stat st;
                type = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? DT_UNKNOWN
                       : S_ISDIR(st.st_mode)                           ? DT_DIR
                       : S_ISREG(st.st_mode)                           ? DT_REG
                                                                       : DT_LNK;
            }
            if (!keep || !keep(dfd, name, type, ctx))
                rc = jd_strv_push(&gone, name);
        }
        if (rc)
            break;
    }
    for (size_t i = 0; rc == 0 && gone[i]; i++)
        rc = sb_rm_rf_at(dfd, gone[i]);
    jd_strv_free(gone);
    return rc;
}

int jd_empty_dir(const char *dir, jd_keep_fn keep, void *ctx)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (dfd < 0)
        return -errno;
    int rc = jd_empty_dir_fd(dfd, keep, ctx);
    close(dfd);
    return rc;
}

bool jd_plain_dir_fd(int dfd)
{
    struct stat st, up;
    return fstat(dfd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
           fstatat(dfd, "..", &up, 0) == 0 && up.st_dev == st.st_dev;
}
