/*
 * killall HOSTPID...: signal what is outside the box. First checks that
 * none of the host pids given (the test process, a canary it forked) is
 * even visible; only then sends kill(-1, SIGKILL) and SIGKILL to each of
 * them, so a box without a PID namespace reports ESCAPED instead of
 * killing the host.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int visible = 0;
    setlinebuf(stdout);
    for (int i = 1; i < argc; i++) {
        pid_t p = (pid_t)atoi(argv[i]);
        if (kill(p, 0) == 0 || errno != ESRCH) {
            printf("ESCAPED: host pid %d is visible (%s)\n", p, strerror(errno));
            visible++;
        }
    }
    if (visible) {
        printf("ESCAPED: not sending kill(-1), the box sees the host\n");
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        pid_t p = (pid_t)atoi(argv[i]);
        int r = kill(p, SIGKILL);
        printf("%s: kill(%d, SIGKILL): %s\n", r == 0 ? "ESCAPED" : "ok", p, r == 0 ? "sent" : strerror(errno));
    }
    /* getppid() is 0 when the parent is outside our PID namespace, and
     * kill(0) would only hit our own group. */
    int r;
    if (getppid() > 0) {
        r = kill(getppid(), SIGKILL);
        printf("note: kill(parent %d): %s\n", getppid(), r == 0 ? "sent" : strerror(errno));
    }
    r = kill(-1, SIGKILL);
    printf("note: kill(-1, SIGKILL): %s\n", r == 0 ? "sent" : strerror(errno));
    r = kill(-1, SIGSTOP);
    printf("note: kill(-1, SIGSTOP): %s\n", r == 0 ? "sent" : strerror(errno));
    printf("BLOCKED: host pids not visible, still alive after kill(-1)\n");
    return 0;
}
