/*
 * msg.c - the small messages the sandbox's processes exchange over
 * SOCK_SEQPACKET pairs (supervisor <-> launcher <-> keeper): one kind
 * byte, one int, and optionally some fds (SCM_RIGHTS). System calls only,
 * so the launcher and the keeper (forks of the caller) may use them.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sandbox/internal.h"

int sb_msg_send(int sock, char kind, int value, const int *fds, int nfds)
{
    char buf[1 + sizeof(int)];
    buf[0] = kind;
    memcpy(buf + 1, &value, sizeof value);
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    union {
        char raw[CMSG_SPACE(sizeof(int) * SB_MSG_MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds > SB_MSG_MAX_FDS)
        return -E2BIG;
    if (nfds > 0) {
        memset(&ctl, 0, sizeof ctl);
        mh.msg_control = ctl.raw;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof buf ? 0 : -EPIPE;
}

int sb_msg_recv(int sock, char *kind, int *value, int *fds, int maxfds)
{
    char buf[1 + sizeof(int)];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    union {
        char raw[CMSG_SPACE(sizeof(int) * SB_MSG_MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.raw,
                        .msg_controllen = sizeof ctl.raw};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return -EPIPE;
    if (n != (ssize_t)sizeof buf)
        return n < 0 ? -errno : -EPROTO;
    *kind = buf[0];
    memcpy(value, buf + 1, sizeof *value);
    int got = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < k; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (got < maxfds)
                    fds[got++] = fd;
                else
                    close(fd);
            }
        }
    return got;
}
