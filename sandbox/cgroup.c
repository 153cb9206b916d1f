/*
 * cgroup.c - memory / pids / cpu accounting and limits for a box, on
 * cgroup v1 (separate memory, pids and cpuacct hierarchies) or v2 (one
 * unified tree). A slot's cgroup is created once and reused: each run
 * only resets its counters, which is much cheaper than mkdir/rmdir.
 *
 * Written against plain files (not libcgroup) so the same code can be
 * pointed at a fake tree in tests, and so hot reads reuse directory fds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "sandbox/internal.h"
#include "sandbox/util.h"

static const char *const v1_names[SB_CG_N] = {"memory", "pids", "cpuacct"};

/* ---- small file helpers ------------------------------------------------ */

static int read_at(int dir, const char *file, char *buf, size_t len)
{
    int fd = openat(dir, file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, buf, len - 1);
    int e = errno;
    close(fd);
    if (n < 0)
        return -e;
    buf[n] = 0;
    return (int)n;
}

static int write_at(int dir, const char *file, const char *val)
{
    int fd = openat(dir, file, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, val, strlen(val));
    int e = errno;
    close(fd);
    return n < 0 ? -e : 0;
}

/* Reads of the slot's own files, through fds kept open: a run reads
 * or writes about ten of them, and open+close of a cgroup file costs
 * several times the read itself. */
static int cg_fd(struct sb_cgroup *cg, int ctl, const char *file, bool wr, bool *cached)
{
    for (int i = 0; i < cg->ncached; i++)
        if (cg->cached[i].ctl == ctl && cg->cached[i].wr == wr && !strcmp(cg->cached[i].name, file)) {
            *cached = true;
            return cg->cached[i].fd;
        }
    int fd = openat(cg->dir[ctl], file, (wr ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    *cached = cg->ncached < SB_CG_CACHED;
    if (*cached)
        cg->cached[cg->ncached++] = (struct sb_cg_file){.name = file, .ctl = ctl, .wr = wr, .fd = fd};
    return fd;
}

static int cg_read(struct sb_cgroup *cg, int ctl, const char *file, char *buf, size_t len)
{
    bool cached;
    int fd = cg_fd(cg, ctl, file, false, &cached);
    if (fd < 0)
        return fd;
    ssize_t n = pread(fd, buf, len - 1, 0);
    int e = errno;
    if (!cached)
        close(fd);
    if (n < 0)
        return -e;
    buf[n] = 0;
    return (int)n;
}

static int cg_write(struct sb_cgroup *cg, int ctl, const char *file, const char *val)
{
    bool cached;
    int fd = cg_fd(cg, ctl, file, true, &cached);
    if (fd < 0)
        return fd;
    ssize_t n = pwrite(fd, val, strlen(val), 0);
    int e = errno;
    if (!cached)
        close(fd);
    return n < 0 ? -e : 0;
}

static int cg_read_u64(struct sb_cgroup *cg, int ctl, const char *file, uint64_t *out)
{
    char buf[64];
    int r = cg_read(cg, ctl, file, buf, sizeof buf);
    if (r < 0)
        return r;
    *out = !strncmp(buf, "max", 3) ? UINT64_MAX : strtoull(buf, NULL, 10);
    return 0;
}

static int cg_read_key(struct sb_cgroup *cg, int ctl, const char *file, const char *key, uint64_t *out)
{
    char buf[2048];
    int r = cg_read(cg, ctl, file, buf, sizeof buf);
    if (r < 0)
        return r;
    size_t kl = strlen(key);
    for (char *line = buf; line && *line; ) {
        if (!strncmp(line, key, kl) && line[kl] == ' ') {
            *out = strtoull(line + kl + 1, NULL, 10);
            return 0;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    *out = 0;
    return -ENOENT;
}

/* ---- detection --------------------------------------------------------- */

/* This process's cgroup path for a v1 controller ("memory") or v2 (""). */
static int own_cgroup(const char *controller, char *out, size_t len)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return -errno;
    char line[1024];
    int found = -ENOENT;
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c1 = *c2 = 0; /* "N", "ctrl[,ctrl]" (empty on v2: "0::/path"), path */
        char *path = c2 + 1;
        path[strcspn(path, "\n")] = 0;
        const char *ctrls = c1 + 1;
        bool match = false;
        if (!*controller)
            match = !strcmp(line, "0") && !*ctrls;
        else {
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s", ctrls);
            for (char *s, *t = strtok_r(tmp, ",", &s); t; t = strtok_r(NULL, ",", &s))
                if (!strcmp(t, controller))
                    match = true;
        }
        if (match) {
            /* Our own leaf (see v2_enable_controllers) is not where boxes
             * go: they go beside it, in the cgroup we were started in. */
            size_t pl = strlen(path), ll = strlen("/" SB_CG_LEAF);
            if (pl >= ll && !strcmp(path + pl - ll, "/" SB_CG_LEAF))
                path[pl - ll] = 0;
            snprintf(out, len, "%s", *path ? path : "/");
            found = 0;
            break;
        }
    }
    fclose(f);
    return found;
}

static bool has_word(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = list; (p = strstr(p, word)); p += wl)
        if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
            (p[wl] == 0 || p[wl] == ',' || p[wl] == ' ' || p[wl] == '\n'))
            return true;
    return false;
}

