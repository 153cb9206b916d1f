/* problem_archive.c - uploaded problem packages on disk: unpack into a
 * fresh DATA/problems/ID-XXXXXXXX, hold while judged, sweep when unused. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "server/service/problem_archive.h"
#include "server/service/problem_id.h"
#include "server/service/uuid4.h"
#include "sandbox/util.h"

#define SWEEP_BATCH 256   /* directories locked at once by one sweep */
#define PKG_CACHE_MAX 64  /* packages a node keeps unpacked from the store */

/* ID-XXXXXXXX: a valid problem id, '-', 8 lowercase hex digits. Nothing
 * else under DATA/problems is ever removed. */
static bool upload_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 10 || n > 120 || name[n - 9] != '-')
        return false;
    for (size_t i = n - 8; i < n; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return false;
    char id[128];
    snprintf(id, sizeof id, "%.*s", (int)(n - 9), name);
    return problem_id_valid(id);
}

/* DATA/problems, resolved; 0 or -errno. */
static int base_dir(const struct app *app, char out[PATH_MAX])
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s/problems", app->cfg.data_dir) >= (int)sizeof p)
        return -ENAMETOOLONG;
    return realpath(p, out) ? 0 : -errno;
}

/* Whether path lies in an upload directory of this data dir; if so, its
 * name (one component) in name. */
static bool upload_dir_of(const char *base, const char *path, char name[NAME_MAX + 1])
{
    size_t n = strlen(base);
    if (strncmp(path, base, n) || path[n] != '/')
        return false;
    const char *c = path + n + 1;
    size_t len = strcspn(c, "/");
    if (len > NAME_MAX)
        return false;
    memcpy(name, c, len);
    name[len] = 0;
    return upload_name(name);
}

static int lock_fd(int fd, int how)
{
    while (flock(fd, how) < 0)
        if (errno != EINTR)
            return -errno;
    return 0;
}

/* A directory that was removed while we waited for its lock has no links. */
static bool still_there(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_nlink > 0;
}

/* The package root in a fresh upload: the directory, or its only
 * subdirectory when that is not itself part of a package (data/, tests/). */
static char *package_root(const char *dest, int fd)
{
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return strdup(dest);
    }
    rewinddir(d);   /* the dup shares its offset with fd */
    struct dirent *e;
    int count = 0;
    char only[NAME_MAX + 1] = "";
    bool only_dir = false;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        count++;
        snprintf(only, sizeof only, "%s", e->d_name);
        only_dir = e->d_type == DT_DIR;
    }
    closedir(d);
    char *root = NULL;
    if (count == 1 && only_dir && strcmp(only, "data") && strcmp(only, "tests")) {
        if (asprintf(&root, "%s/%s", dest, only) < 0)
            root = NULL;
    } else {
        root = strdup(dest);
    }
    return root;
}

