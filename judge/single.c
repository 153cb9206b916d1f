/*
 * single.c - the Judge0-style run: one source, one stdin, optionally one
 * expected output. Compile (if the language compiles), run number_of_runs
 * times, compare the way Judge0 does (trailing whitespace of each line and
 * trailing blank lines ignored).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "judge/internal.h"

#define DEFAULT_CAP (1u << 20)

void jd_single_result_free(struct jd_single_result *res)
{
    if (!res)
        return;
    free(res->stdout_data);
    free(res->stderr_data);
    free(res->compile_output);
    res->stdout_data = res->stderr_data = res->compile_output = NULL;
    res->stdout_len = res->stderr_len = res->compile_output_len = 0;
}

/* Length of the next line (without '\n') with trailing spaces removed. */
static size_t line_len(const char *s, size_t n, size_t *full)
{
    size_t k = 0;
    while (k < n && s[k] != '\n')
        k++;
    *full = k < n ? k + 1 : k;
    while (k && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '\r'))
        k--;
    return k;
}

static size_t trim_end(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return n;
}

/* Judge0's comparison: each line right-stripped, the whole right-stripped. */
bool jd_judge0_equal(const char *a, size_t an, const char *b, size_t bn)
{
    an = trim_end(a, an);
    bn = trim_end(b, bn);
    while (an && bn) {
        size_t fa, fb;
        size_t la = line_len(a, an, &fa), lb = line_len(b, bn, &fb);
        if (la != lb || memcmp(a, b, la))
            return false;
        a += fa; an -= fa;
        b += fb; bn -= fb;
    }
    return an == 0 && bn == 0;
}

/* Kept between jobs: the run's own stdin, stdout and stderr files (as
 * regular files; they are truncated when opened), and the program's box
 * dir when it is a plain dir (jd_program_build_source empties it): files
 * created and removed per job cost more than a trivial job's run, and a
 * box dir made anew has a new inode, which makes the sandbox mount it
 * again (an unmount per run waits for an RCU grace period). */
static bool kept_entry(int dfd, const char *name, unsigned char type, void *ctx)
{
    if (!strcmp(name, "box"))
        return type == DT_DIR; /* make_dir checks it is no mount point */
    return (!strcmp(name, "stdin") || !strcmp(name, "stdout") || !strcmp(name, "stderr")) &&
           type == DT_REG;
}

/* Empties the scratch dir (made if missing); its fd in *dfd, for the
 * job's files (one short path walk each). */
