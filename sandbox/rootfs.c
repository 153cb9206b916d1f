/*
 * rootfs.c - the box's private root filesystem.
 *
 * Once per slot, a helper process builds a template root in a mount
 * namespace of its own: a tmpfs "/", read-only nosuid nodev binds of the
 * toolchain directories, a /dev with only null, zero, full, random and
 * urandom, empty mount points for /box, /tmp and /proc; then pivot_root,
 * and the host root is detached, so no path leads back to the host. The
 * namespace outlives the helper through an fd.
 *
 * The slot's keeper (box init, kept between runs) is born with a private
 * copy of the template, owned by its user namespace, and mounts a /tmp
 * tmpfs (also the target of /dev/shm) and a /proc of its PID namespace
 * over the template's placeholder. Per run, the launcher,
 * inside that copy, attaches /box and any extra mounts, which the
 * supervisor clones from host paths with open_tree(); it keeps them for
 * the next run when that run wants the same host objects. After each run
 * /tmp is replaced by a fresh tmpfs when anything was left in it, and a
 * writable scratch /box is dropped: nothing a run writes survives it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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
    /* Real device nodes with the host's numbers (we are root in the host
     * user namespace here), not bind mounts: every mount in the template
     * is copied and torn down again by every run. */
    for (size_t i = 0; i < sizeof nodes / sizeof *nodes && r == 0; i++) {
        struct stat st;
        cat3(host, sizeof host, "/dev/", nodes[i], NULL);
        if (stat(host, &st) < 0 || !S_ISCHR(st.st_mode) ||
            mknodat(devfd, nodes[i], S_IFCHR | 0666, st.st_rdev) < 0 ||
            fchmodat(devfd, nodes[i], 0666, 0) < 0) {
            r = -errno ? -errno : -ENODEV;
            sb_errmsg(err, errlen, "creating a /dev node", errno);
        }
    }
    for (size_t i = 0; i < sizeof links / sizeof *links && r == 0; i++)
        if (symlinkat(links[i][1], devfd, links[i][0]) < 0) {
            r = -errno;
            sb_errmsg(err, errlen, "creating /dev links", errno);
        }
    /* POSIX shm lives in the run's private /tmp */
    if (r == 0 && symlinkat("/tmp", devfd, "shm") < 0) {
        r = -errno;
        sb_errmsg(err, errlen, "creating /dev/shm", errno);
    }
    close(devfd);
    if (r < 0)
        return r;
    cat3(path, sizeof path, root, "/dev", NULL);
    if (mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755") < 0) {
        sb_errmsg(err, errlen, "remounting /dev read-only", errno);
        return -errno;
    }
    return 0;
}