int pkg_unpack(struct app *app, const char *id, const void *data, size_t len, char **root,
               int *hold, char sha256[65], char *err, size_t errlen)
{
    sha256[0] = 0;
    char base[PATH_MAX], p[PATH_MAX];
    snprintf(p, sizeof p, "%s/problems", app->cfg.data_dir);
    if ((mkdir(p, 0755) < 0 && errno != EEXIST) || base_dir(app, base) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot create the problems directory: %s", strerror(e));
        return -e;
    }
    int bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot open the problems directory: %s", strerror(e));
        return -e;
    }
    /* Create, then lock, then check it was not swept in between (a sweep
     * sees an unregistered, unheld directory). */
    char name[NAME_MAX + 1];
    int fd = -1, rc = -EEXIST;
    for (int tries = 0; fd < 0 && tries < 5; tries++) {
        char us[UUID4_LEN];
        uuid4_new(us);
        snprintf(name, sizeof name, "%s-%.8s", id, us);
        if (mkdirat(bfd, name, 0755) < 0) {
            rc = -errno;
            if (errno == EEXIST)
                continue;
            break;
        }
        fd = openat(bfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            rc = -errno;
            continue;
        }
        if ((rc = lock_fd(fd, LOCK_SH)) < 0 || !still_there(fd)) {
            close(fd);
            fd = -1;
            rc = rc < 0 ? rc : -ENOENT;
        }
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot create the problem directory: %s", strerror(-rc));
        close(bfd);
        return rc;
    }
    char dest[PATH_MAX + NAME_MAX + 2];
    snprintf(dest, sizeof dest, "%s/%s", base, name);
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, app->cfg.max_extract_bytes);
    struct jd_archive_stats st;
    rc = jd_archive_extract(data, len, dest, &lim, &st, err, errlen);
    if (rc == 0 && st.files == 0) {
        snprintf(err, errlen, "archive holds no files");
        rc = -EINVAL;
    }
    if (rc == 0 && !(*root = package_root(dest, fd))) {
        snprintf(err, errlen, "out of memory");
        rc = -ENOMEM;
    }
    /* other hosts' workers fetch it from the store */
    if (rc == 0 && app->store->shared) {
        jd_sha256_hex(data, len, sha256);
        if ((rc = app->store->ops->blob_put(app->store, sha256, data, len)) < 0) {
            snprintf(err, errlen, "cannot keep the package in the store: %s", strerror(-rc));
            free(*root);
            *root = NULL;
            sha256[0] = 0;
            rc = rc == -ENOSPC ? rc : -EIO;
        }
    }
    if (rc < 0) {
        sb_rm_rf_at(bfd, name);
        close(fd);
    } else {
        *hold = fd;
    }
    close(bfd);
    return rc;
}

void pkg_discard(struct app *app, const char *root, int hold)
{
    char base[PATH_MAX], name[NAME_MAX + 1];
    if (base_dir(app, base) == 0 && upload_dir_of(base, root, name)) {
        int bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (bfd >= 0) {
            sb_rm_rf_at(bfd, name);
            close(bfd);
        }
    }
    pkg_release(hold);
}

int pkg_hold(struct app *app, const char *path, int *hold)
{
    char base[PATH_MAX], name[NAME_MAX + 1];
    *hold = -1;
    if (!path || base_dir(app, base) < 0 || !upload_dir_of(base, path, name))
        return 0;
    int bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0)
        return -errno;
    int fd = openat(bfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int rc = fd < 0 ? -errno : 0;
    close(bfd);
    if (rc < 0)
        return rc == -ENOTDIR || rc == -ELOOP ? -ENOENT : rc;
    /* waits only for a sweep that is removing it right now */
    if ((rc = lock_fd(fd, LOCK_SH)) < 0 || !still_there(fd)) {
        close(fd);
        return rc < 0 ? rc : -ENOENT;
    }
    *hold = fd;
    return 0;
}

void pkg_release(int hold)
{
    if (hold >= 0)
        close(hold);   /* drops the flock */
}

/* Whether a registration names the upload directory name. */
static bool named(const char *base, const char *name, const struct problem_rec *v, size_t n)
{
    char other[NAME_MAX + 1];
    for (size_t i = 0; i < n; i++)
        if (v[i].path && upload_dir_of(base, v[i].path, other) && !strcmp(other, name))
            return true;
    return false;
}

static int list_problems(struct app *app, struct problem_rec **v, size_t *n)
{
    return app->store->ops->problem_list(app->store, v, n);
}

static void free_problems(struct problem_rec *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        problem_rec_clear(&v[i]);
    free(v);
}

