/*
 * form_body.c - fuzz target: a POST /submissions body sent as
 * application/x-www-form-urlencoded, through http_form_json (what
 * http_body_json does for that Content-Type), then the checks of
 * judge0_checks.h. A field that is not UTF-8 must be refused by name
 * (bad_field), never reach the validators.
 */
#include "server/service/http.h"
#include "tests/fuzz/judge0_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *bad = NULL;
    json_t *obj = http_form_json((const char *)data, size, &bad);
    if (!obj) {
        FUZZ_CHECK(bad, "http_form_json returned NULL without naming a field (only allowed when out of memory)");
        free(bad);
        return 0;
    }
    FUZZ_CHECK(json_is_object(obj), "a form body is not an object");
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        FUZZ_CHECK(json_is_string(v), "form value of %s is not a string", k);
        FUZZ_CHECK(k[0], "empty form key");
    }
    fuzz_judge0_object(obj);
    json_decref(obj);
    return 0;
}
