/*
 * test_sandbox_util.h - helpers shared by the sandbox tests: open a slot, run a
 * helper program from testdata/programs (built into $NSJUDGE_PROGRAMS)
 * with its stdout captured in a host temp file.
 */
#ifndef NSJUDGE_TESTS_SANDBOX_UTIL_H
#define NSJUDGE_TESTS_SANDBOX_UTIL_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sandbox/sandbox.h"
#include "tests/test_root.h"


/* The cgroup v2 VM test (make test-cgroup-v2) runs under software
 * emulation, which keeps neither CPU accounting nor short timings
 * precise: tests of those say so and are skipped there only. */
static inline void skip_if_emulated(const char *what)
{
    if (getenv("NSJUDGE_EMULATED"))
        cr_skip_test("%s is not meaningful under emulation (NSJUDGE_EMULATED)", what);
}

static inline struct sb_slot *open_slot(void)
{
    test_need_root();
    struct sb_slot *slot = NULL;
    char err[SB_MSG_MAX];
    struct sb_slot_options o = {.id = SB_SLOT_ANY};
    int r = sb_slot_open(&o, &slot, err, sizeof err);
    cr_assert_eq(r, 0, "sb_slot_open: %s", err);
    return slot;
}

static inline const char *programs_dir(void)
{
    const char *d = getenv("NSJUDGE_PROGRAMS");
    cr_assert(d, "NSJUDGE_PROGRAMS not set (run through make test)");
    return d;
}

/* Run argv in the slot with box_dir as /box (NULL: none) and capture stdout
 * into out (NUL-terminated, at most outlen-1 bytes). No asserts: threads
 * other than the test's may call it. Returns sb_run's result or -errno. */
static inline int run_capture(struct sb_slot *slot, const struct sb_limits *lim, const char *box_dir,
                              const char *const *argv, struct sb_result *res, char *out,
                              size_t outlen)
{
    char path[] = "/tmp/nsjudge-test-out-XXXXXX";
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        return -errno;
    unlink(path);
    struct sb_config cfg;
    sb_config_init(&cfg);
    cfg.argv = argv;
    cfg.box_dir = box_dir;
    cfg.stdout_fd = fd;
    if (lim)
        cfg.limits = *lim;
    int r = sb_run(slot, &cfg, res);
    if (out) {
        ssize_t n = pread(fd, out, outlen - 1, 0);
        out[n > 0 ? n : 0] = 0;
    }
    close(fd);
    return r;
}

/* Run /box/NAME ARGS... (NAME from the programs dir) and capture stdout
 * into out (NUL-terminated, at most outlen-1 bytes). */
static inline void run_program(struct sb_slot *slot, const struct sb_limits *lim,
                               const char *const *argv, struct sb_result *res,
                               char *out, size_t outlen)
{
    int r = run_capture(slot, lim, programs_dir(), argv, res, out, outlen);
    cr_assert_eq(r, 0, "sb_run failed: %s", res->message);
}

#endif