static int empty_dir(const char *dir, int *dfd)
{
    *dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (*dfd < 0 && errno == ENOENT) {
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            return -errno;
        *dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (*dfd < 0)
        return -errno;
    /* Program tmpfs mounts left by a judge that was killed make the removal
     * fail (a mount point is busy); only then read the mount table (long on
     * a busy host, and this runs for every job) and unmount them. */
    int rc = jd_empty_dir_fd(*dfd, kept_entry, NULL);
    if (rc < 0) {
        jd_scratch_unmount(dir);
        rc = jd_empty_dir_fd(*dfd, kept_entry, NULL);
    }
    fchmod(*dfd, 0755);
    return rc;
}

/* additional_files: a zip unpacked under the source (archive.c) */
static int unzip_files(const char *dir, void *ctx, char *err, size_t errlen)
{
    const struct jd_single_request *req = ctx;
    return jd_extract_zip(req->additional_files_zip, req->additional_files_len, dir, err, errlen);
}

int jd_run_single(struct sb_slot *slot, const struct jd_single_request *req,
                  const char *scratch_dir, struct jd_single_result *res)
{
    if (!slot || !req || !req->lang || !scratch_dir || !res)
        return -EINVAL;
    memset(res, 0, sizeof *res);
    res->verdict = JD_JE;
    res->status = SB_XX;
    struct jd_program prog = {0};
    char **argv = NULL, **args = NULL;
    int in = -1, out = -1, errfd = -1, sfd = -1;
    size_t cap = req->output_cap ? req->output_cap : DEFAULT_CAP;
    char err[JD_MSG_MAX];
    int rc = empty_dir(scratch_dir, &sfd);
    if (rc < 0) {
        snprintf(res->message, sizeof res->message, "scratch dir %s: %s", scratch_dir, strerror(-rc));
        if (sfd >= 0)
            close(sfd);
        return 0;
    }
    bool ok;
    struct sb_result cres = {0};
    rc = jd_program_build_source(slot, req->lang, req->source, req->source_len, scratch_dir, "box",
                                 req->compiler_options,
                                 req->additional_files_zip && req->additional_files_len ? unzip_files : NULL,
                                 (void *)req, &prog, &ok, &res->compile_output,
                                 &res->compile_output_len, &cres, err, sizeof err);
    if (rc < 0) {
        /* a bad additional_files archive is the submitter's fault */
        res->verdict = rc == -EINVAL || rc == -EFBIG ? JD_CE : JD_JE;
        snprintf(res->message, sizeof res->message, "%s", err);
        goto out;
    }
    if (!ok) {
        res->verdict = JD_CE;
        res->status = cres.status;
        res->exit_code = cres.exit_code;
        res->signal = cres.signal;
        snprintf(res->message, sizeof res->message, "compilation failed");
        goto out;
    }
    args = jd_strv_split(req->command_line_arguments ? req->command_line_arguments : "");
    if (!args || !(argv = jd_program_argv(&prog, args, req->limits.mem_kib))) {
        snprintf(res->message, sizeof res->message, "out of memory");
        goto out;
    }
    if ((rc = jd_write_file_at(sfd, "stdin", req->stdin_data ? req->stdin_data : "",
                               req->stdin_data ? req->stdin_len : 0, 0644)) < 0) {
        snprintf(res->message, sizeof res->message, "writing stdin: %s", strerror(-rc));
        goto out;
    }
    int runs = req->number_of_runs > 0 ? req->number_of_runs : 1;
    double cpu = 0, wall = 0;
    uint64_t mem = 0;
    struct sb_result r = {0};
    struct sb_mount m[SB_MAX_MOUNTS];
    for (int k = 0; k < runs; k++) {
        in = openat(sfd, "stdin", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        out = openat(sfd, "stdout", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        errfd = req->redirect_stderr_to_stdout
                    ? out
                    : openat(sfd, "stderr", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (in < 0 || out < 0 || errfd < 0) {
            snprintf(res->message, sizeof res->message, "opening the run's files: %s", strerror(errno));
            goto out;
        }
        struct jd_box_run br;
        jd_box_run_init(&br);
        br.argv = (const char *const *)argv;
        br.box_dir = prog.dir;
        br.mounts = m;
        br.n_mounts = jd_lang_mounts(req->lang, m, SB_MAX_MOUNTS);
        br.stdin_fd = in;
        br.stdout_fd = out;
        br.stderr_fd = errfd;
        br.limits = req->limits;
        br.loopback_up = req->enable_network;
        jd_limits_add_extra(&br.limits, &req->lang->run_extra);
        jd_box(slot, &br, &r);
        close(in);
        close(out);
        if (errfd != out)
            close(errfd);
        in = out = errfd = -1;
        cpu += r.cpu_s;
        wall += r.wall_s;
        mem += r.mem_kib;
        if (r.status != SB_OK)
            break;   /* a failed run decides; no need to repeat it */
    }
    res->status = r.status;
    res->exit_code = r.exit_code;
    res->signal = r.signal;
    res->time_s = cpu / runs;
    res->wall_s = wall / runs;
    res->mem_kib = mem / (uint64_t)runs;
    /* one byte over the cap tells a whole output from a cut one */
    jd_read_file_at(sfd, "stdout", cap + 1, &res->stdout_data, &res->stdout_len);
    bool cut = res->stdout_len > cap;
    if (!req->redirect_stderr_to_stdout)
        jd_read_file_at(sfd, "stderr", cap, &res->stderr_data, &res->stderr_len);
    res->verdict = jd_verdict_from_sb(&r, res->message, sizeof res->message);
    if (res->verdict == JD_AC && req->expected) {
        /* compare the whole output, not only the part kept for the caller */
        char *all = NULL;
        size_t alen = 0;
        if (!cut) {
            all = res->stdout_data;
            alen = res->stdout_len;
        } else if (jd_read_file_at(sfd, "stdout", (size_t)1 << 30, &all, &alen) < 0) {
            all = NULL;
        }
        if (all && !jd_judge0_equal(all, alen, req->expected, req->expected_len)) {
            res->verdict = JD_WA;
            snprintf(res->message, sizeof res->message, "output differs from the expected output");
        }
        if (all != res->stdout_data)
            free(all);
    }
    if (cut) {
        res->stdout_len = cap;
        res->stdout_data[cap] = 0;
    }
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (errfd >= 0 && errfd != out)
        close(errfd);
    if (sfd >= 0)
        close(sfd);
    jd_program_free(&prog);
    jd_strv_free(argv);
    jd_strv_free(args);
    return 0;
}
