/*
 * util.h - small helpers every layer may use (sandbox/ is the bottom one:
 * judge/ and server/ build on it). One copy each: file trees, process
 * start times, a first line of text. Like the rest of the sandbox they
 * never print and return -errno.
 */
#ifndef NSJUDGE_SANDBOX_UTIL_H
#define NSJUDGE_SANDBOX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* mkdir -p; the directories it makes get mode. 0 when path is a dir. */
int sb_mkdir_p(const char *path, mode_t mode);

/* rm -rf that never follows a symlink (a link is removed, not its target),
 * so a tree a box wrote can be removed safely. sb_rm_rf_at: the entry name
 * (one path component) inside the directory dirfd. ENOENT is success. */
int sb_rm_rf(const char *path);
int sb_rm_rf_at(int dirfd, const char *name);

/* A process's start time (field 22 of /proc/PID/stat, in clock ticks after
 * boot): with the pid, it names one process even after the pid is reused.
 * pid 0 = this process. 0 when it cannot be read (the process is gone). */
unsigned long long sb_proc_start_time(pid_t pid);
/* True only when this process has one thread: a raw clone() child of a
 * threaded process inherits the locks other threads held (malloc's among
 * them) with no one left to release them. */
bool sb_single_threaded(void);

/* The first line of text (NULL: ""), trailing CR and spaces dropped, at
 * most cap bytes of it, into dst. */
void sb_first_line(const char *text, size_t cap, char *dst, size_t dstlen);

#endif
