/*
 * internal.h - what the sandbox's files share with each other (not part of
 * the public contract in sandbox.h). One file per isolation concern:
 *   cgroup.c    cgroup v1/v2: limits, counters, kill; sb_host_probe (parent side)
 *   seccomp.c   build the syscall filter once per slot      (parent side)
 *   netns.c     the slot's prepared, empty network namespaces
 *   rootfs.c    the root template; per-run mounts
 *   nshelper.c  short-lived helper processes that set up namespaces
 *   user.c      uid drop, user namespace, capabilities      (box side)
 *   rlimits.c   per-process resource limits                 (box side)
 *   launcher.c  the slot's launcher process: starts the keeper, mounts
 *               each run's /box, cleans /tmp between runs
 *   keeper.c    the keeper (the box's init, kept across runs) and the
 *               program up to execve                       (box side)
 *   msg.c       fd-passing messages between these processes
 *   supervisor.c  sb_run: describe the run, watch limits, collect the result
 *   slot.c      sb_slot_open / sb_slot_close
 *   scratch.c   size-capped tmpfs for writable host directories
 *   defaults.c  status names; config and limit defaults
 *   util.c      helpers of every layer (util.h) and message/fd helpers
 * Code marked "box side" runs in the forked child of a possibly
 * multi-threaded process: it only makes system calls and touches memory
 * prepared by the parent (no malloc, no stdio, no locks).
 */
#ifndef NSJUDGE_SANDBOX_INTERNAL_H
#define NSJUDGE_SANDBOX_INTERNAL_H

#include <linux/filter.h>
#include <sys/types.h>
#include "sandbox/sandbox.h"

#define SB_PATH_MAX 512
#define SB_BOX_UID_INSIDE 1000  /* the uid the program sees */
#define SB_KEEPER_UID_OFFSET 100000 /* keeper's host uid = box uid + this */

