/*
 * stdio: abuse the host files the box gets as its streams. stdin is the
 * caller's test input (opened read-only): the box must not be able to
 * rewrite, truncate, chmod or chown it, neither through fd 0 nor by
 * reopening /proc/self/fd/0 for writing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int escapes;

static void check(const char *what, int r)
{
    if (r < 0) {
        printf("ok: %s: %s\n", what, strerror(errno));
    } else {
        printf("ESCAPED: %s worked\n", what);
        escapes++;
    }
}

int main(void)
{
    setlinebuf(stdout);
    check("write(0)", (int)write(0, "PWNED\n", 6));
    check("ftruncate(0)", ftruncate(0, 0));
    check("fchmod(0, 0666)", fchmod(0, 0666));
    check("fchown(0, self)", fchown(0, getuid(), getgid()));
    int fd = open("/proc/self/fd/0", O_WRONLY | O_CLOEXEC);
    check("reopen /proc/self/fd/0 for writing", fd);
    if (fd >= 0) {
        if (write(fd, "PWNED\n", 6) < 0)
            printf("note: write through reopened stdin: %s\n", strerror(errno));
        close(fd);
    }
    fd = open("/dev/stdin", O_RDWR | O_CLOEXEC);
    check("open /dev/stdin read-write", fd);
    if (fd >= 0)
        close(fd);
    if (escapes)
        printf("ESCAPED: %d stream abuses\n", escapes);
    else
        printf("BLOCKED: the input file is read-only to the box\n");
    return 0;
}
