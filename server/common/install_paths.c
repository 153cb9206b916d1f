/* install_paths.c - the places a started-anywhere nsjudge looks for its
 * configs, derived from /proc/self/exe so they do not depend on the cwd. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "server/common/install_paths.h"

/* The directory holding the binary, without a trailing slash; -ENOENT if unknown. */
static int exe_dir(char *out, size_t outlen)
{
    char p[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", p, sizeof p - 1);
    if (n <= 0)
        return -ENOENT;
    p[n] = 0;
    char *slash = strrchr(p, '/');
    if (!slash)
        return -ENOENT;
    *slash = 0;
    if ((size_t)snprintf(out, outlen, "%s", p) >= outlen)
        return -ENOENT;
    return 0;
}

/* cand[0..2]: the checkout, the operator's /etc/nsjudge, then the copy
 * `make install` ships in PREFIX/share/nsjudge (an edited /etc file wins
 * over the packaged one). Returns how many were made. */
static int candidates(const char *name, char cand[3][PATH_MAX])
{
    int n = 0;
    char dir[PATH_MAX - 64];
    bool have_dir = exe_dir(dir, sizeof dir) == 0;
    if (have_dir && (size_t)snprintf(cand[n], PATH_MAX, "%s/../configs/%s", dir, name) < PATH_MAX)
        n++;
    if ((size_t)snprintf(cand[n], PATH_MAX, NSJUDGE_ETC_DIR "/%s", name) < PATH_MAX)
        n++;
    if (have_dir && (size_t)snprintf(cand[n], PATH_MAX, "%s/../share/nsjudge/%s", dir, name) < PATH_MAX)
        n++;
    return n;
}

int install_paths_find(const char *name, char *out, size_t outlen)
{
    char cand[3][PATH_MAX];
    int n = candidates(name, cand);
    for (int i = 0; i < n; i++)
        if (access(cand[i], R_OK) == 0) {
            char real[PATH_MAX];
            const char *p = realpath(cand[i], real) ? real : cand[i];
            if ((size_t)snprintf(out, outlen, "%s", p) >= outlen)
                return -ENAMETOOLONG;
            return 0;
        }
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < n && used < outlen; i++) {
        int k = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", cand[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    return -ENOENT;
}

int install_paths_web_dir(char *out, size_t outlen)
{
    char dir[PATH_MAX - 64], cand[2][PATH_MAX];
    if (exe_dir(dir, sizeof dir)) {
        snprintf(out, outlen, "(the binary's directory is unknown)");
        return -ENOENT;
    }
    snprintf(cand[0], PATH_MAX, "%s/../server/web/index.html", dir);
    snprintf(cand[1], PATH_MAX, "%s/../share/nsjudge/web/index.html", dir);
    for (int i = 0; i < 2; i++) {
        char real[PATH_MAX];
        if (access(cand[i], R_OK) == 0 && realpath(cand[i], real)) {
            *strrchr(real, '/') = 0;
            return (size_t)snprintf(out, outlen, "%s", real) < outlen ? 0 : -ENAMETOOLONG;
        }
    }
    snprintf(out, outlen, "%s, %s", cand[0], cand[1]);
    return -ENOENT;
}

bool install_paths_installed(void)
{
    char dir[PATH_MAX - 64], p[PATH_MAX];
    if (exe_dir(dir, sizeof dir))
        return false;
    snprintf(p, sizeof p, "%s/../configs/languages.json", dir);
    return access(p, F_OK) != 0;
}
