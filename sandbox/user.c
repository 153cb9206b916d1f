/*
 * user.c - who the boxed program is. Box side (after fork, before exec).
 *
 * The box process drops from host root to the slot's unprivileged host
 * uid, then enters a new user namespace where that uid appears as 1000.
 * An unprivileged process may map only its own uid, which is exactly what
 * we want: nothing inside maps to host root, and the mapping needs no help
 * from the parent. All capabilities are then dropped, including the
 * bounding set, so not even a setuid or file-capability binary can regain
 * them (the mounts are nosuid as well).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "sandbox/internal.h"

static int write_file(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, s, strlen(s));
    int e = errno;
    close(fd);
    return n < 0 ? -e : 0;
}

/* "1000 <id> 1\n" without stdio. */
static void map_line(char *buf, size_t len, unsigned id)
{
    char digits[16];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + id % 10);
        id /= 10;
    } while (id && nd < 15);
    const char *pre = "1000 ";
    size_t n = 0;
    for (const char *p = pre; *p && n + 1 < len; p++)
        buf[n++] = *p;
    while (nd && n + 1 < len)
        buf[n++] = digits[--nd];
    for (const char *p = " 1\n"; *p && n + 1 < len; p++)
        buf[n++] = *p;
    buf[n] = 0;
}

int sb_user_drop(uid_t host_uid, char *err, size_t errlen)
{
    char map[48];
    int r;
    if (setgroups(0, NULL) < 0 || setresgid(host_uid, host_uid, host_uid) < 0 ||
        setresuid(host_uid, host_uid, host_uid) < 0) {
        sb_errmsg(err, errlen, "dropping to the box uid", errno);
        return -errno;
    }
    /* A uid change makes us non-dumpable, which would make our own
     * /proc/self/uid_map root-owned and unwritable to us. */
    if (prctl(PR_SET_DUMPABLE, 1) < 0 || unshare(CLONE_NEWUSER) < 0) {
        sb_errmsg(err, errlen, "entering the user namespace", errno);
        return -errno;
    }
    map_line(map, sizeof map, host_uid);
    if ((r = write_file("/proc/self/setgroups", "deny")) < 0 ||
        (r = write_file("/proc/self/uid_map", map)) < 0 ||
        (r = write_file("/proc/self/gid_map", map)) < 0) {
        sb_errmsg(err, errlen, "writing the user namespace id maps", -r);
        return r;
    }
    /* Drop every capability the new namespace gave us. */
    for (int cap = 0; cap <= 63; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
            sb_errmsg(err, errlen, "dropping the capability bounding set", errno);
            return -errno;
        }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &hdr, data) < 0) {
        sb_errmsg(err, errlen, "dropping capabilities", errno);
        return -errno;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        sb_errmsg(err, errlen, "setting no_new_privs", errno);
        return -errno;
    }
    return 0;
}
