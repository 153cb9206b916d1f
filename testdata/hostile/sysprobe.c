/*
 * sysprobe NAME...: try kernel interfaces a judged program never needs
 * and that cross box boundaries or widen the kernel attack surface. Each
 * runs in its own child, so a seccomp kill of one still lets the others
 * run. Blocked means: killed by a signal, or failed with EPERM, EACCES,
 * ENOSYS (or, for a few, the errno that proves the permission check
 * failed). Any other outcome means the call reached the kernel's
 * implementation past its permission checks: ESCAPED.
 * "all" runs every probe.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "probe.h"

static long p_mount(void) { return mount("none", "/box", "tmpfs", 0, NULL); }
static long p_umount(void) { return umount2("/box", MNT_DETACH); }
static long p_remount(void) { return mount(NULL, "/usr", NULL, MS_REMOUNT | MS_BIND, NULL); }
static long p_unshare_user(void) { return unshare(CLONE_NEWUSER); }
static long p_unshare_ns(void) { return unshare(CLONE_NEWNS); }
static long p_unshare_net(void) { return unshare(CLONE_NEWNET); }
static long p_unshare_userns_all(void) { return unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID); }
static long p_setns(void)
{
    int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    return setns(fd, 0);
}
static long p_chroot(void) { return chroot("/box"); }
static long p_pivot_root(void) { return syscall(SYS_pivot_root, "/box", "/box"); }
static long p_clone_newuser(void)
{
    long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (r == 0)
        _exit(0);
    return r;
}
static long p_clone3_newuser(void)
{
    struct clone_args a;
    memset(&a, 0, sizeof a);
    a.flags = CLONE_NEWUSER;
    a.exit_signal = SIGCHLD;
    long r = syscall(SYS_clone3, &a, sizeof a);
    if (r == 0)
        _exit(0);
    return r;
}
static long p_keyctl(void) { return syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, "nsjudge-hostile", 0, 0, 0); }
static long p_add_key(void) { return syscall(SYS_add_key, "user", "nsjudge-hostile", "x", 1, -2 /* KEY_SPEC_PROCESS_KEYRING */); }
static long p_io_uring(void)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    return syscall(SYS_io_uring_setup, 4, &p);
}
static long p_bpf(void)
{
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    return syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
}
static long p_perf(void)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_TASK_CLOCK;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}
static long p_userfaultfd(void) { return syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */); }
static long p_open_by_handle(void)
{
    struct { unsigned int bytes; int type; unsigned char h[8]; } fh = {8, 1, {2, 0, 0, 0, 0, 0, 0, 0}};
    int m = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return syscall(SYS_open_by_handle_at, m, &fh, O_RDONLY);
}
static long p_init_module(void) { return syscall(SYS_init_module, NULL, 0, ""); }
static long p_delete_module(void) { return syscall(SYS_delete_module, "nsjudge_hostile_none", O_NONBLOCK); }
static long p_syslog(void)
{
    static char buf[4096];
    return syscall(SYS_syslog, 3 /* READ_ALL */, buf, (int)sizeof buf);
}
static long p_swapoff(void) { return syscall(SYS_swapoff, "/nsjudge-hostile-none"); }
static long p_personality(void) { return personality(PER_LINUX | ADDR_NO_RANDOMIZE) < 0 ? -1 : (personality(0xffffffff) & ADDR_NO_RANDOMIZE ? 0 : -1); }


static const struct probe probes[] = {
    {"mount", p_mount, 0},
    {"umount", p_umount, EINVAL /* not a mount point in a box with /box on tmpfs */},
    {"remount", p_remount, 0},
    {"unshare_user", p_unshare_user, 0},
    {"unshare_ns", p_unshare_ns, 0},
    {"unshare_net", p_unshare_net, 0},
    {"unshare_all", p_unshare_userns_all, 0},
    {"setns", p_setns, ENOENT},
    {"chroot", p_chroot, 0},
    {"pivot_root", p_pivot_root, 0},
    {"clone_newuser", p_clone_newuser, 0},
    {"clone3_newuser", p_clone3_newuser, 0},
    {"keyctl", p_keyctl, 0},
    {"add_key", p_add_key, 0},
    {"io_uring_setup", p_io_uring, 0},
    {"bpf", p_bpf, 0},
    {"perf_event_open", p_perf, 0},
    {"userfaultfd", p_userfaultfd, 0},
    {"open_by_handle_at", p_open_by_handle, 0},
    {"init_module", p_init_module, 0},
    {"delete_module", p_delete_module, 0},
    {"syslog", p_syslog, 0},
    {"swapoff", p_swapoff, 0},
    {"personality", p_personality, 0},
    {NULL, NULL, 0},
};

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    return probe_main(probes, argc, argv, 1, true);
}
