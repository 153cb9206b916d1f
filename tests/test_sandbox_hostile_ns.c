/*
 * test_sandbox_hostile_ns.c - hostile programs against the box's namespaces and
 * syscall filter: ptrace, network, signals to the host and to other
 * boxes, SysV IPC / abstract sockets / /dev/shm between boxes, hostname
 * and clock changes, and the kernel interfaces a box must not reach
 * (mount family, new namespaces, keyrings, io_uring, bpf, perf, ...).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/test_sandbox_hostile.h"

/* A second box running in its own thread. No criterion asserts in here:
 * the main thread checks the result after joining. */
struct bg_box {
    struct sb_slot *slot;
    const char *argv[8];
    char prog[600];
    int out;
    double wall_s;
    int rc;
    struct sb_result res;
    pthread_t thread;
};

static void *bg_main(void *arg)
{
    struct bg_box *b = arg;
    struct sb_config cfg;
    sb_config_init(&cfg);
    cfg.argv = b->argv;
    cfg.box_dir = getenv("NSJUDGE_HOSTILE");
    cfg.stdout_fd = b->out;
    cfg.limits.cpu_s = b->wall_s;
    cfg.limits.wall_s = b->wall_s;
    b->rc = sb_run(b->slot, &cfg, &b->res);
    return NULL;
}

/* Start NAME with args (up to 6) in slot, wait until it prints READY. */
static void bg_start(struct bg_box *b, struct sb_slot *slot, double wall_s,
                     const char *name, const char *a1, const char *a2, const char *a3,
                     const char *a4)
{
    memset(b, 0, sizeof *b);
    b->slot = slot;
    snprintf(b->prog, sizeof b->prog, "/box/%s", name);
    const char *args[] = {b->prog, a1, a2, a3, a4, NULL};
    for (int i = 0; i < 6; i++)
        b->argv[i] = args[i];
    b->out = hx_tmpfile();
    b->wall_s = wall_s;
    cr_assert_eq(pthread_create(&b->thread, NULL, bg_main, b), 0);
    cr_assert(hx_wait_for(b->out, "READY", 5), "background box %s never got ready", name);
}

static void bg_join(struct bg_box *b, char *out, size_t n)
{
    pthread_join(b->thread, NULL);
    ssize_t got = pread(b->out, out, n - 1, 0);
    out[got > 0 ? got : 0] = 0;
    close(b->out);
    cr_log_info("background box: rc %d status %s sig %d wall %.3f msg '%s'\n%s", b->rc,
                sb_status_code(b->res.status), b->res.signal, b->res.wall_s, b->res.message, out);
}

TestSuite(sandbox_hostile_proc, .timeout = 30, .fini = hx_cleanup);

Test(sandbox_hostile_proc, ptrace_is_refused)
{
    char pid[16], status[4096];
    struct hx_run *r = hx_new_run();
    struct sb_slot *slot = hx_slot(0);
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    hx_run(slot, NULL, r, "ptrace", pid, NULL);
    hx_assert_blocked(r);
    cr_assert_not_null(strstr(r->out, "attach own child"), "%s", r->out);
    /* Host side: nobody traces the test process. */
    cr_assert(hx_read_file("/proc/self/status", status, sizeof status) > 0);
    cr_assert_not_null(strstr(status, "TracerPid:\t0\n"));
    hx_slot_close(slot);
}

/* kill(-1, SIGKILL) and SIGKILL to the test, to a canary host process
 * and to another box's program: nothing outside the box dies. */
Test(sandbox_hostile_proc, kill_all_spares_host_and_other_boxes)
{
    char marker[128], a_canary[16], a_self[16], a_other[16], out_b[4096];
    struct hx_run *r = hx_new_run();
    pid_t canary = fork();
    cr_assert(canary >= 0);
    if (canary == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;)
            pause();
    }
    struct sb_slot *a = hx_slot(0), *b = hx_slot(1);
    struct bg_box other;
    hx_marker(marker, sizeof marker, "victim");
    bg_start(&other, b, 4.0, "sleeper", marker, NULL, NULL, NULL);
    pid_t victim = hx_find_proc(marker);
    cr_assert(victim > 0, "cannot find the other box's program on the host");

    snprintf(a_canary, sizeof a_canary, "%d", (int)canary);
    snprintf(a_self, sizeof a_self, "%d", (int)getpid());
    snprintf(a_other, sizeof a_other, "%d", (int)victim);
    hx_run(a, NULL, r, "killall", a_canary, a_self, a_other, NULL);

    /* Host side first: the canary and the other box's program live. */
    cr_assert_eq(waitpid(canary, NULL, WNOHANG), 0, "the canary host process died");
    cr_assert_eq(kill(victim, 0), 0, "the other box's program died");
    bg_join(&other, out_b, sizeof out_b);
    cr_assert_eq(other.rc, 0, "%s", other.res.message);
    cr_assert_eq(other.res.status, SB_TO, "other box ended %s (signal %d), not by its own wall limit",
                 sb_status_code(other.res.status), other.res.signal);
    hx_assert_blocked(r);
    kill(canary, SIGKILL);
    waitpid(canary, NULL, 0);
    hx_slot_close(a);
    hx_slot_close(b);
}

