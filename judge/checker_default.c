/*
 * checker_default.c - the Kattis default output validator: compare team
 * output with the judge answer token by token.
 *
 * Flags (problem.yaml validator_flags / testdata.yaml output_validator_flags):
 *   case_sensitive            letters must match in case (default: ignored)
 *   space_change_sensitive    whitespace must match exactly (default: any
 *                             run of whitespace equals any other)
 *   float_absolute_tolerance E   a number in the answer matches a team
 *   float_relative_tolerance E   number within E (absolute) or E*|answer|
 *   float_tolerance E            (relative); float_tolerance sets both
 * A token of the answer that is not a number is compared as a string.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "judge/internal.h"

void jd_default_flags_init(struct jd_default_flags *f)
{
    f->case_sensitive = false;
    f->space_change_sensitive = false;
    f->abs_tol = f->rel_tol = -1;
}

static int parse_tol(char *const *flags, size_t *i, double *out, char *err, size_t errlen)
{
    const char *name = flags[*i];
    if (!flags[*i + 1]) {
        snprintf(err, errlen, "validator flag %s needs a value", name);
        return -EINVAL;
    }
    char *end;
    errno = 0;
    double v = strtod(flags[*i + 1], &end);
    if (errno || *end || end == flags[*i + 1] || !(v >= 0) || isinf(v)) {
        snprintf(err, errlen, "validator flag %s: bad value '%s'", name, flags[*i + 1]);
        return -EINVAL;
    }
    *out = v;
    (*i)++;
    return 0;
}

int jd_default_flags_parse(char *const *flags, struct jd_default_flags *f, char *err, size_t errlen)
{
    jd_default_flags_init(f);
    for (size_t i = 0; flags && flags[i]; i++) {
        const char *s = flags[i];
        int rc = 0;
        double v;
        if (!strcmp(s, "case_sensitive"))
            f->case_sensitive = true;
        else if (!strcmp(s, "space_change_sensitive"))
            f->space_change_sensitive = true;
        else if (!strcmp(s, "float_absolute_tolerance"))
            rc = parse_tol(flags, &i, &f->abs_tol, err, errlen);
        else if (!strcmp(s, "float_relative_tolerance"))
            rc = parse_tol(flags, &i, &f->rel_tol, err, errlen);
        else if (!strcmp(s, "float_tolerance")) {
            rc = parse_tol(flags, &i, &v, err, errlen);
            f->abs_tol = f->rel_tol = v;
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A character source: a stream or a buffer. */
struct src {
    FILE *f;
    const char *buf; size_t len, pos;
    int peeked;          /* -2 = none */
    size_t line;         /* newlines read so far */
    size_t item_line;    /* 1-based line where the last item began */
};

static int src_get(struct src *s)
{
    int c;
    if (s->peeked != -2) {
        c = s->peeked;
        s->peeked = -2;
    } else if (s->f) {
        c = getc_unlocked(s->f);
    } else {
        c = s->pos < s->len ? (unsigned char)s->buf[s->pos++] : EOF;
    }
    if (c == '\n')
        s->line++;
    return c;
}

static int src_peek(struct src *s)
{
    if (s->peeked == -2) {
        s->peeked = s->f ? getc_unlocked(s->f)
                         : (s->pos < s->len ? (unsigned char)s->buf[s->pos++] : EOF);
    }
    return s->peeked;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

struct tok { char *s; size_t n, cap; };

static int tok_add(struct tok *t, int c)
{
    if (t->n + 2 > t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 64;
        char *ns = realloc(t->s, nc);
        if (!ns)
            return -ENOMEM;
        t->s = ns;
        t->cap = nc;
    }
    t->s[t->n++] = (char)c;
    t->s[t->n] = 0;
    return 0;
}

/* Next run of whitespace (kind 'w') or of non-whitespace (kind 't');
 * 0 at the end of input. */
static int next_item(struct src *s, struct tok *t, bool want_space, char *kind)
{
    t->n = 0;
    if (t->s)
        t->s[0] = 0;
    int c = src_peek(s);
    if (c == EOF)
        return 0;
    s->item_line = s->line + 1;
    if (is_space(c)) {
        while ((c = src_peek(s)) != EOF && is_space(c)) {
            src_get(s);
            if (want_space && tok_add(t, c) < 0)
                return -ENOMEM;
        }
        *kind = 'w';
        if (!want_space)
            return next_item(s, t, want_space, kind);
        return 1;
    }
    while ((c = src_peek(s)) != EOF && !is_space(c)) {
        src_get(s);
        if (tok_add(t, c) < 0)
            return -ENOMEM;
    }
    *kind = 't';
    return 1;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    if (!*s)
        return false;
    /* "nan", "inf", hex floats: compared as strings, as the Kattis tools do. */
    for (const char *p = s; *p; p++)
        if (isalpha((unsigned char)*p) && *p != 'e' && *p != 'E')
            return false;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || end == s)
        return false;
    *out = v;
    return true;
}

