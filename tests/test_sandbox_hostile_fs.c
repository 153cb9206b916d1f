/*
 * test_sandbox_hostile_fs.c - hostile programs against the box's file system and
 * privileges: reading host secrets and other processes' /proc, writing
 * outside /box, links planted in /box, leaked descriptors, setuid
 * binaries, capabilities. Every test checks the host side too.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/test_sandbox_hostile.h"

TestSuite(sandbox_hostile_fs, .timeout = 30, .fini = hx_cleanup);

/* Secrets: /etc/shadow, a root-only file in a dir mounted into the box,
 * a host /tmp file, the test's own /proc (environ has NSJUDGE_HOSTILE=),
 * and any host process's command line. */
Test(sandbox_hostile_fs, host_secrets_and_proc_unreadable)
{
    char dir[64], secret[128], pid[16];
    struct hx_run *r = hx_new_run();
    hx_tmpdir(dir, sizeof dir);
    snprintf(secret, sizeof secret, "%s/secret", dir);
    int fd = open(secret, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, "top secret\n", 11), 11);
    close(fd);
    snprintf(pid, sizeof pid, "%d", (int)getpid());

    struct sb_slot *slot = hx_slot(0);
    /* The dir is visible in the box at /secret; the file is root's, 0600. */
    struct sb_mount m = {.host = dir, .box = "/secret"};
    struct hx_opts o = {.mounts = &m, .n_mounts = 1};
    hx_run(slot, &o, r, "readsecrets", pid, "/secret/secret", NULL);
    hx_assert_blocked(r);
    cr_assert_not_null(strstr(r->out, "ok: /secret/secret: Permission denied"),
                       "root's 0600 file was not refused by permissions:\n%s", r->out);
    /* The box sees its own processes only: itself, at most its init. */
    const char *v = strstr(r->out, "visible pids: ");
    cr_assert_not_null(v, "%s", r->out);
    int visible = atoi(v + strlen("visible pids: "));
    cr_assert(visible >= 1 && visible <= 2, "the box sees %d processes", visible);
    /* Same file by its host path: not even there. */
    hx_run(slot, &o, r, "readsecrets", pid, secret, NULL);
    hx_assert_blocked(r);
    cr_assert_eq(r->res.status, SB_OK, "%s", r->res.message);
    hx_slot_close(slot);
    hx_rmtree(dir);
}

/* Create files everywhere outside /box and rewrite kernel knobs. The host
 * must not get any of the files. */
Test(sandbox_hostile_fs, writes_outside_box_do_not_reach_host)
{
    char marker[128], path[512], host_before[256], host_after[256];
    struct hx_run *r = hx_new_run();
    const char *dirs[] = {"", "/usr", "/usr/bin", "/usr/lib", "/etc", "/bin", "/lib", "/proc", "/sys", "/dev", NULL};
    struct sb_slot *slot = hx_slot(0);
    hx_marker(marker, sizeof marker, "write");
    gethostname(host_before, sizeof host_before);

    hx_run(slot, NULL, r, "writeout", marker, NULL);
    int leaked = 0;
    for (int i = 0; dirs[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dirs[i], marker);
        if (access(path, F_OK) == 0) {
            cr_log_error("box created host file %s", path);
            unlink(path);
            leaked++;
        }
    }
    snprintf(path, sizeof path, "%s/%s", hx_dir(), marker);
    if (access(path, F_OK) == 0) {
        cr_log_error("box wrote into its read-only /box: %s", path);
        unlink(path);
        leaked++;
    }
    cr_assert_eq(leaked, 0, "%d files escaped the box:\n%s", leaked, r->out);
    hx_assert_blocked(r);
    /* The read-only toolchain dirs refuse writes inside the box as well. */
    snprintf(path, sizeof path, "ok: create /usr/%s: Read-only file system", marker);
    cr_assert_not_null(strstr(r->out, path), "%s", r->out);
    snprintf(path, sizeof path, "ok: create /box/%s", marker);
    cr_assert_not_null(strstr(r->out, path), "%s", r->out);
    gethostname(host_after, sizeof host_after);
    cr_assert_str_eq(host_before, host_after);
    hx_slot_close(slot);
}

/* A symlink planted in a writable /box pointing at a host file: inside,
 * the link resolves in the box's own root, so the host file is safe;
 * outside, a caller that reads results with O_NOFOLLOW refuses it. */
