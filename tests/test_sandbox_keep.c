/*
 * test_sandbox_keep.c - `nsjudge run --keep`: the kept slot's daemon
 * serves later runs, which still share nothing; it kills the box when
 * its client dies, and leaves when idle.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tests/test_root.h"

static const char *bin(void)
{
    const char *b = getenv("NSJUDGE_BIN");
    cr_assert(b, "NSJUDGE_BIN not set (run through make test)");
    return b;
}

/* Run `nsjudge run --json ARGS` through the shell; the JSON is the last
 * line of stdout, what the program printed comes before it. popen reads
 * to EOF: a daemon that kept our stdout open would hang the test. */
static json_t *run_json(const char *args, char *prog_out, size_t n)
{
    char cmd[2048], out[8192];
    snprintf(cmd, sizeof cmd, "%s run --json %s 2>/dev/null", bin(), args);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    size_t len = fread(out, 1, sizeof out - 1, p);
    out[len] = 0;
    int st = pclose(p);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "nsjudge run %s failed:\n%s", args, out);
    char *last = out, *nl;
    while ((nl = strchr(last, '\n')) && nl[1])
        last = nl + 1;
    json_t *j = json_loads(last, 0, NULL);
    cr_assert(j, "not JSON: %s", last);
    *last = 0;
    if (prog_out)
        cr_assert(snprintf(prog_out, n, "%s", out) < (int)n, "%s: buffer too small", __func__);
    return j;
}

static const char *status_of(json_t *j)
{
    return json_string_value(json_object_get(j, "status"));
}

/* Processes whose command line contains marker and whose name is comm. */
static int count_procs(const char *marker, const char *comm)
{
    DIR *d = opendir("/proc");
    cr_assert(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[4096], name[64];
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        bool same = fgets(name, sizeof name, f) && !strncmp(name, comm, strlen(comm)) &&
                    name[strlen(comm)] == '\n';
        fclose(f);
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        f = fopen(path, "r");
        if (!f)
            continue;
        size_t k = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        for (size_t i = 0; i < k; i++)
            if (!buf[i])
                buf[i] = ' ';
        buf[k] = 0;
        if (same && strstr(buf, marker))
            n++;
    }
    closedir(d);
    return n;
}

static bool wait_count(const char *marker, const char *comm, int want, double timeout_s)
{
    for (int i = 0; i < timeout_s * 20; i++) {
        if (count_procs(marker, comm) == want)
            return true;
        usleep(50000);
    }
    return false;
}

TestSuite(sandbox_keep, .timeout = 90);

Test(sandbox_keep, later_runs_share_nothing)
{
    test_need_root();
    char out[4096];
    json_t *j = run_json("--keep=5 -- /bin/sh -c 'echo x > /tmp/left; echo y > /box/left; "
                         "echo z > /dev/shm/left2; (setsid sleep 60 &); echo made'",
                         out, sizeof out);
    cr_assert_str_eq(status_of(j), "OK", "%s", json_string_value(json_object_get(j, "message")));
    cr_assert(strstr(out, "made"), "%s", out);
    json_decref(j);
    for (int i = 0; i < 3; i++) {
        j = run_json("--keep=5 -- /bin/sh -c 'ls -A /tmp /box /dev/shm/; cat /proc/[0-9]*/comm'",
                     out, sizeof out);
        cr_assert_str_eq(status_of(j), "OK");
        cr_assert_null(strstr(out, "left"), "a kept slot let a file through:\n%s", out);
        cr_assert(strstr(out, "\nsh\n") || strstr(out, "\ncat\n"), "no process listed:\n%s", out);
        cr_assert_null(strstr(out, "sleep"), "a process of an earlier run is still there:\n%s", out);
        json_decref(j);
    }
    /* limits through a kept slot, and the slot works after a kill */
    j = run_json("--keep=5 --time 0.2 -- /bin/sh -c 'while :; do :; done'", NULL, 0);
    cr_assert_str_eq(status_of(j), "TO");
    json_decref(j);
    j = run_json("--keep=5 --mem 32768 -- /usr/bin/python3 -c 'x = bytearray(100 << 20)'", NULL, 0);
    cr_assert_str_eq(status_of(j), "ML");
    json_decref(j);
    j = run_json("--keep=5 -- /bin/sh -c 'exit 3'", NULL, 0);
    cr_assert_str_eq(status_of(j), "RE");
    cr_assert_eq(json_integer_value(json_object_get(j, "exit_code")), 3);
    json_decref(j);
}