/* Runs in the template helper (a forked child of the slot's creator). */
static int build_template(const struct sb_rootfs_plan *plan, char *err, size_t errlen)
{
    const char *root = plan->root;
    char path[SB_PATH_MAX];
    int r;

    /* Nothing we mount may propagate back to the host. */
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        sb_errmsg(err, errlen, "making a private mount namespace", errno);
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
    static const struct { const char *name; mode_t mode; } points[] = {
        {"box", 0755}, {"tmp", 01777}, {"proc", 0555},
    };
    for (size_t i = 0; i < sizeof points / sizeof *points; i++)
        if (mkdirat(rootfd, points[i].name, points[i].mode) < 0 && errno != EEXIST) {
            r = -errno;
            sb_errmsg(err, errlen, points[i].name, errno);
            goto fail;
        }
    if ((r = make_dev(rootfd, root, err, errlen)) < 0)
        goto fail;
    close(rootfd);

    /* Read-only for the box (a per-mount flag: the superblock stays
     * writable through the slot's detached view, for mount points). */
    if (mount(NULL, root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0) {
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
    /* The keeper mounts the /proc of its PID namespace from inside its
     * user namespace; the kernel allows that only over a proc that is
     * already fully visible in its mount namespace. This placeholder is
     * that proc: it lists only the pids of this helper's namespace that
     * the viewer may trace (none, for a box) and nothing else, and it
     * stays covered (and locked) under the keeper's own. */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2,subset=pid") < 0) {
        sb_errmsg(err, errlen, "mounting the placeholder /proc", errno);
        return -errno;
    }
    return 0;
fail:
    close(rootfd);
    return r;
}

/* In the helper: build the template, then make a writable detached view
 * of its root, which the parent fetches with pidfd_getfd (open_tree only
 * clones mounts of the caller's own namespace, so the parent cannot). */
static int template_helper(void *arg, int *view, char *msg, size_t len)
{
    int r = build_template(arg, msg, len);
    *view = -1;
    if (r < 0)
        return r;
    struct mount_attr attr = {.attr_clr = MOUNT_ATTR_RDONLY};
    *view = open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE);
    if (*view < 0 || mount_setattr(*view, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
        sb_errmsg(msg, len, "cloning the template root", errno);
        return -errno;
    }
    return 0;
}

int sb_rootfs_template(const struct sb_rootfs_plan *plan, int *mntns_fd, int *rw_fd,
                       char *err, size_t errlen)
{
    struct sb_nshelper h;
    int view = -1;
    *mntns_fd = *rw_fd = -1;
    int r = sb_nshelper_start(&h, template_helper, (void *)plan, &view, "building the box root",
                              err, errlen);
    if (r < 0)
        return r;
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/ns/mnt", (int)h.pid);
    *mntns_fd = open(p, O_RDONLY | O_CLOEXEC);
    int pidfd = (int)syscall(SYS_pidfd_open, h.pid, 0);
    *rw_fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, view, 0);
    if (pidfd >= 0)
        close(pidfd);
    if (*mntns_fd < 0 || *rw_fd < 0) {
        r = -errno;
        sb_errmsg(err, errlen, "holding the box root template", errno);
        if (*mntns_fd >= 0)
            close(*mntns_fd);
        if (*rw_fd >= 0)
            close(*rw_fd);
        *mntns_fd = *rw_fd = -1;
    }
    sb_nshelper_finish(&h);
    return r;
}

/* ---- per run: parent side ---------------------------------------------- */

static int clone_tree(const char *host, bool writable, char *err, size_t errlen)
{
    int fd = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (fd < 0) {
        sb_errmsg(err, errlen, host, errno);
        return -errno;
    }
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (writable ? 0 : MOUNT_ATTR_RDONLY),
        .attr_clr = writable ? MOUNT_ATTR_RDONLY : 0,
    };
    if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
        int e = errno;
        sb_errmsg(err, errlen, host, e);
        close(fd);
        return -e;
    }
    return fd;
}

void sb_rootfs_release_run(struct sb_run_mounts *m)
{
    if (m->box_fd >= 0)
        close(m->box_fd);
    m->box_fd = -1;
    for (int i = 0; i < m->n; i++)
        if (m->fds[i] >= 0)
            close(m->fds[i]);
    m->n = 0;
}

/* Append "tag dev:ino:rw dst;" for one host object to the identity. */
static void id_add(char *id, size_t len, const char *tag, const struct stat *st, bool rw,
                   const char *dst)
{
    size_t n = strlen(id);
    snprintf(id + n, len - n, "%s %llx:%llx:%d %s;", tag, (unsigned long long)st->st_dev,
             (unsigned long long)st->st_ino, rw, dst);
}