Test(sandbox_hostile_fs, symlink_in_box_cannot_reach_host_file)
{
    char dir[64], target[128], buf[64];
    struct hx_run *r = hx_new_run();
    hx_tmpdir(dir, sizeof dir);
    snprintf(target, sizeof target, "/tmp/nsjudge-hostile-target-%d", (int)getpid());
    int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, "original\n", 9), 9);
    close(fd);
    chmod(target, 0666); /* writable by anyone: only the box's root keeps it safe */

    struct sb_slot *slot = hx_slot(0);
    struct hx_opts o = {.hostile_at_hostile = true, .box_dir = dir, .box_writable = true};
    hx_run(slot, &o, r, "symlink", target, NULL);
    hx_assert_blocked(r);

    /* Host side: the target is untouched. */
    cr_assert_eq(hx_read_file(target, buf, sizeof buf), 9);
    cr_assert_str_eq(buf, "original\n", "host file rewritten from the box: %s", buf);

    /* The links are really there on the host ... */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cr_assert(dfd >= 0);
    struct stat st;
    cr_assert_eq(fstatat(dfd, "out", &st, AT_SYMLINK_NOFOLLOW), 0, "no /box/out: %s", r->out);
    cr_assert(S_ISLNK(st.st_mode));
    /* ... and a safe reader does not follow them out of the box. */
    errno = 0;
    cr_assert_eq(openat(dfd, "out", O_RDONLY | O_NOFOLLOW | O_CLOEXEC), -1);
    cr_assert_eq(errno, ELOOP);
    cr_assert_eq(openat(dfd, "passwd", O_RDONLY | O_NOFOLLOW | O_CLOEXEC), -1);
    /* No hard link to a host file was made in the box dir. */
    for (int i = 0; i < 3; i++) {
        char n[16];
        snprintf(n, sizeof n, "hl%d", i);
        cr_assert_neq(fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW), 0, "hard link %s exists", n);
    }
    close(dfd);
    unlink(target);
    hx_slot_close(slot);
    hx_rmtree(dir);
}

/* Descriptors the caller has open without O_CLOEXEC (a secret file, a
 * pipe, a high-numbered dup) must not be inherited by the box. */
Test(sandbox_hostile_fs, leaked_fds_are_closed)
{
    struct hx_run *r = hx_new_run();
    int f = open("/etc/hostname", O_RDONLY);
    int p[2];
    cr_assert(f >= 0);
    cr_assert_eq(pipe(p), 0);
    cr_assert_eq(dup2(f, 77), 77);
    cr_assert(fcntl(77, F_GETFD) == 0, "fd 77 must be inheritable for the test to mean anything");

    struct sb_slot *slot = hx_slot(0);
    hx_run(slot, NULL, r, "fds", NULL);
    hx_assert_blocked(r);
    cr_assert_eq(r->res.status, SB_OK);
    /* The caller's descriptors are still its own. */
    cr_assert(fcntl(f, F_GETFD) >= 0 && fcntl(p[0], F_GETFD) >= 0 && fcntl(77, F_GETFD) >= 0);
    close(f);
    close(p[0]);
    close(p[1]);
    close(77);
    hx_slot_close(slot);
}

TestSuite(sandbox_hostile_privs, .timeout = 30, .fini = hx_cleanup);

/* Inside: not uid 0, no capabilities. Outside: the file the program
 * creates belongs to an unprivileged host uid, not root. */
Test(sandbox_hostile_privs, box_is_unprivileged_inside_and_outside)
{
    char dir[64], path[128];
    struct hx_run *r = hx_new_run();
    hx_tmpdir(dir, sizeof dir);
    struct sb_slot *slot = hx_slot(0);
    struct hx_opts o = {.hostile_at_hostile = true, .box_dir = dir, .box_writable = true};
    hx_run(slot, &o, r, "privs", "/box/owned", NULL);
    hx_assert_blocked(r);
    cr_assert_not_null(strstr(r->out, "CapEff:\t0000000000000000"), "%s", r->out);
    cr_assert_not_null(strstr(r->out, "NoNewPrivs:\t1"), "%s", r->out);
    snprintf(path, sizeof path, "%s/owned", dir);
    struct stat st;
    cr_assert_eq(lstat(path, &st), 0, "box could not create its file:\n%s", r->out);
    cr_assert_neq(st.st_uid, 0, "the box's file is owned by host root");
    cr_assert_neq(st.st_gid, 0, "the box's file has host group root");
    hx_slot_close(slot);
    hx_rmtree(dir);
}