Test(sandbox_keep, box_dies_with_its_client_and_daemon_leaves_when_idle)
{
    test_need_root();
    char marker[64], script[128];
    snprintf(marker, sizeof marker, "keep-marker-%d-%ld", (int)getpid(), (long)time(NULL));
    snprintf(script, sizeof script, "sleep 60; echo %s", marker);
    /* a rendezvous of our own: a daemon started by this run, for this run */
    char dir[128];
    snprintf(dir, sizeof dir, "/run/nsjudge-test-keep-%d", (int)getpid());
    cr_assert(mkdir(dir, 0700) == 0 || errno == EEXIST);
    pid_t client = fork();
    if (client == 0) {
        setenv("NSJUDGE_KEEP_DIR", dir, 1);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 2);
        execl(bin(), bin(), "run", "--keep=1", "--", "/bin/sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    cr_assert(wait_count(marker, "sh", 1, 10), "the box's program never started");
    cr_assert_eq(count_procs(marker, "nsjudge-slotd"), 1, "no kept-slot daemon for this run");
    kill(client, SIGKILL);
    waitpid(client, NULL, 0);
    cr_assert(wait_count(marker, "sh", 0, 10), "the box outlived its killed client");
    /* idle for its --keep=1 second: the daemon goes */
    cr_assert(wait_count(marker, "nsjudge-slotd", 0, 15), "the kept-slot daemon did not leave when idle");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* The daemon dies mid-run: the client reports a sandbox failure (exit 1)
 * and does not run the program a second time by itself. */
Test(sandbox_keep, daemon_killed_mid_run_is_a_failure_not_a_rerun)
{
    test_need_root();
    char dir[128], box[160], cmd[300], marker[64];
    snprintf(dir, sizeof dir, "/run/nsjudge-test-keep2-%d", (int)getpid());
    snprintf(box, sizeof box, "%s/box", dir);
    snprintf(marker, sizeof marker, "keep-kill-%d-%ld", (int)getpid(), (long)time(NULL));
    cr_assert(mkdir(dir, 0700) == 0 || errno == EEXIST);
    cr_assert(mkdir(box, 0777) == 0 || errno == EEXIST);
    chmod(box, 0777);
    /* no shell in between: its command line would carry the marker too */
    pid_t client = fork();
    if (client == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 2);
        setenv("NSJUDGE_KEEP_DIR", dir, 1);
        execl(bin(), bin(), "run", "--keep=5", "--box", box, "--", "/bin/sh", "-c",
              "echo run >> /box/count; sleep 30", marker, (char *)NULL);
        _exit(127);
    }
    cr_assert(wait_count(marker, "sh", 1, 10), "the box's program never started");
    cr_assert(wait_count(marker, "nsjudge-slotd", 1, 5), "no daemon");
    char count[256];
    snprintf(count, sizeof count, "%s/count", box);
    struct stat cst;
    for (int i = 0; i < 100 && stat(count, &cst) < 0; i++)
        usleep(50000);
    cr_assert(stat(count, &cst) == 0, "the program never wrote %s", count);
    /* only this test's daemon: its command line carries the marker */
    DIR *d = opendir("/proc");
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[300], name[64] = "", line[4096] = "";
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (!fgets(name, sizeof name, f))
            name[0] = 0;
        fclose(f);
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        f = fopen(path, "r");
        size_t k = f ? fread(line, 1, sizeof line - 1, f) : 0;
        if (f)
            fclose(f);
        for (size_t i = 0; i < k; i++)
            if (!line[i])
                line[i] = ' ';
        if (!strcmp(name, "nsjudge-slotd\n") && strstr(line, marker))
            kill(atoi(e->d_name), SIGKILL);
    }
    closedir(d);
    int st;
    cr_assert_eq(waitpid(client, &st, 0), client);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "client ended with status 0x%x, expected exit 1", st);
    FILE *c = fopen(count, "r");
    cr_assert(c, "%s", count);
    int runs = 0;
    char l[64];
    while (fgets(l, sizeof l, c))
        runs++;
    fclose(c);
    cr_assert_eq(runs, 1, "the program ran %d times", runs);
    cr_assert(wait_count(marker, "sh", 0, 10), "the box outlived its daemon");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
