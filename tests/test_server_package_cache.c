/* test_package_cache.c - a node's copies of packages from the store
 * (server/service/problem_archive.c: pkg_fetch, pkg_cache_prune): fetched once,
 * checked against their hash, held while judged, least recently used
 * pruned first. A real SQLite store and real archives (tar). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "server/service/app.h"
#include "server/service/problem_archive.h"

static char dir[] = "/tmp/nsjudge-test-pkgcache-XXXXXX";
static struct app app;

static void setup(void)
{
    strcpy(dir, "/tmp/nsjudge-test-pkgcache-XXXXXX");
    cr_assert(mkdtemp(dir));
    memset(&app, 0, sizeof app);
    config_defaults(&app.cfg);
    free(app.cfg.data_dir);
    app.cfg.data_dir = strdup(dir);
    char err[256], db[400];
    snprintf(db, sizeof db, "%s/nsjudge.db", dir);
    cr_assert_eq(store_sqlite_open(db, &app.store, err, sizeof err), 0, "%s", err);
}

static void teardown(void)
{
    app.store->ops->close(app.store);
    config_free(&app.cfg);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    (void)!system(cmd);
}

/* a tar of one package "p<i>", in the store; its hash in sha */
static void put_package(int i, char sha[65])
{
    char cmd[600], path[400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/src/p%d/data/sample' && echo 'name: P%d' > '%s/src/p%d/problem.yaml'"
             " && tar -C '%s/src' -cf '%s/p%d.tar' p%d", dir, i, i, dir, i, dir, dir, i, i);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/p%d.tar", dir, i);
    FILE *f = fopen(path, "rb");
    cr_assert(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    jd_sha256_hex(buf, n, sha);
    cr_assert_eq(strlen(sha), 64);
    cr_assert_eq(app.store->ops->blob_put(app.store, sha, buf, n), 0);
}

Test(package_cache, fetched_once_held_and_pruned_least_recent_first, .init = setup, .fini = teardown)
{
    char sha[3][65], err[256], *root;
    int hold[3];
    for (int i = 0; i < 3; i++) {
        put_package(i, sha[i]);
        cr_assert_eq(pkg_fetch(&app, sha[i], &root, &hold[i], err, sizeof err), 0, "%s", err);
        char want[600];
        snprintf(want, sizeof want, "%s/problems/sha256/%s/p%d", dir, sha[i], i);
        cr_assert_str_eq(root, want, "the package root inside the archive");
        free(root);
        cr_assert_geq(hold[i], 0);
        sleep(1); /* distinct use times */
    }
    /* held: nothing goes */
    cr_assert_eq(pkg_cache_prune(&app, 0), 0);
    pkg_release(hold[0]);
    pkg_release(hold[2]);
    /* keep 1: package 0 (oldest, free) goes; 1 is held; 2 is the newest */
    cr_assert_eq(pkg_cache_prune(&app, 1), 1);
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/problems/sha256/%s", dir, sha[0]);
    cr_assert_neq(stat(p, &st), 0);
    snprintf(p, sizeof p, "%s/problems/sha256/%s", dir, sha[1]);
    cr_assert_eq(stat(p, &st), 0, "a held package stays");
    pkg_release(hold[1]);
    /* a pruned package is fetched again from the store */
    cr_assert_eq(pkg_fetch(&app, sha[0], &root, &hold[0], err, sizeof err), 0, "%s", err);
    free(root);
    pkg_release(hold[0]);

    /* a blob that does not match its name is refused, a bad name too */
    char bogus[65];
    memset(bogus, 'a', 64);
    bogus[64] = 0;
    cr_assert_eq(app.store->ops->blob_put(app.store, bogus, "not a tar", 9), 0);
    cr_assert_eq(pkg_fetch(&app, bogus, &root, &hold[0], err, sizeof err), -EIO);
    cr_assert(strstr(err, "does not match its hash"), "%s", err);
    cr_assert_eq(pkg_fetch(&app, "../../etc", &root, &hold[0], err, sizeof err), -EINVAL);
    cr_assert_eq(pkg_fetch(&app, "bbbb", &root, &hold[0], err, sizeof err), -EINVAL);
}
