/*
 * user.c - who the box's processes are.
 *
 * The keeper's set-up process drops from host root to the keeper's own
 * unprivileged host uid, then makes the keeper in a new user namespace
 * (with the box's other namespaces, which that user namespace owns). The
 * launcher (host root) writes its maps: the keeper's uid is 0 inside, the
 * slot's box uid is 1000, nothing maps to host root. The keeper keeps
 * capabilities inside the namespace (to give each program its uid, to
 * remove the IPC objects programs leave, to move the PID counter) but
 * none over anything the host made, and its bounding set is empty.
 * Each program then becomes uid 1000, which clears all its capabilities;
 * no_new_privs and the empty bounding set keep it that way across exec
 * (the mounts are nosuid as well).
 *
 * Why two uids: a program must not be able to signal, renice, prlimit or
 * otherwise touch the keeper, which outlives it and starts the next run.
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

/* Append the decimal digits of v to buf at *n, without stdio. */
static void put_uint(char *buf, size_t len, size_t *n, unsigned v)
{
    char digits[16];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && nd < 15);
    while (nd && *n + 1 < len)
        buf[(*n)++] = digits[--nd];
    buf[*n] = 0;
}

static void put_str(char *buf, size_t len, size_t *n, const char *s)
{
    while (*s && *n + 1 < len)
        buf[(*n)++] = *s++;
    buf[*n] = 0;
}

int sb_user_drop(uid_t keeper_uid, char *err, size_t errlen)
{
    if (setgroups(0, NULL) < 0 || setresgid(keeper_uid, keeper_uid, keeper_uid) < 0 ||
        setresuid(keeper_uid, keeper_uid, keeper_uid) < 0) {
        sb_errmsg(err, errlen, "dropping to the keeper uid", errno);
        return -errno;
    }
    return 0;
}

int sb_user_keeper(int sock, char *err, size_t errlen)
{
    char kind = 0;
    int value = 0;
    if (sb_msg_recv(sock, &kind, &value, NULL, 0) != 0 || kind != 'G') {
        sb_setmsg(err, errlen, "the launcher did not map the user namespace");
        return -EPROTO;
    }
    for (int cap = 0; cap <= 63; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
            sb_errmsg(err, errlen, "dropping the capability bounding set", errno);
            return -errno;
        }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        sb_errmsg(err, errlen, "setting no_new_privs", errno);
        return -errno;
    }
    return 0;
}

int sb_user_map(pid_t keeper, uid_t keeper_uid, uid_t box_uid, char *err, size_t errlen)
{
    char map[96], path[64];
    size_t n = 0;
    put_str(map, sizeof map, &n, "0 ");
    put_uint(map, sizeof map, &n, keeper_uid);
    put_str(map, sizeof map, &n, " 1\n" "1000 ");
    put_uint(map, sizeof map, &n, box_uid);
    put_str(map, sizeof map, &n, " 1\n");
    static const char *const files[] = {"setgroups", "uid_map", "gid_map"};
    for (int i = 0; i < 3; i++) {
        size_t k = 0;
        put_str(path, sizeof path, &k, "/proc/");
        put_uint(path, sizeof path, &k, (unsigned)keeper);
        put_str(path, sizeof path, &k, "/");
        put_str(path, sizeof path, &k, files[i]);
        int r = write_file(path, i == 0 ? "deny" : map);
        if (r < 0) {
            sb_errmsg(err, errlen, "writing the box user namespace maps", -r);
            return r;
        }
    }
    return 0;
}

int sb_user_program(char *err, size_t errlen)
{
    uid_t id = SB_BOX_UID_INSIDE;
    if (setresgid(id, id, id) < 0 || setresuid(id, id, id) < 0) {
        sb_errmsg(err, errlen, "dropping to the box uid", errno);
        return -errno;
    }
    return 0;
}
