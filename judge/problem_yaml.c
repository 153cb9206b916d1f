/*
 * problem_yaml.c - read problem.yaml and testdata.yaml / test_group.yaml of
 * a Kattis / ICPC problem package (legacy and problem_format_version
 * 2023-07-draft / 2025-09).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "judge/internal.h"
#include "judge/number.h"


/* ---- keys the formats know ---------------------------------------------
 * From the Kattis problem package specification: legacy (and legacy-icpc),
 * 2023-07 with its drafts, 2025-09; plus nsjudge's own key. A key this
 * file reads is known in every format (it is acted on, so it is not
 * ignored). Anything else is reported with file, line and key: a misspelt
 * tme_limit must not silently leave the default in force. */
static const char *const top_legacy[] = {
    "problem_format_version", "type", "name", "uuid", "author", "source", "source_url",
    "license", "rights_owner", "limits", "validation", "validator_flags", "keywords", "grading",
    "languages", "nsjudge", NULL};
static const char *const top_modern[] = {
    "problem_format_version", "type", "name", "uuid", "version", "credits", "source", "license",
    "rights_owner", "embargo_until", "limits", "keywords", "languages", "allow_file_writing",
    "constants", "validation", "validator_flags", "nsjudge", NULL};
static const char *const limits_keys[] = {
    "time_limit", "time_multiplier", "time_safety_margin", "time_multipliers", "time_resolution",
    "memory", "output", "code", "compilation_time", "compilation_memory", "validation_time",
    "validation_memory", "validation_output", "validation_passes", NULL};
static const char *const multipliers_keys[] = {"ac_to_time_limit", "time_limit_to_tle", NULL};
/* testdata.yaml (legacy) and test_group.yaml (2023-07 on): either file
 * name may hold either set, and this file reads both */
static const char *const group_keys[] = {
    "on_reject", "grading", "grader_flags", "input_validator_flags", "output_validator_flags",
    "accept_score", "reject_score", "range", "max_score", "scoring", "input_validator_args",
    "output_validator_args", "static_validation", "full_feedback", "hint", "description", "args",
    NULL};
static const char *const scoring_keys[] = {"score", "aggregation", NULL};

static bool known(const char *const *set, const char *k)
{
    for (size_t i = 0; set[i]; i++)
        if (!strcmp(set[i], k))
            return true;
    return false;
}

/* Edit distance of a and b, or 3 when it is above 2 (all we need). */
static int near(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64 || (la > lb ? la - lb : lb - la) > 2)
        return 3;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb] > 3 ? 3 : row[lb];
}

/* The known key nearest to k, qualified ("limits.time_limit"), in buf; ""
 * when none is within two edits. Every level is searched: tme_limit at the
 * top is most likely limits.time_limit. */
static void suggest(const char *k, bool modern, bool group, char *buf, size_t len)
{
    static const struct { const char *prefix; const char *const *set; int where; } sets[] = {
        {"", top_legacy, 1}, {"", top_modern, 2}, {"limits.", limits_keys, 3},
        {"limits.time_multipliers.", multipliers_keys, 3}, {"", group_keys, 4},
        {"scoring.", scoring_keys, 4},
    };
    int best = 3;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
        int w = sets[i].where;
        if ((group && w != 4) || (!group && (w == 4 || (w == 1 && modern) || (w == 2 && !modern))))
            continue;
        for (size_t j = 0; sets[i].set[j]; j++) {
            int d = near(k, sets[i].set[j]);
            if (d < best) {
                best = d;
                snprintf(buf, len, "%s%s", sets[i].prefix, sets[i].set[j]);
            }
        }
    }
}

static void warn(struct jd_problem *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct jd_problem *p, const char *fmt, ...)
{
    if (p->n_warnings < JD_WARNINGS_MAX) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->warnings[p->n_warnings], sizeof p->warnings[0], fmt, ap);
        va_end(ap);
    }
    p->n_warnings++;
}

/* At most 64 bytes of s, cut between UTF-8 characters: the message may go
 * into a JSON answer. */