/* A setuid-root copy of a program, placed in the box dir by the host (as
 * a careless problem package could): running it gives nothing. */
Test(sandbox_hostile_privs, setuid_root_binary_gives_no_root)
{
    char dir[64], src[512], dst[128];
    static char buf[1 << 20];
    struct hx_run *r = hx_new_run();
    hx_tmpdir(dir, sizeof dir);
    snprintf(src, sizeof src, "%s/privs", hx_dir());
    snprintf(dst, sizeof dst, "%s/privs", dir);
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    cr_assert(in >= 0 && out >= 0);
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        cr_assert_eq(write(out, buf, (size_t)n), n);
    close(in);
    close(out);
    cr_assert_eq(chown(dst, 0, 0), 0);
    cr_assert_eq(chmod(dst, 04755), 0);
    struct stat st;
    cr_assert_eq(stat(dst, &st), 0);
    cr_assert(st.st_mode & S_ISUID, "could not make a setuid file");

    struct sb_slot *slot = hx_slot(0);
    /* Run the setuid copy at /box/privs (hx_run would run the plain one). */
    struct sb_config cfg;
    sb_config_init(&cfg);
    const char *argv[] = {"/box/privs", NULL};
    cfg.argv = argv;
    cfg.box_dir = dir;
    cfg.limits.cpu_s = 1;
    cfg.limits.wall_s = 2;
    int fdout = hx_tmpfile();
    cfg.stdout_fd = fdout;
    memset(r, 0, sizeof *r);
    r->rc = sb_run(slot, &cfg, &r->res);
    n = pread(fdout, r->out, sizeof r->out - 1, 0);
    r->out[n > 0 ? n : 0] = 0;
    close(fdout);
    cr_log_info("setuid privs: %s %s\n%s", sb_status_code(r->res.status), r->res.message, r->out);
    hx_assert_blocked(r);
    unsigned ruid = 0, euid = 0, suid = 0;
    cr_assert_eq(sscanf(r->out, "uid %u %u %u", &ruid, &euid, &suid), 3, "%s", r->out);
    cr_assert(ruid != 0 && euid != 0 && suid != 0, "setuid bit honoured: %s", r->out);
    cr_assert_eq(ruid, euid, "setuid bit changed the euid: %s", r->out);
    hx_slot_close(slot);
    hx_rmtree(dir);
}

/* Two runs share a writable box dir (a compile step, then a run). The
 * first plants /box/data -> a host dir (absolute) and /box/up -> a
 * relative path climbing out; the second asks for a mount at /box/data
 * and /box/up and a working dir through a link. The supervisor must not
 * follow the links: the host dirs stay empty and no mount appears on the
 * host. Failing the run (XX) is fine; mounting outside the box is not. */
Test(sandbox_hostile_fs, planted_symlink_does_not_redirect_next_mount)
{
    char dir[64], target[64], mnt_rel[128], line[1024];
    struct hx_run *r = hx_new_run();
    hx_tmpdir(dir, sizeof dir);
    hx_tmpdir(target, sizeof target);
    /* /box/up -> ../../../../../../<target>: climbs to / from any depth. */
    snprintf(mnt_rel, sizeof mnt_rel, "../../../../../..%s", target);

    struct sb_slot *slot = hx_slot(0);
    struct hx_opts o = {.hostile_at_hostile = true, .box_dir = dir, .box_writable = true};
    hx_run(slot, &o, r, "plant", "/box/data", target, "/box/up", mnt_rel, NULL);
    cr_assert_not_null(strstr(r->out, "PLANTED: 2"), "%s", r->out);

    /* Deeper mount points make the supervisor create dirs through the
     * link (mkdir -p), the other way a followed link writes on the host. */
    struct sb_mount m[4] = {{.host = hx_dir(), .box = "/box/data", .writable = true},
                            {.host = hx_dir(), .box = "/box/up", .writable = true},
                            {.host = hx_dir(), .box = "/box/data/sub"},
                            {.host = hx_dir(), .box = "/box/up/sub"}};
    struct hx_opts o2 = {.hostile_at_hostile = true, .box_dir = dir, .box_writable = true,
                         .mounts = m, .n_mounts = 4};
    hx_run(slot, &o2, r, "fds", NULL);
    cr_log_info("second run: rc %d status %s: %s", r->rc, sb_status_code(r->res.status), r->res.message);

    /* Host side: the target dir is still empty, and not a mount point. */
    DIR *d = opendir(target);
    struct dirent *e;
    int entries = 0;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            entries++;
    if (d)
        closedir(d);
    FILE *f = fopen("/proc/self/mountinfo", "re");
    bool mounted = false;
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, target))
            mounted = true;
    if (f)
        fclose(f);
    if (mounted)
        umount2(target, MNT_DETACH);
    cr_assert(!mounted, "a box mount landed on the host at %s", target);
    cr_assert_eq(entries, 0, "the host dir %s got %d entries through a planted link", target, entries);
    hx_slot_close(slot);
    hx_rmtree(dir);
    hx_rmtree(target);
}

