/*
 * nshelper.c - a short-lived helper process that sets something up in a
 * namespace of its own (an empty network namespace, the root template's
 * mount namespace), reports, and then waits while the parent takes what
 * it needs from it (/proc/PID/ns/..., an fd via pidfd_getfd). Once the
 * parent holds an fd of the namespace, the helper may exit: the fd keeps
 * the namespace alive.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sandbox/internal.h"

struct report {
    int rc;                 /* 0 or -errno from fn */
    int value;              /* fn's result value (e.g. an fd number in the helper) */
    char msg[SB_MSG_MAX];
};

int sb_nshelper_start(struct sb_nshelper *h, int (*fn)(void *arg, int *value, char *msg, size_t len),
                      void *arg, int *value, const char *what, char *err, size_t errlen)
{
    int ready[2], done[2];
    h->pid = -1;
    h->done_w = -1;
    if (pipe2(ready, O_CLOEXEC) < 0)
        return sb_errmsg(err, errlen, "pipe", errno), -errno;
    if (pipe2(done, O_CLOEXEC) < 0) {
        int e = errno;
        close(ready[0]), close(ready[1]);
        return sb_errmsg(err, errlen, "pipe", e), -e;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(ready[0]), close(ready[1]), close(done[0]), close(done[1]);
        return sb_errmsg(err, errlen, "fork", e), -e;
    }
    if (pid == 0) {
        /* Only our two pipe ends: a copy of another thread's pipe kept
         * here would keep its reader from seeing EOF. */
        sb_close_fds_except((int[]){ready[1], done[0]}, 2);
        struct report rep;
        memset(&rep, 0, sizeof rep);
        rep.rc = fn(arg, &rep.value, rep.msg, sizeof rep.msg);
        char c;
        if (write(ready[1], &rep, sizeof rep) != sizeof rep)
            _exit(1);
        (void)!read(done[0], &c, 1); /* until the parent is done with us */
        _exit(0);
    }
    close(ready[1]);
    close(done[0]);
    struct report rep;
    int r = 0;
    if (read(ready[0], &rep, sizeof rep) != sizeof rep) {
        r = -EIO;
        sb_setmsg(err, errlen, "%s: helper process died", what);
    } else if (rep.rc < 0) {
        r = rep.rc;
        rep.msg[sizeof rep.msg - 1] = 0;
        sb_setmsg(err, errlen, "%s: %s", what, rep.msg[0] ? rep.msg : strerror(-r));
    } else if (value)
        *value = rep.value;
    close(ready[0]);
    h->pid = pid;
    h->done_w = done[1];
    if (r < 0)
        sb_nshelper_finish(h);
    return r;
}

void sb_nshelper_finish(struct sb_nshelper *h)
{
    if (h->done_w >= 0)
        close(h->done_w);
    h->done_w = -1;
    if (h->pid > 0)
        while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    h->pid = -1;
}