/* Find mount points: v2 (with memory+pids controllers) or v1 hierarchies. */
static int find_mounts(char v2[SB_PATH_MAX], char v1[SB_CG_N][SB_PATH_MAX])
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return -errno;
    char line[4096];
    v2[0] = 0;
    for (int i = 0; i < SB_CG_N; i++)
        v1[i][0] = 0;
    while (fgets(line, sizeof line, f)) {
        /* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
        char *sep = strstr(line, " - ");
        if (!sep)
            continue;
        char mnt[SB_PATH_MAX], fstype[64], src[256], super[1024] = "";
        if (sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
            sscanf(sep + 3, "%63s %255s %1023s", fstype, src, super) < 2)
            continue;
        if (!strcmp(fstype, "cgroup2")) {
            char ctl[256], p[SB_PATH_MAX + 32];
            snprintf(p, sizeof p, "%s/cgroup.controllers", mnt);
            int fd = open(p, O_RDONLY | O_CLOEXEC);
            ssize_t n = fd >= 0 ? read(fd, ctl, sizeof ctl - 1) : -1;
            if (fd >= 0)
                close(fd);
            if (n > 0) {
                ctl[n] = 0;
                if (has_word(ctl, "memory") && has_word(ctl, "pids") && !v2[0])
                    snprintf(v2, SB_PATH_MAX, "%s", mnt);
            }
        } else if (!strcmp(fstype, "cgroup")) {
            for (int i = 0; i < SB_CG_N; i++)
                if (has_word(super, v1_names[i]) && !v1[i][0])
                    snprintf(v1[i], SB_PATH_MAX, "%s", mnt);
        }
    }
    fclose(f);
    return 0;
}

int sb_cg_detect(const char *parent, struct sb_cg_layout *lay, char *err, size_t errlen)
{
    char v2[SB_PATH_MAX], v1[SB_CG_N][SB_PATH_MAX], own[SB_PATH_MAX];
    memset(lay, 0, sizeof *lay);
    int r = find_mounts(v2, v1);
    if (r < 0) {
        sb_errmsg(err, errlen, "reading /proc/self/mountinfo", -r);
        return r;
    }
    if (v2[0]) {
        lay->version = 2;
        if (parent)
            own[0] = 0;
        else if (own_cgroup("", own, sizeof own) < 0)
            snprintf(own, sizeof own, "/");
        for (int i = 0; i < SB_CG_N; i++)
            if (snprintf(lay->root[i], SB_PATH_MAX, "%s%s%s%s", v2, own, parent ? "/" : "",
                         parent ? parent : "") >= SB_PATH_MAX)
                goto too_long;
        return 0;
    }
    if (v1[SB_CG_MEM][0] && v1[SB_CG_PIDS][0] && v1[SB_CG_CPU][0]) {
        lay->version = 1;
        for (int i = 0; i < SB_CG_N; i++) {
            if (parent)
                own[0] = 0;
            else if (own_cgroup(v1_names[i], own, sizeof own) < 0)
                snprintf(own, sizeof own, "/");
            if (!strcmp(own, "/"))
                own[0] = 0;
            if (snprintf(lay->root[i], SB_PATH_MAX, "%s%s%s%s", v1[i], own, parent ? "/" : "",
                         parent ? parent : "") >= SB_PATH_MAX)
                goto too_long;
        }
        return 0;
    }
    sb_setmsg(err, errlen, "no usable cgroup hierarchy: need cgroup v2 with the memory "
              "and pids controllers, or v1 memory, pids and cpuacct hierarchies");
    return -ENOENT;
too_long:
    /* a cut path would name another cgroup */
    memset(lay, 0, sizeof *lay);
    sb_setmsg(err, errlen, "cgroup path longer than %d bytes (parent %s)", SB_PATH_MAX - 1,
              parent ? parent : "(own cgroup)");
    return -ENAMETOOLONG;
}

