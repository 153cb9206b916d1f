/*
 * test_sandbox_hostile_util.c - helpers of the hostile sandbox suite: run a
 * hostile program in a box and capture its streams, find its leftovers in
 * the host's /proc, temp files and dirs. See test_sandbox_hostile.h.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/test_sandbox_hostile.h"
#include "tests/test_root.h"

/* What a test opened, so hx_cleanup can release it even when an
 * assertion ended the test early (no cgroup or temp dir left behind). */
#define HX_MAX_HELD 8
static struct sb_slot *held_slots[HX_MAX_HELD];
static void *held_mem[HX_MAX_HELD];
static char held_dirs[HX_MAX_HELD][64];

void hx_cleanup(void)
{
    for (int i = 0; i < HX_MAX_HELD; i++) {
        if (held_slots[i])
            sb_slot_close(held_slots[i]);
        held_slots[i] = NULL;
        free(held_mem[i]);
        held_mem[i] = NULL;
        if (held_dirs[i][0])
            hx_rmtree(held_dirs[i]);
        held_dirs[i][0] = 0;
    }
}

struct hx_run *hx_new_run(void)
{
    struct hx_run *r = calloc(1, sizeof *r);
    cr_assert_not_null(r);
    for (int i = 0; i < HX_MAX_HELD; i++)
        if (!held_mem[i]) {
            held_mem[i] = r;
            return r;
        }
    cr_assert_fail("too many hx_new_run in one test");
    return NULL;
}

void hx_slot_close(struct sb_slot *slot)
{
    for (int i = 0; i < HX_MAX_HELD; i++)
        if (held_slots[i] == slot)
            held_slots[i] = NULL;
    sb_slot_close(slot);
}

const char *hx_dir(void)
{
    const char *d = getenv("NSJUDGE_HOSTILE");
    cr_assert(d && *d, "NSJUDGE_HOSTILE is not set: run via make test, or set it to build/hostile");
    test_need_root();
    char probe[512];
    snprintf(probe, sizeof probe, "%s/sysprobe", d);
    cr_assert(access(probe, X_OK) == 0, "%s missing: run make hostile", probe);
    return d;
}

struct sb_slot *hx_slot(int n)
{
    char err[SB_MSG_MAX] = "";
    struct sb_slot *slot = NULL;
    /* any free id: the sandbox keeps ids (and box uids) apart from every
     * other test process and service on this host */
    (void)n;
    struct sb_slot_options o = {.id = SB_SLOT_ANY};
    int rc = sb_slot_open(&o, &slot, err, sizeof err);
    cr_assert_eq(rc, 0, "sb_slot_open(%d): %s", o.id, err);
    for (int i = 0; i < HX_MAX_HELD; i++)
        if (!held_slots[i]) {
            held_slots[i] = slot;
            break;
        }
    return slot;
}

int hx_tmpfile(void)
{
    int fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    cr_assert(fd >= 0, "O_TMPFILE in /tmp: %s", strerror(errno));
    return fd;
}

void hx_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/nsjudge-hostile-XXXXXX");
    cr_assert_not_null(mkdtemp(buf), "mkdtemp: %s", strerror(errno));
    chmod(buf, 0777);
    for (int i = 0; i < HX_MAX_HELD; i++)
        if (!held_dirs[i][0]) {
            snprintf(held_dirs[i], sizeof held_dirs[i], "%s", buf);
            break;
        }
}

static void rmtree_at(int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        DIR *d = fdopendir(fd);
        struct dirent *e;
        while (d && (e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                rmtree_at(fd, e->d_name);
        if (d)
            closedir(d);
        else
            close(fd);
        unlinkat(dfd, name, AT_REMOVEDIR);
    } else {
        unlinkat(dfd, name, 0);
    }
}

void hx_rmtree(const char *path)
{
    rmtree_at(AT_FDCWD, path);
}

static void slurp_fd(int fd, char *buf, size_t n)
{
    ssize_t got = pread(fd, buf, n - 1, 0);
    buf[got > 0 ? got : 0] = 0;
}

void hx_run(struct sb_slot *slot, const struct hx_opts *o, struct hx_run *r,
            const char *name, ...)
{
    static const struct hx_opts none;
    const char *dir = hx_dir();
    const char *argv[64];
    char prog[600];
    struct sb_mount mounts[SB_MAX_MOUNTS];
    int nm = 0;
    va_list ap;

    if (!o)
        o = &none;
    snprintf(prog, sizeof prog, "%s/%s", o->hostile_at_hostile ? "/hostile" : "/box", name);
    argv[0] = prog;
    int argc = 1;
    va_start(ap, name);
    const char *a;
    while ((a = va_arg(ap, const char *)) && argc < 63)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    struct sb_config cfg;
    sb_config_init(&cfg);
    cfg.argv = argv;
    cfg.box_dir = o->hostile_at_hostile ? o->box_dir : dir;
    cfg.box_writable = o->box_writable;
    cfg.loopback_up = o->loopback_up;
    if (o->hostile_at_hostile)
        mounts[nm++] = (struct sb_mount){.host = dir, .box = "/hostile"};
    for (int i = 0; i < o->n_mounts && nm < SB_MAX_MOUNTS; i++)
        mounts[nm++] = o->mounts[i];
    cfg.mounts = mounts;
    cfg.n_mounts = nm;
    cfg.limits = o->limits;
    if (cfg.limits.cpu_s == 0)
        cfg.limits.cpu_s = 1;
    if (cfg.limits.wall_s == 0)
        cfg.limits.wall_s = 2;
    if (cfg.limits.mem_kib == 0)
        cfg.limits.mem_kib = 256 * 1024;

    int out = o->use_stdout_fd ? o->stdout_fd : hx_tmpfile();
    int err = o->use_stderr_fd ? o->stderr_fd : hx_tmpfile();
    cfg.stdout_fd = out;
    cfg.stderr_fd = err;

    memset(r, 0, sizeof *r);
    r->rc = sb_run(slot, &cfg, &r->res);
    slurp_fd(out, r->out, sizeof r->out);
    slurp_fd(err, r->err, sizeof r->err);
    if (!o->use_stdout_fd)
        close(out);
    if (!o->use_stderr_fd)
        close(err);
    cr_log_info("%s: rc %d status %s exit %d sig %d cpu %.3f wall %.3f mem %llu KiB msg '%s'\n%.1500s%.500s",
                name, r->rc, sb_status_code(r->res.status), r->res.exit_code, r->res.signal,
                r->res.cpu_s, r->res.wall_s, (unsigned long long)r->res.mem_kib,
                r->res.message, r->out, r->err);
}

/* Remove dir/PREFIX* (empty cgroups; rmdir fails on a live one). */
static void rm_prefixed(const char *dir, const char *prefix)
{
    char sub[1024];
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
            rmdir(sub);
        }
    if (d)
        closedir(d);
}

