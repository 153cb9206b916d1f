/*
 * test_sandbox_hostile.h - shared helpers of the hostile sandbox suite
 * (tests/test_sandbox_hostile_*.c): run a program from NSJUDGE_HOSTILE in a box,
 * capture what it printed, and look at the host afterwards.
 *
 * Hostile programs print "ok:"/"note:" lines and end with one verdict
 * line, "BLOCKED: ..." or "ESCAPED: ...". The tests assert the verdict
 * and, separately, the host-side evidence (file absent, process gone,
 * port not reached), so a lying program cannot make a test pass.
 */
#ifndef NSJUDGE_TEST_HOSTILE_H
#define NSJUDGE_TEST_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sandbox/sandbox.h"

#define HX_OUT_MAX (64 * 1024)

/* How to run one hostile program. Zero means "the suite's default". */
struct hx_opts {
    struct sb_limits limits;       /* unset fields: cpu 1 s, wall 2 s, mem 256 MiB */
    const char *box_dir;           /* default: the hostile dir, read-only, at /box */
    bool box_writable;
    bool loopback_up;
    bool hostile_at_hostile;       /* mount the hostile dir at /hostile and run from there */
    const struct sb_mount *mounts; /* extra mounts (added after /hostile) */
    int n_mounts;
    int stdout_fd, stderr_fd;      /* 0 = a fresh host temp file, captured */
    bool use_stdout_fd, use_stderr_fd;
};

struct hx_run {
    int rc;                  /* sb_run's return */
    struct sb_result res;
    char out[HX_OUT_MAX];    /* captured stdout (NUL-terminated, may be cut) */
    char err[HX_OUT_MAX];    /* captured stderr */
};

/* The hostile programs' host dir (NSJUDGE_HOSTILE); fails the test when
 * unset, skips it (saying why) when not root. */
const char *hx_dir(void);

/* Open a slot whose id is unique among concurrently running test
 * processes; n picks one of several slots of the same test. */
struct sb_slot *hx_slot(int n);
void hx_slot_close(struct sb_slot *slot);

/* A zeroed hx_run, freed by hx_cleanup. */
struct hx_run *hx_new_run(void);

/* Every suite's .fini: close the test's slots, free its runs, remove its
 * temp dirs, also after a failed assertion. */
void hx_cleanup(void);

/* Run NAME (a program in the hostile dir) with the NULL-terminated args. */
void hx_run(struct sb_slot *slot, const struct hx_opts *o, struct hx_run *r,
            const char *name, ...) __attribute__((sentinel));

/* Remove the (empty) cgroups a killed supervisor process left behind. */
void hx_rm_cgroups(pid_t pid);

/* A string unique to this test process, to find its leftovers. */
void hx_marker(char *buf, size_t n, const char *what);

/* Host processes whose command line contains marker (zombies included). */
int hx_count_procs(const char *marker);

/* Host pid of the first process whose command line contains marker, 0 if none. */
pid_t hx_find_proc(const char *marker);

/* Wait up to timeout_s for fd's file to contain needle. */
bool hx_wait_for(int fd, const char *needle, double timeout_s);

/* Read a whole small file into buf; -errno on failure. */
ssize_t hx_read_file(const char *path, char *buf, size_t n);

/* An anonymous host temp file (for streams), O_CLOEXEC. */
int hx_tmpfile(void);

/* Make a host temp dir (mode 0777 so the box's uid may write it);
 * hx_cleanup removes it. */
void hx_tmpdir(char *buf, size_t n);

/* Remove a temp dir and everything in it (no symlink is followed). */
void hx_rmtree(const char *path);

/* The common verdict check: the sandbox ran, the program printed BLOCKED
 * and never ESCAPED. */
#define hx_assert_blocked(r)                                                      \
    do {                                                                          \
        cr_assert_eq((r)->rc, 0, "sb_run failed: %s", (r)->res.message);          \
        cr_assert_null(strstr((r)->out, "ESCAPED"), "box escape:\n%s", (r)->out); \
        cr_assert_not_null(strstr((r)->out, "BLOCKED:"),                          \
                           "no verdict (status %s, %s):\n%s",                     \
                           sb_status_code((r)->res.status), (r)->res.message,     \
                           (r)->out);                                             \
    } while (0)

#endif
