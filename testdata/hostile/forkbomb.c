/*
 * forkbomb: fork as fast as possible until fork fails, then keep every
 * process alive. argv[1] is a marker the test looks for in /proc after
 * the run (children inherit it), argv[2] the most forks to try, so that
 * a box without a pids limit reports ESCAPED instead of eating the host.
 * The first child daemonizes (setsid + double fork) to check that
 * re-parented processes die with the box too.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int count_visible_pids(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            n++;
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    int cap = argc > 2 ? atoi(argv[2]) : 1000;
    int made = 0, err = 0;
    setlinebuf(stdout);
    for (int i = 0; i < cap; i++) {
        pid_t p = fork();
        if (p < 0) {
            err = errno;
            break;
        }
        if (p == 0) {
            if (i == 0) {
                setsid();
                if (fork() > 0)
                    _exit(0);
                signal(SIGTERM, SIG_IGN);
                signal(SIGHUP, SIG_IGN);
            }
            for (;;)
                pause();
        }
        made++;
    }
    if (made >= cap) {
        printf("ESCAPED: forked %d processes without a limit\n", made);
    } else {
        printf("BLOCKED: fork failed after %d forks: %s; visible pids %d\n",
               made, strerror(err), count_visible_pids());
    }
    /* A real bomb keeps trying. */
    for (;;) {
        if (fork() == 0)
            for (;;)
                pause();
        usleep(1000);
    }
}
