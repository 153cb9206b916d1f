/* problem_info.c - read-only description of a loaded problem for those who
 * show it (GET /problems/ID): limits, type and its test groups. */
#include "judge/internal.h"

uint64_t jd_problem_mem_limit_kib(const struct jd_problem *p) { return p->mem_kib; }
uint64_t jd_problem_output_limit_kib(const struct jd_problem *p) { return p->output_kib; }
bool jd_problem_is_multipass(const struct jd_problem *p) { return p->multipass; }
const char *jd_problem_format_version(const struct jd_problem *p) { return p->format_version; }

size_t jd_problem_group_count(const struct jd_problem *p)
{
    return p->n_groups;
}

/* Tests in group g and every group below it. Groups are created before
 * their subgroups, so a subgroup's index is always greater than its parent's. */
static size_t tests_below(const struct jd_problem *p, size_t g)
{
    size_t n = 0;
    for (size_t t = 0; t < p->n_tests; t++)
        for (long a = (long)p->tests[t].group; a >= 0; a = p->groups[a].parent)
            if ((size_t)a == g) {
                n++;
                break;
            }
    return n;
}

int jd_problem_group(const struct jd_problem *p, size_t i, struct jd_group_info *out)
{
    if (i >= p->n_groups)
        return -1;
    const struct jd_group *g = &p->groups[i];
    out->name = g->name;
    out->sample = g->is_sample;
    out->tests = tests_below(p, i);
    out->aggregation_min = g->aggregation_min;
    out->has_max_score = g->has_max_score;
    out->max_score = g->max_score;
    return 0;
}