int sb_rootfs_prepare_run(int rw_fd, const struct sb_config *cfg, const struct sb_limits *lim,
                          uid_t box_uid, const char *cur_id, char *id, size_t idlen,
                          struct sb_run_mounts *m, char *err, size_t errlen)
{
    m->box_fd = -1;
    m->n = 0;
    m->remount = false;
    m->box_writable = cfg->box_writable;
    snprintf(m->tmp_opts, sizeof m->tmp_opts, "size=%lluk,mode=1777",
             (unsigned long long)lim->tmp_kib);
    /* an empty /box tmpfs gets the same cap as /tmp, owned by the box user */
    snprintf(m->box_opts, sizeof m->box_opts, "size=%lluk,mode=0755,uid=%u,gid=%u",
             (unsigned long long)lim->tmp_kib, (unsigned)box_uid, (unsigned)box_uid);
    if (cfg->n_mounts > SB_MAX_MOUNTS) {
        sb_setmsg(err, errlen, "too many mounts (at most %d)", SB_MAX_MOUNTS);
        return -E2BIG;
    }
    /* First the identity of what this run wants, from the host paths. */
    struct stat st[1 + SB_MAX_MOUNTS];
    bool use[SB_MAX_MOUNTS];
    id[0] = 0;
    if (cfg->box_dir) {
        if (cfg->box_dir[0] != '/') {
            sb_setmsg(err, errlen, "box_dir must be an absolute path: %s", cfg->box_dir);
            return -EINVAL;
        }
        if (stat(cfg->box_dir, &st[0]) < 0) {
            sb_errmsg(err, errlen, cfg->box_dir, errno);
            return -errno;
        }
        id_add(id, idlen, "box", &st[0], cfg->box_writable, "/box");
    } else if (cfg->box_writable) {
        /* a writable scratch /box is dropped after every run */
        snprintf(id, idlen, "scratch;");
    } else
        snprintf(id, idlen, "empty %s;", m->box_opts);
    for (int i = 0; i < cfg->n_mounts; i++) {
        const struct sb_mount *mt = &cfg->mounts[i];
        if (!mt->host || mt->host[0] != '/' || !mt->box || mt->box[0] != '/' ||
            strstr(mt->box, "..") || strlen(mt->box) >= SB_PATH_MAX) {
            sb_setmsg(err, errlen, "mount paths must be absolute (the box path without '..'): %s -> %s",
                      mt->host ? mt->host : "(null)", mt->box ? mt->box : "(null)");
            return -EINVAL;
        }
        use[i] = stat(mt->host, &st[1 + i]) == 0;
        if (!use[i]) {
            if (mt->optional && errno == ENOENT)
                continue;
            sb_errmsg(err, errlen, mt->host, errno);
            return -ENOENT;
        }
        id_add(id, idlen, "dir", &st[1 + i], mt->writable, mt->box);
    }
    if (strcmp(id, "scratch;") && !strcmp(id, cur_id))
        return 0; /* all in place from an earlier run */

    /* Clone the trees; the identity is then taken from what was cloned,
     * so a path swapped meanwhile makes the next run remount. */
    m->remount = true;
    id[0] = 0;
    int r;
    if (cfg->box_dir) {
        if ((r = clone_tree(cfg->box_dir, cfg->box_writable, err, errlen)) < 0)
            return r;
        m->box_fd = r;
        if (fstat(r, &st[0]) < 0) {
            sb_errmsg(err, errlen, cfg->box_dir, errno);
            sb_rootfs_release_run(m);
            return -EIO;
        }
        id_add(id, idlen, "box", &st[0], cfg->box_writable, "/box");
    } else
        snprintf(id, idlen, cfg->box_writable ? "scratch;" : "empty %s;", m->box_opts);
    for (int i = 0; i < cfg->n_mounts; i++) {
        const struct sb_mount *mt = &cfg->mounts[i];
        if (!use[i])
            continue;
        const char *rel = mt->box;
        while (*rel == '/')
            rel++;
        /* The mount point lives in the template root; it stays (empty,
         * read-only) for later runs of this slot. */
        if ((r = mkdirs_at(rw_fd, rel, !S_ISDIR(st[1 + i].st_mode))) < 0 && r != -EEXIST) {
            sb_errmsg(err, errlen, mt->box, -r);
            sb_rootfs_release_run(m);
            return r;
        }
        if ((r = clone_tree(mt->host, mt->writable, err, errlen)) < 0) {
            sb_rootfs_release_run(m);
            return r;
        }
        m->fds[m->n] = r;
        snprintf(m->dst[m->n], SB_PATH_MAX, "%s", mt->box);
        m->n++;
        struct stat fst;
        if (fstat(r, &fst) < 0) {
            sb_errmsg(err, errlen, mt->host, errno);
            sb_rootfs_release_run(m);
            return -EIO;
        }
        id_add(id, idlen, "dir", &fst, mt->writable, mt->box);
    }
    return 0;
}

/* ---- the keeper (box side: system calls only) ---------------------------- */

/* /tmp as a run found it: one inode (its root), no blocks, and a root no
 * run has touched since the mount (mounted noatime, so its mtime and ctime
 * stay at its birth until a file is made or removed, or it is touched).
 * A program cannot chmod it or set xattrs on it: host root owns it. */