int pkg_sweep(struct app *app)
{
    char base[PATH_MAX];
    if (base_dir(app, base) < 0)
        return 0;
    int bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0)
        return -errno;
    struct problem_rec *v;
    size_t n;
    int rc = list_problems(app, &v, &n);
    if (rc < 0) {
        close(bfd);
        return rc;
    }
    /* First pass: lock (without waiting) what no registration names. */
    struct { char name[NAME_MAX + 1]; int fd; } cand[SWEEP_BATCH];
    size_t nc = 0;
    int dfd = dup(bfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d && dfd >= 0)
        close(dfd);
    if (d)
        rewinddir(d);
    struct dirent *e;
    while (d && nc < SWEEP_BATCH && (e = readdir(d))) {
        if (!upload_name(e->d_name) || named(base, e->d_name, v, n))
            continue;
        int fd = openat(bfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue;   /* not a directory of ours: left alone */
        if (flock(fd, LOCK_EX | LOCK_NB) < 0 || !still_there(fd)) {
            close(fd);  /* held by a judge or an upload, or just removed */
            continue;
        }
        snprintf(cand[nc].name, sizeof cand[nc].name, "%s", e->d_name);
        cand[nc++].fd = fd;
    }
    if (d)
        closedir(d);
    free_problems(v, n);
    /* Second pass, with the locks held: an upload registers while holding
     * its directory, so what is unnamed now stays unnamed. */
    int removed = 0;
    rc = nc ? list_problems(app, &v, &n) : 0;
    for (size_t i = 0; i < nc; i++) {
        if (rc == 0 && !named(base, cand[i].name, v, n) && sb_rm_rf_at(bfd, cand[i].name) == 0)
            removed++;
        close(cand[i].fd);
    }
    if (nc && rc == 0)
        free_problems(v, n);
    close(bfd);
    return rc < 0 ? rc : removed;
}

/* ---- packages from the store ------------------------------------------------------ */

static bool sha256_name(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == 64;
}

bool pkg_is_local(struct app *app, const char *path)
{
    char base[PATH_MAX], name[NAME_MAX + 1];
    struct stat st;
    return path && base_dir(app, base) == 0 && upload_dir_of(base, path, name) &&
           stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Holds cache directory dir for reading (LOCK_SH; a prune takes LOCK_EX
 * without waiting, as a sweep does for uploads) and marks it used now.
 * -ENOENT when it is not there (or was pruned while we waited). */
static int hold_cached(const char *dir, char **root, int *hold)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOTDIR || errno == ELOOP ? -ENOENT : -errno;
    int rc = lock_fd(fd, LOCK_SH);
    if (rc < 0 || !still_there(fd)) {
        close(fd);
        return rc < 0 ? rc : -ENOENT;
    }
    futimens(fd, NULL); /* its mtime orders the prune: least recently used first */
    if (!(*root = package_root(dir, fd))) {
        close(fd);
        return -ENOMEM;
    }
    *hold = fd;
    return 0;
}

struct cached {
    char name[NAME_MAX + 1];
    time_t used;
};

static int by_use(const void *a, const void *b)
{
    const struct cached *x = a, *y = b;
    return (x->used > y->used) - (x->used < y->used);
}

