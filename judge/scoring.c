/*
 * scoring.c - from per-test results to a verdict and a score, group by
 * group (Kattis default grader):
 *   - a test scores accept_score (default 1) when accepted, or what its
 *     validator wrote to score.txt; reject_score (default 0) otherwise;
 *   - a group aggregates its children by sum (default) or min; with a
 *     declared score (scoring: {score: N}) it is scaled to N; a range
 *     (testdata.yaml range: "min max") clamps it;
 *   - a group's verdict is its first rejection (first_error), or AC with
 *     accept_if_any_accepted when any child was accepted;
 *   - on_reject: break (default for pass-fail) stops judging a group at its
 *     first rejection; continue (default for scoring) judges everything;
 *   - sample tests count for the verdict but not for the score;
 *   - pass-fail problems score 1 when accepted, else 0 (out of 1).
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include "judge/internal.h"

static bool is_ancestor(const struct jd_problem *p, size_t anc, size_t g)
{
    for (long x = (long)g; x >= 0; x = p->groups[x].parent)
        if ((size_t)x == anc)
            return true;
    return false;
}

/* Does a rejection of test j stop test i (j before i)? Yes when some group
 * holding both breaks on a rejection. */
static bool stops(const struct jd_problem *p, size_t j, size_t i)
{
    for (long x = (long)p->tests[j].group; x >= 0; x = p->groups[x].parent)
        if (is_ancestor(p, (size_t)x, p->tests[i].group) && !p->groups[x].on_reject_continue)
            return true;
    return false;
}

static bool rejected(jd_verdict v)
{
    return v != JD_AC && v != JD_PENDING;
}

void jd_tests_needed(const struct jd_problem *p, const struct jd_test_result *results,
                     bool run_all, bool *needed)
{
    for (size_t i = 0; i < p->n_tests; i++) {
        needed[i] = true;
        for (size_t j = 0; j < i && !run_all; j++)
            if (needed[j] && rejected(results[j].verdict) && stops(p, j, i)) {
                needed[i] = false;
                break;
            }
    }
}

double jd_test_score(const struct jd_problem *p, size_t i, const struct jd_test_result *r)
{
    const struct jd_group *g = &p->groups[p->tests[i].group];
    if (r->verdict == JD_AC)
        return isnan(r->score) ? g->accept_score : r->score;
    return g->reject_score;
}

struct agg { jd_verdict verdict; double score, max; bool any; };

static struct agg group_score(const struct jd_problem *p, size_t gi,
                              const struct jd_test_result *results, const bool *needed)
{
    const struct jd_group *g = &p->groups[gi];
    struct agg a = {JD_AC, 0, 0, false};
    bool any_ac = false, first = true;
    for (size_t k = 0; k < g->n_children; k++) {
        const struct jd_child *c = &g->children[k];
        struct agg ch;
        bool counts = true;
        if (c->is_group) {
            ch = group_score(p, c->index, results, needed);
            if (gi == 0 && p->groups[c->index].is_sample && (p->n_groups > 1))
                counts = false;   /* samples: verdict only */
            if (!ch.any)
                continue;
        } else {
            const struct jd_test_result *r = &results[c->index];
            ch.verdict = needed[c->index] ? r->verdict : JD_PENDING;
            ch.max = g->accept_score;
            ch.score = ch.verdict == JD_AC ? jd_test_score(p, c->index, r) : g->reject_score;
            ch.any = true;
        }
        if (ch.verdict == JD_AC)
            any_ac = true;
        if (rejected(ch.verdict) && a.verdict == JD_AC)
            a.verdict = ch.verdict;
        a.any = true;
        if (!counts)
            continue;
        if (g->aggregation_min) {
            a.score = first ? ch.score : fmin(a.score, ch.score);
            a.max = first ? ch.max : fmin(a.max, ch.max);
        } else {
            a.score += ch.score;
            a.max += ch.max;
        }
        first = false;
    }
    if (g->accept_if_any && any_ac)
        a.verdict = JD_AC;
    if (g->has_max_score) {
        a.score = a.max > 0 ? g->max_score * a.score / a.max : (a.verdict == JD_AC ? g->max_score : 0);
        a.max = g->max_score;
    }
    if (g->has_range) {
        a.score = fmax(g->range_lo, fmin(g->range_hi, a.score));
        a.max = fmax(g->range_lo, fmin(g->range_hi, a.max));
    }
    return a;
}

void jd_score(const struct jd_problem *p, const struct jd_test_result *results,
              bool run_all, struct jd_report *rep)
{
    bool needed[p->n_tests ? p->n_tests : 1];
    jd_tests_needed(p, results, run_all, needed);
    struct agg a = group_score(p, 0, results, needed);
    rep->verdict = a.verdict;
    rep->score = a.score;
    rep->max_score = a.max;
    if (!p->scoring) {
        /* pass-fail: all or nothing */
        rep->score = a.verdict == JD_AC ? 1 : 0;
        rep->max_score = 1;
    }
}
