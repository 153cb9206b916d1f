/*
 * scratch.c - size-capped host directories for writable boxes.
 *
 * A box that may write to a host directory (a compile step writing its
 * binary, `nsjudge run --box`) is limited per file by RLIMIT_FSIZE, but
 * not in total: many files under the cap could still fill the host disk.
 * Callers that give a box a writable host directory should make it a
 * scratch mount: a tmpfs of bounded size mounted on that directory in
 * the caller's own mount namespace. Its pages are memory, so keep it small.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "sandbox/internal.h"

int sb_scratch_mount(const char *dir, uint64_t kib, char *err, size_t errlen)
{
    char opts[64];
    if (!kib)
        kib = 256 * 1024;
    /* world-writable like /tmp: any slot's box uid may write here */
    snprintf(opts, sizeof opts, "size=%lluk,mode=1777", (unsigned long long)kib);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        sb_errmsg(err, errlen, dir, errno);
        return -errno;
    }
    if (mount("nsjudge-scratch", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
        sb_errmsg(err, errlen, dir, errno);
        return -errno;
    }
    return 0;
}

int sb_scratch_umount(const char *dir)
{
    /* lazy: a file the caller still holds open must not make this fail */
    return umount2(dir, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 ? -errno : 0;
}

/* Detach every scratch mount at or below dir (deepest first), e.g. before
 * removing a whole scratch tree after an interrupted judge. */
int sb_scratch_umount_under(const char *dir)
{
    FILE *f = fopen("/proc/self/mounts", "re");
    if (!f)
        return -errno;
    size_t dl = strlen(dir);
    char line[4096], found[64][1024];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < 64) {
        char src[256], mnt[1024];
        if (sscanf(line, "%255s %1023s", src, mnt) != 2 || strcmp(src, "nsjudge-scratch"))
            continue;
        if (!strncmp(mnt, dir, dl) && (mnt[dl] == '/' || mnt[dl] == 0))
            snprintf(found[n++], sizeof found[0], "%s", mnt);
    }
    fclose(f);
    for (int i = n - 1; i >= 0; i--)
        umount2(found[i], MNT_DETACH | UMOUNT_NOFOLLOW);
    return n;
}
