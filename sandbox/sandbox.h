/*
 * sandbox.h - run one untrusted program fully isolated, with limits, and
 * measure it. This header is the whole contract of the sandbox layer.
 *
 * A "slot" is a reusable box: its cgroup, its prepared (empty) network
 * namespace, its compiled seccomp filter, its root and its box init (the
 * keeper, already in all of the box's namespaces) are made once and
 * reused by every run, so a run pays for little more than fork + exec;
 * what a run leaves behind is cleared before the next one. One slot runs
 * one program at a time; use one slot per worker thread. Its processes
 * die with the thread that opened it (PR_SET_PDEATHSIG follows the
 * thread), so open it on the thread that will use it.
 *
 * The library never prints and never exits: every failure is returned as
 * a negative errno and a message in the caller's buffer or in the result.
 */
#ifndef NSJUDGE_SANDBOX_H
#define NSJUDGE_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#define SB_MSG_MAX 256
#define SB_MAX_MOUNTS 32

typedef enum {
    SB_OK = 0, /* exited with code 0 */
    SB_RE,     /* exited with a non-zero code */
    SB_SG,     /* killed by a signal (not one we sent for a limit) */
    SB_TO,     /* CPU or wall time limit exceeded */
    SB_ML,     /* memory limit exceeded */
    SB_OL,     /* output (file size) limit exceeded */
    SB_XX,     /* the sandbox itself failed: see message */
} sb_status;

/* Two-letter code ("OK", "RE", ...) and a readable name for a status. */
const char *sb_status_code(sb_status s);
const char *sb_status_name(sb_status s);

/* An extra host directory made visible inside the box. */
struct sb_mount {
    const char *host;   /* absolute host path */
    const char *box;    /* absolute path inside the box */
    bool writable;      /* default read-only */
    bool optional;      /* skip silently when host path does not exist */
};

struct sb_limits {
    double cpu_s;          /* CPU time, whole box (all threads/processes); 0 = none */
    double cpu_extra_s;    /* grace: killed at cpu_s + cpu_extra_s, TO if over cpu_s */
    double wall_s;         /* wall clock; 0 = none (then 2*cpu_s + 1 if cpu_s set) */
    uint64_t mem_kib;      /* memory (cgroup, no swap); 0 = none */
    uint64_t stack_kib;    /* RLIMIT_STACK; 0 = 8 MiB default; UINT64_MAX = unlimited */
    uint64_t fsize_kib;    /* largest file the program may write (OL); 0 = 64 MiB */
    uint32_t procs;        /* max processes+threads in the box (pids cgroup); 0 = 64 */
    uint32_t nofile;       /* RLIMIT_NOFILE; 0 = 64 */
    uint64_t as_kib;       /* RLIMIT_AS, per process; 0 = none (the cgroup limits memory) */
    uint64_t tmp_kib;      /* size of the box's private /tmp tmpfs; 0 = 64 MiB */
};

struct sb_config {
    const char *const *argv;   /* argv[0] is the path inside the box (PATH is searched if no '/') */
    const char *const *envp;   /* NULL = a minimal clean environment */
    const char *box_dir;       /* host directory mounted at /box; NULL = an empty tmpfs /box */
    bool box_writable;         /* /box read-write (default read-only) */
    const char *cwd;           /* working directory inside the box; NULL = "/box" */
    const struct sb_mount *mounts; /* extra mounts besides the default toolchain dirs */
    int n_mounts;

    /* Standard streams: host fds the program gets as 0/1/2. -1 means
     * /dev/null. The caller keeps ownership (they are not closed). A
     * terminal is refused (sb_run fails with -ENOTTY): give the box a
     * pipe and relay it, so no fd in the box can drive a tty. */
    int stdin_fd, stdout_fd, stderr_fd;

    struct sb_limits limits;
    /* -1 (sb_config_init) = none. When this fd becomes readable or hangs
     * up (say, the client a daemon runs this for went away), the box is
     * killed and the run ends as SB_XX "cancelled". */
    int cancel_fd;

    bool loopback_up;          /* give the box a working (but private) loopback */
    bool no_seccomp;           /* testing only: skip the seccomp filter */
};

