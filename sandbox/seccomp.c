/*
 * seccomp.c - the syscall filter every box runs under. Built with
 * libseccomp once per slot and exported as raw BPF, because building it
 * costs ~0.5 ms while loading prepared BPF in the child costs microseconds.
 *
 * Policy: allow by default (judged programs and compilers use a wide and
 * varying set of calls), deny what a judged program never needs and what
 * could cross between boxes or reach the host. Denied calls go to the box
 * init through a user-notification listener, which records the first one
 * (so the result can name it) and answers EPERM (EAFNOSUPPORT for socket
 * families): the program sees an ordinary error. Other architectures'
 * ABIs (i386 int 0x80, x32) kill the process: they could bypass rules.
 */
#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>
#include <unistd.h>
#include "sandbox/internal.h"

/* Calls that fail with EPERM inside the box. */
static const char *const denied[] = {
    /* debugging other processes */
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    /* filesystem namespace and mounts */
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "name_to_handle_at", "open_by_handle_at",
    /* new or foreign namespaces */
    "unshare", "setns",
    /* kernel surface */
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "keyctl", "add_key", "request_key", "lookup_dcookie",
    "fanotify_init", "syslog", "iopl", "ioperm", "acct", "quotactl", "swapon",
    "swapoff", "reboot", "uselib", "vhangup", "nfsservctl", "ustat", "sysfs",
    /* clocks and names shared with the host */
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname",
};

/* Only these socket families are allowed: local and (namespaced) IP. */
static bool family_allowed(int af)
{
    return af == AF_UNIX || af == AF_INET || af == AF_INET6;
}

int sb_filter_build(struct sb_filter *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        sb_setmsg(err, errlen, "seccomp_init failed");
        return -ENOMEM;
    }
    int r = 0;
    const char *what = "";
    seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    /* A binary tree instead of a linear list of syscall numbers: the kernel
     * emulates the filter for every syscall when it is loaded (to build its
     * allow cache), so a short path per syscall makes loading ~4x cheaper. */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (size_t i = 0; i < sizeof denied / sizeof *denied && r == 0; i++) {
        int nr = seccomp_syscall_resolve_name(denied[i]);
        if (nr == __NR_SCMP_ERROR)
            continue; /* not on this architecture */
        what = denied[i];
        r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
    }
    /* clone3 passes flags in memory the filter cannot inspect: make libc
     * fall back to clone(2), whose flags we can check. */
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0), what = "clone3";
    static const unsigned long ns_flags[] = {
        CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
        CLONE_NEWUTS, CLONE_NEWCGROUP, CLONE_NEWTIME,
    };
    for (size_t i = 0; i < sizeof ns_flags / sizeof *ns_flags && r == 0; i++)
        r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(clone), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i])), what = "clone";
    for (int af = 0; af <= AF_INET6 && r == 0; af++)
        if (!family_allowed(af))
            r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(socket), 1,
                                 SCMP_A0(SCMP_CMP_EQ, af)), what = "socket";
    if (r == 0) /* every family above AF_INET6 (netlink, packet, vsock, ...) */
        r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(socket), 1,
                             SCMP_A0(SCMP_CMP_GT, AF_INET6)), what = "socket";
    if (r == 0) /* faking terminal input into the caller's tty */
        r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_EQ, TIOCSTI)), what = "ioctl";
    /* personality: the query (0xffffffff) and PER_LINUX stay allowed; no
     * flag that weakens the address space layout or execute protection. */
    static const unsigned long persona_flags[] = {
        0x0040000 /* ADDR_NO_RANDOMIZE */, 0x0400000 /* READ_IMPLIES_EXEC */,
        0x0200000 /* ADDR_COMPAT_LAYOUT */, 0x0100000 /* MMAP_PAGE_ZERO */,
        0x0020000 /* UNAME26 */, 0x0080000 /* FDPIC_FUNCPTRS */,
        0x0800000 /* ADDR_LIMIT_32BIT */, 0x8000000 /* ADDR_LIMIT_3GB */,
        0x1000000 /* SHORT_INODE */, 0x2000000 /* WHOLE_SECONDS */,
        0x4000000 /* STICKY_TIMEOUTS */,
    };
    for (size_t i = 0; i < sizeof persona_flags / sizeof *persona_flags && r == 0; i++)
        r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(personality), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, persona_flags[i] | 0x80000000UL,
                                     persona_flags[i])), what = "personality";
    if (r < 0) {
        sb_errmsg(err, errlen, what, -r);
        seccomp_release(ctx);
        return r;
    }

    /* Export the BPF through a memfd and keep the instructions. */
    int fd = memfd_create("nsjudge-bpf", MFD_CLOEXEC);
    if (fd < 0 || (r = seccomp_export_bpf(ctx, fd)) < 0) {
        r = fd < 0 ? -errno : r;
        sb_errmsg(err, errlen, "exporting the seccomp filter", -r);
        if (fd >= 0)
            close(fd);
        seccomp_release(ctx);
        return r;
    }
    seccomp_release(ctx);
    off_t size = lseek(fd, 0, SEEK_END);
    if (size <= 0 || size % sizeof(struct sock_filter) ||
        size / sizeof(struct sock_filter) > 0xffff) {
        close(fd);
        sb_setmsg(err, errlen, "exported seccomp filter has a bad size");
        return -EINVAL;
    }
    f->insns = malloc(size);
    if (!f->insns) {
        close(fd);
        sb_setmsg(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (pread(fd, f->insns, size, 0) != size) {
        close(fd);
        sb_filter_free(f);
        sb_setmsg(err, errlen, "reading back the seccomp filter");
        return -EIO;
    }
    close(fd);
    f->len = (unsigned short)(size / sizeof(struct sock_filter));
    return 0;
}

void sb_filter_free(struct sb_filter *f)
{
    free(f->insns);
    f->insns = NULL;
    f->len = 0;
}

/* Box side: needs PR_SET_NO_NEW_PRIVS (set by the caller) and no malloc.
 * Returns the notification listener fd (close-on-exec) or -errno. */
int sb_filter_load(const struct sb_filter *f)
{
    struct sock_fprog prog = {.len = f->len, .filter = f->insns};
    long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    return fd < 0 ? -errno : (int)fd;
}

/* Box init: answer one pending notification. Returns the syscall number
 * it was for, or -1. */
int sb_filter_answer(int listener)
{
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    memset(&req, 0, sizeof req);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
        return -1;
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    resp.error = req.data.nr == __NR_socket ? -EAFNOSUPPORT : -EPERM;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp); /* ENOENT: caller died */
    return req.data.nr;
}

void sb_syscall_name(int nr, char *buf, size_t len)
{
    char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (n)
        snprintf(buf, len, "%s", n);
    else
        snprintf(buf, len, "syscall %d", nr);
    free(n);
}
