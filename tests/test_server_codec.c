/* test_server_codec.c - base64 and UTF-8 checks used on Judge0 fields, and
 * the mapping of verdicts onto Judge0 status ids. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "server/service/codec.h"
#include "server/service/judge0_json.h"
#include "server/service/uuid4.h"

static void roundtrip(const char *data, size_t n)
{
    char *e = b64_encode(data, n), *d;
    size_t dn;
    cr_assert(e);
    cr_assert_eq(b64_decode(e, strlen(e), &d, &dn), 0, "%s", e);
    cr_assert_eq(dn, n);
    cr_assert_eq(memcmp(d, data, n), 0);
    free(e);
    free(d);
}

Test(server_codec, base64)
{
    for (size_t n = 0; n < 8; n++)
        roundtrip("\xff\x00zA9+/", n);
    char *e = b64_encode("hello", 5), *d;
    size_t dn;
    cr_assert_str_eq(e, "aGVsbG8=");
    free(e);
    /* wrapped lines (as `base64` prints them) decode */
    cr_assert_eq(b64_decode("aGVs\nbG8=\n", 10, &d, &dn), 0);
    cr_assert_str_eq(d, "hello");
    free(d);
    cr_assert_eq(b64_decode("aGVsbG8", 7, &d, &dn), 0, "missing padding is tolerated");
    free(d);
    cr_assert_neq(b64_decode("a", 1, &d, &dn), 0);
    cr_assert_neq(b64_decode("aGV*", 4, &d, &dn), 0);
    cr_assert_neq(b64_decode("aG==bG8=", 8, &d, &dn), 0, "data after padding");
}

Test(server_codec, utf8)
{
    cr_assert(jd_utf8_valid("plain", 5));
    cr_assert(jd_utf8_valid("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15));
    cr_assert(!jd_utf8_valid("\xff", 1));
    cr_assert(!jd_utf8_valid("\xc3", 1), "truncated sequence");
    cr_assert(!jd_utf8_valid("\xc0\xaf", 2), "overlong");
    cr_assert(!jd_utf8_valid("\xed\xa0\x80", 3), "surrogate");
}

Test(server_codec, judge0_status_mapping)
{
    cr_assert_eq(j0_status_for(JD_AC, 0, 0), 3);
    cr_assert_eq(j0_status_for(JD_WA, 0, 0), 4);
    cr_assert_eq(j0_status_for(JD_PE, 0, 0), 4);
    cr_assert_eq(j0_status_for(JD_TLE, 0, 0), 5);
    cr_assert_eq(j0_status_for(JD_CE, 0, 0), 6);
    cr_assert_eq(j0_status_for(JD_RTE, 11, 0), 7);
    cr_assert_eq(j0_status_for(JD_RTE, 25, 0), 8);
    cr_assert_eq(j0_status_for(JD_OLE, 0, 0), 8);
    cr_assert_eq(j0_status_for(JD_RTE, 8, 0), 9);
    cr_assert_eq(j0_status_for(JD_RTE, 6, 0), 10);
    cr_assert_eq(j0_status_for(JD_RTE, 0, 1), 11);
    cr_assert_eq(j0_status_for(JD_RTE, 9, 0), 12);
    cr_assert_eq(j0_status_for(JD_MLE, 9, 0), 12);
    cr_assert_eq(j0_status_for(JD_JE, 0, 0), 13);
    cr_assert_str_eq(j0_status_name(14), "Exec Format Error");
    j0_fields f;
    char err[128];
    cr_assert_eq(j0_fields_parse("stdout, status ,token", &f, err, sizeof err), 0);
    cr_assert_neq(j0_fields_parse("stdout,nope", &f, err, sizeof err), 0);
    cr_assert_str_eq(err, "invalid fields: [nope]");
}

/* Tokens: version 4 UUIDs in lower case, never the same twice (a token is
 * all it takes to read a submission). */
Test(server_codec, uuid4_tokens)
{
    enum { N = 2000 };
    static char seen[N][UUID4_LEN];
    for (int i = 0; i < N; i++) {
        uuid4_new(seen[i]);
        const char *u = seen[i];
        cr_assert_eq(strlen(u), 36, "%s", u);
        for (int k = 0; k < 36; k++) {
            if (k == 8 || k == 13 || k == 18 || k == 23)
                cr_assert_eq(u[k], '-', "%s", u);
            else
                cr_assert(strchr("0123456789abcdef", u[k]), "%s", u);
        }
        cr_assert_eq(u[14], '4', "version: %s", u);
        cr_assert(strchr("89ab", u[19]), "variant: %s", u);
        for (int j = 0; j < i; j++)
            cr_assert_str_neq(u, seen[j]);
    }
}