void hx_rm_cgroups(pid_t pid)
{
    char line[512], prefix[64], dir[768];
    FILE *f = fopen("/proc/self/cgroup", "re");
    snprintf(prefix, sizeof prefix, "nsjudge-%d-", (int)pid);
    while (f && fgets(line, sizeof line, f)) {
        /* "N:ctrl[,ctrl]:/path"; v2's line is "0::/path" */
        char *ctrls = strchr(line, ':'), *path;
        if (!ctrls || !(path = strchr(++ctrls, ':')))
            continue;
        *path++ = 0;
        path[strcspn(path, "\n")] = 0;
        /* boxes sit beside the leaf a v2 supervisor moves into */
        size_t pl = strlen(path), ll = strlen("/nsjudge-supervisor");
        if (pl >= ll && !strcmp(path + pl - ll, "/nsjudge-supervisor"))
            path[pl - ll] = 0;
        if (!*ctrls) {
            /* the unified tree: /sys/fs/cgroup, or .../unified beside v1 */
            snprintf(dir, sizeof dir, "/sys/fs/cgroup%s", path);
            rm_prefixed(dir, prefix);
            snprintf(dir, sizeof dir, "/sys/fs/cgroup/unified%s", path);
            rm_prefixed(dir, prefix);
            continue;
        }
        char *save = NULL;
        for (char *c = strtok_r(ctrls, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
            if (strncmp(c, "name=", 5) == 0 || !*c)
                continue;
            snprintf(dir, sizeof dir, "/sys/fs/cgroup/%s%s", c, path);
            rm_prefixed(dir, prefix);
        }
    }
    if (f)
        fclose(f);
}

void hx_marker(char *buf, size_t n, const char *what)
{
    static int seq;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(buf, n, "nsjudge-hostile-%s-%d-%d-%ld", what, (int)getpid(), ++seq, ts.tv_nsec % 100000);
}

/* Does the NUL-separated command line of pid contain marker? */
static bool cmdline_has(const char *pid, const char *marker)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%s/cmdline", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = 0;
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
        if (strstr(buf + i, marker))
            return true;
    return false;
}

/* A zombie has an empty cmdline: look at its name in stat as well. */
static pid_t scan(const char *marker, int *count)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    pid_t first = 0;
    *count = 0;
    cr_assert_not_null(d, "opendir /proc: %s", strerror(errno));
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        if (atoi(e->d_name) == getpid())
            continue;
        if (cmdline_has(e->d_name, marker)) {
            (*count)++;
            if (!first)
                first = atoi(e->d_name);
        }
    }
    closedir(d);
    return first;
}

int hx_count_procs(const char *marker)
{
    int n;
    scan(marker, &n);
    return n;
}

pid_t hx_find_proc(const char *marker)
{
    int n;
    return scan(marker, &n);
}

bool hx_wait_for(int fd, const char *needle, double timeout_s)
{
    char *buf = malloc(HX_OUT_MAX);
    struct timespec t0, t;
    bool found = false;
    cr_assert_not_null(buf);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        slurp_fd(fd, buf, HX_OUT_MAX);
        if ((found = strstr(buf, needle) != NULL))
            break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 > timeout_s)
            break;
        usleep(10000);
    }
    free(buf);
    return found;
}

ssize_t hx_read_file(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    ssize_t got = read(fd, buf, n - 1);
    int e = errno;
    close(fd);
    if (got < 0)
        return -e;
    buf[got] = 0;
    return got;
}
