/*
 * readsecrets HOSTPID SECRETPATH: try to read what a box must not see:
 * /etc/shadow, a host file the test created (SECRETPATH), the /proc of
 * host processes (the test's own pid HOSTPID, and every pid visible),
 * kernel memory and firmware secrets under /proc and /sys, raw disks.
 * Prints "ESCAPED: ..." per leak, then one verdict line.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int leaks;

/* Read up to cap bytes of a file; -errno when it cannot be opened/read. */
static long slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    long n = read(fd, buf, cap - 1);
    int e = errno;
    close(fd);
    if (n < 0)
        return -e;
    buf[n] = 0;
    return n;
}

static int contains(const char *buf, long n, const char *needle)
{
    size_t l = strlen(needle);
    for (long i = 0; i + (long)l <= n; i++)
        if (memcmp(buf + i, needle, l) == 0)
            return 1;
    return 0;
}

/* A file that must not be readable at all. */
static void must_not_read(const char *path)
{
    static char buf[4096];
    long n = slurp(path, buf, sizeof buf);
    if (n > 0) {
        printf("ESCAPED: read %ld bytes of %s\n", n, path);
        leaks++;
    } else {
        printf("ok: %s: %s\n", path, n < 0 ? strerror((int)-n) : "empty");
    }
}

/* Host strings that would only show up if a host process were visible. */
static const char *host_needles[] = {"NSJUDGE_HOSTILE=", "nsjudge-tests", "NSJUDGE_BIN=", NULL};

static void must_not_leak_host(const char *path)
{
    static char buf[1 << 16];
    long n = slurp(path, buf, sizeof buf);
    for (int i = 0; n > 0 && host_needles[i]; i++)
        if (contains(buf, n, host_needles[i])) {
            printf("ESCAPED: %s shows host string %s\n", path, host_needles[i]);
            leaks++;
            return;
        }
}

int main(int argc, char **argv)
{
    char path[256];
    setlinebuf(stdout);
    if (argc < 3) {
        printf("ERROR: usage\n");
        return 2;
    }
    must_not_read("/etc/shadow");
    must_not_read("/etc/gshadow");
    must_not_read(argv[2]);
    must_not_read("/proc/kcore");
    must_not_read("/dev/mem");
    must_not_read("/dev/vda");
    must_not_read("/dev/sda");
    must_not_read("/sys/class/dmi/id/product_uuid");
    must_not_read("/sys/class/dmi/id/product_serial");
    must_not_read("/sys/firmware/acpi/tables/DSDT");
    must_not_read("/root/.bash_history");

    snprintf(path, sizeof path, "/proc/%s/environ", argv[1]);
    must_not_read(path);
    snprintf(path, sizeof path, "/proc/%s/cmdline", argv[1]);
    must_not_leak_host(path);

    /* Kernel pointers: non-zero addresses in kallsyms defeat KASLR. */
    static char ks[256];
    long n = slurp("/proc/kallsyms", ks, sizeof ks);
    if (n > 0 && strtoull(ks, NULL, 16) != 0) {
        printf("ESCAPED: /proc/kallsyms shows real addresses\n");
        leaks++;
    }

    /* Every process the box can see must be the box's own. */
    int visible = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        visible++;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        must_not_leak_host(path);
        snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
        must_not_leak_host(path);
    }
    if (d)
        closedir(d);
    printf("visible pids: %d\n", visible);
    if (visible > 8) {
        printf("ESCAPED: %d processes visible\n", visible);
        leaks++;
    }
    if (leaks)
        printf("ESCAPED: %d leaks\n", leaks);
    else
        printf("BLOCKED: no secret readable\n");
    return 0;
}