static int cut64(const char *s)
{
    int n = (int)strnlen(s, 65);
    if (n > 64)
        for (n = 64; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
            ;
    return n;
}

/* Every key of map that is not in set, as a warning naming path and line. */
static void check_keys(struct jd_problem *p, yaml_document_t *d, yaml_node_t *map,
                       const char *const *set, const char *prefix, const char *format,
                       bool modern, bool group, const char *path)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return;
    for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
        yaml_node_t *kn = yaml_document_get_node(d, kv->key);
        const char *k = jd_yaml_str(kn);
        if (!k || known(set, k))
            continue;
        char hint[96];
        suggest(k, modern, group, hint, sizeof hint);
        warn(p, "%s:%zu: unknown key '%s%.*s' (not a key of %s%s%s%s)", path,
             (size_t)kn->start_mark.line + 1, prefix, cut64(k), k, format,
             hint[0] ? "; did you mean " : "", hint, hint[0] ? "?" : "");
    }
}

size_t jd_problem_n_warnings(const struct jd_problem *p)
{
    return p->n_warnings;
}

const char *jd_problem_warning(const struct jd_problem *p, size_t i)
{
    return i < p->n_warnings && i < JD_WARNINGS_MAX ? p->warnings[i] : NULL;
}

static int bad(char *err, size_t errlen, const char *path, const char *what, const char *val)
{
    snprintf(err, errlen, "%s: bad %s%s%s%s", path, what, val ? " '" : "", val ? val : "",
             val ? "'" : "");
    return -EINVAL;
}

/* A number at prefix.key of map, in [lo, hi]: 1 read, 0 absent, -EINVAL
 * (err names the file, the line and the key). Checked before any use: a
 * memory of 1e300 MiB must not reach a (uint64_t) cast. */
static int get_num(yaml_document_t *d, yaml_node_t *map, const char *prefix, const char *key,
                   double lo, double hi, double *out, const char *path, char *err, size_t errlen)
{
    yaml_node_t *n = jd_yaml_get(d, map, key);
    if (!n)
        return 0;
    double v;
    if (jd_yaml_double(n, &v) < 0 || jd_num_real(v, lo, hi)) {
        const char *s = jd_yaml_str(n);
        /* at most 64 bytes of the value, cut between UTF-8 characters (the
         * message may go into a JSON answer) */
        int sl = s ? (int)strnlen(s, 65) : 0;
        if (sl > 64)
            for (sl = 64; sl > 0 && ((unsigned char)s[sl] & 0xc0) == 0x80; sl--)
                ;
        snprintf(err, errlen, "%s:%zu: bad %s%s%s%s%.*s%s (a number from %.15g to %.15g)", path,
                 (size_t)n->start_mark.line + 1, prefix ? prefix : "", prefix ? "." : "", key,
                 s ? " '" : "", sl, s ? s : "", s ? "'" : " (not a number)", lo, hi);
        return -EINVAL;
    }
    *out = v;
    return 1;
}

static int has_word(char *const *v, const char *w)
{
    for (size_t i = 0; v && v[i]; i++)
        if (!strcmp(v[i], w))
            return 1;
    return 0;
}

/* nsjudge: {feedback: full|samples|verdict} - our own settings; an unknown
 * key is an error, as in the service config (a typo must not fall back to
 * showing less or more than meant). */
static int parse_nsjudge(struct jd_problem *p, yaml_document_t *d, yaml_node_t *map,
                         const char *path, char *err, size_t errlen)
{
    if (!map)
        return 0;
    if (map->type != YAML_MAPPING_NODE)
        return bad(err, errlen, path, "nsjudge (must be a mapping)", NULL);
    for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
        const char *k = jd_yaml_str(yaml_document_get_node(d, kv->key));
        const char *v = jd_yaml_str(yaml_document_get_node(d, kv->value));
        if (!k || strcmp(k, "feedback"))
            return bad(err, errlen, path, "nsjudge key (known: feedback)", k);
        if (jd_feedback_parse(v, &p->feedback))
            return bad(err, errlen, path, "nsjudge.feedback (full, samples or verdict)", v);
    }
    return 0;
}

