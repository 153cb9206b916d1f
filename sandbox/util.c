/* util.c - helpers every layer may use (util.h). */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sandbox/internal.h"
#include "sandbox/util.h"

int sb_mkdir_p(const char *path, mode_t mode)
{
    char *p = strdup(path);
    if (!p)
        return -ENOMEM;
    int rc = 0;
    for (char *c = p + 1; rc == 0; c++) {
        if (*c != '/' && *c)
            continue;
        char was = *c;
        *c = 0;
        struct stat st;
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            rc = -errno;
        else if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
            rc = -ENOTDIR;
        *c = was;
        if (!was)
            break;
    }
    free(p);
    return rc;
}

static int rm_at(int dfd, const char *name, int depth)
{
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -errno;
    if (depth > 256)
        return -ELOOP;
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -errno;
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            int r = rm_at(dirfd(d), e->d_name, depth + 1);
            if (r < 0 && !rc)
                rc = r;
        }
    closedir(d);
    if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && !rc)
        rc = -errno;
    return rc;
}

int sb_rm_rf(const char *path)
{
    return rm_at(AT_FDCWD, path, 0);
}

int sb_rm_rf_at(int dirfd, const char *name)
{
    if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
        return -EINVAL;
    return rm_at(dirfd, name, 0);
}

/* Field `want` (1-based, >= 3) of /proc/PID/stat (0: this process), or 0. */
static unsigned long long proc_stat_field(pid_t pid, int want)
{
    char path[64], buf[1024];
    if (pid)
        snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    else
        snprintf(path, sizeof path, "/proc/self/stat");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    /* the command name may hold spaces and ')': count from its last ')' */
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    p += 2;   /* field 3 */
    for (int field = 3; field < want && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    return p ? strtoull(p, NULL, 10) : 0;
}

unsigned long long sb_proc_start_time(pid_t pid)
{
    return proc_stat_field(pid, 22);
}

bool sb_single_threaded(void)
{
    return proc_stat_field(0, 20) == 1; /* num_threads; 0 (unreadable) is "no" */
}

void sb_first_line(const char *text, size_t cap, char *dst, size_t dstlen)
{
    const char *t = text ? text : "";
    size_t n = strcspn(t, "\n");
    while (n && (t[n - 1] == '\r' || t[n - 1] == ' '))
        n--;
    snprintf(dst, dstlen, "%.*s", (int)(n < cap ? n : cap), t);
}

/* ---- internal to the sandbox (internal.h) ------------------------------ */

/* Async-signal-safe: used between fork and exec. */
void sb_errmsg(char *buf, size_t len, const char *what, int err)
{
    if (!len)
        return;
    size_t n = 0;
    const char *parts[3] = {what, ": ", strerrordesc_np(err)};
    if (!parts[2])
        parts[2] = "unknown error";
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p && n + 1 < len; p++)
            buf[n++] = *p;
    buf[n] = 0;
}

void sb_setmsg(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* Box side / forked helpers: close every fd but the listed ones. Needed
 * because another thread of the caller may have pipes open at the moment
 * we fork; a copy of its pipe's write end held here would keep its reader
 * from ever seeing EOF. Async-signal-safe. */
void sb_close_fds_except(const int *keep, int n)
{
    int k[48];
    if (n > 48)
        n = 48;
    for (int i = 0; i < n; i++) {
        int v = keep[i], j = i;
        while (j > 0 && k[j - 1] > v) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = v;
    }
    unsigned lo = 0;
    for (int i = 0; i < n; i++) {
        if (k[i] < 0)
            continue;
        if ((unsigned)k[i] > lo)
            close_range(lo, (unsigned)k[i] - 1, 0);
        lo = (unsigned)k[i] + 1;
    }
    close_range(lo, ~0U, 0);
}
