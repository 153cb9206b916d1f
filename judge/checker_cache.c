/*
 * checker_cache.c - a problem's validator (and, for a Polygon interactive
 * problem, the checker run after its interactor) is built once, on first
 * use, and kept (with a copy of its language) until the problem is freed,
 * so judging many submissions does not rebuild it each time. A validator
 * that does not compile is remembered as such too. Builds go through the
 * on-disk cache (build_cache.c) when the problem was loaded with one.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "judge/internal.h"

struct jd_checker_cache {
    pthread_mutex_t lock;
    bool tried;
    int rc;
    char msg[JD_MSG_MAX];
    char *dir;
    struct jd_lang lang;
    struct jd_program prog;
};

int jd_checker_cache_new(struct jd_checker_cache **out)
{
    struct jd_checker_cache *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return 0;
}

void jd_checker_cache_free(struct jd_checker_cache *c)
{
    if (!c)
        return;
    jd_program_free(&c->prog);
    jd_lang_clear(&c->lang);
    if (c->dir) {
        sb_rm_rf(c->dir);
        free(c->dir);
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static int build(struct jd_checker_cache *c, const struct jd_problem *p, const char *path,
                 const struct jd_langs *langs, struct sb_slot *slot)
{
    char err[JD_MSG_MAX];
    const struct jd_lang *l = jd_detect_lang(langs, path);
    if (!l) {
        snprintf(c->msg, sizeof c->msg, "%s: no language found for this validator", path);
        return -EINVAL;
    }
    if (!l->available) {
        snprintf(c->msg, sizeof c->msg, "%s: %s is not installed on this host", path, l->id);
        return -ENOENT;
    }
    int rc = jd_lang_copy(&c->lang, l);
    if (rc == 0)
        rc = jd_mkdtemp(p->scratch_dir, "nsjudge-checker", &c->dir);
    if (rc < 0) {
        snprintf(c->msg, sizeof c->msg, "preparing the validator: %s", strerror(-rc));
        return rc;
    }
    chmod(c->dir, 0755);
    c->lang.compile_limits = c->lang.validator_compile_limits;
    bool ok;
    char *out = NULL;
    size_t outlen;
    rc = jd_build_cached(slot, &c->lang, path, c->dir, "checker", p->build_cache_dir, &c->prog, &ok,
                         &out, &outlen, err, sizeof err);
    if (rc < 0) {
        snprintf(c->msg, sizeof c->msg, "building the validator %.200s: %.280s", path, err);
        return rc;
    }
    if (!ok) {
        char line[320];
        sb_first_line(out, 300, line, sizeof line);
        snprintf(c->msg, sizeof c->msg, "the validator %s does not compile: %s", path, line);
        jd_program_free(&c->prog);
        free(out);
        return -EINVAL;
    }
    free(out);
    return 0;
}

static int get_built(struct jd_checker_cache *c, const struct jd_problem *p, const char *path,
                     const struct jd_langs *langs, struct sb_slot *slot,
                     const struct jd_program **out, char *msg, size_t msglen)
{
    *out = NULL;
    if (!path)
        return 0;
    pthread_mutex_lock(&c->lock);
    if (!c->tried) {
        struct jd_langs *builtin = NULL;
        if (!langs) {
            c->rc = jd_langs_builtin(&builtin, c->msg, sizeof c->msg);
            langs = builtin;
        }
        if (c->rc == 0)
            c->rc = build(c, p, path, langs, slot);
        jd_langs_free(builtin);
        /* a sandbox failure may pass; a validator that does not compile stays broken */
        c->tried = c->rc == 0 || c->rc == -EINVAL || c->rc == -ENOENT;
    }
    int rc = c->rc;
    snprintf(msg, msglen, "%s", c->msg);
    if (rc == 0)
        *out = &c->prog;
    if (!c->tried) {
        jd_program_free(&c->prog);
        jd_lang_clear(&c->lang);
        if (c->dir) {
            sb_rm_rf(c->dir);
            free(c->dir);
            c->dir = NULL;
        }
        c->rc = 0;
        c->msg[0] = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int jd_checker_get(const struct jd_problem *p, const struct jd_langs *langs, struct sb_slot *slot,
                   const struct jd_program **out, char *msg, size_t msglen)
{
    return get_built(p->cache, p, p->checker_path, langs, slot, out, msg, msglen);
}

int jd_post_checker_get(const struct jd_problem *p, const struct jd_langs *langs,
                        struct sb_slot *slot, const struct jd_program **out, char *msg,
                        size_t msglen)
{
    return get_built(p->post_cache, p, p->post_checker_path, langs, slot, out, msg, msglen);
}