int jd_problem_parse_yaml(struct jd_problem *p, const char *path, char *err, size_t errlen)
{
    yaml_document_t doc;
    int rc = jd_yaml_load(path, &doc, err, errlen);
    if (rc < 0)
        return rc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *n;
    char **words = NULL;
    rc = 0;

    const char *ver = jd_yaml_str(jd_yaml_get(&doc, root, "problem_format_version"));
    if (!ver)
        ver = "legacy";
    if (strcmp(ver, "legacy") && strcmp(ver, "2023-07-draft") && strcmp(ver, "2023-07") &&
        strcmp(ver, "2025-09") && strcmp(ver, "draft")) {
        rc = bad(err, errlen, path, "problem_format_version (known: legacy, 2023-07-draft, 2025-09)", ver);
        goto out;
    }
    free(p->format_version);
    if (!(p->format_version = strdup(ver)))
        goto nomem;
    bool legacy = !strcmp(ver, "legacy");
    char format[64];
    snprintf(format, sizeof format, "the %s format", ver);
    check_keys(p, &doc, root, legacy ? top_legacy : top_modern, "", format, !legacy, false, path);
    if (!legacy) {
        p->time_multiplier = 2.0;
        p->time_safety_margin = 1.5;
    }

    /* name: a string, or a map from language code to name */
    n = jd_yaml_get(&doc, root, "name");
    const char *name = jd_yaml_str(n);
    if (n && n->type == YAML_MAPPING_NODE) {
        name = jd_yaml_str(jd_yaml_get(&doc, n, "en"));
        if (!name && n->data.mapping.pairs.start < n->data.mapping.pairs.top)
            name = jd_yaml_str(yaml_document_get_node(&doc, n->data.mapping.pairs.start->value));
    }
    if (name && *name) {
        free(p->name);
        if (!(p->name = strdup(name)))
            goto nomem;
    }

    /* type: pass-fail | scoring, plus interactive / multi-pass (newer formats) */
    n = jd_yaml_get(&doc, root, "type");
    if (n) {
        words = jd_yaml_strv(&doc, n);
        if (!words)
            goto nomem;
        for (size_t i = 0; words[i]; i++) {
            if (!strcmp(words[i], "scoring"))
                p->scoring = true;
            else if (!strcmp(words[i], "interactive"))
                p->interactive = true;
            else if (!strcmp(words[i], "multi-pass"))
                p->multipass = true;
            else if (strcmp(words[i], "pass-fail")) {
                rc = bad(err, errlen, path, "type", words[i]);
                goto out;
            }
        }
        jd_strv_free(words);
        words = NULL;
    }

    /* legacy validation: default | custom [interactive] [score] */
    n = jd_yaml_get(&doc, root, "validation");
    if (n) {
        words = jd_yaml_strv(&doc, n);
        if (!words)
            goto nomem;
        if (has_word(words, "interactive"))
            p->interactive = true;
        if (has_word(words, "score"))
            p->scoring = true;
        if (words[0] && strcmp(words[0], "default") && strcmp(words[0], "custom")) {
            rc = bad(err, errlen, path, "validation", words[0]);
            goto out;
        }
        jd_strv_free(words);
        words = NULL;
    }

    if ((rc = parse_nsjudge(p, &doc, jd_yaml_get(&doc, root, "nsjudge"), path, err, errlen)) < 0)
        goto out;

    /* legacy validator_flags apply to every test (testdata.yaml may override) */
    n = jd_yaml_get(&doc, root, "validator_flags");
    if (n && p->n_groups) {
        char **f = jd_yaml_strv(&doc, n);
        if (!f)
            goto nomem;
        jd_strv_free(p->groups[0].validator_flags);
        p->groups[0].validator_flags = f;
    }

    yaml_node_t *lim = jd_yaml_get(&doc, root, "limits");
    if (lim && lim->type != YAML_MAPPING_NODE) {
        rc = bad(err, errlen, path, "limits (must be a mapping)", NULL);
        goto out;
    }
    if (lim) {
        check_keys(p, &doc, lim, limits_keys, "limits.", format, !legacy, false, path);
        check_keys(p, &doc, jd_yaml_get(&doc, lim, "time_multipliers"), multipliers_keys,
                   "limits.time_multipliers.", format, !legacy, false, path);
        double v;
        int r;
        const char *L = "limits", *TM = "limits.time_multipliers";
        if ((r = get_num(&doc, lim, L, "time_limit", 0, JD_SECONDS_MAX, &v, path, err, errlen)) < 0)
            goto fail;
        if (r && v > 0) {
            p->time_limit_s = v;
            p->time_limit_given = true;
        }
        if (get_num(&doc, lim, L, "time_multiplier", 0, JD_FACTOR_MAX, &p->time_multiplier, path, err, errlen) < 0 ||
            get_num(&doc, lim, L, "time_safety_margin", 0, JD_FACTOR_MAX, &p->time_safety_margin, path, err, errlen) < 0)
            goto fail;
        yaml_node_t *tm = jd_yaml_get(&doc, lim, "time_multipliers");
        if (get_num(&doc, tm, TM, "ac_to_time_limit", 0, JD_FACTOR_MAX, &p->time_multiplier, path, err, errlen) < 0 ||
            get_num(&doc, tm, TM, "time_limit_to_tle", 0, JD_FACTOR_MAX, &p->time_safety_margin, path, err, errlen) < 0)
            goto fail;
        static const struct { const char *key; size_t off; int64_t unit; } kib[] = {
            {"memory", offsetof(struct jd_problem, mem_kib), 1024},
            {"output", offsetof(struct jd_problem, output_kib), 1024},
            {"code", offsetof(struct jd_problem, code_kib), 1},
            {"compilation_memory", offsetof(struct jd_problem, compile_mem_kib), 1024},
            {"validation_memory", offsetof(struct jd_problem, validation_mem_kib), 1024},
        };
        for (size_t i = 0; i < sizeof kib / sizeof *kib; i++) {
            /* MiB (KiB for code) within JD_KIB_MAX KiB, so v * unit cannot overflow */
            double hi = (double)(JD_KIB_MAX / kib[i].unit);
            int64_t k;
            if ((r = get_num(&doc, lim, L, kib[i].key, 0, hi, &v, path, err, errlen)) < 0)
                goto fail;
            if (!r || v == 0)
                continue;
            if (jd_num_int(v * (double)kib[i].unit, 1, JD_KIB_MAX, false, &k)) {
                /* 0 KiB would mean "no limit" */
                snprintf(err, errlen, "%s:%zu: bad limits.%s (below 1 KiB)", path,
                         (size_t)jd_yaml_get(&doc, lim, kib[i].key)->start_mark.line + 1, kib[i].key);
                goto fail;
            }
            *(uint64_t *)((char *)p + kib[i].off) = (uint64_t)k;
        }
        if ((r = get_num(&doc, lim, L, "validation_passes", 2, 100, &v, path, err, errlen)) < 0)
            goto fail;
        if (r && v != floor(v)) {
            rc = bad(err, errlen, path, "limits.validation_passes (an integer, at least 2)", NULL);
            goto out;
        }
        if (r)
            p->validation_passes = (int)v;
        if (get_num(&doc, lim, L, "compilation_time", 0, JD_SECONDS_MAX, &p->compile_time_s, path, err, errlen) < 0 ||
            get_num(&doc, lim, L, "validation_time", 0, JD_SECONDS_MAX, &p->validation_time_s, path, err, errlen) < 0)
            goto fail;
    }
    goto out;
fail:
    rc = -EINVAL;
    goto out;
nomem:
    snprintf(err, errlen, "%s: out of memory", path);
    rc = -ENOMEM;
out:
    jd_strv_free(words);
    yaml_document_delete(&doc);
    return rc;
}

