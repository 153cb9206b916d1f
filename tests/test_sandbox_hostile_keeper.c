/*
 * test_sandbox_hostile_keeper.c - the slot's keeper (box init, kept between runs)
 * against the programs it starts: a program must not be able to change
 * it, and nothing one run leaves may reach the next run of the slot.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sys/resource.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "tests/test_sandbox_hostile.h"

TestSuite(sandbox_hostile_keeper, .timeout = 60, .fini = hx_cleanup);

/* Host pid of the only live process running as uid, 0 if none (-1 if
 * more). Zombies do not count: an earlier slot that held this id may have
 * left its retired keeper unreaped a moment, and a zombie can do nothing. */
static pid_t find_uid(uid_t uid)
{
    DIR *d = opendir("/proc");
    cr_assert_not_null(d);
    pid_t found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[300], buf[4096];
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        /* not the owner of /proc/PID: that is root for a non-dumpable process */
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        if (hx_read_file(path, buf, sizeof buf) <= 0)
            continue;
        char *u = strstr(buf, "\nUid:"), *st = strstr(buf, "\nState:");
        if (st && strchr("ZX", st[8 + strspn(st + 8, " \t")]))
            continue;
        if (u && strtoul(u + 5, NULL, 10) == uid)
            found = found ? -1 : atoi(e->d_name);
    }
    closedir(d);
    return found;
}

/* Field n (1-based) of /proc/PID/stat, after the command name. */
static long stat_field(pid_t pid, int n)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    cr_assert(hx_read_file(path, buf, sizeof buf) > 0);
    char *p = strrchr(buf, ')');
    cr_assert_not_null(p);
    p += 2; /* field 3 */
    for (int i = 3; i < n; i++)
        p = strchr(p, ' ') + 1;
    return p[0] >= 'A' && p[0] <= 'Z' ? p[0] : strtol(p, NULL, 10);
}

/* Kill, stop, renice, pin, limit, read PID 1 from inside; the next run
 * must start clean and the keeper on the host must be the same process,
 * untouched (its host uid is the box uid + 100000, see sandbox/user.c). */
Test(sandbox_hostile_keeper, programs_cannot_change_the_keeper)
{
    struct sb_slot *slot = hx_slot(0);
    uid_t keeper_uid = sb_slot_box_uid(slot) + 100000;   /* SB_KEEPER_UID_OFFSET */
    struct hx_run *r = hx_new_run();
    char nice[16];   /* a judge started under nice(1) gives its boxes its own */
    errno = 0;
    snprintf(nice, sizeof nice, "%d", getpriority(PRIO_PROCESS, 0));
    hx_run(slot, NULL, r, "keeper", "check", nice, NULL);
    hx_assert_blocked(r);
    pid_t keeper = find_uid(keeper_uid);
    cr_assert(keeper > 0, "no single keeper process with uid %u on the host", (unsigned)keeper_uid);

    hx_run(slot, NULL, r, "keeper", "attack", NULL);
    hx_assert_blocked(r);
    cr_assert_eq(find_uid(keeper_uid), keeper, "the keeper was replaced or killed");
    cr_assert_eq(stat_field(keeper, 19), atoi(nice), "the keeper was reniced");
    cr_assert_neq(stat_field(keeper, 3), 'T', "the keeper was stopped");
    cr_assert_eq(stat_field(keeper, 41), 0, "the keeper's scheduling policy changed");

    hx_run(slot, NULL, r, "keeper", "check", nice, NULL);
    hx_assert_blocked(r);
    cr_assert_eq(r->res.status, SB_OK, "%s", r->res.message);
}

/* sh -c SCRIPT in slot with an empty tmpfs /box (writable when asked);
 * it must end OK; its stdout lands in out. */
static void run_sh(struct sb_slot *slot, const char *script, bool box_writable, char *out, size_t n)
{
    struct sb_config cfg;
    struct sb_result res;
    const char *argv[] = {"/bin/sh", "-c", script, NULL};
    int fd = hx_tmpfile();
    sb_config_init(&cfg);
    cfg.argv = argv;
    cfg.box_writable = box_writable;
    cfg.stdout_fd = fd;
    cfg.limits.wall_s = 5;
    cr_assert_eq(sb_run(slot, &cfg, &res), 0, "%s", res.message);
    cr_assert_eq(res.status, SB_OK, "%s: %s", script, res.message);
    ssize_t k = pread(fd, out, n - 1, 0);
    close(fd);
    out[k > 0 ? k : 0] = 0;
}

/* A file in a writable scratch /box, one in /tmp, a daemon: none of them
 * is there for the next run. */
