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
 *
 * Argument rules compare the bits the kernel reads. Syscall arguments
 * arrive as 64-bit registers, but many kernel parameters are int or
 * unsigned int, and the kernel drops the upper half: an equality test on
 * all 64 bits lets `ioctl(fd, TIOCSTI | 1UL << 32, ...)` through while the
 * kernel still sees TIOCSTI. So every rule below masks to what the kernel
 * uses (libseccomp splits a 64-bit MASKED_EQ into a high and a low test;
 * a mask without high bits makes the high test always true).
 *
 * The argument rules, each with its hostile probe (testdata/hostile/
 * argbits.c, tests/test_hostile_seccomp.c):
 *   ioctl TIOCSTI, TIOCLINUX  cmd is unsigned int: low 32 bits equal
 *                             (faking terminal input; the box has no tty
 *                             anyway, see keeper.c and the CLI's relay)
 *   clone CLONE_NEW*          flags: the kernel uses lower_32_bits(flags);
 *                             the namespace bits are low bits, masked
 *   socket family             int: allowed only AF_UNIX, AF_INET, AF_INET6
 *                             in the low 32 bits; any other value (a
 *                             family below 16, or any bit 4..31 set) is
 *                             denied, whatever the high half holds; the
 *                             box init takes note of the IP ones
 *   personality               unsigned int: every call goes to the box
 *                             init, which lets the query (0xffffffff) and
 *                             PER_LINUX (0) through and denies the rest,
 *                             on the low 32 bits (sb_filter_answer)
 *   clone3                    flags in memory the filter cannot read:
 *                             ENOSYS, so libc falls back to clone(2)
 * prctl, socketpair and the other calls with flag arguments need no rule:
 * what they could do is refused by the missing capabilities, the uid and
 * the namespaces (prctl(PR_SET_MM) needs CAP_SYS_RESOURCE, socketpair
 * only makes AF_UNIX pairs).
 */
#include <errno.h>
#include <fcntl.h>
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
    /* personality: decided by the box init on the bits the kernel reads */
    "personality",
};

/* Calls the box init only takes note of, then lets go on: a run that
 * makes SysV IPC objects moves the IPC namespace's id counters, which
 * would outlive it, so its keeper retires after it (keeper.c). IP sockets
 * (socket() with AF_INET or AF_INET6, below) likewise move the network
 * namespace's counters (/proc/net/snmp: a send with no route counts), so
 * that namespace is replaced after such a run. */
static const char *const noticed[] = {"shmget", "msgget", "semget"};

/* exit_group also goes to the box init, which reads the ending process's
 * resident set while its address space still exists, before letting the
 * call go on: the program's own pages, which ru_maxrss cannot tell from
 * the box init's for a small program (keeper.c, run_rss_kib). Box-side code
 * under this filter must end with exit(2) (sb_box_exit), never
 * exit_group: the box init would wait on itself, or on the program it is
 * vfork-blocked on. A program cannot use this to lower its peak (the
 * cgroup's figure stands) and only delays its own exit. */

#define LOW32 0xffffffffULL

/* Argument rules of the list above that are one masked compare each. */
static const struct arg_rule {
    const char *name;
    int nr;
    unsigned arg;
    scmp_datum_t mask, value;
} arg_rules[] = {
    {"ioctl", SCMP_SYS(ioctl), 1, LOW32, TIOCSTI},
    {"ioctl", SCMP_SYS(ioctl), 1, LOW32, TIOCLINUX},
    {"clone", SCMP_SYS(clone), 0, CLONE_NEWUSER, CLONE_NEWUSER},
    {"clone", SCMP_SYS(clone), 0, CLONE_NEWNS, CLONE_NEWNS},
    {"clone", SCMP_SYS(clone), 0, CLONE_NEWPID, CLONE_NEWPID},
    {"clone", SCMP_SYS(clone), 0, CLONE_NEWNET, CLONE_NEWNET},
    {"clone", SCMP_SYS(clone), 0, CLONE_NEWIPC, CLONE_NEWIPC},
    {"clone", SCMP_SYS(clone), 0, CLONE_NEWUTS, CLONE_NEWUTS},
    {"clone", SCMP_SYS(clone), 0, CLONE_NEWCGROUP, CLONE_NEWCGROUP},
    /* CLONE_NEWTIME shares its bit with clone(2)'s exit signal, which the
     * kernel refuses above 64 anyway: denied for clarity */
    {"clone", SCMP_SYS(clone), 0, CLONE_NEWTIME, CLONE_NEWTIME},
};