int jd_group_apply_yaml(struct jd_problem *p, struct jd_group *g, const char *path,
                        char *err, size_t errlen)
{
    yaml_document_t doc;
    int rc = jd_yaml_load(path, &doc, err, errlen);
    if (rc < 0)
        return rc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *n;
    char **words = NULL;
    rc = 0;
    check_keys(p, &doc, root, group_keys, "", "a test data group in any format", false, true, path);
    check_keys(p, &doc, jd_yaml_get(&doc, root, "scoring"), scoring_keys, "scoring.",
               "a test data group in any format", false, true, path);

    const char *s = jd_yaml_str(jd_yaml_get(&doc, root, "on_reject"));
    if (s) {
        if (!strcmp(s, "continue"))
            g->on_reject_continue = true;
        else if (!strcmp(s, "break"))
            g->on_reject_continue = false;
        else {
            rc = bad(err, errlen, path, "on_reject (break or continue)", s);
            goto out;
        }
    }
    s = jd_yaml_str(jd_yaml_get(&doc, root, "grading"));
    if (s && strcmp(s, "default")) {
        snprintf(err, errlen, "%s: grading '%s' is not supported (only default)", path, s);
        rc = -ENOTSUP;
        goto out;
    }
    if ((n = jd_yaml_get(&doc, root, "grader_flags"))) {
        if (!(words = jd_yaml_strv(&doc, n)))
            goto nomem;
        for (size_t i = 0; words[i]; i++) {
            if (!strcmp(words[i], "min"))
                g->aggregation_min = true;
            else if (!strcmp(words[i], "sum"))
                g->aggregation_min = false;
            else if (!strcmp(words[i], "accept_if_any_accepted"))
                g->accept_if_any = true;
            else if (!strcmp(words[i], "ignore_sample"))
                g->ignore_sample = true;
            else if (strcmp(words[i], "first_error") && strcmp(words[i], "worst_error") &&
                     strcmp(words[i], "always_accept")) {
                rc = bad(err, errlen, path, "grader_flags word", words[i]);
                goto out;
            }
        }
    }
    int r;
    if (get_num(&doc, root, NULL, "accept_score", 0, JD_SCORE_MAX, &g->accept_score, path, err, errlen) < 0 ||
        get_num(&doc, root, NULL, "reject_score", 0, JD_SCORE_MAX, &g->reject_score, path, err, errlen) < 0)
        goto fail;
    /* newer formats: scoring: {score: N | unbounded, aggregation: sum | min} */
    yaml_node_t *sc = jd_yaml_get(&doc, root, "scoring");
    if (sc) {
        const char *agg = jd_yaml_str(jd_yaml_get(&doc, sc, "aggregation"));
        if (agg && !strcmp(agg, "min"))
            g->aggregation_min = true;
        else if (agg && !strcmp(agg, "sum"))
            g->aggregation_min = false;
        else if (agg) {
            rc = bad(err, errlen, path, "scoring.aggregation (sum or min)", agg);
            goto out;
        }
        const char *sv = jd_yaml_str(jd_yaml_get(&doc, sc, "score"));
        if (sv && strcmp(sv, "unbounded")) {
            if (get_num(&doc, sc, "scoring", "score", 0, JD_SCORE_MAX, &g->max_score, path, err, errlen) < 0)
                goto fail;
            g->has_max_score = true;
        }
    }
    if ((s = jd_yaml_str(jd_yaml_get(&doc, root, "range")))) {
        /* two numbers; -inf and inf are the format's own defaults, NaN is no bound */
        char *end;
        g->range_lo = strtod(s, &end);
        char *mid = end;
        g->range_hi = strtod(mid, &end);
        while (*end == ' ')
            end++;
        if (mid == s || end == mid || *end || isnan(g->range_lo) || isnan(g->range_hi) ||
            g->range_lo > g->range_hi) {
            rc = bad(err, errlen, path, "range (two numbers: min max)", s);
            goto out;
        }
        g->has_range = true;
    }
    if ((r = get_num(&doc, root, NULL, "max_score", 0, JD_SCORE_MAX, &g->max_score, path, err, errlen)) < 0)
        goto fail;
    if (r)
        g->has_max_score = true;
    n = jd_yaml_get(&doc, root, "output_validator_flags");
    if (!n)
        n = jd_yaml_get(&doc, root, "output_validator_args");
    if (n) {
        char **f = jd_yaml_strv(&doc, n);
        if (!f)
            goto nomem;
        jd_strv_free(g->validator_flags);
        g->validator_flags = f;
    }
    if ((n = jd_yaml_get(&doc, root, "input_validator_flags")) ||
        (n = jd_yaml_get(&doc, root, "input_validator_args"))) {
        char **f = jd_yaml_strv(&doc, n);
        if (!f)
            goto nomem;
        jd_strv_free(g->input_flags);
        g->input_flags = f;
    }
    goto out;
fail:
    rc = -EINVAL;
    goto out;
nomem:
    snprintf(err, errlen, "%s: out of memory", path);
    rc = -ENOMEM;
out:
    jd_strv_free(words);
    yaml_document_delete(&doc);
    return rc;
}