Test(sandbox_hostile_keeper, scratch_box_tmp_and_daemons_are_gone_next_run)
{
    struct sb_slot *slot = hx_slot(0);
    char out[4096];
    for (int round = 0; round < 2; round++) {
        /* an empty writable tmpfs /box */
        run_sh(slot,
               "ls -A /box /tmp; echo x > /box/left; echo y > /tmp/left; "
               "mkdir /tmp/d; chmod 777 /box; (setsid sleep 30 &); echo done",
               true, out, sizeof out);
        cr_assert(strstr(out, "done"), "%s", out);
        cr_assert_null(strstr(out, "left"), "round %d found an earlier run's file:\n%s", round, out);
    }
    /* and the read-only default /box kept between runs is as it was */
    run_sh(slot, "stat -c '%a %u' /box; ls -A /box /tmp; cat /proc/[0-9]*/comm", false, out, sizeof out);
    cr_assert(!strncmp(out, "755 1000\n", 9), "unexpected /box or leftovers:\n%s", out);
    cr_assert_null(strstr(out, "left"), "%s", out);
    /* no sleeper (and the keeper is hidden: another uid) */
    cr_assert(strstr(out, "\nsh\n") || strstr(out, "\ncat\n"), "no process listed:\n%s", out);
    cr_assert_null(strstr(out, "sleep"), "processes left over:\n%s", out);
    cr_assert_null(strstr(out, "nsjudge"), "the keeper is visible:\n%s", out);
}

/* A run that leaves no file but touches /tmp (or makes and removes one)
 * changes /tmp's times: the next run must not see that. */
Test(sandbox_hostile_keeper, tmp_times_tell_the_next_run_nothing)
{
    struct sb_slot *slot = hx_slot(0);
    const char *marks[] = {"touch /tmp", "touch /tmp/x && rm /tmp/x", "ls /tmp >/dev/null", "true"};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
        char out[256];
        run_sh(slot, marks[i], false, out, sizeof out);
        run_sh(slot, "stat -c '%.9W %.9Y %.9Z %.9X' /tmp", false, out, sizeof out);
        char b[32], m[32], c[32], a[32];
        cr_assert_eq(sscanf(out, "%31s %31s %31s %31s", b, m, c, a), 4, "%s", out);
        cr_assert(!strcmp(b, m) && !strcmp(b, c) && !strcmp(b, a),
                  "after '%s' the next run sees /tmp born %s, modified %s, changed %s, read %s", marks[i], b,
                  m, c, a);
    }
}

static long receive(struct sb_slot *slot, struct hx_run *r, const char *what)
{
    hx_run(slot, NULL, r, "counters", what, NULL);
    cr_assert_eq(r->res.status, SB_OK, "%s: %s %s", what, r->res.message, r->err);
    const char *p = strstr(r->out, "value ");
    cr_assert_not_null(p, "%s", r->out);
    return strtol(p + 6, NULL, 10);
}

/* Run N+1 of a kept slot must not read what run N put in a counter: a
 * sender moves it s times (s secret, 0..15), the receiver decodes s from
 * how far the counter moved past a calibration run's. With the counter
 * kept it decodes every symbol; with it moved at random or reset before
 * each run it does no better than chance (1 in 16: about 1 of 20; 6 or
 * more happens by luck less than once in 3000). */
static void counter_channel(const char *send, const char *recv)
{
    struct sb_slot *slot = hx_slot(0);
    struct hx_run *r = hx_new_run();
    unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
    int right = 0;
    for (int round = 0; round < 20; round++) {
        int s = (int)(rand_r(&seed) % 16);
        long v0 = receive(slot, r, recv);
        char arg[16];
        snprintf(arg, sizeof arg, "%d", s);
        hx_run(slot, NULL, r, "counters", send, arg, NULL);
        cr_assert_eq(r->res.status, SB_OK, "%s: %s", r->res.message, r->err);
        long v1 = receive(slot, r, recv);
        /* a pid moves by 1 for the sender itself, an index does not */
        long guess = ((v1 - v0 - (strstr(recv, "pid") ? 2 : 1)) % 16 + 16) % 16;
        cr_log_info("round %d: sent %d, %ld -> %ld, decoded %ld", round, s, v0, v1, guess);
        right += guess == s;
    }
    cr_assert_leq(right, 5, "the receiver decoded %d of 20 symbols through the counter", right);
    hx_slot_close(slot);
}

/* A sender's pids: the PID namespace lives as long as the keeper. */
Test(sandbox_hostile_keeper, pid_counter_carries_nothing_to_the_next_run)
{
    counter_channel("send-pid", "recv-pid");
}

/* A sender's SysV IPC ids: the IPC namespace is the keeper's too. */
Test(sandbox_hostile_keeper, ipc_id_counter_carries_nothing_to_the_next_run)
{
    counter_channel("send-shm", "recv-shm");
}

/* A sender's network statistics: the slot's network namespace is kept
 * for every keeper of the slot. */
Test(sandbox_hostile_keeper, network_statistics_carry_nothing_to_the_next_run)
{
    counter_channel("send-net", "recv-net");
}
