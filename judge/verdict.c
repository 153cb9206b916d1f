/* verdict.c - verdict codes and names, what a sandbox result means, and
 * the names of the feedback levels. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "judge/internal.h"

static const struct { const char *code, *name; } verdicts[] = {
    [JD_PENDING] = {"PD", "Pending"},
    [JD_AC] = {"AC", "Accepted"},
    [JD_WA] = {"WA", "Wrong Answer"},
    [JD_PE] = {"PE", "Presentation Error"},
    [JD_TLE] = {"TLE", "Time Limit Exceeded"},
    [JD_MLE] = {"MLE", "Memory Limit Exceeded"},
    [JD_RTE] = {"RTE", "Run Time Error"},
    [JD_OLE] = {"OLE", "Output Limit Exceeded"},
    [JD_CE] = {"CE", "Compilation Error"},
    [JD_JE] = {"JE", "Judging Error"},
};

const char *jd_verdict_code(jd_verdict v)
{
    return (unsigned)v <= JD_JE ? verdicts[v].code : "??";
}

const char *jd_verdict_name(jd_verdict v)
{
    return (unsigned)v <= JD_JE ? verdicts[v].name : "Unknown";
}

int jd_verdict_parse(const char *code, jd_verdict *out)
{
    if (!code)
        return -EINVAL;
    for (int v = JD_PENDING; v <= JD_JE; v++)
        if (!strcasecmp(code, verdicts[v].code) || !strcasecmp(code, verdicts[v].name)) {
            *out = (jd_verdict)v;
            return 0;
        }
    /* Other spellings seen in problem packages and other judges. */
    static const struct { const char *s; jd_verdict v; } alias[] = {
        {"accepted", JD_AC}, {"wrong_answer", JD_WA}, {"presentation_error", JD_PE},
        {"time_limit_exceeded", JD_TLE}, {"memory_limit_exceeded", JD_MLE},
        {"run_time_error", JD_RTE}, {"runtime_error", JD_RTE}, {"RE", JD_RTE},
        {"TL", JD_TLE}, {"ML", JD_MLE}, {"OL", JD_OLE},
        {"output_limit_exceeded", JD_OLE}, {"compile_error", JD_CE},
        {"compilation_error", JD_CE}, {"judge_error", JD_JE}, {"judging_error", JD_JE},
    };
    for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
        if (!strcasecmp(code, alias[i].s)) {
            *out = alias[i].v;
            return 0;
        }
    return -EINVAL;
}

jd_verdict jd_verdict_from_sb(const struct sb_result *r, char *msg, size_t msglen)
{
    switch (r->status) {
    case SB_OK:
        snprintf(msg, msglen, "%s", "");
        return JD_AC;
    case SB_RE:
        snprintf(msg, msglen, "exit code %d", r->exit_code);
        return JD_RTE;
    case SB_SG:
        snprintf(msg, msglen, "killed by signal %d (%s)", r->signal,
                 sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "?");
        return JD_RTE;
    case SB_TO:
        snprintf(msg, msglen, "%s", r->message[0] ? r->message : "time limit exceeded");
        return JD_TLE;
    case SB_ML:
        snprintf(msg, msglen, "%s", r->message[0] ? r->message : "memory limit exceeded");
        return JD_MLE;
    case SB_OL:
        snprintf(msg, msglen, "%s", r->message[0] ? r->message : "output limit exceeded");
        return JD_OLE;
    case SB_XX:
    default:
        snprintf(msg, msglen, "sandbox failure: %s", r->message);
        return JD_JE;
    }
}

/* ---- feedback levels (judge.h) ------------------------------------------ */

static const char *const feedback_names[] = {NULL, "verdict", "samples", "full"};

const char *jd_feedback_name(jd_feedback f)
{
    return f > JD_FEEDBACK_UNSET && f <= JD_FEEDBACK_FULL ? feedback_names[f] : NULL;
}

int jd_feedback_parse(const char *s, jd_feedback *out)
{
    for (int f = JD_FEEDBACK_VERDICT; s && f <= JD_FEEDBACK_FULL; f++)
        if (!strcmp(s, feedback_names[f])) {
            *out = (jd_feedback)f;
            return 0;
        }
    return -EINVAL;
}