TestSuite(sandbox_hostile_net, .timeout = 30, .fini = hx_cleanup);

static void network(bool loopback_up)
{
    char tport[16], uport[16], buf[16];
    struct hx_run *r = hx_new_run();
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    int ts = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int us = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    cr_assert(ts >= 0 && us >= 0);
    cr_assert_eq(bind(ts, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(ts, 8), 0);
    cr_assert_eq(getsockname(ts, (struct sockaddr *)&a, &l), 0);
    snprintf(tport, sizeof tport, "%d", ntohs(a.sin_port));
    a.sin_port = 0;
    cr_assert_eq(bind(us, (struct sockaddr *)&a, sizeof a), 0);
    l = sizeof a;
    cr_assert_eq(getsockname(us, (struct sockaddr *)&a, &l), 0);
    snprintf(uport, sizeof uport, "%d", ntohs(a.sin_port));

    struct sb_slot *slot = hx_slot(0);
    struct hx_opts o = {.loopback_up = loopback_up};
    hx_run(slot, &o, r, "network", tport, uport, NULL);

    /* Host side: no connection arrived, no datagram either. */
    errno = 0;
    int c = accept4(ts, NULL, NULL, SOCK_CLOEXEC);
    cr_assert_eq(c, -1, "the box connected to the host's listener");
    cr_assert(errno == EAGAIN || errno == EWOULDBLOCK);
    cr_assert_eq(recv(us, buf, sizeof buf, MSG_DONTWAIT), -1, "a datagram from the box arrived");
    hx_assert_blocked(r);
    cr_assert_not_null(strstr(r->out, "ok: /proc/net/route: only lo"), "%s", r->out);
    cr_assert_not_null(strstr(r->out, "ok: /proc/net/dev: only lo"), "%s", r->out);
    close(ts);
    close(us);
    hx_slot_close(slot);
}

Test(sandbox_hostile_net, host_loopback_unreachable_no_route) { network(false); }
/* A box with its own loopback up still has no way to the host's. */
Test(sandbox_hostile_net, host_loopback_unreachable_with_box_loopback_up) { network(true); }

TestSuite(sandbox_hostile_ipc, .timeout = 30, .fini = hx_cleanup);

static key_t test_key(void)
{
    return (key_t)(0x4e530000 | (getpid() & 0xffff));
}

static void abstract_addr(struct sockaddr_un *a, socklen_t *l, const char *name)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "%s", name);
    *l = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* Box A holds a shm segment, a message queue, a semaphore set, an
 * abstract socket, /dev/shm and /tmp files; box B, running at the same
 * time in another slot, and the host must see none of them. */
