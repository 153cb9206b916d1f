/*
 * checker_default.c - fuzz target: the default output validator.
 *
 * Input: validator flags on the first line (as problem.yaml writes them,
 * e.g. "float_tolerance 1e-6 case_sensitive"), then the team output, a
 * 0x1e byte (ASCII record separator), then the answer. Both are compared
 * from memory and from streams (what jd_check_default_files reads).
 *
 * Properties (abort = finding):
 *  - never a crash, leak or UB, for any pair and any flags;
 *  - the verdict is AC or WA (JE only for out of memory), with a message
 *    that is a C string of the buffer's size;
 *  - memory and stream comparison give the same verdict;
 *  - an output identical to the answer is accepted, under every flag set.
 *    Two classes are known and fixed on another branch (issue 10), so the
 *    identity check skips inputs that hold them: a NUL byte, and, with a
 *    float tolerance, a number token that overflows a double ("1e400").
 */
#include <errno.h>
#include <math.h>
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The known classes the identity property must not trip on (see above). */
static bool has_known_class(const uint8_t *s, size_t n, bool floats)
{
    if (memchr(s, 0, n))
        return true;
    if (!floats)
        return false;
    for (size_t i = 0; i < n;) {
        while (i < n && is_ws(s[i]))
            i++;
        size_t j = i;
        while (j < n && !is_ws(s[j]))
            j++;
        if (j > i) {
            char *t = fuzz_cstr(s + i, j - i), *end;
            errno = 0;
            double v = strtod(t, &end);
            bool over = *end == 0 && end != t && (isinf(v) || errno == ERANGE);
            free(t);
            if (over)
                return true;
        }
        i = j;
    }
    return false;
}

static jd_verdict check_mem(const uint8_t *t, size_t tn, const uint8_t *a, size_t an,
                            const struct jd_default_flags *f)
{
    char msg[JD_MSG_MAX];
    memset(msg, 'x', sizeof msg);
    jd_verdict v = jd_default_check_mem((const char *)t, tn, (const char *)a, an, f, msg, sizeof msg);
    FUZZ_CHECK(memchr(msg, 0, sizeof msg), "message not terminated");
    FUZZ_CHECK(v == JD_AC || v == JD_WA, "verdict %s: %s", jd_verdict_code(v), msg);
    FUZZ_CHECK(v != JD_WA || msg[0], "WA without a message");
    return v;
}

static jd_verdict check_stream(const uint8_t *t, size_t tn, const uint8_t *a, size_t an,
                               const struct jd_default_flags *f)
{
    /* fmemopen refuses a zero-size buffer: /dev/null is the empty file */
    FILE *tf = tn ? fmemopen((void *)t, tn, "r") : fopen("/dev/null", "re");
    FILE *af = an ? fmemopen((void *)a, an, "r") : fopen("/dev/null", "re");
    if (!tf || !af)
        fuzz_die("fmemopen", strerror(errno));
    char msg[JD_MSG_MAX];
    jd_verdict v = jd_default_check(tf, af, f, msg, sizeof msg);
    fclose(tf);
    fclose(af);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t flen = nl ? (size_t)(nl - data) : 0;
    const uint8_t *rest = nl ? nl + 1 : data;
    size_t rn = size - (size_t)(rest - data);

    char *ftext = fuzz_cstr(data, flen);
    char **flags = jd_strv_split(ftext);
    free(ftext);
    if (!flags)
        fuzz_die("jd_strv_split", "out of memory");
    struct jd_default_flags f;
    char err[JD_MSG_MAX];
    int frc = jd_default_flags_parse(flags, &f, err, sizeof err);
    jd_strv_free(flags);
    if (frc < 0)
        return 0;

    const uint8_t *team, *ans;
    size_t tn, an;
    fuzz_split(rest, rn, 0x1e, &team, &tn, &ans, &an);

    jd_verdict vm = check_mem(team, tn, ans, an, &f);
    jd_verdict vs = check_stream(team, tn, ans, an, &f);
    FUZZ_CHECK(vm == vs, "memory says %s, stream says %s", jd_verdict_code(vm), jd_verdict_code(vs));

    bool floats = f.abs_tol >= 0 || f.rel_tol >= 0;
    if (!has_known_class(team, tn, floats)) {
        char msg[JD_MSG_MAX];
        jd_verdict v = jd_default_check_mem((const char *)team, tn, (const char *)team, tn, &f, msg,
                                            sizeof msg);
        FUZZ_CHECK(v == JD_AC, "identical output rejected (%s): %s", jd_verdict_code(v), msg);
    }
    if (!has_known_class(ans, an, floats)) {
        FUZZ_CHECK(check_mem(ans, an, ans, an, &f) == JD_AC, "identical answer rejected");
        FUZZ_CHECK(check_stream(ans, an, ans, an, &f) == JD_AC, "identical answer rejected (stream)");
    }
    return 0;
}