/* ---- error messages (usable on the box side: no allocation) ---------- */
/* Copy "what: strerror(err)" into buf, async-signal-safe. */
void sb_errmsg(char *buf, size_t len, const char *what, int err);
/* Close all fds except those listed (at most 48; negative ones ignored). */
void sb_close_fds_except(const int *keep, int n);
/* snprintf-like helper for the parent side. */
void sb_setmsg(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- cgroup.c ---------------------------------------------------------- */
/* cgroup v2: the leaf that the processes of nsjudge's own cgroup move to,
 * so that cgroup may enable controllers for the boxes beside it. */
#define SB_CG_LEAF "nsjudge-supervisor"
enum { SB_CG_MEM, SB_CG_PIDS, SB_CG_CPU, SB_CG_N };

struct sb_cg_file { const char *name; int ctl; bool wr; int fd; };
#define SB_CG_CACHED 16
struct sb_cgroup {
    int version;             /* 1 or 2 */
    int dir[SB_CG_N];        /* v1: one dir fd per controller; v2: all = same fd */
    char path[SB_CG_N][SB_PATH_MAX];
    int peak_fd;             /* v2: memory.peak kept open (per-fd reset) */
    bool peak_exact;         /* v2: that reset works (6.12+): the peak is the run's */
    uint64_t peak_base;      /* v2 without the reset: the slot's peak at run start */
    uint64_t polled_max;     /* ... and the largest memory.current seen in the run */
    uint64_t cpu_base_us;    /* v2: cpu.stat usage at run start */
    uint64_t oom_base;       /* oom_kill count at run start */
    uint64_t max_base;       /* v2: memory.events max (limit reached) at run start */
    uint64_t mem_base;       /* usage at run start (the launcher's pages) */
    uint64_t cur_mem_limit;  /* last limits written, to skip rewrites */
    uint32_t cur_pids;
    bool has_memsw;
    struct sb_cg_file cached[SB_CG_CACHED]; /* files kept open (cgroup.c) */
    int ncached;
};

struct sb_cg_stats {
    uint64_t cpu_ns;
    uint64_t mem_peak_bytes;
    uint64_t oom_kills;      /* since run start */
    uint64_t mem_failcnt;    /* times the limit was reached (v1 failcnt, v2 events max) */
};

/* Where the hierarchies are: detect from /proc/self/mountinfo. */
struct sb_cg_layout {
    int version;
    char root[SB_CG_N][SB_PATH_MAX]; /* parent directory for our cgroups */
};
int sb_cg_detect(const char *parent, struct sb_cg_layout *lay, char *err, size_t errlen);
/* Create (or reuse) the cgroup `name` under each directory of lay. */
int sb_cg_open(const struct sb_cg_layout *lay, const char *name,
               struct sb_cgroup *cg, char *err, size_t errlen);
void sb_cg_close(struct sb_cgroup *cg, bool remove);
int sb_cg_set_limits(struct sb_cgroup *cg, uint64_t mem_bytes, uint32_t pids,
                     char *err, size_t errlen);
int sb_cg_reset(struct sb_cgroup *cg, char *err, size_t errlen);
int sb_cg_attach(struct sb_cgroup *cg, pid_t pid, char *err, size_t errlen);
int sb_cg_read_cpu(struct sb_cgroup *cg, uint64_t *ns);
/* v2 kernels that cannot reset memory.peak (before 6.12): whether the
 * supervisor must sample memory.current during the run, and a sample. */
bool sb_cg_polls_memory(const struct sb_cgroup *cg);
void sb_cg_poll_memory(struct sb_cgroup *cg);
int sb_cg_read_stats(struct sb_cgroup *cg, struct sb_cg_stats *st);
/* Kill every process left in the cgroup but those in spare (the slot's
 * launcher and keeper) and wait until none is left. */
int sb_cg_kill_all(struct sb_cgroup *cg, const pid_t *spare, int nspare);

/* ---- seccomp.c --------------------------------------------------------- */
struct sb_filter {
    struct sock_filter *insns;
    unsigned short len;
};
int sb_filter_build(struct sb_filter *f, char *err, size_t errlen);
void sb_filter_free(struct sb_filter *f);
int sb_filter_load(const struct sb_filter *f); /* box side: returns the listener fd */
/* Box init: answer one notification; returns the nr of a denied call, or
 * -1 with *passed set to the nr of a call let through (else -1). For an
 * exit_group, *rss_kib is raised to the ending process's resident set. */
int sb_filter_answer(int listener, int *passed, uint64_t *rss_kib);
/* Box side, under the filter: end this (single-threaded) process with
 * exit(2); exit_group would be notified to the box init (seccomp.c). */
_Noreturn void sb_box_exit(int code);
void sb_syscall_name(int nr, char *buf, size_t len); /* parent side */

/* ---- nshelper.c --------------------------------------------------------- */
struct sb_nshelper {
    pid_t pid;
    int done_w;
};
/* Fork a helper that runs fn (box-side rules: system calls only) and then
 * waits. On success the helper is alive until sb_nshelper_finish, so the
 * caller can open /proc/PID/ns/... or pidfd_getfd its fds; *value is what
 * fn stored. On failure the helper is gone and err says why. */
int sb_nshelper_start(struct sb_nshelper *h, int (*fn)(void *arg, int *value, char *msg, size_t len),
                      void *arg, int *value, const char *what, char *err, size_t errlen);
void sb_nshelper_finish(struct sb_nshelper *h);

/* ---- netns.c ----------------------------------------------------------- */
/* A fresh network namespace holding only `lo` (up or down); returns an fd. */
int sb_netns_create(bool loopback_up, char *err, size_t errlen);

/* ---- rootfs.c ---------------------------------------------------------- */
struct sb_mount_op {
    char src[SB_PATH_MAX];    /* host path, or symlink target when is_link */
    char dst[SB_PATH_MAX];    /* path relative to the new root, no leading '/' */
    unsigned char is_link, writable, is_file;
};

/* The slot's template root: toolchain binds, /dev, mount points. */
struct sb_rootfs_plan {
    char root[SB_PATH_MAX];   /* empty host dir used as the mount point */
    struct sb_mount_op ops[SB_MAX_MOUNTS + 24];
    int n_ops;
};
int sb_rootfs_add_defaults(struct sb_rootfs_plan *plan, char *err, size_t errlen);
int sb_rootfs_add(struct sb_rootfs_plan *plan, const char *host, const char *box,
                  bool writable, bool optional, char *err, size_t errlen);
/* Build the template in a mount namespace of its own, once per slot.
 * Returns an fd of that namespace and a read-write detached view of its
 * root tmpfs (to create mount points for per-run mounts). */
int sb_rootfs_template(const struct sb_rootfs_plan *plan, int *mntns_fd, int *rw_fd,
                       char *err, size_t errlen);

/* What one run adds to the keeper's root: detached mount trees made by
 * the supervisor with open_tree(), attached by the launcher. They are
 * only made (and remount set) when they differ from what is mounted. */
struct sb_run_mounts {
    bool remount;                     /* replace /box and the extra mounts */
    int box_fd;                       /* -1: an empty tmpfs at /box */
    bool box_writable;
    int n;
    int fds[SB_MAX_MOUNTS];
    char dst[SB_MAX_MOUNTS][SB_PATH_MAX];
    char tmp_opts[64];                /* tmpfs options for /tmp */
    char box_opts[96];                /* tmpfs options for an empty /box */
};
#define SB_MOUNT_ID_MAX (SB_MAX_MOUNTS * (SB_PATH_MAX + 64) + 128)
/* Describe this run's /box and extra mounts as a string (identity of the
 * host objects: device, inode, writability, target) into id; when it
 * differs from cur_id, clone the trees and set m->remount. */
int sb_rootfs_prepare_run(int rw_fd, const struct sb_config *cfg, const struct sb_limits *lim,
                          uid_t box_uid, const char *cur_id, char *id, size_t idlen,
                          struct sb_run_mounts *m, char *err, size_t errlen);
void sb_rootfs_release_run(struct sb_run_mounts *m);

/* Whether /tmp is as a fresh mount left it (nothing in it, untouched). */
bool sb_rootfs_tmp_is_fresh(void);
/* Keeper side, in its own copy of the template: mount /tmp and the /proc
 * of its PID namespace over the template's placeholder proc. */
int sb_rootfs_keeper_mounts(const char *tmp_opts, char *err, size_t errlen);

/* Launcher side, inside the keeper's mount namespace: what is mounted. */
struct sb_mounted {
    bool box;                         /* /box is one of our mounts */
    bool box_scratch;                 /* ... a writable tmpfs: dropped after each run */
    int n;
    char dst[SB_MAX_MOUNTS][SB_PATH_MAX];
    char tmp_opts[64];                /* options /tmp was mounted with */
};
/* Replace /box and the extra mounts by this run's (when m->remount) and
 * /tmp when its size changes. */
int sb_rootfs_mount_run(struct sb_mounted *cur, const struct sb_run_mounts *m,
                        char *err, size_t errlen);
/* After a run: a fresh /tmp if anything was left in it, and no writable
 * scratch /box. */
int sb_rootfs_clean_run(struct sb_mounted *cur, char *err, size_t errlen);

/* ---- user.c -------------------------------------------------------------- */
/* Keeper set-up (box side, host root): become keeper_uid, no groups. */
int sb_user_drop(uid_t keeper_uid, char *err, size_t errlen);
/* Keeper (box side, just made in its user namespace): wait until the
 * launcher has mapped it ('G' on sock), then empty the bounding set and
 * set no_new_privs. Capabilities stay, inside the namespace only, for
 * starting programs. */
int sb_user_keeper(int sock, char *err, size_t errlen);
/* Launcher: write the keeper's maps: keeper_uid is 0 inside, box_uid 1000. */
int sb_user_map(pid_t keeper, uid_t keeper_uid, uid_t box_uid, char *err, size_t errlen);
/* Program (box side): become uid/gid 1000, which clears every capability. */
int sb_user_program(char *err, size_t errlen);

/* ---- rlimits.c (box side) ---------------------------------------------- */
int sb_rlimits_apply(const struct sb_limits *l, char *err, size_t errlen);

/* ---- msg.c -------------------------------------------------------------- */
#define SB_MSG_MAX_FDS (SB_FD_FIXED + SB_MAX_MOUNTS)
int sb_msg_send(int sock, char kind, int value, const int *fds, int nfds);
/* Returns the number of fds received (into fds), or -errno; -EPIPE on EOF. */
int sb_msg_recv(int sock, char *kind, int *value, int *fds, int maxfds);

/* ---- keeper.c / launcher.c ----------------------------------------------- */
/* One run as the launcher and the keeper see it. It lives in memory
 * shared between the supervisor, the slot's launcher and its keeper
 * (mapped before they were forked, so pointers into it are valid in all).
 * The supervisor fills it; the launcher patches in the fd numbers it
 * received. The keeper only reads it. */
#define SB_LAUNCH_SIZE (1u << 20)
#define SB_LAUNCHER_TIMEOUT_MS 60000 /* sb_slot_options.launcher_timeout_s = 0 */
enum { SB_FD_STDIN, SB_FD_STDOUT, SB_FD_STDERR, SB_FD_STATUS, SB_FD_NETNS, SB_FD_MNTNS,
       SB_FD_BOX, SB_FD_RUNSOCK /* a new keeper's end of the supervisor's socket */, SB_FD_FIXED };
struct sb_launch {
    struct sb_limits lim;
    uid_t box_uid, keeper_uid;
    bool new_box;                    /* replace the keeper (gone, or other netns/filter) */
    bool no_seccomp;
    struct sb_filter filter;         /* insns copied into strings[] */
    int nfds;                        /* fds sent: SB_FD_FIXED + run.n */
    int fd[SB_FD_FIXED];             /* numbers valid in the launcher */
    struct sb_run_mounts run;        /* box_fd / fds[] patched by the launcher */
    char **argv, **envp;
    char *cwd;
    size_t used;                     /* bytes of strings[] in use */
    char strings[];                  /* argv, envp, cwd and pointer arrays */
};
/* keeper.c: the keeper, PID 1 of the box, talking to the launcher on sock
 * and taking runs from the supervisor directly on l->fd[SB_FD_RUNSOCK]
 * when the launcher has nothing to do for them. */
_Noreturn void sb_keeper_main(struct sb_launch *l, int sock);

/* What the box side sends back on the run's status pipe: fixed-size
 * records. The pipe reaches EOF when the run is over and cleaned up. */
struct sb_report {
    char kind;        /* 'E' setup error, 'S' blocked syscall nr, 'W' wait status,
                       * 'M' a larger rss_kib found after 'W' (processes
                       * left when the program ended), 'Q' the keeper
                       * retires after this run (value: SB_RETIRE_* bits, why) */
    int value;
    uint64_t rss_kib; /* 'W', 'M': the run's peak resident set so far (keeper.c) */
    char msg[SB_MSG_MAX];
};
void sb_report_send(int fd, char kind, int value, const char *msg);
enum { SB_RETIRE_IPC = 1, SB_RETIRE_NET = 2 }; /* made SysV objects / IP sockets */

struct sb_slot;
int sb_launcher_start(struct sb_slot *s, char *err, size_t errlen);
void sb_launcher_stop(struct sb_slot *s);
/* Wait until a new launcher is in the slot's cgroup (0 or -errno). */
int sb_launcher_wait_ready(struct sb_slot *s, char *err, size_t errlen);
/* Hand the run described in s->launch, with these fds, to the launcher.
 * Returns 0 when the keeper has it (a new keeper's pidfd and host pid
 * are stored in the slot), or -errno: -ESRCH when the keeper is gone,
 * -EPIPE when the launcher is. */
int sb_launcher_launch(struct sb_slot *s, const int *fds, int nfds, char *err, size_t errlen);

/* ---- slot.c ------------------------------------------------------------ */
struct sb_slot {
    int id;
    int id_lock;               /* flock'd /run/nsjudge/slots/ID: no other process holds this id */
    uid_t box_uid;
    struct sb_cgroup cg;
    int netns_down, netns_up;  /* fds; netns_up made on first use */
    struct sb_filter filter;
    struct sb_rootfs_plan base;  /* default mounts + root dir */
    int tmpl_mntns, tmpl_rw;     /* template mount namespace, rw view of its root */
    struct sb_run_mounts run;    /* scratch for the current run */
    char *mount_id, *next_mount_id; /* SB_MOUNT_ID_MAX each: mounted in the keeper, wanted */
    int ncpus;
    int pin_cpu;                 /* the CPU its boxes run on (sb_slot_options), or -1 */
    /* The launcher: a small process living in the slot's cgroup that
     * starts each box, so boxes are born in the cgroup (no attach, which
     * on cgroup v1 waits for an RCU grace period: ~10 ms) and are never
     * forked from a large caller. */
    pid_t launcher_pid;
    int launcher_sock;
    bool launcher_ready;         /* its "attached to the cgroup" message was read */
    int launcher_timeout_ms;     /* a launcher silent this long is hung */
    struct sb_launch *launch;    /* shared mapping of SB_LAUNCH_SIZE bytes */
    /* The keeper: box init, kept alive between runs (keeper.c). */
    uid_t keeper_uid;
    pid_t keeper_pid;            /* host pid, -1 when none */
    int keeper_pidfd;
    int keeper_sock;             /* runs go straight to the keeper on this socket */
    char keeper_tmp_opts[64];    /* /tmp as the keeper has it */
    int keeper_kind;             /* netns and filter it was made with */
};

/* ---- limits defaults --------------------------------------------------- */
void sb_limits_fill_defaults(struct sb_limits *out, const struct sb_limits *in);

#endif