/* ---- open / close ------------------------------------------------------ */

/* Move every process of the cgroup at pfd into its leaf at lfd. Returns
 * how many were moved, or -errno (naming the process in err) when one
 * cannot be: it is not ours to organise. */
static int v2_move_all(int pfd, int lfd, const char *parent, char *err, size_t errlen)
{
    char buf[8192];
    int n = read_at(pfd, "cgroup.procs", buf, sizeof buf), moved = 0;
    if (n < 0)
        return n;
    for (char *p = buf; *p; ) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        p = end + strspn(end, "\n");
        char v[32];
        snprintf(v, sizeof v, "%ld", pid);
        int r = write_at(lfd, "cgroup.procs", v);
        if (r == -ESRCH)
            continue; /* exited meanwhile */
        if (r < 0) {
            sb_setmsg(err, errlen, "cgroup %s holds process %ld, which nsjudge cannot move into "
                      "its leaf %s (%s): start nsjudge in a cgroup of its own (systemd: "
                      "Delegate=yes) or give it a delegated --cgroup-parent",
                      parent, pid, SB_CG_LEAF, strerror(-r));
            return r;
        }
        moved++;
    }
    return moved;
}

/* v2: controllers must be enabled in the parent's subtree_control. The
 * "no internal processes" rule forbids that while the parent holds
 * processes: ours, and whatever shares the cgroup we were started in (a
 * login shell's scope, a test runner, the client of a kept slot). Then
 * every process there moves into a leaf of that cgroup, SB_CG_LEAF, which
 * stays inside the subtree we were given; boxes go beside the leaf. */
static int v2_enable_controllers(const char *parent, char *err, size_t errlen)
{
    int pfd = open(parent, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (pfd < 0) {
        sb_errmsg(err, errlen, parent, errno);
        return -errno;
    }
    char ctl[512];
    int r = read_at(pfd, "cgroup.subtree_control", ctl, sizeof ctl);
    if (r >= 0 && has_word(ctl, "memory") && has_word(ctl, "pids") && has_word(ctl, "cpu")) {
        close(pfd);
        return 0;
    }
    if (read_at(pfd, "cgroup.controllers", ctl, sizeof ctl) >= 0 &&
        !(has_word(ctl, "memory") && has_word(ctl, "pids") && has_word(ctl, "cpu"))) {
        sb_setmsg(err, errlen, "cgroup %s lacks the memory, pids or cpu controller (it has: %.100s): "
                  "enable them in its parent's cgroup.subtree_control (systemd: Delegate=yes)",
                  parent, ctl);
        close(pfd);
        return -ENOENT;
    }
    err[0] = 0;
    r = write_at(pfd, "cgroup.subtree_control", "+memory +pids +cpu");
    int lfd = -1;
    /* processes may be forked meanwhile: a few rounds */
    for (int round = 0; r == -EBUSY && round < 20; round++) {
        if (lfd < 0) {
            if (mkdirat(pfd, SB_CG_LEAF, 0755) < 0 && errno != EEXIST) {
                r = -errno;
                break;
            }
            if ((lfd = openat(pfd, SB_CG_LEAF, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) < 0) {
                r = -errno;
                break;
            }
        }
        int m = v2_move_all(pfd, lfd, parent, err, errlen);
        if (m < 0) {
            r = m;
            break;
        }
        r = write_at(pfd, "cgroup.subtree_control", "+memory +pids +cpu");
    }
    if (lfd >= 0)
        close(lfd);
    close(pfd);
    if (r < 0 && !err[0])
        sb_setmsg(err, errlen, "cannot enable memory/pids/cpu controllers in %s: %s "
                  "(start nsjudge in a delegated cgroup of its own, or set a delegated cgroup_parent)",
                  parent, strerror(-r));
    return r;
}

/* Remove empty cgroups left by nsjudge processes that died without
 * closing their slots (named nsjudge-<pid>-<slot>, pid no longer alive). */
static void remove_stale(const char *root)
{
    DIR *d = opendir(root);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int pid, id;
        if (sscanf(e->d_name, "nsjudge-%d-%d", &pid, &id) != 2 || pid <= 0)
            continue;
        if (kill(pid, 0) < 0 && errno == ESRCH)
            unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR); /* fails if in use */
    }
    closedir(d);
}

