/*
 * fds: list every open descriptor. Only 0, 1 and 2 may be open: any
 * other is a host file or pipe that leaked into the box.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    int leaks = 0;
    char path[64], target[512];
    setlinebuf(stdout);
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        printf("ERROR: /proc/self/fd: %s\n", strerror(errno));
        return 2;
    }
    int self = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        int fd = atoi(e->d_name);
        if (fd <= 2 || fd == self)
            continue;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = 0;
        printf("ESCAPED: fd %d open -> %s\n", fd, target);
        leaks++;
    }
    closedir(d);
    /* Without /proc, probe the descriptor table directly too. */
    for (int fd = 3; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) >= 0) {
            printf("ESCAPED: fd %d open (fcntl)\n", fd);
            leaks++;
        }
    if (leaks)
        printf("ESCAPED: %d leaked descriptors\n", leaks);
    else
        printf("BLOCKED: only 0 1 2 open\n");
    return 0;
}
