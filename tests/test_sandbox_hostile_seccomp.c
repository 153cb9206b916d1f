/*
 * test_sandbox_hostile_seccomp.c - every argument-filtered seccomp rule holds
 * against values with bits above the 32 the kernel reads (and bit 31),
 * and still lets through what programs need. testdata/hostile/argbits.c
 * holds the probes; sandbox/seccomp.c lists the rules they attack.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/test_sandbox_hostile.h"

TestSuite(sandbox_hostile_seccomp, .timeout = 60, .fini = hx_cleanup);

/* Run argbits with up to 8 probe names, filtered or not. */
static void argbits(struct hx_run *r, bool filtered, const char *const *names)
{
    const char *dir = hx_dir();
    struct sb_slot *slot = hx_slot(0);
    const char *argv[12] = {"/box/argbits"};
    int n = 1;
    for (int i = 0; names[i] && n < 11; i++)
        argv[n++] = names[i];
    argv[n] = NULL;
    struct sb_config cfg;
    sb_config_init(&cfg);
    cfg.argv = argv;
    cfg.box_dir = dir;
    cfg.limits.cpu_s = 1;
    cfg.limits.wall_s = 5;
    cfg.no_seccomp = !filtered;
    int out = hx_tmpfile();
    cfg.stdout_fd = out;
    memset(r, 0, sizeof *r);
    r->rc = sb_run(slot, &cfg, &r->res);
    ssize_t k = pread(out, r->out, sizeof r->out - 1, 0);
    r->out[k > 0 ? k : 0] = 0;
    close(out);
    hx_slot_close(slot);
    cr_log_info("argbits (%s): %s\n%s", filtered ? "filtered" : "no seccomp", r->res.message, r->out);
    cr_assert_null(strstr(r->out, "ERROR"), "%s", r->out);
}

/* Blocked by the filter (the keeper names the call), and the same
 * probes reach the kernel when the filter is off: they can fail. */
static void rule(const char *syscall_name, const char *const *names, const char *const *control)
{
    struct hx_run *r = hx_new_run();
    argbits(r, true, names);
    hx_assert_blocked(r);
    char want[80];
    snprintf(want, sizeof want, "blocked system call: %s", syscall_name);
    cr_assert_not_null(strstr(r->res.message, want), "the keeper did not record %s: '%s'",
                       syscall_name, r->res.message);
    argbits(r, false, control);
    for (int i = 0; control[i]; i++) {
        char esc[96];
        snprintf(esc, sizeof esc, "ESCAPED: %s:", control[i]);
        cr_assert_not_null(strstr(r->out, esc), "without the filter %s did not get through, so its "
                           "filtered run proves nothing:\n%s", control[i], r->out);
    }
}

Test(sandbox_hostile_seccomp, ioctl_tiocsti_tioclinux_on_the_low_32_bits)
{
    static const char *const n[] = {"ioctl_tiocsti", "ioctl_tiocsti_hi32", "ioctl_tiocsti_hiones",
                                    "ioctl_tioclinux", "ioctl_tioclinux_hi32", NULL};
    rule("ioctl", n, n);
}

Test(sandbox_hostile_seccomp, personality_flags_on_the_low_32_bits)
{
    static const char *const n[] = {"personality_bit31", "personality_hi32", "personality_hiones",
                                    "personality_fffffffe", NULL};
    rule("personality", n, n);
}

Test(sandbox_hostile_seccomp, socket_family_on_the_low_32_bits)
{
    static const char *const n[] = {"socket_netlink_hi32", "socket_netlink_hiones",
                                    "socket_packet_hi32", NULL};
    /* AF_PACKET also needs CAP_NET_RAW, which the box lacks either way */
    static const char *const control[] = {"socket_netlink_hi32", "socket_netlink_hiones", NULL};
    rule("socket", n, control);
}

Test(sandbox_hostile_seccomp, clone_namespace_flags_on_the_low_32_bits)
{
    static const char *const n[] = {"clone_newuser_hi32", "clone_newns_hiones", NULL};
    rule("clone", n, n);
}

/* What the rules must not take away: the personality query and
 * PER_LINUX, terminal ioctls that only ask (isatty), the three socket
 * families, a plain clone (fork, threads). */
Test(sandbox_hostile_seccomp, needed_calls_still_work)
{
    struct hx_run *r = hx_new_run();
    static const char *const n[] = {"allowed", NULL};
    argbits(r, true, n);
    cr_assert_eq(r->rc, 0, "%s", r->res.message);
    cr_assert_not_null(strstr(r->out, "ALLOWED: all calls worked"), "%s", r->out);
    cr_assert_eq(r->res.status, SB_OK, "%s", r->res.message);
    cr_assert_null(strstr(r->res.message, "blocked"), "%s", r->res.message);
}