Test(sandbox_hostile_ipc, objects_not_shared_between_concurrent_boxes)
{
    char marker[128], key[16], host_name[160], path[256], out_a[4096];
    struct hx_run *r = hx_new_run();
    hx_marker(marker, sizeof marker, "ipc");
    snprintf(key, sizeof key, "%d", (int)test_key());

    /* The host offers an abstract socket too: the box must not reach it. */
    struct sockaddr_un ua;
    socklen_t ul;
    snprintf(host_name, sizeof host_name, "%s-host", marker);
    abstract_addr(&ua, &ul, host_name);
    int hs = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    cr_assert(hs >= 0);
    cr_assert_eq(bind(hs, (struct sockaddr *)&ua, ul), 0);
    cr_assert_eq(listen(hs, 4), 0);

    struct sb_slot *a = hx_slot(0), *b = hx_slot(1);
    struct bg_box owner;
    bg_start(&owner, a, 3.0, "ipc", "own", key, marker, "stay");

    hx_run(b, NULL, r, "ipc", "probe", key, marker, NULL);

    /* Host side, while box A still holds everything. */
    int id = shmget(test_key(), 0, 0);
    if (id >= 0)
        shmctl(id, IPC_RMID, NULL);
    cr_assert_eq(id, -1, "the box's shm segment is in the host's IPC namespace");
    cr_assert_eq(msgget(test_key(), 0), -1, "the box's message queue is on the host");
    cr_assert_eq(semget(test_key(), 0, 0), -1, "the box's semaphores are on the host");
    abstract_addr(&ua, &ul, marker);
    int cs = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_neq(connect(cs, (struct sockaddr *)&ua, ul), 0, "the box's abstract socket is on the host");
    close(cs);
    cr_assert_eq(accept4(hs, NULL, NULL, SOCK_CLOEXEC), -1, "the box connected to the host's abstract socket");
    snprintf(path, sizeof path, "/dev/shm/%s", marker);
    cr_assert_neq(access(path, F_OK), 0, "%s appeared on the host", path);
    snprintf(path, sizeof path, "/tmp/%s", marker);
    cr_assert_neq(access(path, F_OK), 0, "%s appeared on the host", path);

    bg_join(&owner, out_a, sizeof out_a);
    /* The test only means something if box A really made them. */
    cr_assert_not_null(strstr(out_a, "made: shm"), "%s", out_a);
    cr_assert_not_null(strstr(out_a, "made: msg"), "%s", out_a);
    cr_assert_not_null(strstr(out_a, "made: abstract socket"), "%s", out_a);
    cr_assert_eq(owner.res.status, SB_TO);
    hx_assert_blocked(r);
    close(hs);
    hx_slot_close(a);
    hx_slot_close(b);
}

/* The same slot, one run after the other: a run starts with no IPC
 * object and no /tmp file left from the previous one. */
Test(sandbox_hostile_ipc, objects_not_left_for_next_run_of_slot)
{
    char marker[128], key[16];
    struct hx_run *r = hx_new_run();
    hx_marker(marker, sizeof marker, "ipcseq");
    snprintf(key, sizeof key, "%d", (int)test_key() ^ 0x100);
    struct sb_slot *slot = hx_slot(0);
    /* /box is the slot's own empty tmpfs here, writable: also per run. */
    struct hx_opts o = {.hostile_at_hostile = true, .box_writable = true};
    hx_run(slot, &o, r, "ipc", "own", key, marker, NULL);
    cr_assert_eq(r->res.status, SB_OK, "%s", r->res.message);
    cr_assert_not_null(strstr(r->out, "made: shm"), "%s", r->out);
    cr_assert_not_null(strstr(r->out, "made: /tmp/"), "%s", r->out);
    cr_assert_not_null(strstr(r->out, "made: /box/"), "%s", r->out);
    hx_run(slot, &o, r, "ipc", "probe", key, marker, NULL);
    hx_assert_blocked(r);
    hx_slot_close(slot);
}

TestSuite(sandbox_hostile_uts, .timeout = 30, .fini = hx_cleanup);

Test(sandbox_hostile_uts, hostname_change_stays_in_box)
{
    char before[256], after[256], dom_before[256], dom_after[256], name[64];
    struct hx_run *r = hx_new_run();
    snprintf(name, sizeof name, "pwned-%d", (int)getpid());
    gethostname(before, sizeof before);
    cr_assert_eq(getdomainname(dom_before, sizeof dom_before), 0);
    struct sb_slot *slot = hx_slot(0);
    hx_run(slot, NULL, r, "hostname", name, NULL);
    gethostname(after, sizeof after);
    cr_assert_eq(getdomainname(dom_after, sizeof dom_after), 0);
    cr_assert_str_eq(before, after, "the box renamed the host");
    cr_assert_str_eq(dom_before, dom_after, "the box changed the host's domain name");
    cr_assert_eq(r->rc, 0, "%s", r->res.message);
    cr_assert_not_null(strstr(r->out, "nodename: nsjudge\n"), "%s", r->out);
    cr_assert_null(strstr(r->out, "ESCAPED"), "%s", r->out);
    /* Refused, or at most changed inside the box. */
    cr_assert(strstr(r->out, "BLOCKED:") || strstr(r->out, "CHANGED:"), "%s", r->out);
    hx_slot_close(slot);
}

static double realtime_minus_monotonic(void)
{
    struct timespec rt, mono;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    return (double)(rt.tv_sec - mono.tv_sec) + (double)(rt.tv_nsec - mono.tv_nsec) / 1e9;
}

