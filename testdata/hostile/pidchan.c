/*
 * pidchan send N | recv: a covert channel between consecutive runs of a
 * kept slot through the PID counter of its namespace. "send N" forks N
 * children (each takes the next pid); "recv" prints "pid P", its own
 * pid. If the counter carried over, a receiver after a sender would see
 * its pid advanced by exactly N + 1 over the run before the sender.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "send")) {
        int n = atoi(argv[2]);
        for (int i = 0; i < n; i++) {
            pid_t c = fork();
            if (c == 0)
                _exit(0);
            if (c > 0)
                waitpid(c, NULL, 0);
        }
        printf("sent %d\n", n);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "recv")) {
        printf("pid %d\n", (int)getpid());
        return 0;
    }
    fprintf(stderr, "usage: pidchan send N | recv\n");
    return 2;
}
