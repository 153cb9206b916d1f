/*
 * rootfs.c - the box's private root filesystem.
 *
 * A fresh tmpfs becomes "/", with read-only, nosuid, nodev bind mounts of
 * the toolchain directories, /box (the run's work dir), a private /tmp and
 * /dev/shm, a new /proc for the box's PID namespace and a /dev holding
 * only null, zero, full, random and urandom. Then pivot_root and the host
 * root is detached, so no path inside leads back to the host.
 *
 * The plan (which host path goes where) is computed in the parent, where
 * allocation and stat() are safe; sb_rootfs_enter runs in the forked box
 * process and only makes system calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "sandbox/internal.h"

/* Host paths every box gets (read-only). Missing ones are skipped; a
 * symlink (merged-/usr: /bin -> usr/bin) is recreated as a symlink. */
static const char *const default_paths[] = {
    "/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
    "/etc/alternatives", "/etc/ld.so.cache", "/etc/java-17-openjdk",
    "/etc/fpc.cfg", "/etc/fpc-3.2.2.cfg", "/etc/perl", "/etc/python3",
    "/etc/python3.11",
};

int sb_rootfs_add(struct sb_rootfs_plan *plan, const char *host, const char *box,
                  bool writable, bool optional, char *err, size_t errlen)
{
    if (plan->n_ops >= (int)(sizeof plan->ops / sizeof *plan->ops)) {
        sb_setmsg(err, errlen, "too many mounts");
        return -E2BIG;
    }
    if (!host || host[0] != '/' || !box || box[0] != '/' || strstr(box, "..")) {
        sb_setmsg(err, errlen, "mount paths must be absolute (and the box path without '..'): %s -> %s",
                  host ? host : "(null)", box ? box : "(null)");
        return -EINVAL;
    }
    struct sb_mount_op *op = &plan->ops[plan->n_ops];
    memset(op, 0, sizeof *op);
    struct stat st;
    if (lstat(host, &st) < 0) {
        if (optional)
            return 0;
        sb_errmsg(err, errlen, host, errno);
        return -errno;
    }
    while (*box == '/')
        box++;
    if (strlen(box) >= sizeof op->dst || strlen(host) >= sizeof op->src) {
        sb_setmsg(err, errlen, "mount path too long: %s", host);
        return -ENAMETOOLONG;
    }
    strcpy(op->dst, box);
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(host, op->src, sizeof op->src - 1);
        if (n < 0) {
            sb_errmsg(err, errlen, host, errno);
            return -errno;
        }
        op->src[n] = 0;
        op->is_link = 1;
    } else {
        strcpy(op->src, host);
        op->is_file = !S_ISDIR(st.st_mode);
        op->writable = writable;
    }
    plan->n_ops++;
    return 0;
}

int sb_rootfs_add_defaults(struct sb_rootfs_plan *plan, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof default_paths / sizeof *default_paths; i++) {
        int r = sb_rootfs_add(plan, default_paths[i], default_paths[i], false, true, err, errlen);
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- box side: system calls only --------------------------------------- */

static void cat3(char *out, size_t len, const char *a, const char *b, const char *c)
{
    size_t n = 0;
    const char *parts[3] = {a, b, c};
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; p && *p && n + 1 < len; p++)
            out[n++] = *p;
    out[n] = 0;
}

