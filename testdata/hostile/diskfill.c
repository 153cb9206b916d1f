/*
 * diskfill DIR PREFIX CAP_MIB: fill DIR with 1 MiB files named
 * PREFIX.N (each below any per-file limit) until the file system says
 * no. ESCAPED when CAP_MIB were written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    if (argc < 4) {
        printf("ERROR: usage\n");
        return 2;
    }
    long cap = atol(argv[3]);
    static char buf[1 << 20];
    memset(buf, 'd', sizeof buf);
    long long total = 0;
    for (long i = 0; i < cap; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s.%ld", argv[1], argv[2], i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            printf("BLOCKED: open %s after %lld KiB: %s\n", path, total >> 10, strerror(errno));
            return 0;
        }
        size_t done = 0;
        while (done < sizeof buf) {
            ssize_t n = write(fd, buf + done, sizeof buf - done);
            if (n <= 0) {
                printf("BLOCKED: write %s after %lld KiB: %s\n", path, total >> 10,
                       n < 0 ? strerror(errno) : "short");
                close(fd);
                return 0;
            }
            done += (size_t)n;
            total += n;
        }
        close(fd);
    }
    printf("ESCAPED: wrote %lld KiB\n", total >> 10);
    return 0;
}