/* The test input the caller passes as stdin (a root-owned 0644 file
 * opened read-only) must come out of the run exactly as it went in. */
Test(sandbox_hostile_fs, stdin_file_cannot_be_modified)
{
    char dir[64], path[128], buf[64];
    struct hx_run *r = hx_new_run();
    hx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/input", dir);
    int w = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert(w >= 0);
    cr_assert_eq(write(w, "1 2 3\n", 6), 6);
    close(w);
    int in = open(path, O_RDONLY | O_CLOEXEC);
    cr_assert(in >= 0);

    struct sb_slot *slot = hx_slot(0);
    struct sb_config cfg;
    const char *argv[] = {"/box/stdio", NULL};
    int out = hx_tmpfile();
    sb_config_init(&cfg);
    cfg.argv = argv;
    cfg.box_dir = hx_dir();
    cfg.stdin_fd = in;
    cfg.stdout_fd = out;
    cfg.limits.cpu_s = 1;
    cfg.limits.wall_s = 2;
    memset(r, 0, sizeof *r);
    r->rc = sb_run(slot, &cfg, &r->res);
    ssize_t n = pread(out, r->out, sizeof r->out - 1, 0);
    r->out[n > 0 ? n : 0] = 0;
    cr_log_info("stdio: %s %s\n%s", sb_status_code(r->res.status), r->res.message, r->out);

    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0644, "mode changed to %o", st.st_mode & 07777);
    cr_assert_eq(st.st_uid, 0, "owner changed");
    cr_assert_eq(hx_read_file(path, buf, sizeof buf), 6, "input file size changed");
    cr_assert_str_eq(buf, "1 2 3\n", "input file rewritten: %s", buf);
    hx_assert_blocked(r);
    close(in);
    close(out);
    hx_slot_close(slot);
    hx_rmtree(dir);
}

/* A crash in a writable /box leaves no core file (RLIMIT_CORE is 0 and
 * the program cannot raise it), and is reported as SG with SIGSEGV. */
Test(sandbox_hostile_fs, crash_writes_no_core_dump)
{
    char dir[64];
    struct hx_run *r = hx_new_run();
    hx_tmpdir(dir, sizeof dir);
    struct sb_slot *slot = hx_slot(0);
    struct hx_opts o = {.hostile_at_hostile = true, .box_dir = dir, .box_writable = true};
    hx_run(slot, &o, r, "crash", NULL);
    cr_assert_eq(r->rc, 0, "sb_run: %s", r->res.message);
    cr_assert_not_null(strstr(r->out, "CRASHING"), "%s", r->out);
    cr_assert_null(strstr(r->out, "ESCAPED"), "%s", r->out);
    cr_assert_eq(r->res.status, SB_SG, "status %s: %s", sb_status_code(r->res.status), r->res.message);
    cr_assert_eq(r->res.signal, SIGSEGV);
    DIR *d = opendir(dir);
    struct dirent *e;
    int cores = 0;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, "core", 4) == 0)
            cores++;
    if (d)
        closedir(d);
    cr_assert_eq(cores, 0, "a core dump was written to the host box dir");
    hx_slot_close(slot);
    hx_rmtree(dir);
}
