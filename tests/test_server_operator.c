/* test_server_operator.c - the operator's first day (issue 15): a port in
 * use, SIGHUP, starting serve/worker from any directory, `make install`,
 * health that counts every worker process, `run -M` to an unwritable file.
 * Real processes of build/nsjudge, real HTTP on 127.0.0.1. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tests/test_server.h"

static const char *nsj(void)
{
    const char *b = getenv("NSJUDGE_BIN");
    cr_assert(b, "NSJUDGE_BIN not set (run through make test)");
    return b;
}

static void mktmp(char *dir, size_t len, const char *tag)
{
    snprintf(dir, len, "/tmp/nsjudge-test-server-%s-XXXXXX", tag);
    cr_assert(mkdtemp(dir));
}

static void rmtree(const char *dir)
{
    char cmd[PATH_MAX + 32];
    if (getenv("NSJUDGE_KEEP_TEST_DIRS") || strncmp(dir, "/tmp/nsjudge-test-server-", 25))
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    (void)!system(cmd);
}

/* Starts argv with cwd and stdout+stderr into out (a file); the child dies
 * with the test. NSJUDGE_CONFIG is cleared so the lookup under test runs. */
static pid_t spawn_in(const char *cwd, const char *out, char *const argv[])
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (cwd && chdir(cwd))
            _exit(126);
        unsetenv("NSJUDGE_CONFIG");
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Waits up to timeout_s for pid; kills it if still running. Returns the
 * wait status, or -1 if it had to be killed. */
