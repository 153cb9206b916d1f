/*
 * slot.c - a reusable box. Everything that is expensive and safe to share
 * between consecutive runs is made here once: the cgroup, the empty
 * network namespaces, the compiled seccomp filter, the root template and
 * the launcher (which makes the slot's keeper on the first run). Nothing
 * that a program could leave behind (processes, files, IPC objects,
 * sockets) is kept: the keeper and the launcher clear it after each run.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sandbox/internal.h"

/* SB_SLOT_ANY picks from here (box uids 100000-119999): apart from the ids
 * the service is configured with (slot_id_base, default 0, and +10000 for
 * validators; the tests' services use 70000-88000). */
#define SLOT_ANY_FIRST 40000
#define SLOT_ANY_LAST 59999

/* The uid a slot's programs run as: given, or 60000 + id (ids 100000 apart
 * share one: the lock below is on the uid for that reason). */
static uint32_t derived_uid(int id)
{
    return 60000u + (unsigned)id % 100000u;
}

/* One slot opens (or closes) at a time per process: opening forks helpers
 * that wait for a pipe to close, and two threads opening at once would leak
 * each other's pipe ends into their helpers, which then wait forever. The
 * id locks below keep processes apart. */
static pthread_mutex_t open_mu = PTHREAD_MUTEX_INITIALIZER;

/* Hold an id host-wide: an flock on a file named by the box uid it gives
 * (by the id when the caller fixes the uid: `nsjudge run` shares 60000 on
 * purpose), kept open while the slot lives (the kernel drops it when the
 * process dies, even by kill -9). flock is per open file, so another
 * thread of this process that opens the same file is refused too. */
static int hold_id(int want, uint32_t given_uid, int *id, int *lockfd, char *err, size_t errlen)
{
    static const char *const dirs[] = {"/run/nsjudge/slots", "/tmp/nsjudge-slots"};
    const char *dir = NULL;
    for (size_t i = 0; i < 2 && !dir; i++) {
        if (i == 0)
            mkdir("/run/nsjudge", 0700);
        if (mkdir(dirs[i], 0700) == 0 || errno == EEXIST) {
            struct stat st;
            if (lstat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0)
                dir = dirs[i];
        }
    }
    if (!dir) {
        sb_errmsg(err, errlen, "creating /run/nsjudge/slots (the slot id locks)", errno);
        return -EACCES;
    }
    int lo = want >= 0 ? want : SLOT_ANY_FIRST, hi = want >= 0 ? want : SLOT_ANY_LAST;
    for (int i = lo; i <= hi; i++) {
        char path[80];
        if (given_uid)
            snprintf(path, sizeof path, "%s/id-%d", dir, i);
        else
            snprintf(path, sizeof path, "%s/uid-%u", dir, derived_uid(i));
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            sb_errmsg(err, errlen, path, errno);
            return -errno;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            *id = i;
            *lockfd = fd;
            return 0;
        }
        close(fd);
    }
    if (want >= 0)
        snprintf(err, errlen, "slot id %d (box uid %u) is held by another open slot (another nsjudge "
                              "process or thread); give each process its own ids, or use SB_SLOT_ANY",
                 want, given_uid ? given_uid : derived_uid(want));
    else
        snprintf(err, errlen, "no free slot id from %d to %d", SLOT_ANY_FIRST, SLOT_ANY_LAST);
    return -EBUSY;
}

int sb_slot_id(const struct sb_slot *s) { return s->id; }
uint32_t sb_slot_box_uid(const struct sb_slot *s) { return s->box_uid; }

/* Empty mount-point directories left by slot openers killed in the few
 * milliseconds they need one ("root-PID-XXXXXX" of a dead PID). */
static void remove_stale_roots(const char *base)
{
    DIR *d = opendir(base);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int pid = 0;
        if (sscanf(e->d_name, "root-%d-", &pid) == 1 && pid > 0 && kill(pid, 0) < 0 && errno == ESRCH)
            unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
    }
    closedir(d);
}

static int make_root_dir(char *out, size_t len, char *err, size_t errlen)
{
    /* /run is a tmpfs that tmp cleaners leave alone; /tmp as a fallback. */
    const char *bases[] = {"/run/nsjudge", "/tmp"};
    for (size_t i = 0; i < 2; i++) {
        if (i == 0 && mkdir(bases[0], 0700) < 0 && errno != EEXIST)
            continue;
        remove_stale_roots(bases[i]);
        snprintf(out, len, "%s/root-%d-XXXXXX", bases[i], (int)getpid());
        if (mkdtemp(out))
            return 0;
    }
    sb_errmsg(err, errlen, "creating the box root mount point", errno);
    return -errno;
}

static void slot_free(struct sb_slot *s);