int sb_cg_open(const struct sb_cg_layout *lay, const char *name,
               struct sb_cgroup *cg, char *err, size_t errlen)
{
    memset(cg, 0, sizeof *cg);
    cg->version = lay->version;
    cg->peak_fd = -1;
    for (int i = 0; i < SB_CG_N; i++)
        cg->dir[i] = -1;
    int n = lay->version == 2 ? 1 : SB_CG_N;
    for (int i = 0; i < n; i++) {
        int r = sb_mkdir_p(lay->root[i], 0755);
        if (r == 0 && lay->version == 2)
            r = v2_enable_controllers(lay->root[i], err, errlen);
        else if (r < 0)
            sb_errmsg(err, errlen, lay->root[i], -r);
        if (r == 0)
            remove_stale(lay->root[i]);
        snprintf(cg->path[i], SB_PATH_MAX, "%s/%s", lay->root[i], name);
        if (r == 0 && mkdir(cg->path[i], 0755) < 0 && errno != EEXIST) {
            r = -errno;
            sb_errmsg(err, errlen, cg->path[i], errno);
        }
        if (r == 0 && (cg->dir[i] = open(cg->path[i], O_DIRECTORY | O_RDONLY | O_CLOEXEC)) < 0) {
            r = -errno;
            sb_errmsg(err, errlen, cg->path[i], errno);
        }
        if (r < 0) {
            sb_cg_close(cg, true);
            return r;
        }
    }
    if (lay->version == 2) {
        for (int i = 1; i < SB_CG_N; i++) {
            cg->dir[i] = cg->dir[0];
            snprintf(cg->path[i], SB_PATH_MAX, "%s", cg->path[0]);
        }
        cg->peak_fd = openat(cg->dir[0], "memory.peak", O_RDWR | O_CLOEXEC);
    } else {
        cg->has_memsw = faccessat(cg->dir[SB_CG_MEM], "memory.memsw.limit_in_bytes", W_OK, 0) == 0;
    }
    cg->cur_mem_limit = UINT64_MAX - 1; /* force the first write */
    cg->cur_pids = UINT32_MAX - 1;
    return 0;
}

void sb_cg_close(struct sb_cgroup *cg, bool remove)
{
    for (int i = 0; i < cg->ncached; i++)
        close(cg->cached[i].fd);
    cg->ncached = 0;
    if (cg->peak_fd >= 0)
        close(cg->peak_fd);
    cg->peak_fd = -1;
    int n = cg->version == 2 ? 1 : SB_CG_N;
    for (int i = 0; i < n; i++) {
        if (cg->dir[i] >= 0) {
            close(cg->dir[i]);
            if (remove)
                rmdir(cg->path[i]);
        }
    }
    for (int i = 0; i < SB_CG_N; i++)
        cg->dir[i] = -1;
}

/* ---- limits and counters ---------------------------------------------- */

int sb_cg_set_limits(struct sb_cgroup *cg, uint64_t mem_bytes, uint32_t pids,
                     char *err, size_t errlen)
{
    char v[32];
    int r = 0;
    if (mem_bytes != cg->cur_mem_limit) {
        if (cg->version == 2) {
            if (mem_bytes)
                snprintf(v, sizeof v, "%llu", (unsigned long long)mem_bytes);
            else
                snprintf(v, sizeof v, "max");
            r = cg_write(cg, SB_CG_MEM, "memory.max", v);
            if (r == 0) /* no swap: a box over its limit is killed, not slowed */
                cg_write(cg, SB_CG_MEM, "memory.swap.max", "0");
        } else {
            snprintf(v, sizeof v, "%lld", mem_bytes ? (long long)mem_bytes : -1LL);
            /* memsw must stay >= limit: order the two writes accordingly */
            r = cg_write(cg, SB_CG_MEM, "memory.limit_in_bytes", v);
            if (cg->has_memsw) {
                int r2 = cg_write(cg, SB_CG_MEM, "memory.memsw.limit_in_bytes", v);
                if (r < 0 && r2 == 0)
                    r = cg_write(cg, SB_CG_MEM, "memory.limit_in_bytes", v);
                else if (r2 < 0 && r == 0)
                    r = r2;
            }
        }
        if (r < 0) {
            sb_errmsg(err, errlen, "setting the cgroup memory limit", -r);
            cg->cur_mem_limit = UINT64_MAX - 1;
            return r;
        }
        cg->cur_mem_limit = mem_bytes;
    }
    if (pids != cg->cur_pids) {
        if (pids)
            snprintf(v, sizeof v, "%u", pids);
        else
            snprintf(v, sizeof v, "max");
        r = cg_write(cg, SB_CG_PIDS, "pids.max", v);
        if (r < 0) {
            sb_errmsg(err, errlen, "setting the cgroup pids limit", -r);
            cg->cur_pids = UINT32_MAX - 1;
            return r;
        }
        cg->cur_pids = pids;
    }
    return 0;
}

