/*
 * judge0_json.h - the Judge0 CE 1.13.1 JSON shape of submissions:
 * parsing and validating a request body (422 {field: [messages]}),
 * rendering a stored submission with a fields filter and base64, the
 * status table (ids 1-14) and the mapping of our verdicts onto it.
 */
#ifndef NSJUDGE_SERVER_JUDGE0_JSON_H
#define NSJUDGE_SERVER_JUDGE0_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "judge/judge.h"
#include "server/service/app.h"
#include "server/service/feedback.h"

enum {
    J0_IN_QUEUE = 1, J0_PROCESSING, J0_ACCEPTED, J0_WRONG_ANSWER, J0_TLE,
    J0_COMPILATION_ERROR, J0_RE_SIGSEGV, J0_RE_SIGXFSZ, J0_RE_SIGFPE,
    J0_RE_SIGABRT, J0_RE_NZEC, J0_RE_OTHER, J0_INTERNAL_ERROR, J0_EXEC_FORMAT_ERROR,
    J0_STATUS_MAX = J0_EXEC_FORMAT_ERROR
};

const char *j0_status_name(int id);
json_t *j0_status_json(int id);
json_t *j0_statuses_json(void);
/* Judge0 status id for a verdict (+ signal / exit code for runtime errors). */
int j0_status_for(jd_verdict v, int signal, int exit_code);

/* Fields filter: a bit per field, the field's index in judge0_json.c's
 * field table (which also says how each is shown); in-process only. */
typedef uint64_t j0_fields;
/* Parses "a,b,c", "*" (Judge0's fields) or "*,verdict" (NULL = Judge0's
 * defaults). Extra fields (verdict, problem_id, score, max_score, tests,
 * tests_total) come only by name, or with the defaults or "*" on problem
 * submissions. On unknown names returns -EINVAL
 * and writes Judge0's error text ("invalid fields: [x, y]") into err. */
int j0_fields_parse(const char *spec, j0_fields *out, char *err, size_t errlen);
j0_fields j0_fields_token_only(void);

/* Validates obj into sub (defaults filled from cfg). On validation failure
 * returns -EINVAL with *errors set to the 422 body; -ENOMEM otherwise. */
int j0_parse_submission(const struct app *app, json_t *obj, bool base64,
                        struct submission *sub, json_t **errors);

/* Bits of j0_fields above every field, which j0_render_submission ignores:
 * a caller may carry its own render options with the fields (the feedback
 * view of a parked wait=true request). */
#define J0_FIELDS_SPARE_SHIFT 56
#define J0_FIELDS_SPARE_MASK ((j0_fields)0x7f << J0_FIELDS_SPARE_SHIFT)

/* Renders sub as the reader described by view may see it (feedback.c
 * decides; tests[].message is base64 like the other text fields). Returns
 * NULL and sets *not_utf8 when a text field cannot be shown without
 * base64, NULL without it on allocation failure. */
json_t *j0_render_submission(const struct app *app, const struct submission *sub,
                             j0_fields fields, bool base64, struct fb_view view, bool *not_utf8);

/* Languages */
json_t *j0_language_json(const struct jd_lang *l, int judge0_id, bool full);

/* JSON error body {"error": msg} */
json_t *j0_error(const char *msg);

#endif
