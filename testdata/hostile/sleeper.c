/*
 * sleeper MARKER [stubborn|daemon]: print READY and sleep forever.
 * "stubborn" also blocks or ignores every signal it can, starts a new
 * session and leaves a daemonized grandchild, so only a box-wide kill
 * ends it. "daemon" leaves such a grandchild (holding stdout open) and
 * exits 0 at once: the run is over, the grandchild must die with it.
 * The MARKER argument lets the test find survivors in the host's /proc.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    if (argc > 2 && strcmp(argv[2], "stubborn") == 0) {
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, NULL);
        for (int s = 1; s < 32; s++)
            signal(s, SIG_IGN);
        if (fork() == 0) {
            setsid();
            if (fork() > 0)
                _exit(0);
            for (;;)
                pause();
        }
    }
    if (argc > 2 && strcmp(argv[2], "daemon") == 0) {
        if (fork() == 0) {
            setsid();
            if (fork() > 0)
                _exit(0);
            for (int s = 1; s < 32; s++)
                signal(s, SIG_IGN);
            for (;;) {
                sleep(1);
                printf("still here\n");
            }
        }
        printf("READY\n");
        return 0;
    }
    printf("READY\n");
    for (;;)
        pause();
}