static int v1_oom_kills(struct sb_cgroup *cg, uint64_t *out)
{
    return cg_read_key(cg, SB_CG_MEM, "memory.oom_control", "oom_kill", out);
}

int sb_cg_reset(struct sb_cgroup *cg, char *err, size_t errlen)
{
    int r;
    if (cg->version == 2) {
        uint64_t us = 0;
        cg_read_key(cg, SB_CG_CPU, "cpu.stat", "usage_usec", &us);
        cg->cpu_base_us = us;
        cg_read_key(cg, SB_CG_MEM, "memory.events", "oom_kill", &cg->oom_base);
        cg_read_key(cg, SB_CG_MEM, "memory.events", "max", &cg->max_base);
        cg->mem_base = 0;
        cg_read_u64(cg, SB_CG_MEM, "memory.current", &cg->mem_base);
        /* memory.peak: a write resets the watermark seen through this fd
         * (6.12+). Before that it is read-only and covers the slot's whole
         * life, so a small run after a big one would report the big one:
         * then note where it stands, and sample memory.current meanwhile
         * (sb_cg_read_stats). */
        cg->peak_exact = cg->peak_fd >= 0 && pwrite(cg->peak_fd, "0", 1, 0) == 1;
        cg->peak_base = 0;
        if (!cg->peak_exact && cg->peak_fd >= 0) {
            char buf[64];
            ssize_t n = pread(cg->peak_fd, buf, sizeof buf - 1, 0);
            buf[n > 0 ? n : 0] = 0;
            cg->peak_base = strtoull(buf, NULL, 10);
        }
        cg->polled_max = cg->mem_base;
        return 0;
    }
    if ((r = cg_write(cg, SB_CG_CPU, "cpuacct.usage", "0")) < 0 ||
        (r = cg_write(cg, SB_CG_MEM, "memory.max_usage_in_bytes", "0")) < 0 ||
        (r = cg_write(cg, SB_CG_MEM, "memory.failcnt", "0")) < 0 ||
        (cg->has_memsw && (r = cg_write(cg, SB_CG_MEM, "memory.memsw.failcnt", "0")) < 0)) {
        sb_errmsg(err, errlen, "resetting cgroup counters", -r);
        return r;
    }
    v1_oom_kills(cg, &cg->oom_base);
    cg->mem_base = 0;
    cg_read_u64(cg, SB_CG_MEM, "memory.usage_in_bytes", &cg->mem_base);
    return 0;
}

int sb_cg_attach(struct sb_cgroup *cg, pid_t pid, char *err, size_t errlen)
{
    char v[32];
    snprintf(v, sizeof v, "%d", (int)pid);
    int n = cg->version == 2 ? 1 : SB_CG_N;
    for (int i = 0; i < n; i++) {
        int r = write_at(cg->dir[i], "cgroup.procs", v);
        if (r < 0) {
            sb_errmsg(err, errlen, "adding the box to its cgroup", -r);
            return r;
        }
    }
    return 0;
}

int sb_cg_read_cpu(struct sb_cgroup *cg, uint64_t *ns)
{
    if (cg->version == 2) {
        uint64_t us;
        int r = cg_read_key(cg, SB_CG_CPU, "cpu.stat", "usage_usec", &us);
        if (r < 0)
            return r;
        *ns = (us - cg->cpu_base_us) * 1000;
        return 0;
    }
    return cg_read_u64(cg, SB_CG_CPU, "cpuacct.usage", ns);
}

bool sb_cg_polls_memory(const struct sb_cgroup *cg)
{
    return cg->version == 2 && !cg->peak_exact;
}

void sb_cg_poll_memory(struct sb_cgroup *cg)
{
    uint64_t cur = 0;
    if (cg_read_u64(cg, SB_CG_MEM, "memory.current", &cur) == 0 && cur > cg->polled_max)
        cg->polled_max = cur;
}

