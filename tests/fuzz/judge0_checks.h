/*
 * judge0_checks.h - the checks of a POST /submissions body once it is a
 * JSON value, shared by the judge0_json (JSON body) and form_body
 * (x-www-form-urlencoded) targets. j0_parse_submission runs as the route
 * runs it, under the default config (every switch on) and a locked one
 * (every switch off, small caps), plain and base64. A submission that
 * validates is rendered (the fields of its optional "_fields" key, else
 * "*"), stored, read back and rendered again.
 *
 * Properties (abort = finding):
 *  - a submission that validates renders in base64 mode (GET must not 500);
 *  - a plain render fails only with not_utf8 (then the client asks base64);
 *  - what the store gives back is what was stored, byte for byte;
 *  - base64 of every text field decodes to the same bytes.
 */
#ifndef NSJUDGE_TESTS_FUZZ_JUDGE0_CHECKS_H
#define NSJUDGE_TESTS_FUZZ_JUDGE0_CHECKS_H

#include <errno.h>
#include <jansson.h>
#include "server/service/codec.h"
#include "server/service/feedback.h"
#include "server/service/judge0_json.h"
#include "tests/fuzz/fuzz.h"

static struct app app, locked;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_app_init(&app);
    fuzz_app_init(&locked);
    struct config *c = &locked.cfg;
    c->enable_compiler_options = c->enable_command_line_arguments = false;
    c->enable_callbacks = c->enable_additional_files = false;
    c->allow_enable_network = false;
    c->allow_enable_per_process_and_thread_time_limit = false;
    c->allow_enable_per_process_and_thread_memory_limit = false;
    c->max_source_bytes = 64;
    c->max_stdin_bytes = 64;
    c->max_extract_bytes = 64;
    return 0;
}

static void same_bytes(const struct bytes *a, const struct bytes *b, const char *what)
{
    FUZZ_CHECK((a->p == NULL) == (b->p == NULL), "%s: stored %s, read back %s", what,
               a->p ? "set" : "null", b->p ? "set" : "null");
    if (!a->p)
        return;
    FUZZ_CHECK(a->n == b->n && !memcmp(a->p, b->p, a->n), "%s: %zu bytes stored, %zu read back",
               what, a->n, b->n);
    FUZZ_CHECK(b->p[b->n] == 0, "%s: read back without its NUL terminator", what);
}

static void same_str(const char *a, const char *b, const char *what)
{
    FUZZ_CHECK((!a && !b) || (a && b && !strcmp(a, b)), "%s: '%s' stored, '%s' read back", what,
               a ? a : "(null)", b ? b : "(null)");
}

static void b64_round_trip(const struct bytes *b, const char *what)
{
    if (!b->p)
        return;
    char *e = b64_encode(b->p, b->n), *d = NULL;
    size_t dn = 0;
    FUZZ_CHECK(e, "b64_encode(%s) failed", what);
    FUZZ_CHECK(b64_decode(e, strlen(e), &d, &dn) == 0, "%s: own base64 does not decode", what);
    FUZZ_CHECK(dn == b->n && !memcmp(d, b->p, dn), "%s: base64 round trip changed the bytes", what);
    free(e);
    free(d);
}

/* Rendered for a submitter (the policy's view) and for the jury (full). */
static void render(const struct app *a, const struct submission *s, j0_fields f)
{
    static const struct fb_view views[] = {{JD_FEEDBACK_UNSET, false}, {JD_FEEDBACK_FULL, true}};
    for (size_t i = 0; i < sizeof views / sizeof *views; i++) {
        bool not_utf8 = false;
        json_t *j = j0_render_submission(a, s, f, true, views[i], &not_utf8);
        FUZZ_CHECK(j, "a valid submission does not render in base64 mode (not_utf8=%d)", not_utf8);
        char *text = json_dumps(j, JSON_COMPACT);
        FUZZ_CHECK(text, "json_dumps of a rendered submission failed");
        free(text);
        json_decref(j);
        j = j0_render_submission(a, s, f, false, views[i], &not_utf8);
        FUZZ_CHECK(j || not_utf8, "plain render failed without not_utf8");
        json_decref(j);
    }
}

static void one(struct app *a, json_t *obj, bool b64)
{
    struct submission sub;
    json_t *errors = NULL;
    int rc = j0_parse_submission(a, obj, b64, &sub, &errors);
    if (rc) {
        FUZZ_CHECK(rc != -EINVAL || json_is_object(errors), "-EINVAL without an errors object");
        FUZZ_CHECK(rc == -EINVAL || !errors, "errors set with rc %d", rc);
        json_decref(errors);
        return;
    }
    FUZZ_CHECK(!errors, "errors set on success");
    b64_round_trip(&sub.source_code, "source_code");
    b64_round_trip(&sub.stdin_data, "stdin");
    b64_round_trip(&sub.expected_output, "expected_output");
    b64_round_trip(&sub.additional_files, "additional_files");

    j0_fields f;
    char ferr[256];
    const char *spec = json_string_value(json_object_get(obj, "_fields"));
    if (j0_fields_parse(spec ? spec : "*", &f, ferr, sizeof ferr) < 0)
        f = 0;
    if (f)
        render(a, &sub, f);

    /* what create_one does, then GET */
    snprintf(sub.token, sizeof sub.token, "00000000-0000-4000-8000-000000000001");
    sub.status_id = J0_IN_QUEUE;
    char err[256];
    FUZZ_CHECK(a->store->ops->insert(a->store, &sub, err, sizeof err) == 0, "store insert: %s", err);
    struct submission got;
    FUZZ_CHECK(a->store->ops->get(a->store, sub.token, &got) == 0, "store get after insert");
    same_bytes(&sub.source_code, &got.source_code, "source_code");
    same_bytes(&sub.stdin_data, &got.stdin_data, "stdin");
    same_bytes(&sub.expected_output, &got.expected_output, "expected_output");
    same_bytes(&sub.additional_files, &got.additional_files, "additional_files");
    same_str(sub.compiler_options, got.compiler_options, "compiler_options");
    same_str(sub.command_line_arguments, got.command_line_arguments, "command_line_arguments");
    same_str(sub.callback_url, got.callback_url, "callback_url");
    same_str(sub.problem_id, got.problem_id, "problem_id");
    FUZZ_CHECK(got.language_id == sub.language_id, "language_id %d -> %d", sub.language_id,
               got.language_id);
    render(a, &got, f ? f : j0_fields_token_only());
    FUZZ_CHECK(a->store->ops->remove(a->store, sub.token) == 0, "store remove");
    submission_clear(&got);
    submission_clear(&sub);
}

/* Every check on one request body (a JSON object or not). */
static void fuzz_judge0_object(json_t *obj)
{
    one(&app, obj, false);
    one(&app, obj, true);
    one(&locked, obj, false);
}

#endif
