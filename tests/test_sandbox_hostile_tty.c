/*
 * test_sandbox_hostile_tty.c - the box never reaches the operator's terminal.
 *
 * `nsjudge run` is started, as an operator would, from a shell whose
 * controlling terminal is a pseudo-terminal; when it is done the same
 * terminal's next reader is a shell again. The box program pushes a
 * command into the terminal with TIOCSTI (plain and with bits above the
 * 32 the kernel reads); had it worked, that shell would run the command
 * on the host. A control run of the same program outside the box shows
 * the harness catches a real injection.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/test_sandbox_hostile.h"

TestSuite(sandbox_hostile_tty, .timeout = 90, .fini = hx_cleanup);

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Read the terminal until needle shows (or EOF, or the deadline). */
static void read_until(int m, char *out, size_t n, size_t *len, const char *needle, double until)
{
    while (mono() < until && !(needle && strstr(out, needle))) {
        struct pollfd p = {.fd = m, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t k = read(m, out + *len, n - 1 - *len);
        if (k <= 0)
            break; /* EIO: every slave fd is closed */
        *len += (size_t)k;
        out[*len] = 0;
    }
}

/* Run `sh -c SCRIPT` on a fresh pty as its controlling terminal. SCRIPT
 * ends by printing RUN-OVER and exec'ing a shell that reads commands from
 * the terminal; then "exit" is typed. What the terminal showed is in out. */
static void pty_session(const char *script, const char *keep_dir, char *out, size_t n)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    cr_assert(m >= 0, "posix_openpt: %s", strerror(errno));
    cr_assert(grantpt(m) == 0 && unlockpt(m) == 0);
    char name[128];
    cr_assert(ptsname_r(m, name, sizeof name) == 0);
    pid_t c = fork();
    cr_assert(c >= 0);
    if (c == 0) {
        setsid();
        int s = open(name, O_RDWR);
        if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
            _exit(126);
        dup2(s, 0), dup2(s, 1), dup2(s, 2);
        if (s > 2)
            close(s);
        if (keep_dir)
            setenv("NSJUDGE_KEEP_DIR", keep_dir, 1);
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    size_t len = 0;
    out[0] = 0;
    read_until(m, out, n, &len, "RUN-OVER", mono() + 60);
    cr_assert_not_null(strstr(out, "RUN-OVER"), "the session never finished its run:\n%s", out);
    usleep(100 * 1000); /* the reading shell is up */
    cr_assert_eq(write(m, "exit\n", 5), 5);
    read_until(m, out, n, &len, NULL, mono() + 10);
    int st = 0;
    for (int i = 0; i < 100 && waitpid(c, &st, WNOHANG) == 0; i++)
        usleep(50 * 1000);
    if (waitpid(c, &st, WNOHANG) == 0) {
        kill(c, SIGKILL);
        waitpid(c, &st, 0);
    }
    close(m);
    cr_log_info("terminal showed:\n%s", out);
}

static void marker_path(char *buf, size_t n, const char *what)
{
    snprintf(buf, n, "/tmp/nsjudge-tty-%s-%d-%ld", what, (int)getpid(), (long)time(NULL));
    unlink(buf);
}

/* The probe, outside any box, on the same kind of terminal: it must be
 * able to inject, or the tests below prove nothing (a kernel with
 * dev.tty.legacy_tiocsti = 0 refuses TIOCSTI to everyone but root with
 * CAP_SYS_ADMIN; then they are skipped, saying so). */
static void require_injection_works(void)
{
    char marker[128], script[1024], out[16384];
    marker_path(marker, sizeof marker, "control");
    snprintf(script, sizeof script, "%s/tiocsti 'touch %s'; echo RUN-OVER; exec /bin/sh",
             hx_dir(), marker);
    pty_session(script, NULL, out, sizeof out);
    struct stat st;
    bool injected = stat(marker, &st) == 0;
    unlink(marker);
    if (!injected)
        cr_skip_test("TIOCSTI injection does not work on this host even outside a box "
                     "(dev.tty.legacy_tiocsti = 0?): nothing to test");
    cr_assert_not_null(strstr(out, "ESCAPED"), "the control probe did not see its own injection:\n%s", out);
}

static void boxed_probe(bool keep)
{
    require_injection_works();
    const char *bin = getenv("NSJUDGE_BIN");
    cr_assert(bin, "NSJUDGE_BIN not set (run through make test)");
    char marker[128], script[2048], out[16384], dir[128] = "";
    marker_path(marker, sizeof marker, keep ? "keep" : "oneshot");
    if (keep) {
        snprintf(dir, sizeof dir, "/run/nsjudge-test-tty-%d", (int)getpid());
        cr_assert(mkdir(dir, 0700) == 0 || errno == EEXIST);
    }
    /* --keep also gives the box the terminal as stdin (relayed as well) */
    snprintf(script, sizeof script,
             "%s run %s -d /h=%s -- /h/tiocsti 'touch %s'; echo RUN-OVER; exec /bin/sh", bin,
             keep ? "--keep=2 --stdin /dev/tty" : "", hx_dir(), marker);
    pty_session(script, keep ? dir : NULL, out, sizeof out);
    struct stat st;
    bool injected = stat(marker, &st) == 0;
    unlink(marker);
    cr_assert_not(injected, "the box pushed a command into the operator's terminal and it ran:\n%s", out);
    cr_assert_null(strstr(out, "ESCAPED"), "%s", out);
    cr_assert_not_null(strstr(out, "note: tty_nr 0"), "the box has a controlling terminal:\n%s", out);
    cr_assert_not_null(strstr(out, "BLOCKED: no terminal"), "%s", out);
    cr_assert_not_null(strstr(out, "OK  time"), "nsjudge run's summary is missing:\n%s", out);
    if (keep) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        cr_assert_eq(system(cmd), 0);
    }
}

Test(sandbox_hostile_tty, one_shot_run_cannot_type_into_the_terminal) { boxed_probe(false); }

Test(sandbox_hostile_tty, kept_slot_run_cannot_type_into_the_terminal) { boxed_probe(true); }

/* The library itself refuses a terminal as a standard stream, so an
 * embedder that forgets to relay cannot hand one to a box. */
Test(sandbox_hostile_tty, sb_run_refuses_a_terminal_fd)
{
    hx_dir();
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    cr_assert(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
    char name[128];
    cr_assert(ptsname_r(m, name, sizeof name) == 0);
    int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    cr_assert(s >= 0);
    struct sb_slot *slot = hx_slot(0);
    struct sb_config cfg;
    struct sb_result res;
    const char *argv[] = {"/bin/true", NULL};
    sb_config_init(&cfg);
    cfg.argv = argv;
    cfg.stdout_fd = s;
    int rc = sb_run(slot, &cfg, &res);
    cr_assert_eq(rc, -ENOTTY, "sb_run took a terminal: rc %d, %s", rc, res.message);
    cr_assert_eq(res.status, SB_XX);
    cr_assert_not_null(strstr(res.message, "standard output is a terminal"), "%s", res.message);
    /* and the slot still works with a pipe */
    cfg.stdout_fd = -1;
    cr_assert_eq(sb_run(slot, &cfg, &res), 0, "%s", res.message);
    cr_assert_eq(res.status, SB_OK);
    close(s);
    close(m);
    hx_slot_close(slot);
}