int sb_cg_read_stats(struct sb_cgroup *cg, struct sb_cg_stats *st)
{
    memset(st, 0, sizeof *st);
    int r = sb_cg_read_cpu(cg, &st->cpu_ns);
    if (r < 0)
        return r;
    uint64_t oom = 0;
    if (cg->version == 2) {
        char buf[64];
        ssize_t n = cg->peak_fd >= 0 ? pread(cg->peak_fd, buf, sizeof buf - 1, 0) : -1;
        if (n > 0) {
            buf[n] = 0;
            st->mem_peak_bytes = strtoull(buf, NULL, 10);
        }
        if (!cg->peak_exact) {
            /* A slot's peak that rose during the run is this run's (the
             * launcher and keeper hold steady); one that did not only says
             * the run stayed below an earlier one: take the samples. */
            sb_cg_poll_memory(cg);
            if (n <= 0 || st->mem_peak_bytes <= cg->peak_base)
                st->mem_peak_bytes = cg->polled_max;
        }
        cg_read_key(cg, SB_CG_MEM, "memory.events", "oom_kill", &oom);
        uint64_t max = 0;
        cg_read_key(cg, SB_CG_MEM, "memory.events", "max", &max);
        st->mem_failcnt = max >= cg->max_base ? max - cg->max_base : 0;
    } else {
        cg_read_u64(cg, SB_CG_MEM, "memory.max_usage_in_bytes", &st->mem_peak_bytes);
        cg_read_u64(cg, SB_CG_MEM, "memory.failcnt", &st->mem_failcnt);
        /* with memsw the combined counter, charged first, is the one that
         * fails (its limit equals the memory limit: no swap) */
        uint64_t memsw_fail = 0;
        if (cg->has_memsw)
            cg_read_u64(cg, SB_CG_MEM, "memory.memsw.failcnt", &memsw_fail);
        st->mem_failcnt += memsw_fail;
        v1_oom_kills(cg, &oom);
    }
    st->oom_kills = oom >= cg->oom_base ? oom - cg->oom_base : 0;
    /* the box's own peak: not the launcher's pages present before it */
    st->mem_peak_bytes = st->mem_peak_bytes > cg->mem_base ? st->mem_peak_bytes - cg->mem_base : 0;
    return 0;
}

int sb_cg_kill_all(struct sb_cgroup *cg, const pid_t *spare, int nspare)
{
    /* The usual case, cheaply: the pids counter holds just the spared
     * (single-threaded) processes, so there is no list to read. */
    uint64_t tasks = 0;
    int live = 0;
    for (int i = 0; i < nspare; i++)
        live += spare[i] > 0 && kill(spare[i], 0) == 0;
    if (cg_read_u64(cg, SB_CG_PIDS, "pids.current", &tasks) == 0 && tasks <= (uint64_t)live)
        return 0;
    for (int round = 0; round < 2000; round++) {
        char buf[4096];
        int n = cg_read(cg, SB_CG_PIDS, "cgroup.procs", buf, sizeof buf);
        if (n < 0)
            return n;
        int left = 0;
        for (char *p = buf; *p; ) {
            long pid = strtol(p, &p, 10);
            bool spared = false;
            for (int i = 0; i < nspare; i++)
                spared |= pid == spare[i];
            /* ESRCH: already reaped, its pid gone. cgroup v1 goes on
             * listing such tasks for a second or more after a box's
             * init was killed; there is nothing left of them to wait for. */
            if (pid > 0 && !spared && (kill((pid_t)pid, SIGKILL) == 0 || errno != ESRCH)) {
                left++;
            }
            while (*p == '\n')
                p++;
        }
        if (!left)
            return 0;
        struct timespec ts = {0, 500000};
        nanosleep(&ts, NULL);
    }
    return -EBUSY;
}

/* What sb_host_probe reports (sandbox.h): the cgroup layout nsjudge would use. */
int sb_host_probe(struct sb_host_info *info)
{
    struct sb_cg_layout lay;
    char err[SB_MSG_MAX];
    memset(info, 0, sizeof *info);
    if (sb_cg_detect(NULL, &lay, err, sizeof err) < 0) {
        sb_setmsg(info->cgroup_detail, sizeof info->cgroup_detail, "none usable: %s", err);
        return -ENOENT;
    }
    info->cgroup_version = lay.version;
    if (lay.version == 2)
        sb_setmsg(info->cgroup_detail, sizeof info->cgroup_detail, "v2 at %s", lay.root[0]);
    else
        sb_setmsg(info->cgroup_detail, sizeof info->cgroup_detail,
                  "v1 (memory %s, pids %s, cpuacct %s)", lay.root[SB_CG_MEM],
                  lay.root[SB_CG_PIDS], lay.root[SB_CG_CPU]);
    return 0;
}