static int add_rule(scmp_filter_ctx ctx, int nr, unsigned arg, scmp_datum_t mask, scmp_datum_t value)
{
    return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
                            (struct scmp_arg_cmp){arg, SCMP_CMP_MASKED_EQ, mask, value});
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
    for (size_t i = 0; i < sizeof noticed / sizeof *noticed && r == 0; i++) {
        int nr = seccomp_syscall_resolve_name(noticed[i]);
        if (nr != __NR_SCMP_ERROR)
            r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0), what = noticed[i];
    }
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(exit_group), 0), what = "exit_group";
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0), what = "clone3";
    for (size_t i = 0; i < sizeof arg_rules / sizeof *arg_rules && r == 0; i++) {
        const struct arg_rule *a = &arg_rules[i];
        r = add_rule(ctx, a->nr, a->arg, a->mask, a->value), what = a->name;
    }
    /* socket(family): an allow-list on the low 32 bits (AF_UNIX, AF_INET,
     * AF_INET6), as deny rules: any of bits 4..31 set, or a family below
     * 16 that is not allowed. */
    for (int bit = 4; bit < 32 && r == 0; bit++)
        r = add_rule(ctx, SCMP_SYS(socket), 0, 1ULL << bit, 1ULL << bit), what = "socket";
    /* the box init denies these but AF_INET and AF_INET6, which it notes */
    for (int af = 0; af < 16 && r == 0; af++)
        if (af != AF_UNIX)
            r = add_rule(ctx, SCMP_SYS(socket), 0, LOW32, (scmp_datum_t)af), what = "socket";
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

/* Whether a notified call may go on: the only calls notified without
 * being denied outright. personality() takes an unsigned int: the query
 * (0xffffffff) and plain PER_LINUX are harmless, every flag is not. */
static bool let_through(const struct seccomp_data *d)
{
    if (d->nr == __NR_personality) {
        uint32_t persona = (uint32_t)d->args[0];
        return persona == 0xffffffffu || persona == 0;
    }
    if (d->nr == __NR_socket) { /* the only families of the rules allowed */
        uint32_t family = (uint32_t)d->args[0];
        return family == AF_INET || family == AF_INET6;
    }
    return d->nr == __NR_shmget || d->nr == __NR_msgget || d->nr == __NR_semget ||
           d->nr == __NR_exit_group;
}

/* The resident set of the box's process pid (as the box init's /proc
 * numbers it), in KiB; 0 when it cannot be read (the process was killed
 * meanwhile: a zombie has no address space). statm, not status and its
 * VmHWM: generating status costs the run ~50 us more, statm next to
 * nothing; the high-water mark comes from ru_maxrss (keeper.c). Box side:
 * system calls only. */
static uint64_t read_rss_kib(int pid)
{
    char path[32] = "/proc/", buf[128];
    size_t n = 6;
    char digits[12];
    int k = 0;
    for (unsigned v = (unsigned)pid; k == 0 || v; v /= 10)
        digits[k++] = (char)('0' + v % 10);
    while (k)
        path[n++] = digits[--k];
    memcpy(path + n, "/statm", 7);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got <= 0)
        return 0;
    buf[got] = 0;
    /* "size resident shared text lib data dt", in pages */
    const char *p = buf;
    while (*p >= '0' && *p <= '9')
        p++;
    while (*p == ' ')
        p++;
    uint64_t pages = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        pages = pages * 10 + (uint64_t)(*p - '0');
    return pages * (uint64_t)getpagesize() / 1024;
}

/* Box init: answer one pending notification. Returns the number of the
 * syscall it denied, or -1 (none pending, or a call let through; then
 * *passed is that call's number). An exit_group raises *rss_kib to the
 * ending process's resident set. A call let through continues in the
 * kernel with the registers it was made with: safe here because the
 * decision reads no memory of the caller. */
int sb_filter_answer(int listener, int *passed, uint64_t *rss_kib)
{
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    *passed = -1;
    memset(&req, 0, sizeof req);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
        return -1;
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    bool go = let_through(&req.data);
    if (req.data.nr == __NR_exit_group) {
        /* the caller waits in the kernel, its memory intact, until answered */
        uint64_t kib = read_rss_kib((int)req.pid);
        if (kib > *rss_kib)
            *rss_kib = kib;
    }
    if (go)
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    else
        resp.error = req.data.nr == __NR_socket ? -EAFNOSUPPORT : -EPERM;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp); /* ENOENT: caller died */
    if (go)
        *passed = req.data.nr;
    return go ? -1 : req.data.nr;
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
