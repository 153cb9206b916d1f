/* test_server_store.c - the SQLite store as a queue: no job is claimed
 * twice by concurrent claimers with their own connections (as separate
 * processes would), leases expire, a stale owner cannot overwrite. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "server/store.h"

static char dbdir[] = "/tmp/nsjudge-test-store-XXXXXX";
static char dbpath[300];

static void setup(void)
{
    strcpy(dbdir, "/tmp/nsjudge-test-store-XXXXXX");
    cr_assert(mkdtemp(dbdir));
    snprintf(dbpath, sizeof dbpath, "%s/nsjudge.db", dbdir);
}

static void teardown(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dbdir);
    (void)!system(cmd);
}

static struct store *open_store(void)
{
    struct store *s;
    char err[256];
    cr_assert_eq(store_sqlite_open(dbpath, &s, err, sizeof err), 0, "%s", err);
    return s;
}

static void add(struct store *s, int i)
{
    struct submission sub;
    char err[256];
    submission_init(&sub);
    snprintf(sub.token, sizeof sub.token, "tok-%05d", i);
    sub.language_id = 50;
    sub.source_code.p = strdup("int main(){}");
    sub.source_code.n = strlen(sub.source_code.p);
    cr_assert_eq(s->ops->insert(s, &sub, err, sizeof err), 0, "%s", err);
    submission_clear(&sub);
}

#define JOBS 300
#define CLAIMERS 4
static int claimed[JOBS];
static pthread_mutex_t claimed_mu = PTHREAD_MUTEX_INITIALIZER;

static void *claimer(void *arg)
{
    char owner[32];
    snprintf(owner, sizeof owner, "test:%ld:1", (long)(intptr_t)arg);
    struct store *s = open_store();
    for (;;) {
        struct submission sub;
        int rc = s->ops->claim(s, owner, 60, &sub);
        if (rc == -ENOENT)
            break;
        if (rc == -EBUSY)
            continue;
        cr_assert_eq(rc, 0);
        int i = atoi(sub.token + 4);
        pthread_mutex_lock(&claimed_mu);
        claimed[i]++;
        pthread_mutex_unlock(&claimed_mu);
        sub.status_id = 3;
        store_now_iso(sub.finished_at);
        cr_assert_eq(s->ops->finish(s, &sub, owner), 0);
        submission_clear(&sub);
    }
    s->ops->close(s);
    return NULL;
}

Test(server_store, concurrent_claimers_never_share_a_job, .init = setup, .fini = teardown, .timeout = 60)
{
    struct store *s = open_store();
    for (int i = 0; i < JOBS; i++)
        add(s, i);
    long n;
    cr_assert_eq(s->ops->count_status(s, 1, &n), 0);
    cr_assert_eq(n, JOBS);
    pthread_t th[CLAIMERS];
    for (long i = 0; i < CLAIMERS; i++)
        pthread_create(&th[i], NULL, claimer, (void *)(intptr_t)i);
    for (int i = 0; i < CLAIMERS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < JOBS; i++)
        cr_assert_eq(claimed[i], 1, "job %d claimed %d times", i, claimed[i]);
    cr_assert_eq(s->ops->count_status(s, 3, &n), 0);
    cr_assert_eq(n, JOBS);
    s->ops->close(s);
}

Test(server_store, lease_expiry_requeues_and_stale_owner_loses, .init = setup, .fini = teardown, .timeout = 30)
{
    struct store *s = open_store();
    add(s, 1);
    struct submission sub;
    cr_assert_eq(s->ops->claim(s, "hostA:1:1", 0.05, &sub), 0);
    cr_assert_eq(sub.status_id, 2);
    cr_assert_eq(sub.attempts, 1);
    usleep(150000);
    long n = 0;
    cr_assert_eq(s->ops->requeue(s, NULL, &n), 0);
    cr_assert_eq(n, 1, "the expired lease puts the job back");
    struct submission again;
    cr_assert_eq(s->ops->claim(s, "hostB:2:2", 60, &again), 0);
    cr_assert_eq(again.attempts, 2);
    /* the first owner wakes up late: its result must not land */
    sub.status_id = 4;
    store_now_iso(sub.finished_at);
    cr_assert_eq(s->ops->finish(s, &sub, "hostA:1:1"), -ESTALE);
    /* renewing keeps a live owner's job */
    cr_assert_eq(s->ops->renew(s, "hostB:2:2", 60), 0);
    cr_assert_eq(s->ops->requeue(s, NULL, &n), 0);
    cr_assert_eq(n, 0);
    again.status_id = 3;
    store_now_iso(again.finished_at);
    cr_assert_eq(s->ops->finish(s, &again, "hostB:2:2"), 0);
    struct submission got;
    cr_assert_eq(s->ops->get(s, "tok-00001", &got), 0);
    cr_assert_eq(got.status_id, 3);
    submission_clear(&got);
    submission_clear(&sub);
    submission_clear(&again);
    cr_assert_eq(s->ops->claim(s, "hostB:2:2", 60, &got), -ENOENT);
    s->ops->close(s);
}

Test(server_store, survives_reopen_and_keeps_bytes, .init = setup, .fini = teardown)
{
    struct store *s = open_store();
    struct submission sub;
    char err[256];
    submission_init(&sub);
    snprintf(sub.token, sizeof sub.token, "bin");
    sub.source_code.p = malloc(4);
    memcpy(sub.source_code.p, "a\0b\xff", 4);
    sub.source_code.n = 4;
    cr_assert_eq(s->ops->insert(s, &sub, err, sizeof err), 0, "%s", err);
    submission_clear(&sub);
    s->ops->close(s);
    s = open_store();
    cr_assert_eq(s->ops->get(s, "bin", &sub), 0);
    cr_assert_eq(sub.source_code.n, 4);
    cr_assert_eq(memcmp(sub.source_code.p, "a\0b\xff", 4), 0);
    cr_assert_null(sub.stdin_data.p, "unset fields stay null");
    cr_assert_eq(sub.memory, -1);
    submission_clear(&sub);
    cr_assert_eq(s->ops->get(s, "nope", &sub), -ENOENT);
    s->ops->close(s);
}
