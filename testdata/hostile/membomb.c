/*
 * membomb: use memory until the box stops us.
 *   membomb malloc CAP_MIB        malloc 1 MiB blocks and touch every page
 *   membomb mmap FILE CAP_MIB     map FILE privately and write every page
 *                                 (copy-on-write pages are the box's memory)
 * Prints ESCAPED when CAP_MIB were used without being stopped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    if (argc >= 3 && strcmp(argv[1], "malloc") == 0) {
        long cap = atol(argv[2]);
        for (long i = 0; i < cap; i++) {
            char *p = malloc(1 << 20);
            if (!p) {
                printf("BLOCKED: malloc failed after %ld MiB\n", i);
                return 0;
            }
            memset(p, (int)i | 1, 1 << 20);
        }
        printf("ESCAPED: touched %ld MiB\n", cap);
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "mmap") == 0) {
        long cap = atol(argv[3]);
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) {
            printf("ERROR: open %s: %s\n", argv[2], strerror(errno));
            return 2;
        }
        size_t len = (size_t)cap << 20;
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            printf("BLOCKED: mmap failed: %s\n", strerror(errno));
            return 0;
        }
        long page = sysconf(_SC_PAGESIZE);
        for (size_t off = 0; off < len; off += (size_t)page)
            p[off] = 1;
        printf("ESCAPED: wrote %ld MiB of a private file mapping\n", cap);
        return 0;
    }
    printf("ERROR: usage\n");
    return 2;
}
