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
 * A number is a decimal literal over the whole token whose value a double
 * holds; "nan", "inf", hex floats, "3\0junk" and 1e400 are strings.
 *
 * Both files stream through; at most JD_DEFAULT_TOKEN_CAP bytes of a token
 * are held. A longer token is compared as text with the other side's as the
 * bytes go by, so identical outputs are accepted whatever their shape, and
 * a team token over the cap never matches an answer token under it.
 */
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

/* A character source: a file read in blocks, or a buffer. */
#define SRC_BLOCK (64 * 1024)
struct src {
    FILE *f;
    unsigned char *block;           /* SRC_BLOCK bytes, for a file */
    const unsigned char *p, *end;   /* what is not read yet */
    size_t line;                    /* newlines read so far */
    bool eof;                       /* sticky: no read() per byte of the other side */
};

static int refill(struct src *s)
{
    size_t n = s->f && !s->eof ? fread(s->block, 1, SRC_BLOCK, s->f) : 0;
    if (!n) {
        s->eof = true;
        return EOF;
    }
    s->p = s->block;
    s->end = s->block + n;
    return *s->p;
}

static inline int src_peek(struct src *s)
{
    return s->p < s->end ? *s->p : refill(s);
}

/* Consume the byte src_peek has just returned (not EOF). */
static inline int src_get(struct src *s)
{
    int c = *s->p++;
    if (c == '\n')
        s->line++;
    return c;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* ASCII only: the verdict must not depend on the process locale. */
static int fold(int c, bool case_sensitive)
{
    return !case_sensitive && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The current token of one side: its first JD_DEFAULT_TOKEN_CAP bytes at
 * most. A longer token is marked `more` and its rest stays in the stream,
 * so memory never grows with the size of an output. */
struct tok {
    char *s; size_t n, cap;
    bool more;
    size_t line;         /* 1-based line where it began */
};

static int read_token(struct src *s, struct tok *t)
{
    t->n = 0;
    t->more = false;
    t->line = s->line + 1;
    int c;
    while ((c = src_peek(s)) != EOF && !is_space(c)) {
        if (t->n == JD_DEFAULT_TOKEN_CAP) {
            t->more = true;
            break;
        }
        if (t->n + 1 >= t->cap) {
            size_t nc = t->cap ? t->cap * 2 : 64;
            if (nc > JD_DEFAULT_TOKEN_CAP + 1)
                nc = JD_DEFAULT_TOKEN_CAP + 1;
            char *ns = realloc(t->s, nc);
            if (!ns)
                return -ENOMEM;
            t->s = ns;
            t->cap = nc;
        }
        t->s[t->n++] = (char)src_get(s);
    }
    if (!t->s && !(t->s = malloc(t->cap = 64)))
        return -ENOMEM;
    t->s[t->n] = 0;
    return 0;
}

/* A token for a message: at most about 40 bytes, cut between characters.
 * A NUL byte (a C string cannot hold it) and bytes that are not UTF-8 (a
 * JSON string cannot) are written as \xNN; all else is kept as it is, so
 * the message carries the submission's exact text and whoever displays it
 * escapes for its medium (nsjudge judge does so for terminals). */
static void show(char *dst, size_t dstlen, const struct tok *t)
{
    const unsigned char *p = (const unsigned char *)t->s;
    size_t o = 0, i = 0, room = dstlen - 4;     /* "..." and the NUL */
    while (i < t->n) {
        size_t k = p[i] ? jd_utf8_len(p + i, t->n - i) : 0;
        if (o + (k ? k : 4) > room)
            break;
        if (k) {
            memcpy(dst + o, p + i, k);
            o += k;
            i += k;
        } else {
            o += (size_t)snprintf(dst + o, 5, "\\x%02x", p[i]);
            i++;
        }
    }
    if (i < t->n || t->more)
        memcpy(dst + o, "...", 3), o += 3;
    dst[o] = 0;
}

/* A decimal number over the token's whole length (no trailing junk, no
 * NUL), whose value a double holds: "nan", "inf", hex floats and numbers
 * beyond +-1.8e308 are not numbers here, so they are compared as text. */
static bool parse_number(const struct tok *t, double *out)
{
    if (!t->n || t->more || strspn(t->s, "0123456789+-.eE") != t->n)
        return false;
    char *end;
    double v = strtod(t->s, &end);
    if (end != t->s + t->n || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* After two equal first parts of tokens that were both too long to hold:
 * compare the rests byte by byte as they stream by. */
static bool rest_equal(struct src *a, struct src *b, bool case_sensitive)
{
    for (;;) {
        int ca = src_peek(a), cb = src_peek(b);
        bool ea = ca == EOF || is_space(ca), eb = cb == EOF || is_space(cb);
        if (ea || eb)
            return ea && eb;
        if (fold(ca, case_sensitive) != fold(cb, case_sensitive))
            return false;
        src_get(a);
        src_get(b);
    }
}

static bool same_text(const struct tok *a, const struct tok *b, bool case_sensitive)
{
    if (a->n != b->n || a->more != b->more)
        return false;
    if (case_sensitive)
        return !memcmp(a->s, b->s, a->n);
    for (size_t i = 0; i < a->n; i++)
        if (fold((unsigned char)a->s[i], false) != fold((unsigned char)b->s[i], false))
            return false;
    return true;
}

#define CAP_TEXT "1 MiB"
_Static_assert(JD_DEFAULT_TOKEN_CAP == 1 << 20, "CAP_TEXT names the cap");

static jd_verdict compare(struct src *team, struct src *ans, const struct jd_default_flags *f,
                          char *msg, size_t msglen)
{
    struct tok a = {0}, b = {0};
    bool floats = f->abs_tol >= 0 || f->rel_tol >= 0;
    jd_verdict v = JD_AC;
    size_t ntok = 0;
    char ea[48], eb[48];
    snprintf(msg, msglen, "%s", "");
    for (;;) {
        /* whitespace: skipped, or compared byte by byte as it streams */
        int ca, cb;
        for (;;) {
            ca = src_peek(ans);
            cb = src_peek(team);
            if (!f->space_change_sensitive) {
                if (is_space(ca))
                    src_get(ans);
                if (is_space(cb))
                    src_get(team);
                if (is_space(ca) || is_space(cb))
                    continue;
                break;
            }
            if (!is_space(ca) && !is_space(cb))
                break;
            if (ca != cb) {
                if (cb == EOF)
                    snprintf(msg, msglen, "output ended early: expected whitespace (line %zu)",
                             ans->line + 1);
                else if (ca == EOF)
                    snprintf(msg, msglen, "trailing output after the answer ended: whitespace");
                else
                    snprintf(msg, msglen, "whitespace differs from the answer on line %zu",
                             ans->line + 1);
                v = JD_WA;
                goto out;
            }
            src_get(ans);
            src_get(team);
        }
        if (ca == EOF && cb == EOF)
            break;
        if (read_token(ans, &a) < 0 || read_token(team, &b) < 0) {
            snprintf(msg, msglen, "out of memory while comparing");
            v = JD_JE;
            goto out;
        }
        show(ea, sizeof ea, &a);
        show(eb, sizeof eb, &b);
        v = JD_WA;
        if (ca == EOF) {
            snprintf(msg, msglen, "trailing output after the answer ended: '%s'", eb);
            goto out;
        }
        if (cb == EOF) {
            snprintf(msg, msglen, "output ended early: expected '%s' (line %zu)", ea, a.line);
            goto out;
        }
        ntok++;
        double da, db;
        if (floats && parse_number(&a, &da)) {
            if (!parse_number(&b, &db)) {
                snprintf(msg, msglen, "token %zu (line %zu): expected number '%s', got '%s'%s",
                         ntok, a.line, ea, eb,
                         b.more ? " (a token longer than " CAP_TEXT ")" : "");
                goto out;
            }
            /* both finite; an overflowing difference is inf and fails */
            double diff = fabs(da - db);
            bool ok = (f->abs_tol >= 0 && diff <= f->abs_tol) ||
                      (f->rel_tol >= 0 && diff <= f->rel_tol * fabs(da));
            if (!ok) {
                snprintf(msg, msglen, "token %zu (line %zu): expected %s, got %s (difference %g)",
                         ntok, a.line, ea, eb, diff);
                goto out;
            }
        } else if (!same_text(&a, &b, f->case_sensitive) ||
                   (a.more && !rest_equal(ans, team, f->case_sensitive))) {
            if (b.more && !a.more)
                snprintf(msg, msglen, "token %zu (line %zu): expected '%s', got a token longer "
                         "than " CAP_TEXT " ('%s')", ntok, a.line, ea, eb);
            else
                snprintf(msg, msglen, "token %zu (line %zu): expected '%s', got '%s'%s", ntok,
                         a.line, ea, eb,
                         a.more ? " (tokens longer than " CAP_TEXT " are compared as text)" : "");
            goto out;
        }
        v = JD_AC;
    }
out:
    if (v != JD_JE && ((team->f && ferror(team->f)) || (ans->f && ferror(ans->f)))) {
        snprintf(msg, msglen, "reading the %s failed", ans->f && ferror(ans->f) ? "answer" : "output");
        v = JD_JE;
    }
    free(a.s);
    free(b.s);
    return v;
}

jd_verdict jd_default_check(FILE *team, FILE *answer, const struct jd_default_flags *f,
                            char *msg, size_t msglen)
{
    struct src t = {.f = team, .block = malloc(SRC_BLOCK)};
    struct src a = {.f = answer, .block = malloc(SRC_BLOCK)};
    jd_verdict v = JD_JE;
    if (t.block && a.block)
        v = compare(&t, &a, f, msg, msglen);
    else
        snprintf(msg, msglen, "out of memory while comparing");
    free(t.block);
    free(a.block);
    return v;
}

jd_verdict jd_default_check_mem(const char *team, size_t tlen, const char *ans, size_t alen,
                                const struct jd_default_flags *f, char *msg, size_t msglen)
{
    struct src t = {.p = (const unsigned char *)team, .end = (const unsigned char *)team + tlen};
    struct src a = {.p = (const unsigned char *)ans, .end = (const unsigned char *)ans + alen};
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