static int wait_for(pid_t pid, double timeout_s)
{
    int st = 0;
    for (double t = 0; t < timeout_s; t += 0.05) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return st;
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return strdup("");
    char *buf = calloc(1, 1 << 20);
    cr_assert(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Polls GET path on port until it answers (any HTTP code); returns it, 0 if never. */
static long wait_http(int port, const char *path, pid_t pid)
{
    struct srv s = {.port = port};
    for (int i = 0; i < 200; i++) {
        struct hresp r = http(&s, "GET", path, NULL, 0, NULL);
        long code = r.code;
        hresp_free(&r);
        if (code)
            return code;
        int st;
        if (pid > 0 && waitpid(pid, &st, WNOHANG) == pid)
            return 0;
        usleep(50000);
    }
    return 0;
}

/* ---- 1. a port in use ------------------------------------------------------------ */

/* Before: MHD set SO_REUSEPORT, the second serve bound the same port and the
 * kernel split requests between two services with two different stores. */
Test(server_operator, second_serve_on_a_used_port_fails, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    char dir[PATH_MAX], out[PATH_MAX + 16], listen[64], data[PATH_MAX + 16];
    mktmp(dir, sizeof dir, "port");
    snprintf(out, sizeof out, "%s/second.log", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(listen, sizeof listen, "127.0.0.1:%d", s.port);
    char *langs = repo_path("configs/languages.json");
    char *argv[] = {(char *)nsj(), "serve", "--listen", listen, "--workers", "0",
                    "--data-dir", data, "--slot-base", "900", "--languages", langs, NULL};
    pid_t pid = spawn_in(dir, out, argv);
    free(langs);
    int st = wait_for(pid, 30);
    char *log = slurp(out);
    cr_expect_neq(st, -1, "the second serve kept running on a port in use:\n%s", log);
    cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status %d:\n%s", st, log);
    cr_expect(strstr(log, "address already in use"), "no 'address already in use' in:\n%s", log);
    /* the first service still answers, alone */
    struct hresp r = http(&s, "GET", "/healthz", NULL, 0, NULL);
    cr_expect_eq(r.code, 200);
    hresp_free(&r);
    free(log);
    srv_cleanup(&s);
    rmtree(dir);
}

/* ---- 2. SIGHUP -------------------------------------------------------------------- */

/* Before: SIGHUP's default action killed the service on the spot (status:
 * killed by signal 1, no log line). Now it stops cleanly, as SIGTERM does. */
Test(server_operator, sighup_stops_cleanly_and_says_so, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    cr_assert_eq(kill(s.pid, SIGHUP), 0);
    int st = wait_for(s.pid, 60);
    s.pid = 0;
    char *log = slurp(s.log);
    cr_expect(st != -1 && WIFEXITED(st), "serve did not exit after SIGHUP (status %d):\n%s", st, log);
    cr_expect(st == -1 || !WIFSIGNALED(st), "serve was killed by signal %d", WTERMSIG(st));
    cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status %d", WEXITSTATUS(st));
    cr_expect(strstr(log, "event=stopping signal=SIGHUP"), "no stopping line naming SIGHUP:\n%s", log);
    cr_expect(strstr(log, "event=stopped clean=true"), "no clean stop in:\n%s", log);
    free(log);
    srv_cleanup(&s);
}

/* ---- 3. started from any directory ------------------------------------------------ */

/* Before: `serve` outside the checkout died with "languages:
 * configs/languages.json: No such file or directory". */
Test(server_operator, serve_and_worker_start_from_any_directory, .timeout = 180)
{
    char dir[PATH_MAX], out[PATH_MAX + 16], wout[PATH_MAX + 16], listen[64], data[PATH_MAX + 16];
    mktmp(dir, sizeof dir, "cwd");
    snprintf(out, sizeof out, "%s/serve.log", dir);
    snprintf(wout, sizeof wout, "%s/worker.log", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    int port = srv_free_port();
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    char base[16], wbase[16];
    int b = 70000 + (int)(getpid() % 2000) * 4;
    snprintf(base, sizeof base, "%d", b);
    snprintf(wbase, sizeof wbase, "%d", b + 2);
    char *argv[] = {(char *)nsj(), "serve", "--listen", listen, "--workers", "1",
                    "--data-dir", data, "--slot-base", base, NULL};
    pid_t pid = spawn_in(dir, out, argv);
    long code = wait_http(port, "/languages", pid);
    char *log = slurp(out);
    cr_assert_eq(code, 200, "serve started in %s did not answer /languages:\n%s", dir, log);
    free(log);
    struct srv s = {.port = port};
    struct hresp r = http(&s, "GET", "/languages", NULL, 0, NULL);
    cr_expect(r.json && json_array_size(r.json) > 0, "no languages: %s", r.body);
    hresp_free(&r);

    char *wargv[] = {(char *)nsj(), "worker", "--workers", "1", "--data-dir", data,
                     "--slot-base", wbase, NULL};
    pid_t wpid = spawn_in(dir, wout, wargv);
    /* the worker is up once it logs its start; then it must stop cleanly */
    char *wlog = NULL;
    for (int i = 0; i < 200; i++) {
        free(wlog);
        wlog = slurp(wout);
        if (strstr(wlog, "event=start") || waitpid(wpid, NULL, WNOHANG) == wpid)
            break;
        usleep(50000);
    }
    cr_expect(strstr(wlog, "event=start"), "worker did not start in %s:\n%s", dir, wlog);
    kill(wpid, SIGTERM);
    int st = wait_for(wpid, 60);
    cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker status %d", st);
    free(wlog);
    kill(pid, SIGTERM);
    st = wait_for(pid, 60);
    cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "serve status %d", st);
    rmtree(dir);
}

/* ---- 4. make install --------------------------------------------------------------- */

static int sh(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool is_file(const char *root, const char *rel)
{
    char p[PATH_MAX * 2];
    struct stat st;
    snprintf(p, sizeof p, "%s%s", root, rel);
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Before: `make` and `make install` ran the package installer, PREFIX was
 * ignored (/usr/local hard-coded), the module went to bin/, an operator's
 * /etc/nsjudge/nsjudge.json was overwritten, and there was no unit, man
 * page or completion. */
Test(server_operator, make_install_layout, .timeout = 300)
{
    char *repo = repo_path("");
    char bdir[PATH_MAX], *real = realpath(nsj(), NULL);
    cr_assert(real);
    /* the build directory holding NSJUDGE_BIN, relative to the repo (build or build-asan) */
    *strrchr(real, '/') = 0;
    snprintf(bdir, sizeof bdir, "%s", strrchr(real, '/') + 1);
    free(real);
    char dir[PATH_MAX], cmd[PATH_MAX * 3];
    mktmp(dir, sizeof dir, "install");

    /* neither `make` nor `make install` may run the package installer */
    snprintf(cmd, sizeof cmd, "make -s -n -C '%s' B=%s all install DESTDIR='%s' PREFIX=/usr"
             " | grep -q install-deps", repo, bdir, dir);
    cr_expect_neq(sh(cmd), 0, "make all/install would run scripts/install-deps.sh");
    snprintf(cmd, sizeof cmd, "make -s -n -C '%s' deps | grep -q install-deps", repo);
    cr_expect_eq(sh(cmd), 0, "make deps no longer runs the package installer");

    /* an operator's config is there already and must survive */
    cr_assert_lt(snprintf(cmd, sizeof cmd, "mkdir -p '%s/etc/nsjudge' && echo '{\"workers\": 3}' > '%s/etc/nsjudge/nsjudge.json'",
             dir, dir), (int)sizeof cmd, "%s is cut", "cmd");
    cr_assert_eq(sh(cmd), 0);
    cr_assert_lt(snprintf(cmd, sizeof cmd, "make -s -C '%s' B=%s install DESTDIR='%s' PREFIX=/usr > '%s/make.log' 2>&1",
                          repo, bdir, dir, dir), (int)sizeof cmd, "cmd is cut");
    int rc = sh(cmd);
    char logp[PATH_MAX + 16];
    snprintf(logp, sizeof logp, "%s/make.log", dir);
    char *mlog = slurp(logp);
    cr_assert_eq(rc, 0, "make install failed:\n%s", mlog);
    free(mlog);

    cr_expect(is_file(dir, "/usr/bin/nsjudge"));
    cr_expect(is_file(dir, "/usr/lib/nsjudge/nsjudge-server.so"), "module not in lib/nsjudge/");
    cr_expect(!is_file(dir, "/usr/bin/nsjudge-server.so"), "module installed in bin/");
    cr_expect(!is_file(dir, "/usr/local/bin/nsjudge"), "PREFIX ignored");
    cr_expect(is_file(dir, "/etc/nsjudge/languages.json"));
    cr_expect(is_file(dir, "/usr/share/nsjudge/languages.json"));
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/etc/nsjudge/nsjudge.json", dir);
    char *kept = slurp(p);
    cr_expect_str_eq(kept, "{\"workers\": 3}\n", "the operator's nsjudge.json was overwritten");
    free(kept);
    /* the shipped config: absolute state dir, absolute language table */
    snprintf(p, sizeof p, "%s/usr/share/nsjudge/nsjudge.json", dir);
    json_t *cfg = json_load_file(p, 0, NULL);
    cr_assert(cfg, "no shipped config at %s", p);
    cr_expect_str_eq(json_string_value(json_object_get(cfg, "data_dir")), "/var/lib/nsjudge");
    cr_expect_str_eq(json_string_value(json_object_get(cfg, "languages")), "/etc/nsjudge/languages.json");
    json_decref(cfg);

    snprintf(p, sizeof p, "%s/usr/lib/systemd/system/nsjudge.service", dir);
    char *unit = slurp(p);
    cr_expect(strstr(unit, "\nDelegate=yes\n"), "unit without Delegate=yes:\n%s", unit);
    cr_expect(strstr(unit, "ExecStart=/usr/bin/nsjudge serve --config /etc/nsjudge/nsjudge.json"),
              "unit ExecStart:\n%s", unit);
    free(unit);
    cr_expect(is_file(dir, "/usr/share/bash-completion/completions/nsjudge"));
    const char *pages[] = {"nsjudge", "nsjudge-serve", "nsjudge-worker", "nsjudge-judge",
                           "nsjudge-verify", "nsjudge-run", "nsjudge-languages", "nsjudge-version"};
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        snprintf(p, sizeof p, "%s/usr/share/man/man1/%s.1", dir, pages[i]);
        char *page = slurp(p);
        cr_expect(!strncmp(page, ".TH ", 4), "no man page %s", p);
        free(page);
    }
    /* the serve page says what `nsjudge help serve` says */
    snprintf(cmd, sizeof cmd, "grep -q -- '--slot-base' '%s/usr/share/man/man1/nsjudge-serve.1'", dir);
    cr_expect_eq(sh(cmd), 0, "nsjudge-serve.1 lacks --slot-base");

    /* the installed binary runs from the tree and finds its module in lib/nsjudge */
    snprintf(cmd, sizeof cmd, "cd / && env -u NSJUDGE_PLUGIN '%s/usr/bin/nsjudge' version | grep -q '^nsjudge '", dir);
    cr_expect_eq(sh(cmd), 0, "installed nsjudge version failed");
    snprintf(cmd, sizeof cmd, "cd / && env -u NSJUDGE_PLUGIN '%s/usr/bin/nsjudge' help serve | grep -q 'usage: nsjudge serve'",
             dir);
    cr_expect_eq(sh(cmd), 0, "installed nsjudge did not load its module from lib/nsjudge/");
    /* the CLI finds its language table where serve does: PREFIX/share/nsjudge
     * (no /etc/nsjudge/languages.json on this host) */
    snprintf(cmd, sizeof cmd,
             "cd / && test ! -e /etc/nsjudge/languages.json && env -u NSJUDGE_LANGUAGES '%s/usr/bin/nsjudge' "
             "languages | grep -q 'languages from %s/usr/share/nsjudge/languages.json'",
             dir, dir);
    cr_expect_eq(sh(cmd), 0, "installed nsjudge languages did not find PREFIX/share/nsjudge/languages.json");
    free(repo);
    rmtree(dir);
}

/* ---- 5. health and worker counts across processes ---------------------------------- */

static long get_code(struct srv *s, const char *path, json_t **json, char **body)
{
    struct hresp r = http(s, "GET", path, NULL, 0, NULL);
    long code = r.code;
    if (json)
        *json = r.json ? json_incref(r.json) : NULL;
    if (body)
        *body = r.body ? strdup(r.body) : strdup("");
    hresp_free(&r);
    return code;
}

/* Before: `serve --workers 0` with no worker said 200 ok, and /workers and
 * /metrics counted only the threads of the answering process, so workers of
 * a separate `nsjudge worker` never showed. */
Test(server_operator, health_and_counts_see_every_worker_process, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 0, NULL);
    json_t *j = NULL;
    char *body = NULL;
    cr_expect_eq(get_code(&s, "/healthz", &j, NULL), 503, "API-only serve with no worker is healthy");
    cr_expect_str_eq(jstr(j, "reason"), "no workers");
    json_decref(j);

    char data[PATH_MAX], wlog[PATH_MAX + 16], wbase[16];
    snprintf(data, sizeof data, "%s/data", s.dir);
    snprintf(wlog, sizeof wlog, "%s/worker.log", s.dir);
    snprintf(wbase, sizeof wbase, "%d", 70000 + (int)(getpid() % 2000) * 4 + 2);
    char *argv[] = {(char *)nsj(), "worker", "--config", s.cfg, "--workers", "1", "--data-dir", data,
                    "--slot-base", wbase, NULL};
    pid_t wpid = spawn_in(s.dir, wlog, argv);
    long code = 0;
    for (int i = 0; i < 300 && code != 200; i++) {
        code = get_code(&s, "/healthz", NULL, NULL);
        if (code != 200)
            usleep(100000);
    }
    char *log = slurp(wlog);
    cr_assert_eq(code, 200, "healthz did not see the worker process:\n%s", log);
    free(log);
    cr_expect_eq(get_code(&s, "/workers", &j, NULL), 200);
    json_t *q = json_array_get(j, 0);
    cr_expect_eq(json_integer_value(json_object_get(q, "available")), 1, "/workers: %s",
                 json_dumps(j, 0));
    json_decref(j);
    cr_expect_eq(get_code(&s, "/metrics", NULL, &body), 200);
    cr_expect(strstr(body, "\nnsjudge_workers 1\n"), "metrics:\n%s", body);
    cr_expect(strstr(body, "\nnsjudge_worker_processes 1\n"), "metrics:\n%s", body);
    free(body);

    /* the worker's job really runs there: the API process has no worker */
    json_t *sub = json_pack("{s:i, s:s}", "language_id", 50, "source_code",
                            "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}");
    char *tok = submit(&s, sub);
    json_t *done = wait_done(&s, tok, 120);
    cr_expect_eq(status_id(done), 3, "not accepted");
    json_decref(done);
    free(tok);

    /* a cleanly stopped worker is no longer counted */
    kill(wpid, SIGTERM);
    int st = wait_for(wpid, 60);
    cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker status %d", st);
    cr_expect_eq(get_code(&s, "/healthz", &j, NULL), 503, "a stopped worker still counted");
    json_decref(j);
    srv_cleanup(&s);
}

/* ---- 6. run -M to a file that cannot be written ------------------------------------ */

/* Before: the program ran, the meta file was silently missing and the exit
 * status was 0, so a caller reading the meta file had nothing to read. */
Test(server_operator, run_meta_unwritable_exits_1_before_the_run, .timeout = 60)
{
    char dir[PATH_MAX], out[PATH_MAX + 16], meta[PATH_MAX + 32];
    mktmp(dir, sizeof dir, "meta");
    const char *bad[] = {"no-such-dir/meta", "."}; /* missing parent; a directory */
    for (size_t i = 0; i < 2; i++) {
        snprintf(out, sizeof out, "%s/out%zu", dir, i);
        snprintf(meta, sizeof meta, "%s/%s", dir, bad[i]);
        char *argv[] = {(char *)nsj(), "run", "-M", meta, "--", "/bin/echo", "the-program-ran", NULL};
        pid_t pid = spawn_in(dir, out, argv);
        int st = wait_for(pid, 30);
        char *log = slurp(out);
        cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1, "-M %s: status %d:\n%s", meta,
                  st, log);
        cr_expect(!strstr(log, "the-program-ran"), "-M %s: the program ran anyway:\n%s", meta, log);
        cr_expect(strstr(log, "--meta"), "-M %s: the error does not name --meta:\n%s", meta, log);
        free(log);
    }
    rmtree(dir);
}
