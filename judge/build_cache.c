/*
 * build_cache.c - a problem's own programs (output validators, checkers,
 * interactors, input validators) compiled once per content and kept on
 * disk, so `nsjudge judge` run again, or a service restarted, does not
 * rebuild a testlib checker that takes 5-9 s of CPU to compile.
 *
 * The key is the SHA-256 of what decides the build: the language (its id,
 * compile and run commands, compile limits, and the compiler file it
 * names: path, size, mtime), and every file of the prepared program dir
 * (names, modes, contents). An
 * entry is the program dir after a successful compile, published with one
 * rename(), so a reader sees a whole entry or none, and two judges
 * building the same validator at once both succeed.
 *
 * What the compiler left in the box is untrusted: only regular files and
 * directories are stored (never a symlink, which a hostile compile step
 * could point at a host file the judge, as root, would then copy), and a
 * hit is copied into a fresh program dir, so nothing the validator does
 * while it runs reaches the entry. Failed compiles are not stored: a
 * compile that ran out of time on a loaded host is tried again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "judge/internal.h"

#define KEY_HEX (SHA256_DIGEST_SIZE * 2 + 1)
/* Entries hold what fits in a program dir (JD_PROGRAM_DIR_KIB). */

static void hash_str(struct sha256_ctx *h, const char *s)
{
    sha256_update(h, strlen(s) + 1, (const uint8_t *)s);  /* with its NUL: "ab","c" != "a","bc" */
}

static void hash_u64(struct sha256_ctx *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    sha256_update(h, sizeof b, b);
}

/* The compiler a command names, as the box finds it (jd_command_path). */
static void hash_tool(struct sha256_ctx *h, const char *argv0)
{
    struct stat st;
    char buf[4096];
    const char *found = jd_command_path(argv0, buf, sizeof buf) && stat(buf, &st) == 0 ? buf : NULL;
    hash_str(h, found ? found : argv0);
    hash_u64(h, found ? (uint64_t)st.st_size : 0);
    hash_u64(h, found ? (uint64_t)st.st_mtim.tv_sec : 0);
    hash_u64(h, found ? (uint64_t)st.st_mtim.tv_nsec : 0);
}

/* Names, modes and contents below dirfd, in sorted order. */
static int hash_tree(struct sha256_ctx *h, int dirfd, int depth)
{
    if (depth > 16)
        return -ELOOP;
    int fd = dup(dirfd);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -errno;
    }
    char **names = calloc(1, sizeof *names);
    struct dirent *e;
    int rc = names ? 0 : -ENOMEM;
    while (rc == 0 && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            rc = jd_strv_push(&names, e->d_name);
    closedir(d);
    size_t n = names ? jd_strv_len(names) : 0;
    for (size_t i = 1; i < n; i++)   /* insertion sort: a program dir holds a few files */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct stat st;
        if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = -errno;
            break;
        }
        hash_str(h, names[i]);
        if (S_ISDIR(st.st_mode)) {
            hash_str(h, "d");
            int sub = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) {
                rc = -errno;
                break;
            }
            rc = hash_tree(h, sub, depth + 1);
            close(sub);
            hash_str(h, "end");
        } else if (S_ISREG(st.st_mode)) {
            hash_str(h, (st.st_mode & 0111) ? "x" : "f");
            hash_u64(h, (uint64_t)st.st_size);
            int f = openat(dirfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            if (f < 0) {
                rc = -errno;
                break;
            }
            uint8_t buf[65536];
            ssize_t r;
            while ((r = read(f, buf, sizeof buf)) > 0)
                sha256_update(h, (size_t)r, buf);
            if (r < 0)
                rc = -errno;
            close(f);
        } else {
            hash_str(h, "other");   /* not copied, but it changes the key */
        }
    }
    jd_strv_free(names);
    return rc;
}

static int build_key(const struct jd_program *prog, char out[KEY_HEX])
{
    struct sha256_ctx h;
    sha256_init(&h);
    hash_str(&h, "nsjudge build cache 1");
    const struct jd_lang *l = prog->lang;
    hash_str(&h, l->id);
    for (char **a = l->compile_argv; a && *a; a++)
        hash_str(&h, *a);
    hash_str(&h, "run");
    for (char **a = l->run_argv; a && *a; a++)
        hash_str(&h, *a);
    if (l->compile_argv && l->compile_argv[0])
        hash_tool(&h, l->compile_argv[0]);
    /* the limits decide whether a compile succeeds, not what it makes;
     * keyed anyway, so a build under other limits is tried under its own */
    const struct sb_limits *cl = &l->compile_limits;
    hash_u64(&h, (uint64_t)(cl->cpu_s * 1000));
    hash_u64(&h, (uint64_t)(cl->wall_s * 1000));
    hash_u64(&h, cl->mem_kib);
    hash_u64(&h, cl->procs);
    hash_str(&h, "sources");
    for (char **s = prog->sources; s && *s; s++)
        hash_str(&h, *s);
    int dfd = open(prog->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    int rc = hash_tree(&h, dfd, 0);
    close(dfd);
    if (rc < 0)
        return rc;
    uint8_t dg[SHA256_DIGEST_SIZE];
    sha256_digest(&h, sizeof dg, dg);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", dg[i]);
    return 0;
}

int jd_build_cached(struct sb_slot *slot, const struct jd_lang *lang, const char *path,
                    const char *scratch, const char *tag, const char *cache_dir,
                    struct jd_program *prog, bool *ok, char **out, size_t *outlen,
                    char *err, size_t errlen)
{
    if (!cache_dir)
        return jd_program_build(slot, lang, path, scratch, tag, NULL, true, prog, ok, out, outlen,
                                NULL, err, errlen);
    int rc = jd_program_prepare(lang, path, scratch, tag, true, prog, err, errlen);
    if (rc < 0)
        return rc;
    char key[KEY_HEX];
    char *entry = NULL;
    /* A key or cache that cannot be read only costs the compile. */
    bool keyed = build_key(prog, key) == 0 && sb_mkdir_p(cache_dir, 0700) == 0 &&
                 (entry = jd_path_join(cache_dir, key)) != NULL;
    if (keyed && jd_is_dir(entry)) {
        if (jd_empty_dir(prog->dir, NULL, NULL) == 0 && jd_copy_tree_nofollow(entry, prog->dir) == 0) {
            *ok = true;
            if (out)
                *out = NULL;
            if (outlen)
                *outlen = 0;
            free(entry);
            return 0;
        }
        /* an entry that cannot be copied: build from the sources again */
        jd_program_free(prog);
        if ((rc = jd_program_prepare(lang, path, scratch, tag, true, prog, err, errlen)) < 0) {
            free(entry);
            return rc;
        }
    }
    rc = jd_program_compile(slot, prog, scratch, tag, NULL, ok, out, outlen, NULL, err, errlen);
    if (rc == 0 && *ok && keyed) {
        char *tmp = NULL;
        if (jd_mkdtemp(cache_dir, ".tmp", &tmp) == 0 && jd_copy_tree_nofollow(prog->dir, tmp) == 0) {
            chmod(tmp, 0700);
            if (rename(tmp, entry) < 0)   /* EEXIST/ENOTEMPTY: another judge stored it first */
                sb_rm_rf(tmp);
        } else if (tmp) {
            sb_rm_rf(tmp);
        }
        free(tmp);
    }
    free(entry);
    return rc;
}
