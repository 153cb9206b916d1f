/*
 * symlink HOSTPATH: in a writable /box, plant links that point at host
 * files and try to use them from inside:
 *   /box/out    -> HOSTPATH     (a host temp file the test watches)
 *   /box/passwd -> /etc/passwd  (for the caller reading results)
 *   /box/hl     == /usr/bin/passwd (hard link: must fail, other mount)
 * Writing through /box/out from inside must not reach the host file
 * (the box has its own root). The test checks the host file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int escapes = 0;
    setlinebuf(stdout);
    if (argc < 2) {
        printf("ERROR: usage\n");
        return 2;
    }
    if (symlink(argv[1], "/box/out") < 0)
        printf("note: symlink /box/out: %s\n", strerror(errno));
    if (symlink("/etc/passwd", "/box/passwd") < 0)
        printf("note: symlink /box/passwd: %s\n", strerror(errno));
    int fd = open("/box/out", O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        printf("ok: open through /box/out: %s\n", strerror(errno));
    } else {
        if (write(fd, "PWNED-FROM-BOX\n", 15) < 0)
            printf("ok: write through /box/out: %s\n", strerror(errno));
        else
            printf("note: wrote through /box/out (box-side target)\n");
        close(fd);
    }
    const char *hl_src[] = {"/usr/bin/passwd", "/etc/ld.so.cache", "/usr/bin/su", NULL};
    for (int i = 0; hl_src[i]; i++) {
        char dst[64];
        snprintf(dst, sizeof dst, "/box/hl%d", i);
        if (link(hl_src[i], dst) == 0) {
            printf("ESCAPED: hard link %s -> %s\n", dst, hl_src[i]);
            escapes++;
        } else {
            printf("ok: link %s: %s\n", hl_src[i], strerror(errno));
        }
    }
    if (escapes)
        printf("ESCAPED: %d links\n", escapes);
    else
        printf("BLOCKED: links stay inside the box\n");
    return 0;
}
