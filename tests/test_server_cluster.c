/* test_server_cluster.c - nodes that share nothing but a PostgreSQL store
 * (the server make test starts, NSJUDGE_TEST_PG): an API node without
 * workers and a worker node with its own data dir. The API node learns of
 * results through the store (wait=true), the worker judges a problem
 * uploaded to the API node, and a server directory registered there, from
 * the store's copies of their packages. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libpq-fe.h>
#include "tests/test_server.h"

static char db[64], conninfo[600];

static void pg_admin(const char *sql)
{
    const char *base = getenv("NSJUDGE_TEST_PG");
    cr_assert(base && *base, "NSJUDGE_TEST_PG is not set: run through `make test` "
                             "(scripts/with-pg-test-server.sh)");
    PGconn *c = PQconnectdb(base);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static void fresh_db(void)
{
    char sql[160];
    snprintf(db, sizeof db, "nsjudge_cluster_%ld_%ld", (long)getpid(), (long)time(NULL));
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    pg_admin(sql);
    snprintf(conninfo, sizeof conninfo, "%s dbname=%s", getenv("NSJUDGE_TEST_PG"), db);
}

static void drop_db(void)
{
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
    pg_admin(sql);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/* "sum": one sample and two secret tests, as a .tgz in dir */
static char *make_package(const char *dir, size_t *len)
{
    char p[600];
    snprintf(p, sizeof p, "mkdir -p '%s/pkg/sum/data/sample' '%s/pkg/sum/data/secret'", dir, dir);
    cr_assert_eq(system(p), 0);
    snprintf(p, sizeof p, "%s/pkg/sum/problem.yaml", dir);
    write_file(p, "name: Sum\n");
    const char *in[] = {"1 2\n", "5 6\n", "100 23\n"}, *ans[] = {"3\n", "11\n", "123\n"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/pkg/sum/data/%s/%d.in", dir, i ? "secret" : "sample", i);
        write_file(p, in[i]);
        snprintf(p, sizeof p, "%s/pkg/sum/data/%s/%d.ans", dir, i ? "secret" : "sample", i);
        write_file(p, ans[i]);
    }
    snprintf(p, sizeof p, "tar -C '%s/pkg' -czf '%s/sum.tgz' sum", dir, dir);
    cr_assert_eq(system(p), 0);
    snprintf(p, sizeof p, "%s/sum.tgz", dir);
    FILE *f = fopen(p, "rb");
    cr_assert(f);
    char *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static int count_cached_packages(const char *data_dir)
{
    char p[600];
    snprintf(p, sizeof p, "%s/data/problems/sha256", data_dir);
    DIR *d = opendir(p);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strlen(e->d_name) == 64;
    closedir(d);
    return n;
}

Test(server_cluster, api_node_and_worker_node_share_only_the_store, .timeout = 240)
{
    fresh_db();
    char extra[900];
    snprintf(extra, sizeof extra, "\"store\": \"%s\", \"problem_dirs\": [\"/tmp\"]", conninfo);
    struct srv api, worker;
    srv_start(&api, 0, extra);
    srv_start(&worker, 1, extra);

    /* a single run posted to the API node, judged by the other node */
    json_t *b = json_pack("{s:i, s:s, s:s}", "language_id", 71, "source_code",
                          "print(input()[::-1])", "stdin", "olleh");
    char *body = json_dumps(b, 0);
    struct hresp r = http(&api, "POST", "/submissions?wait=true", body, strlen(body),
                          (const char *[]){"Content-Type: application/json", NULL});
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "stdout"), "hello\n", "%s", r.body);
    hresp_free(&r);
    free(body);
    json_decref(b);

    /* the API node, with no workers of its own, sees the worker node's */
    r = http(&api, "GET", "/healthz", NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    json_t *nodes = json_object_get(r.json, "nodes");
    cr_assert_eq(json_array_size(nodes), 1, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(nodes, 0), "total")), 1, "%s", r.body);
    cr_assert(json_real_value(json_object_get(json_array_get(nodes, 0), "heartbeat_age_s")) < 15, "%s",
              r.body);
    hresp_free(&r);

    /* a problem uploaded to the API node */
    size_t len;
    char *tgz = make_package(api.dir, &len);
    r = http(&api, "POST", "/problems?id=sum", tgz, len,
             (const char *[]){"Content-Type: application/gzip", NULL});
    cr_assert_eq(r.code, 201, "%s", r.body);
    hresp_free(&r);
    free(tgz);
    cr_assert_eq(count_cached_packages(worker.dir), 0);
    b = json_pack("{s:i, s:s, s:s}", "language_id", 71, "source_code",
                  "a, b = map(int, input().split())\nprint(a + b)\n", "problem_id", "sum");
    body = json_dumps(b, 0);
    r = http(&api, "POST", "/submissions?wait=true&fields=*,verdict,tests", body, strlen(body),
             (const char *[]){"Content-Type: application/json", NULL});
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "verdict"), "AC", "%s", r.body);
    cr_assert_eq(json_array_size(json_object_get(r.json, "tests")), 3, "%s", r.body);
    hresp_free(&r);
    free(body);
    json_decref(b);
    cr_assert_eq(count_cached_packages(worker.dir), 1, "the worker fetched the package from the store");

    /* a server directory only this host can read is copied into the store */
    char pj[700];
    snprintf(pj, sizeof pj, "{\"id\": \"local\", \"path\": \"%s/pkg/sum\"}", api.dir);
    r = http(&api, "POST", "/problems", pj, strlen(pj),
             (const char *[]){"Content-Type: application/json", NULL});
    cr_assert_eq(r.code, 201, "%s", r.body);
    hresp_free(&r);
    b = json_pack("{s:i, s:s, s:s}", "language_id", 71, "source_code",
                  "a, b = map(int, input().split())\nprint(a + b + 1)\n", "problem_id", "local");
    body = json_dumps(b, 0);
    r = http(&api, "POST", "/submissions?wait=true&fields=*,verdict", body, strlen(body),
             (const char *[]){"Content-Type: application/json", NULL});
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "verdict"), "WA", "%s", r.body);
    hresp_free(&r);
    free(body);
    json_decref(b);
    cr_assert_eq(count_cached_packages(worker.dir), 2, "the directory's copy came from the store");
    /* what cannot be copied is refused with the reason */
    char cmd[800];
    snprintf(cmd, sizeof cmd, "ln -s /etc/passwd '%s/pkg/sum/notes.txt'", api.dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(pj, sizeof pj, "{\"id\": \"linked\", \"path\": \"%s/pkg/sum\"}", api.dir);
    r = http(&api, "POST", "/problems", pj, strlen(pj),
             (const char *[]){"Content-Type: application/json", NULL});
    cr_assert_eq(r.code, 422, "%s", r.body);
    cr_assert(strstr(r.body, "symbolic links cannot be copied"), "%s", r.body);
    hresp_free(&r);

    srv_stop(&worker);
    srv_stop(&api);
    srv_cleanup(&worker);
    srv_cleanup(&api);
    drop_db();
}

