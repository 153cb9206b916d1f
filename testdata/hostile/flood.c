/*
 * flood: write to stdout (or stderr) until stopped.
 *   flood out|err CAP_MIB [ignore]
 * With "ignore", SIGXFSZ is ignored so the write fails with EFBIG instead
 * of killing us; we then exit 0 as if all went well. The verdict line
 * goes to the other stream.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int fd = argc > 1 && strcmp(argv[1], "err") == 0 ? 2 : 1;
    int other = fd == 1 ? 2 : 1;
    long cap = argc > 2 ? atol(argv[2]) : 1024;
    static char buf[1 << 16];
    char line[128];
    if (argc > 3 && strcmp(argv[3], "ignore") == 0)
        signal(SIGXFSZ, SIG_IGN);
    memset(buf, 'x', sizeof buf);
    long long total = 0, want = (long long)cap << 20;
    while (total < want) {
        ssize_t n = write(fd, buf, sizeof buf);
        if (n <= 0) {
            int l = snprintf(line, sizeof line, "BLOCKED: write failed after %lld bytes: %s\n",
                             total, n < 0 ? strerror(errno) : "short");
            if (write(other, line, (size_t)l) < 0)
                return 3;
            return 0;
        }
        total += n;
    }
    int l = snprintf(line, sizeof line, "ESCAPED: wrote %lld bytes\n", total);
    if (write(other, line, (size_t)l) < 0)
        return 3;
    return 0;
}