bool sb_rootfs_tmp_is_fresh(void)
{
    struct statfs fs;
    struct statx sx;
    if (statfs("/tmp", &fs) < 0 || fs.f_files - fs.f_ffree != 1 || fs.f_bfree != fs.f_blocks)
        return false;
    if (statx(AT_FDCWD, "/tmp", AT_SYMLINK_NOFOLLOW, STATX_BTIME | STATX_MTIME | STATX_CTIME, &sx) < 0 ||
        !(sx.stx_mask & STATX_BTIME))
        return false;
    return sx.stx_mtime.tv_sec == sx.stx_btime.tv_sec && sx.stx_mtime.tv_nsec == sx.stx_btime.tv_nsec &&
           sx.stx_ctime.tv_sec == sx.stx_btime.tv_sec && sx.stx_ctime.tv_nsec == sx.stx_btime.tv_nsec;
}

int sb_rootfs_keeper_mounts(const char *tmp_opts, char *err, size_t errlen)
{
    if (chdir("/") < 0 || mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOATIME, tmp_opts) < 0) {
        sb_errmsg(err, errlen, "mounting /tmp", errno);
        return -errno;
    }
    /* /proc of the box's own PID namespace: it sees only its processes,
     * and (hidepid) only those of its own uid: not the keeper. */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2") < 0) {
        sb_errmsg(err, errlen, "mounting /proc", errno);
        return -errno;
    }
    return 0;
}

/* ---- the launcher, inside the keeper's mount namespace (system calls only) */

static void copy_str(char *dst, size_t len, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < len; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

static int mount_tmp(const char *opts, char *err, size_t errlen)
{
    /* detaching waits for an (expedited) RCU grace period: only when needed */
    umount2("/tmp", MNT_DETACH);
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOATIME, opts) < 0) {
        sb_errmsg(err, errlen, "mounting /tmp", errno);
        return -errno;
    }
    return 0;
}

int sb_rootfs_mount_run(struct sb_mounted *cur, const struct sb_run_mounts *m,
                        char *err, size_t errlen)
{
    if (strcmp(cur->tmp_opts, m->tmp_opts)) {
        int r = mount_tmp(m->tmp_opts, err, errlen);
        if (r < 0)
            return r;
        copy_str(cur->tmp_opts, sizeof cur->tmp_opts, m->tmp_opts);
    }
    if (!m->remount)
        return 0;
    /* extra mounts may sit on /box: they go first */
    while (cur->n > 0)
        umount2(cur->dst[--cur->n], MNT_DETACH);
    if (cur->box)
        umount2("/box", MNT_DETACH);
    cur->box = cur->box_scratch = false;
    if (m->box_fd >= 0) {
        if (move_mount(m->box_fd, "", AT_FDCWD, "/box", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
            sb_errmsg(err, errlen, "mounting /box", errno);
            return -errno;
        }
    } else if (mount("tmpfs", "/box", "tmpfs", MS_NOSUID | MS_NODEV | (m->box_writable ? 0 : MS_RDONLY),
                     m->box_opts) < 0) {
        sb_errmsg(err, errlen, "mounting /box", errno);
        return -errno;
    }
    cur->box = true;
    cur->box_scratch = m->box_fd < 0 && m->box_writable;
    for (int i = 0; i < m->n; i++) {
        if (move_mount(m->fds[i], "", AT_FDCWD, m->dst[i], MOVE_MOUNT_F_EMPTY_PATH) < 0) {
            sb_errmsg(err, errlen, m->dst[i], errno);
            return -errno;
        }
        copy_str(cur->dst[cur->n++], SB_PATH_MAX, m->dst[i]);
    }
    return 0;
}

int sb_rootfs_clean_run(struct sb_mounted *cur, char *err, size_t errlen)
{
    if (!sb_rootfs_tmp_is_fresh()) {
        int r = mount_tmp(cur->tmp_opts, err, errlen);
        if (r < 0)
            return r;
    }
    if (cur->box_scratch) {
        umount2("/box", MNT_DETACH);
        cur->box = cur->box_scratch = false;
    }
    return 0;
}
