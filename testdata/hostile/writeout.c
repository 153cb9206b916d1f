/*
 * writeout NAME: try to create a file called NAME in every place outside
 * /box that exists on the host (/usr, /etc, /, /bin, /lib, /tmp is private
 * and fine), to write kernel knobs in /proc/sys and /sys, and to join the
 * host's root cgroup. The test checks the host side. Prints one line per
 * attempt: "ok:" when refused, "CREATED:" when it worked inside the box
 * (harmless if the path is box-private, which the test decides), and
 * "ESCAPED:" for writes that can only hit the kernel or the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int escapes;

static void try_create(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        printf("ok: create %s: %s\n", path, strerror(errno));
        return;
    }
    if (write(fd, "escaped\n", 8) < 0)
        printf("note: write %s: %s\n", path, strerror(errno));
    close(fd);
    printf("CREATED: %s\n", path);
}

/* Kernel-wide writes: any success is an escape. The value written is the
 * current one, so even a success changes nothing on the host. */
static void try_rewrite(const char *path)
{
    char buf[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    if (fd >= 0)
        close(fd);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        printf("ok: open %s for writing: %s\n", path, strerror(errno));
        return;
    }
    if (n <= 0) {
        printf("ESCAPED: opened %s for writing\n", path);
        escapes++;
        close(fd);
        return;
    }
    if (write(fd, buf, (size_t)n) < 0) {
        printf("ok: write %s: %s\n", path, strerror(errno));
    } else {
        printf("ESCAPED: wrote %s\n", path);
        escapes++;
    }
    close(fd);
}

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    if (argc < 2) {
        printf("ERROR: usage\n");
        return 2;
    }
    const char *dirs[] = {"/", "/usr", "/usr/bin", "/usr/lib", "/etc", "/bin", "/lib", "/box", "/proc", "/sys", "/dev", NULL};
    for (int i = 0; dirs[i]; i++)
        try_create(dirs[i], argv[1]);
    try_rewrite("/proc/sys/kernel/hostname");
    try_rewrite("/proc/sys/kernel/domainname");
    try_rewrite("/proc/sys/vm/overcommit_memory");
    try_rewrite("/proc/sys/kernel/core_pattern");
    try_rewrite("/proc/sys/net/ipv4/ip_forward");
    try_rewrite("/sys/kernel/mm/transparent_hugepage/enabled");
    /* -1000 would make the box unkillable by the OOM killer. */
    int ofd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (ofd >= 0 && write(ofd, "-1000", 5) == 5) {
        printf("ESCAPED: set oom_score_adj to -1000\n");
        escapes++;
    } else {
        printf("ok: oom_score_adj -1000: %s\n", strerror(errno));
    }
    if (ofd >= 0)
        close(ofd);
    /* Moving ourselves into a host cgroup would drop every limit. */
    int fd = open("/sys/fs/cgroup/memory/cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (fd >= 0 && dprintf(fd, "%d\n", getpid()) > 0) {
        printf("ESCAPED: joined the root memory cgroup\n");
        escapes++;
    } else {
        printf("ok: root memory cgroup: %s\n", strerror(errno));
    }
    if (fd >= 0)
        close(fd);
    if (escapes)
        printf("ESCAPED: %d kernel writes\n", escapes);
    else
        printf("BLOCKED: no kernel write\n");
    return 0;
}