/* --store on the command line: a URL of no known kind stops the start
 * with a message saying what is accepted; the flag wins over the config. */
Test(server_cluster, store_flag, .timeout = 60)
{
    const char *bin = getenv("NSJUDGE_BIN");
    cr_assert(bin, "NSJUDGE_BIN is not set");
    char cmd[1200], out[4096] = "";
    snprintf(cmd, sizeof cmd, "'%s' worker --store mysql://db/x --data-dir /tmp/nsjudge-test-storeflag-%d 2>&1",
             bin, (int)getpid());
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    int st = pclose(p);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %d: %s", st, out);
    cr_assert(strstr(out, "not a store URL") && strstr(out, "sqlite:PATH"), "%s", out);
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/nsjudge-test-storeflag-%d", (int)getpid());
    (void)!system(cmd);
}

/* A job that runs longer than its lease keeps it: the keeper renews the
 * lease of each job being judged (renew_job), so it is neither put back
 * nor judged twice. */
Test(server_lease, job_longer_than_its_lease_is_judged_once, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    /* the helper's config says lease_s 30: a restart with 1 */
    srv_stop(&s);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "sed -i 's/\"lease_s\": 30/\"lease_s\": 1/' '%s' && grep -q '\"lease_s\": 1' '%s'"
             " && : > '%s'", s.cfg, s.cfg, s.log);
    cr_assert_eq(system(cmd), 0);
    srv_restart(&s);
    json_t *b = json_pack("{s:i, s:s}", "language_id", 71, "source_code",
                          "import time\ntime.sleep(3)\nprint('slept')\n");
    char *body = json_dumps(b, 0);
    struct hresp r = http(&s, "POST", "/submissions?wait=true", body, strlen(body),
                          (const char *[]){"Content-Type: application/json", NULL});
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "stdout"), "slept\n", "%s", r.body);
    hresp_free(&r);
    free(body);
    json_decref(b);
    FILE *f = fopen(s.log, "r");
    cr_assert(f);
    char line[4096];
    int jobs = 0, requeued = 0, dropped = 0;
    while (fgets(line, sizeof line, f)) {
        jobs += strstr(line, "event=job ") != NULL;
        requeued += strstr(line, "event=requeued") != NULL;
        dropped += strstr(line, "event=job_result_dropped") != NULL;
    }
    fclose(f);
    cr_assert_eq(jobs, 1, "judged once (see %s)", s.log);
    cr_assert_eq(requeued, 0, "never put back (see %s)", s.log);
    cr_assert_eq(dropped, 0);
    srv_stop(&s);
    srv_cleanup(&s);
}