Test(sandbox_hostile_uts, clock_cannot_be_set)
{
    struct hx_run *r = hx_new_run();
    double before = realtime_minus_monotonic();
    struct sb_slot *slot = hx_slot(0);
    hx_run(slot, NULL, r, "clock", NULL);
    double after = realtime_minus_monotonic();
    hx_assert_blocked(r);
    cr_assert(after - before < 0.5 && before - after < 0.5, "the host clock jumped by %.3f s", after - before);
    hx_slot_close(slot);
}

TestSuite(sandbox_hostile_syscalls, .timeout = 30, .fini = hx_cleanup);

static void probe(const char *const *names)
{
    struct hx_run *r = hx_new_run();
    struct sb_slot *slot = hx_slot(0);
    /* hx_run takes a NULL-terminated vararg list; pass up to 12 names. */
    const char *n[13] = {0};
    for (int i = 0; i < 12 && names[i]; i++)
        n[i] = names[i];
    hx_run(slot, NULL, r, "sysprobe", n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9],
           n[10], n[11], NULL);
    cr_assert_null(strstr(r->out, "ERROR"), "%s", r->out);
    hx_assert_blocked(r);
    hx_slot_close(slot);
}

/* Ways to change the mount table or leave the box's namespaces. */
Test(sandbox_hostile_syscalls, mount_unshare_setns_chroot_fail)
{
    static const char *const names[] = {"mount", "umount", "remount", "unshare_user", "unshare_ns",
                                        "unshare_net", "unshare_all", "setns", "chroot", "pivot_root",
                                        "clone_newuser", "clone3_newuser", NULL};
    probe(names);
}

/* Kernel interfaces that cross boxes or widen the attack surface. */
Test(sandbox_hostile_syscalls, keyring_io_uring_bpf_perf_userfaultfd_fail)
{
    static const char *const names[] = {"keyctl", "add_key", "io_uring_setup", "bpf",
                                        "perf_event_open", "userfaultfd", NULL};
    probe(names);
}

/* Host kernel state: file handles (the "shocker" escape), modules, the
 * kernel log, swap. */
Test(sandbox_hostile_syscalls, host_kernel_calls_fail)
{
    static const char *const names[] = {"open_by_handle_at", "init_module", "delete_module",
                                        "syslog", "swapoff", NULL};
    probe(names);
}

/* DESIGN.md section 3 lists personality changes among the denied calls
 * (ADDR_NO_RANDOMIZE makes other exploits reliable). */
Test(sandbox_hostile_syscalls, personality_change_fails)
{
    static const char *const names[] = {"personality", NULL};
    probe(names);
}

/* The probes can fail: with the syscall filter switched off (a testing
 * knob of the config), the same programs report the escapes the filter
 * exists for. If this test fails, the probes above prove nothing. */
Test(sandbox_hostile_syscalls, probes_detect_an_unfiltered_box)
{
    struct hx_run *r = hx_new_run();
    struct sb_slot *slot = hx_slot(0);
    const char *dir = hx_dir();
    char prog[600];
    const char *argv[] = {prog, "unshare_user", "keyctl", "io_uring_setup", NULL};
    struct sb_config cfg;
    int out = hx_tmpfile();
    snprintf(prog, sizeof prog, "/box/sysprobe");
    sb_config_init(&cfg);
    cfg.argv = argv;
    cfg.box_dir = dir;
    cfg.stdout_fd = out;
    cfg.limits.cpu_s = 1;
    cfg.limits.wall_s = 2;
    cfg.no_seccomp = true;
    cr_assert_eq(sb_run(slot, &cfg, &r->res), 0, "%s", r->res.message);
    ssize_t n = pread(out, r->out, sizeof r->out - 1, 0);
    r->out[n > 0 ? n : 0] = 0;
    cr_log_info("unfiltered sysprobe:\n%s", r->out);
    cr_assert_not_null(strstr(r->out, "ESCAPED: unshare_user"), "%s", r->out);
    cr_assert_not_null(strstr(r->out, "ESCAPED: keyctl"), "%s", r->out);

    /* And ptrace of one's own child works without the filter. */
    snprintf(prog, sizeof prog, "/box/ptrace");
    const char *argv2[] = {prog, "1", NULL};
    cfg.argv = argv2;
    close(out);
    out = hx_tmpfile();
    cfg.stdout_fd = out;
    cr_assert_eq(sb_run(slot, &cfg, &r->res), 0, "%s", r->res.message);
    n = pread(out, r->out, sizeof r->out - 1, 0);
    r->out[n > 0 ? n : 0] = 0;
    cr_log_info("unfiltered ptrace:\n%s", r->out);
    cr_assert_not_null(strstr(r->out, "ESCAPED: attach own child"), "%s", r->out);
    close(out);
    hx_slot_close(slot);
}
