/*
 * msg.c - messages with fds attached (SCM_RIGHTS) over SOCK_SEQPACKET
 * pairs. The sandbox's processes (supervisor <-> launcher <-> keeper)
 * send small ones: one kind byte, one int, maybe some fds. System calls
 * only, so the launcher and the keeper (forks of the caller) may use them.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sandbox/internal.h"

#define MAX_FDS SB_MSG_MAX_FDS

int sb_sendmsg_fds(int sock, const void *buf, size_t len, const int *fds, int nfds)
{
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    union {
        char raw[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds > MAX_FDS)
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
    if (n < 0)
        return -errno;
    return n == (ssize_t)len ? 0 : -EPROTO;
}

ssize_t sb_recvmsg_fds(int sock, void *buf, size_t len, int *fds, int maxfds, int *nfds)
{
    struct iovec iov = {.iov_base = buf, .iov_len = len};
    union {
        char raw[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.raw,
                        .msg_controllen = sizeof ctl.raw};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    *nfds = 0;
    if (n < 0)
        return -errno;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < k; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (*nfds < maxfds)
                    fds[(*nfds)++] = fd;
                else
                    close(fd); /* more than asked for: not ours to keep */
            }
        }
    if (mh.msg_flags & MSG_TRUNC) {
        for (int i = 0; i < *nfds; i++)
            close(fds[i]);
        *nfds = 0;
        return -EMSGSIZE;
    }
    return n;
}

int sb_msg_send(int sock, char kind, int value, const int *fds, int nfds)
{
    char buf[1 + sizeof(int)];
    buf[0] = kind;
    memcpy(buf + 1, &value, sizeof value);
    return sb_sendmsg_fds(sock, buf, sizeof buf, fds, nfds) == 0 ? 0 : -EPIPE;
}

int sb_msg_recv(int sock, char *kind, int *value, int *fds, int maxfds)
{
    char buf[1 + sizeof(int)];
    int got;
    ssize_t n = sb_recvmsg_fds(sock, buf, sizeof buf, fds, maxfds, &got);
    if (n == 0)
        return -EPIPE;
    if (n != (ssize_t)sizeof buf) {
        for (int i = 0; i < got; i++)
            close(fds[i]);
        return n < 0 ? (int)n : -EPROTO;
    }
    *kind = buf[0];
    memcpy(value, buf + 1, sizeof *value);
    return got;
}