static int prune_cache(const char *cache, size_t keep)
{
    int removed = 0;
    int cfd = open(cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cfd < 0)
        return -errno;
    int dfd = dup(cfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        close(cfd);
        return -ENOMEM;
    }
    struct cached *v = NULL;
    size_t n = 0, cap = 0;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (fstatat(cfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
            continue;
        if (!strncmp(e->d_name, ".tmp-", 5) && st.st_mtime < now - 3600) {
            sb_rm_rf_at(cfd, e->d_name);
            continue;
        }
        if (!sha256_name(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct cached *nv = realloc(v, cap * sizeof *v);
            if (!nv)
                break;
            v = nv;
        }
        snprintf(v[n].name, sizeof v[n].name, "%s", e->d_name);
        v[n++].used = st.st_mtime;
    }
    closedir(d);
    if (n > keep) {
        qsort(v, n, sizeof *v, by_use);
        for (size_t i = 0; i < n - keep; i++) {
            int fd = openat(cfd, v[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0)
                continue;
            if (flock(fd, LOCK_EX | LOCK_NB) == 0 && still_there(fd) &&
                sb_rm_rf_at(cfd, v[i].name) == 0)
                removed++;
            close(fd);
        }
    }
    free(v);
    close(cfd);
    return removed;
}

int pkg_cache_prune(struct app *app, size_t keep)
{
    char cache[PATH_MAX];
    snprintf(cache, sizeof cache, "%s/problems/sha256", app->cfg.data_dir);
    return prune_cache(cache, keep);
}

int pkg_fetch(struct app *app, const char *sha256, char **root, int *hold, char *err,
              size_t errlen)
{
    *hold = -1;
    if (!sha256_name(sha256)) {
        snprintf(err, errlen, "the store names a package by a malformed hash");
        return -EINVAL;
    }
    char cache[PATH_MAX], dir[PATH_MAX + 80], tmp[PATH_MAX + 80];
    snprintf(cache, sizeof cache, "%s/problems", app->cfg.data_dir);
    if (mkdir(cache, 0755) < 0 && errno != EEXIST)
        goto mkfail;
    snprintf(cache, sizeof cache, "%s/problems/sha256", app->cfg.data_dir);
    if (mkdir(cache, 0755) < 0 && errno != EEXIST)
        goto mkfail;
    snprintf(dir, sizeof dir, "%s/%s", cache, sha256);
    if (hold_cached(dir, root, hold) == 0)
        return 0;
    struct bytes blob;
    int rc;
    rc = app->store->ops->blob_get(app->store, sha256, &blob);
    if (rc) {
        snprintf(err, errlen, "package %.12s is not in the store: %s", sha256, strerror(-rc));
        return rc;
    }
    char got[65];
    jd_sha256_hex(blob.p, blob.n, got);
    if (strcmp(got, sha256)) {
        free(blob.p);
        snprintf(err, errlen, "package %.12s from the store does not match its hash", sha256);
        return -EIO;
    }
    /* unpacked aside, then renamed in: a reader sees all of it or nothing,
     * and of two nodes' threads fetching at once one rename wins */
    char us[UUID4_LEN];
    uuid4_new(us);
    snprintf(tmp, sizeof tmp, "%s/.tmp-%s", cache, us);
    if (mkdir(tmp, 0755) < 0) {
        rc = -errno;
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        free(blob.p);
        return rc;
    }
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, app->cfg.max_extract_bytes);
    struct jd_archive_stats st;
    rc = jd_archive_extract(blob.p, blob.n, tmp, &lim, &st, err, errlen);
    free(blob.p);
    if (rc == 0 && rename(tmp, dir) < 0 && errno != EEXIST && errno != ENOTEMPTY) {
        rc = -errno;
        snprintf(err, errlen, "cannot place the package: %s", strerror(errno));
    }
    sb_rm_rf(tmp); /* what is left after a lost race or a failure */
    if (rc)
        return rc;
    prune_cache(cache, PKG_CACHE_MAX);
    rc = hold_cached(dir, root, hold);
    if (rc)
        snprintf(err, errlen, "package %.12s: %s", sha256, strerror(-rc));
    return rc;
mkfail:
    rc = -errno;
    snprintf(err, errlen, "cannot create %s: %s", cache, strerror(errno));
    return rc;
}

/* ---- a server directory into the store ----------------------------------------- */

struct membuf {
    char *p;
    size_t n, cap, max;
    bool too_big;
};

static la_ssize_t mem_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
    struct membuf *m = ctx;
    if (m->n + len > m->max) {
        m->too_big = true;
        archive_set_error(a, EFBIG, "too big");
        return -1;
    }
    if (m->n + len > m->cap) {
        size_t cap = m->cap ? m->cap : 1 << 16;
        while (cap < m->n + len)
            cap *= 2;
        char *np = realloc(m->p, cap);
        if (!np) {
            archive_set_error(a, ENOMEM, "out of memory");
            return -1;
        }
        m->p = np;
        m->cap = cap;
    }
    memcpy(m->p + m->n, buf, len);
    m->n += len;
    return (la_ssize_t)len;
}

/* Adds what is below dfd (named rel in the archive); links and special
 * files are refused, as the extractor would refuse them. */
static int pack_tree(struct archive *a, int dfd, const char *rel, int depth, char *err, size_t errlen)
{
    if (depth > 32) {
        snprintf(err, errlen, "%s: directories nested too deep", rel);
        return -ELOOP;
    }
    int d2 = dup(dfd);
    DIR *d = d2 >= 0 ? fdopendir(d2) : NULL;
    if (!d) {
        if (d2 >= 0)
            close(d2);
        snprintf(err, errlen, "%s: %s", rel[0] ? rel : ".", strerror(errno));
        return -errno;
    }
    rewinddir(d);
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char name[PATH_MAX];
        if (snprintf(name, sizeof name, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name) >= (int)sizeof name) {
            snprintf(err, errlen, "a path in the directory is too long");
            rc = -ENAMETOOLONG;
            break;
        }
        int fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
            rc = -errno;
            snprintf(err, errlen, "%s: %s%s", name, strerror(errno),
                     errno == ELOOP ? " (symbolic links cannot be copied into a cluster store)" : "");
            if (fd >= 0)
                close(fd);
            break;
        }
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: only files and directories can be copied into the store", name);
            close(fd);
            rc = -EINVAL;
            break;
        }
        struct archive_entry *en = archive_entry_new();
        archive_entry_set_pathname(en, name);
        archive_entry_set_filetype(en, S_ISDIR(st.st_mode) ? AE_IFDIR : AE_IFREG);
        archive_entry_set_perm(en, st.st_mode & 0755);
        archive_entry_set_mtime(en, st.st_mtime, 0);
        archive_entry_set_size(en, S_ISDIR(st.st_mode) ? 0 : st.st_size);
        if (archive_write_header(a, en) != ARCHIVE_OK) {
            snprintf(err, errlen, "%s: %s", name, archive_error_string(a));
            rc = -EIO;
        }
        archive_entry_free(en);
        if (!rc && S_ISREG(st.st_mode)) {
            char buf[1 << 16];
            ssize_t r;
            while ((r = read(fd, buf, sizeof buf)) > 0)
                if (archive_write_data(a, buf, (size_t)r) != r) {
                    snprintf(err, errlen, "%s: %s", name, archive_error_string(a));
                    rc = -EIO;
                    break;
                }
            if (r < 0 && !rc) {
                rc = -errno;
                snprintf(err, errlen, "%s: %s", name, strerror(errno));
            }
        } else if (!rc) {
            rc = pack_tree(a, fd, name, depth + 1, err, errlen);
        }
        close(fd);
    }
    closedir(d);
    return rc;
}

int pkg_pack_dir(struct app *app, const char *dir, char **data, size_t *len, char *err, size_t errlen)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -errno;
    }
    struct membuf m = {.max = app->cfg.max_upload_bytes};
    struct archive *a = archive_write_new();
    int rc = a && archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
                     archive_write_add_filter_gzip(a) == ARCHIVE_OK &&
                     archive_write_open(a, &m, NULL, mem_write, NULL) == ARCHIVE_OK
                 ? 0 : -ENOMEM;
    if (rc)
        snprintf(err, errlen, "cannot pack the directory: %s", a ? archive_error_string(a) : "out of memory");
    else
        rc = pack_tree(a, dfd, "", 0, err, errlen);
    if (a && archive_write_close(a) != ARCHIVE_OK && !rc) {
        snprintf(err, errlen, "cannot pack the directory: %s", archive_error_string(a));
        rc = -EIO;
    }
    if (a)
        archive_write_free(a);
    close(dfd);
    if (m.too_big) {
        snprintf(err, errlen, "the directory packs to more than max_upload_bytes (%zu)", m.max);
        rc = -EFBIG;
    }
    if (rc) {
        free(m.p);
        return rc;
    }
    *data = m.p;
    *len = m.n;
    return 0;
}
