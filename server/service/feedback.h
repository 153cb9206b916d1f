/*
 * feedback.h - the one place that decides what a reader of a result sees of
 * a problem's secret tests. Results are stored whole (the jury may ask for
 * everything later); every renderer (routes, wait=true, callbacks) passes a
 * stored submission through feedback_redact() before showing it.
 */
#ifndef NSJUDGE_SERVER_FEEDBACK_H
#define NSJUDGE_SERVER_FEEDBACK_H

#include <stdbool.h>
#include <jansson.h>
#include "judge/judge.h"
#include "server/service/config.h"
#include "server/service/store.h"

/* Who reads, and what they asked for (?feedback=). */
struct fb_view {
    jd_feedback asked;   /* UNSET: the policy */
    bool jury;           /* a valid X-Auth-User: asked is granted as is */
};

/* A submission as its reader may see it. s borrows the stored
 * submission's buffers except message (owned here); tests is the list of
 * per-test objects left to show, in the stored shape (keys starting with
 * '_' are the server's own and never rendered), or NULL when the
 * submission has none. */
struct fb_redacted {
    struct submission s;
    json_t *tests;
    char *message;
};

/* The level secret tests of a problem are shown at: the problem's choice
 * (recorded with each test at judging time) or else cfg->feedback; a
 * reader may ask for less, and only the jury for more. */
jd_feedback feedback_level(const struct config *cfg, jd_feedback problem, struct fb_view v);

/* Fills out from s for view v. Single runs (no problem) are shown whole:
 * their input is the submitter's own. 0, or -ENOMEM. */
int feedback_redact(const struct config *cfg, const struct submission *s, struct fb_view v,
                    struct fb_redacted *out);
void feedback_redacted_clear(struct fb_redacted *r);

#endif
