/*
 * judge0_json.c - fuzz target: a POST /submissions JSON body, loaded with
 * the flags of http_body_json, through the checks of judge0_checks.h.
 */
#include "tests/fuzz/judge0_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *obj = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!obj)
        return 0;
    fuzz_judge0_object(obj);
    json_decref(obj);
    return 0;
}