struct sb_result {
    sb_status status;
    int exit_code;      /* valid when the program exited */
    int signal;         /* valid when it was killed by a signal */
    double cpu_s;       /* CPU time of the whole box (user+sys, all threads) */
    double wall_s;      /* wall time from start to the end of the box */
    /* Peak memory of the box, KiB: the larger of mem_cgroup_kib and
     * mem_rss_kib (the latter at most the memory limit). For a small
     * program that is its resident set (a C hello world: about 1.2-1.4 MiB
     * dynamic, 0.7 MiB static), about the same every run; for a large one
     * mostly the cgroup's figure, which also counts page cache, files in
     * the box's /tmp and kernel memory. ML is decided on mem_cgroup_kib
     * alone, the memory the limit holds: a resident set can pass a limit
     * the cgroup kept by the shared pages of libraries, so it counts here
     * only up to the limit. Neither part can be lowered by the program
     * below what the cgroup was charged. */
    uint64_t mem_kib;
    /* The cgroup's high-water mark, less what the slot held before the
     * run. Exact near the limit, but charged in per-CPU batches of 64
     * pages: below a few MiB it is 0, 256 or 512 KiB by chance. */
    uint64_t mem_cgroup_kib;
    /* The largest resident set of the box's processes (pages mapped and
     * resident, shared library pages included): each process's as it
     * called exit_group, read by the box init before it goes, or its
     * ru_maxrss high-water mark when that is larger and can be told from
     * the box init's own (the box init's resident set, about 1-3 MiB, is
     * the least any ru_maxrss shows). 0 when nothing was read: a program
     * killed at a limit, or one under a few MiB killed by a signal. */
    uint64_t mem_rss_kib;
    char message[SB_MSG_MAX]; /* human readable detail: which limit, which syscall, what failed */
};

struct sb_slot;

/* Slot ids are the sandbox's: while a slot is open its box uid is held
 * host-wide (a lock file under /run/nsjudge/slots/), so no two processes,
 * nor two threads, ever share one (a caller that sets box_uid shares it on
 * purpose; its id is held instead). SB_SLOT_ANY
 * lets the sandbox pick a free id; an explicit id already held by
 * another slot is -EBUSY. sb_slot_open and sb_slot_close are safe to
 * call from several threads at once. */
#define SB_SLOT_ANY (-1)

struct sb_slot_options {
    int id;                    /* slot number (cgroup and uid names), or SB_SLOT_ANY */
    const char *cgroup_parent; /* NULL = the cgroup this process lives in */
    uint32_t box_uid;          /* host uid/gid the boxed program runs as; 0 = 60000 + id */
    /* Run this slot's boxes on CPU cpu: with one slot per CPU, runs of
     * different slots do not land on one CPU while another idles (the
     * scheduler puts a new box beside its parent). A scheduling hint, not
     * an isolation claim: a program may change its own affinity. */
    bool pin_cpu;
    int cpu;
    /* How long a run waits for the slot's launcher to answer (it does in
     * ms) before it is taken for hung, killed and started anew; 0 (or not
     * between 0 and a day) = 60 s. */
    double launcher_timeout_s;
};
/* The id and box uid a slot got (for SB_SLOT_ANY: the one it picked). */
int sb_slot_id(const struct sb_slot *s);
uint32_t sb_slot_box_uid(const struct sb_slot *s);

/* Prepare a slot: cgroup(s), network namespace, seccomp filter. Returns
 * 0 or -errno with a message in err. */
int sb_slot_open(const struct sb_slot_options *opt, struct sb_slot **out,
                 char *err, size_t errlen);
void sb_slot_close(struct sb_slot *slot);

/* Run one program in the slot. Returns 0 when the sandbox did its job
 * (whatever the program did: see res->status), -errno when the sandbox
 * could not run (then res->status is SB_XX and res->message says why). */
int sb_run(struct sb_slot *slot, const struct sb_config *cfg, struct sb_result *res);

/* The clean environment a box gets when cfg->envp is NULL. */
extern const char *const sb_default_env[];

/* Initialise a config with every default (all streams /dev/null). */
void sb_config_init(struct sb_config *cfg);

/* A writable host directory given to a box is bounded per file only
 * (RLIMIT_FSIZE). To bound the total, make it a scratch mount first: a
 * tmpfs of kib KiB (0 = 256 MiB) on dir, in the caller's mount namespace.
 * Unmount (lazily) when done; the contents are gone then. */
int sb_scratch_mount(const char *dir, uint64_t kib, char *err, size_t errlen);
int sb_scratch_umount(const char *dir);
/* Detach all scratch mounts at or below dir; returns how many. */
int sb_scratch_umount_under(const char *dir);

/* One SOCK_SEQPACKET message with up to 40 fds attached (SCM_RIGHTS),
 * the way the sandbox's own processes talk; for callers that pass runs on
 * to another process (nsjudge run --keep). Send: 0 or -errno. Receive:
 * the message's length (0 at EOF) or -errno; received fds are
 * close-on-exec, *nfds of them in fds (extra ones are closed). */
int sb_sendmsg_fds(int sock, const void *buf, size_t len, const int *fds, int nfds);
ssize_t sb_recvmsg_fds(int sock, void *buf, size_t len, int *fds, int maxfds, int *nfds);

/* What this host supports, for start-up messages and `nsjudge version`. */
struct sb_host_info {
    int cgroup_version;        /* 1 or 2, 0 = none usable */
    char cgroup_detail[SB_MSG_MAX];
};
int sb_host_probe(struct sb_host_info *info);

#endif