static void shorten(char *dst, size_t dstlen, const char *s)
{
    size_t n = strlen(s);
    if (n + 1 <= dstlen || dstlen < 8)
        snprintf(dst, dstlen, "%s", s);
    else
        snprintf(dst, dstlen, "%.*s...", (int)(dstlen - 4), s);
}

static jd_verdict compare(struct src *team, struct src *ans, const struct jd_default_flags *f,
                          char *msg, size_t msglen)
{
    struct tok a = {0}, b = {0};
    bool floats = f->abs_tol >= 0 || f->rel_tol >= 0;
    jd_verdict v = JD_AC;
    size_t ntok = 0;
    char ka = 0, kb = 0;
    snprintf(msg, msglen, "%s", "");
    for (;;) {
        int ra = next_item(ans, &a, f->space_change_sensitive, &ka);
        int rb = next_item(team, &b, f->space_change_sensitive, &kb);
        size_t line = ra > 0 ? ans->item_line : ans->line + 1;
        if (ra < 0 || rb < 0) {
            snprintf(msg, msglen, "out of memory while comparing");
            v = JD_JE;
            break;
        }
        if (!ra && !rb)
            break;
        char ea[48], eb[48];
        if (!ra) {
            shorten(eb, sizeof eb, kb == 'w' ? "<whitespace>" : b.s);
            snprintf(msg, msglen, "trailing output after the answer ended: '%s'", eb);
            v = JD_WA;
            break;
        }
        if (!rb) {
            shorten(ea, sizeof ea, ka == 'w' ? "<whitespace>" : a.s);
            snprintf(msg, msglen, "output ended early: expected '%s' (line %zu)", ea, line);
            v = JD_WA;
            break;
        }
        if (ka != kb) {
            snprintf(msg, msglen, "whitespace differs from the answer on line %zu", line);
            v = JD_WA;
            break;
        }
        if (ka == 'w') {
            if (a.n != b.n || memcmp(a.s, b.s, a.n)) {
                snprintf(msg, msglen, "whitespace differs from the answer on line %zu", line);
                v = JD_WA;
                break;
            }
            continue;
        }
        ntok++;
        double da, db;
        if (floats && parse_double(a.s, &da)) {
            if (!parse_double(b.s, &db)) {
                shorten(ea, sizeof ea, a.s);
                shorten(eb, sizeof eb, b.s);
                snprintf(msg, msglen, "token %zu (line %zu): expected number '%s', got '%s'",
                         ntok, line, ea, eb);
                v = JD_WA;
                break;
            }
            double diff = fabs(da - db);
            bool ok = (f->abs_tol >= 0 && diff <= f->abs_tol) ||
                      (f->rel_tol >= 0 && diff <= f->rel_tol * fabs(da));
            if (!ok) {
                shorten(ea, sizeof ea, a.s);
                shorten(eb, sizeof eb, b.s);
                snprintf(msg, msglen, "token %zu (line %zu): expected %s, got %s (difference %g)",
                         ntok, line, ea, eb, diff);
                v = JD_WA;
                break;
            }
            continue;
        }
        bool same = a.n == b.n && (f->case_sensitive ? !memcmp(a.s, b.s, a.n)
                                                     : !strncasecmp(a.s, b.s, a.n));
        if (!same || strlen(b.s) != b.n) {
            shorten(ea, sizeof ea, a.s);
            shorten(eb, sizeof eb, b.s);
            snprintf(msg, msglen, "token %zu (line %zu): expected '%s', got '%s'", ntok, line, ea, eb);
            v = JD_WA;
            break;
        }
    }
    free(a.s);
    free(b.s);
    return v;
}

jd_verdict jd_default_check(FILE *team, FILE *answer, const struct jd_default_flags *f,
                            char *msg, size_t msglen)
{
    struct src t = {.f = team, .peeked = -2}, a = {.f = answer, .peeked = -2};
    return compare(&t, &a, f, msg, msglen);
}

jd_verdict jd_default_check_mem(const char *team, size_t tlen, const char *ans, size_t alen,
                                const struct jd_default_flags *f, char *msg, size_t msglen)
{
    struct src t = {.buf = team, .len = tlen, .peeked = -2};
    struct src a = {.buf = ans, .len = alen, .peeked = -2};
    return compare(&t, &a, f, msg, msglen);
}

int jd_check_default_files(const char *team_out, const char *ans, char *const *flags,
                           struct jd_check_result *r)
{
    struct jd_default_flags f;
    memset(r, 0, sizeof *r);
    if (jd_default_flags_parse(flags, &f, r->message, sizeof r->message) < 0) {
        r->verdict = JD_JE;
        return 0;
    }
    FILE *t = fopen(team_out, "rbe");
    FILE *a = fopen(ans, "rbe");
    if (!t || !a) {
        snprintf(r->message, sizeof r->message, "cannot open %s: %s", !a ? ans : team_out,
                 strerror(errno));
        r->verdict = JD_JE;
    } else {
        r->verdict = jd_default_check(t, a, &f, r->message, sizeof r->message);
    }
    if (t)
        fclose(t);
    if (a)
        fclose(a);
    return 0;
}