static int slot_open(const struct sb_slot_options *opt, struct sb_slot **out,
                     char *err, size_t errlen)
{
    *out = NULL;
    if (geteuid() != 0) {
        sb_setmsg(err, errlen, "the sandbox needs root (to create namespaces and cgroups); "
                  "run nsjudge as root");
        return -EPERM;
    }
    struct sb_slot *s = calloc(1, sizeof *s);
    if (!s) {
        sb_setmsg(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int hr = hold_id(opt->id, opt->box_uid, &s->id, &s->id_lock, err, errlen);
    if (hr < 0) {
        free(s);
        return hr;
    }
    s->box_uid = opt->box_uid ? opt->box_uid : derived_uid(s->id);
    s->pin_cpu = opt->pin_cpu && opt->cpu >= 0 && opt->cpu < CPU_SETSIZE ? opt->cpu : -1;
    s->netns_down = s->netns_up = -1;
    s->tmpl_mntns = s->tmpl_rw = -1;
    s->run.box_fd = -1;
    s->launcher_pid = -1;
    s->launcher_sock = -1;
    s->launcher_timeout_ms = opt->launcher_timeout_s > 0 && opt->launcher_timeout_s < 86400
                                 ? (int)(opt->launcher_timeout_s * 1000)
                                 : SB_LAUNCHER_TIMEOUT_MS;
    s->keeper_pid = -1;
    s->keeper_pidfd = -1;
    s->keeper_sock = -1;
    /* The keeper's own host uid: not the programs', so they cannot touch it. */
    s->keeper_uid = s->box_uid + SB_KEEPER_UID_OFFSET;
    s->mount_id = calloc(1, SB_MOUNT_ID_MAX);
    s->next_mount_id = calloc(1, SB_MOUNT_ID_MAX);
    s->ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (s->ncpus < 1)
        s->ncpus = 1;
    for (int i = 0; i < SB_CG_N; i++)
        s->cg.dir[i] = -1;
    s->cg.peak_fd = -1;

    struct sb_cg_layout lay;
    char name[64];
    int r = s->mount_id && s->next_mount_id ? 0 : -ENOMEM;
    if (r < 0)
        sb_setmsg(err, errlen, "out of memory");
    else
        r = sb_cg_detect(opt->cgroup_parent, &lay, err, errlen);
    if (r == 0) {
        snprintf(name, sizeof name, "nsjudge-%d-%d", (int)getpid(), s->id);
        r = sb_cg_open(&lay, name, &s->cg, err, errlen);
    }
    /* The launcher first: its move into the cgroup (slow on v1) overlaps
     * with the rest of the set-up below. */
    if (r == 0)
        r = sb_launcher_start(s, err, errlen);
    if (r == 0 && (r = sb_netns_create(false, err, errlen)) >= 0) {
        s->netns_down = r;
        r = 0;
    }
    if (r == 0)
        r = sb_filter_build(&s->filter, err, errlen);
    if (r == 0)
        r = make_root_dir(s->base.root, sizeof s->base.root, err, errlen);
    if (r == 0)
        r = sb_rootfs_add_defaults(&s->base, err, errlen);
    if (r == 0)
        r = sb_rootfs_template(&s->base, &s->tmpl_mntns, &s->tmpl_rw, err, errlen);
    /* The template pivoted away from its mount point: the directory is not
     * needed any more, and removing it now leaves nothing behind even if
     * this process is killed later. */
    if (s->base.root[0] && rmdir(s->base.root) == 0)
        s->base.root[0] = 0;
    if (r < 0) {
        slot_free(s);
        return r;
    }
    *out = s;
    return 0;
}

int sb_slot_open(const struct sb_slot_options *opt, struct sb_slot **out,
                 char *err, size_t errlen)
{
    pthread_mutex_lock(&open_mu);
    int rc = slot_open(opt, out, err, errlen);
    pthread_mutex_unlock(&open_mu);
    return rc;
}

static void slot_free(struct sb_slot *s)
{
    int lockfd = s->id_lock;
    sb_launcher_stop(s); /* the keeper dies with the launcher */
    if (s->keeper_pidfd >= 0) {
        /* the id (and its uids) is free only once the keeper is gone: the
         * next slot with this id must never share a uid with a live box */
        struct pollfd pf = {.fd = s->keeper_pidfd, .events = POLLIN};
        while (poll(&pf, 1, 5000) < 0 && errno == EINTR)
            ;
        close(s->keeper_pidfd);
    }
    if (s->keeper_sock >= 0)
        close(s->keeper_sock);
    free(s->mount_id);
    free(s->next_mount_id);
    if (s->launch)
        munmap(s->launch, SB_LAUNCH_SIZE);
    if (s->netns_down >= 0)
        close(s->netns_down);
    if (s->netns_up >= 0)
        close(s->netns_up);
    if (s->tmpl_mntns >= 0)
        close(s->tmpl_mntns);
    if (s->tmpl_rw >= 0)
        close(s->tmpl_rw);
    sb_cg_close(&s->cg, true);
    sb_filter_free(&s->filter);
    if (s->base.root[0])
        rmdir(s->base.root);
    free(s);
    close(lockfd);   /* last: the id is free once everything of the slot is gone */
}

void sb_slot_close(struct sb_slot *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&open_mu);
    slot_free(s);
    pthread_mutex_unlock(&open_mu);
}
