/*
 * archive.c - fuzz target: archive extraction, with every extractor in
 * extractors[] below on the same input (a zip, tar, tar.gz, ...), each into
 * a fresh directory.
 *
 * There is one extractor, jd_archive_extract (judge/archive.c), reached
 * two ways: jd_extract_zip (a submission's additional_files, its own cap)
 * and an uploaded problem package (the service's limits).
 *
 * Properties, checked after every extraction, also a failed one (what it
 * left behind is still there) (abort = finding):
 *  - no crash, leak or UB; a failure says why;
 *  - nothing is written next to or above the destination (the three
 *    directory levels above it hold only the path down to it);
 *  - the destination holds only directories and plain files: no symlink,
 *    device, fifo or socket, no set-id or sticky bit, no second hard link;
 *  - the disk space used stays within the extractor's cap (blocks).
 *
 * Run as root, the extraction runs with file-system uid nobody (setfsuid), so
 * a path that escapes cannot write where nobody cannot; the directory of
 * -artifact_prefix is handed to nobody too, so a crash still leaves its input.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "judge/judge.h"
#include "tests/fuzz/fuzz.h"

/* ---- the extractors under test ------------------------------------------ */

#define PKG_CAP (1u << 20)   /* max_extract_bytes given to the problem extractor */

static int run_additional_files(const uint8_t *d, size_t n, const char *dest, char *err, size_t el)
{
    return jd_extract_zip((const char *)d, n, dest, err, el);
}

static int run_problem_package(const uint8_t *d, size_t n, const char *dest, char *err, size_t el)
{
    struct jd_archive_limits lim;
    jd_archive_limits_init(&lim, PKG_CAP);
    return jd_archive_extract(d, n, dest, &lim, NULL, err, el);
}

static const struct extractor {
    const char *name;
    int (*run)(const uint8_t *data, size_t len, const char *dest, char *err, size_t errlen);
    unsigned long long cap;   /* bytes it may unpack */
} extractors[] = {
    {"jd_extract_zip", run_additional_files, 256ull << 20},
    {"jd_archive_extract", run_problem_package, PKG_CAP},
};
/* -------------------------------------------------------------------------- */

#define NOBODY 65534
static char *top;          /* top/l1/l2/dest */
static bool drop;

static void chown_nobody(const char *path)
{
    if (drop && chown(path, NOBODY, NOBODY) < 0)
        fuzz_die("chown", path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    drop = geteuid() == 0;
    for (int i = 1; drop && i < *argc; i++) {
        const char *a = (*argv)[i];
        if (!strncmp(a, "-artifact_prefix=", 17)) {
            char *dir = jd_strdup(a + 17), *slash = dir ? strrchr(dir, '/') : NULL;
            if (slash) {
                *slash = 0;
                chown_nobody(*dir ? dir : "/");
            }
            free(dir);
        }
    }
    top = fuzz_tmpdir("nsjudge-fuzz-archive");
    chown_nobody(top);
    /* bombs stop at a file size instead of filling the disk */
    struct rlimit fs = {16u << 20, 16u << 20};
    setrlimit(RLIMIT_FSIZE, &fs);
    signal(SIGXFSZ, SIG_IGN);
    return 0;
}

/* Entries of dir other than want (NULL: any). */
static void only(const char *dir, const char *want)
{
    DIR *d = opendir(dir);
    FUZZ_CHECK(d, "cannot open %s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        FUZZ_CHECK(want && !strcmp(e->d_name, want), "%s written next to the destination (in %s)",
                   e->d_name, dir);
    }
    closedir(d);
}

/* Walks dir (no symlink followed); returns the bytes of disk it uses. */
static unsigned long long walk(const char *dir, const char *who)
{
    DIR *d = opendir(dir);
    FUZZ_CHECK(d, "%s: cannot open %s: %s", who, dir, strerror(errno));
    unsigned long long used = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = jd_path_join(dir, e->d_name);
        struct stat st;
        FUZZ_CHECK(p && lstat(p, &st) == 0, "%s: lstat %s", who, p ? p : e->d_name);
        FUZZ_CHECK(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode), "%s: %s is not a file or directory "
                   "(mode %o)", who, p, (unsigned)st.st_mode);
        FUZZ_CHECK(!(st.st_mode & (S_ISUID | S_ISGID | S_ISVTX)), "%s: %s has mode %o", who, p,
                   (unsigned)st.st_mode);
        if (S_ISREG(st.st_mode)) {
            FUZZ_CHECK(st.st_nlink == 1, "%s: %s has %lu links", who, p, (unsigned long)st.st_nlink);
            used += (unsigned long long)st.st_blocks * 512;
        } else {
            used += walk(p, who);
        }
        free(p);
    }
    closedir(d);
    return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < sizeof extractors / sizeof *extractors; i++) {
        const struct extractor *x = &extractors[i];
        char *l1 = jd_path_join(top, "l1"), *l2 = jd_path_join(l1, "l2");
        char *dest = jd_path_join(l2, "dest");
        if (!dest || mkdir(l1, 0755) < 0 || mkdir(l2, 0755) < 0 || mkdir(dest, 0755) < 0)
            fuzz_die("mkdir", top);
        chown_nobody(l1);
        chown_nobody(l2);
        chown_nobody(dest);
        if (drop)
            setfsuid(NOBODY);
        char err[512] = "";
        int rc = x->run(data, size, dest, err, sizeof err);
        FUZZ_CHECK(rc == 0 || err[0], "%s failed (%d) without a message", x->name, rc);
        only(top, "l1");
        only(l1, "l2");
        only(l2, "dest");
        unsigned long long used = walk(dest, x->name);
        /* a block per file of slack: the cap counts bytes, the disk blocks */
        FUZZ_CHECK(used <= x->cap + (4ull << 20), "%s: %llu bytes on disk, cap %llu", x->name, used,
                   x->cap);
        if (drop)
            setfsuid(0);
        FUZZ_CHECK(sb_rm_rf(l1) == 0, "cannot remove %s", l1);
        free(l1);
        free(l2);
        free(dest);
    }
    return 0;
}