/* mkdir -p for a path relative to the new root's fd. */
static int mkdirs_at(int rootfd, const char *rel, bool last_is_file)
{
    char tmp[SB_PATH_MAX];
    size_t n = strlen(rel);
    if (n >= sizeof tmp)
        return -ENAMETOOLONG;
    memcpy(tmp, rel, n + 1);
    for (char *p = tmp; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdirat(rootfd, tmp, 0755) < 0 && errno != EEXIST)
                return -errno;
            *p = '/';
        }
    if (last_is_file) {
        int fd = openat(rootfd, tmp, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
            return -errno;
        close(fd);
        return 0;
    }
    if (mkdirat(rootfd, tmp, 0755) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

static int bind(const char *src, const char *dst, bool writable, bool allow_dev,
                char *err, size_t errlen)
{
    if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0) {
        sb_errmsg(err, errlen, dst, errno);
        return -errno;
    }
    unsigned long fl = MS_REMOUNT | MS_BIND | MS_NOSUID;
    if (!writable)
        fl |= MS_RDONLY;
    if (!allow_dev)
        fl |= MS_NODEV;
    if (mount(NULL, dst, NULL, fl, NULL) < 0) {
        sb_errmsg(err, errlen, dst, errno);
        return -errno;
    }
    return 0;
}

static int make_dev(int rootfd, const char *root, char *err, size_t errlen)
{
    static const char *const nodes[] = {"null", "zero", "full", "random", "urandom"};
    static const char *const links[][2] = {
        {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
        {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
    };
    char path[SB_PATH_MAX], host[64];
    cat3(path, sizeof path, root, "/dev", NULL);
    if (mkdirat(rootfd, "dev", 0755) < 0 ||
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755") < 0) {
        sb_errmsg(err, errlen, "mounting /dev", errno);
        return -errno;
    }
    int devfd = openat(rootfd, "dev", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (devfd < 0) {
        sb_errmsg(err, errlen, "opening /dev", errno);
        return -errno;
    }
    int r = 0;
    for (size_t i = 0; i < sizeof nodes / sizeof *nodes && r == 0; i++) {
        int fd = openat(devfd, nodes[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
        if (fd < 0) {
            r = -errno;
            sb_errmsg(err, errlen, "creating a /dev node", errno);
            break;
        }
        close(fd);
        cat3(host, sizeof host, "/dev/", nodes[i], NULL);
        cat3(path, sizeof path, root, host, NULL);
        r = bind(host, path, true, true, err, errlen);
    }
    for (size_t i = 0; i < sizeof links / sizeof *links && r == 0; i++)
        if (symlinkat(links[i][1], devfd, links[i][0]) < 0) {
            r = -errno;
            sb_errmsg(err, errlen, "creating /dev links", errno);
        }
    if (r == 0 && mkdirat(devfd, "shm", 01777) < 0) {
        r = -errno;
        sb_errmsg(err, errlen, "creating /dev/shm", errno);
    }
    close(devfd);
    if (r < 0)
        return r;
    cat3(path, sizeof path, root, "/dev/shm", NULL);
    if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777") < 0) {
        sb_errmsg(err, errlen, "mounting /dev/shm", errno);
        return -errno;
    }
    cat3(path, sizeof path, root, "/dev", NULL);
    if (mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755") < 0) {
        sb_errmsg(err, errlen, "remounting /dev read-only", errno);
        return -errno;
    }
    return 0;
}

int sb_rootfs_enter(const struct sb_rootfs_plan *plan, char *err, size_t errlen)
{
    const char *root = plan->root;
    char path[SB_PATH_MAX];
    int r;

    /* Nothing we mount may propagate back to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        sb_errmsg(err, errlen, "making mounts private", errno);
        return -errno;
    }
    if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,mode=0755") < 0) {
        sb_errmsg(err, errlen, "mounting the root tmpfs", errno);
        return -errno;
    }
    int rootfd = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (rootfd < 0) {
        sb_errmsg(err, errlen, "opening the new root", errno);
        return -errno;
    }

    for (int i = 0; i < plan->n_ops; i++) {
        const struct sb_mount_op *op = &plan->ops[i];
        if (op->is_link) {
            if ((r = mkdirs_at(rootfd, op->dst, true)) == 0) {
                unlinkat(rootfd, op->dst, 0);
                r = symlinkat(op->src, rootfd, op->dst) < 0 ? -errno : 0;
            }
            if (r < 0) {
                sb_errmsg(err, errlen, op->dst, -r);
                goto fail;
            }
            continue;
        }
        if ((r = mkdirs_at(rootfd, op->dst, op->is_file)) < 0) {
            sb_errmsg(err, errlen, op->dst, -r);
            goto fail;
        }
        cat3(path, sizeof path, root, "/", op->dst);
        if ((r = bind(op->src, path, op->writable, false, err, errlen)) < 0)
            goto fail;
    }

    /* /box: the run's files, or an empty tmpfs. */
    cat3(path, sizeof path, root, "/box", NULL);
    if (mkdirat(rootfd, "box", 0755) < 0 && errno != EEXIST) {
        r = -errno;
        sb_errmsg(err, errlen, "creating /box", errno);
        goto fail;
    }
    if (plan->box_src[0])
        r = bind(plan->box_src, path, plan->box_writable, false, err, errlen);
    else if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | (plan->box_writable ? 0 : MS_RDONLY),
                   "size=1m,mode=0777") < 0) {
        r = -errno;
        sb_errmsg(err, errlen, "mounting /box", errno);
    }
    if (r < 0)
        goto fail;

    /* /tmp: private and size-capped (its pages count against the memory limit too). */
    cat3(path, sizeof path, root, "/tmp", NULL);
    if (mkdirat(rootfd, "tmp", 01777) < 0 ||
        mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, plan->tmp_opts) < 0) {
        r = -errno;
        sb_errmsg(err, errlen, "mounting /tmp", errno);
        goto fail;
    }

    /* /proc of the box's own PID namespace: it sees only its processes. */
    cat3(path, sizeof path, root, "/proc", NULL);
    if (mkdirat(rootfd, "proc", 0555) < 0 ||
        mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2") < 0) {
        r = -errno;
        sb_errmsg(err, errlen, "mounting /proc", errno);
        goto fail;
    }

    if ((r = make_dev(rootfd, root, err, errlen)) < 0)
        goto fail;
    close(rootfd);

    /* Nobody in the box may create files at the top level. */
    if (mount(NULL, root, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=256k,mode=0755") < 0) {
        sb_errmsg(err, errlen, "remounting the root read-only", errno);
        return -errno;
    }
    /* pivot_root(".", ".") stacks the old root under the new one; detaching
     * it leaves no path back to the host tree. */
    if (chdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
        umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
        sb_errmsg(err, errlen, "pivot_root", errno);
        return -errno;
    }
    return 0;
fail:
    close(rootfd);
    return r;
}
