/* test_server_judge0_json.c - the Judge0 JSON of a stored submission, byte
 * for byte: every field's key, order, null and base64 rendering, and that
 * the fields= parser and the renderer agree on the set of fields (one
 * table drives both; a wrong row shows here). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "server/service/judge0_json.h"
#include "tests/test_server.h"

static struct app app;

static void app_setup(void)
{
    char err[512];
    memset(&app, 0, sizeof app);
    config_defaults(&app.cfg);
    char *langs = repo_path("configs/languages.json");
    cr_assert_geq(jd_langs_load(langs, &app.langs, err, sizeof err), 0, "%s", err);
    free(langs);
}

static void app_teardown(void)
{
    jd_langs_free(app.langs);
    config_free(&app.cfg);
}

static void set_bytes(struct bytes *b, const char *s, size_t n)
{
    b->p = malloc(n + 1);
    cr_assert(b->p);
    memcpy(b->p, s, n);
    b->p[n] = 0;
    b->n = n;
}

/* A finished single run with every field set. */
static void full_run(struct submission *s)
{
    submission_init(s);
    strcpy(s->token, "00000000-0000-4000-8000-000000000001");
    s->language_id = 50;
    set_bytes(&s->source_code, "int main(){}", 12);
    set_bytes(&s->stdin_data, "in\n", 3);
    set_bytes(&s->expected_output, "exp\n", 4);
    s->compiler_options = strdup("-O2");
    s->command_line_arguments = strdup("a b");
    s->callback_url = strdup("http://127.0.0.1:1/cb");
    set_bytes(&s->additional_files, "PK\x03\x04", 4);
    s->cpu_time_limit = 5;
    s->cpu_extra_time = 1;
    s->wall_time_limit = 10.25;
    s->memory_limit = 128000;
    s->stack_limit = 64000;
    s->max_processes_and_or_threads = 60;
    s->max_file_size = 1024;
    s->number_of_runs = 1;
    s->per_process_time = false;
    s->per_process_memory = true;
    s->redirect_stderr_to_stdout = false;
    s->enable_network = true;
    s->status_id = 4;
    s->verdict = strdup("WA");
    set_bytes(&s->stdout_data, "out\n", 4);
    set_bytes(&s->stderr_data, "err\n", 4);
    set_bytes(&s->compile_output, "warn", 4);
    s->message = strdup("wrong answer");
    s->exit_code = 0;
    s->exit_signal = 0;
    s->time = 0.0125;
    s->wall_time = 0.5;
    s->memory = 2048;
    strcpy(s->created_at, "2026-01-02T03:04:05.000Z");
    strcpy(s->finished_at, "2026-01-02T03:04:06.000Z");
}

/* The rendering as text; NULL when it failed (then *not_utf8 says why). */
static char *render(const struct submission *s, j0_fields f, bool b64, struct fb_view v,
                    bool *not_utf8)
{
    json_t *j = j0_render_submission(&app, s, f, b64, v, not_utf8);
    if (!j)
        return NULL;
    char *t = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    cr_assert(t);
    return t;
}

static void expect_render(const struct submission *s, const char *spec, bool b64, struct fb_view v,
                          const char *want)
{
    j0_fields f;
    char err[256];
    cr_assert_eq(j0_fields_parse(spec, &f, err, sizeof err), 0, "%s", err);
    bool bad = true;
    char *got = render(s, f, b64, v, &bad);
    cr_assert(got, "fields=%s b64=%d: no rendering (not_utf8=%d)", spec ? spec : "(default)", b64, bad);
    cr_assert(!bad);
    cr_assert_str_eq(got, want, "fields=%s b64=%d", spec ? spec : "(default)", b64);
    free(got);
}

#define ALL_SPEC "*,verdict,problem_id,score,max_score,tests,tests_total"
static const struct fb_view submitter = {JD_FEEDBACK_UNSET, false};
static const struct fb_view jury = {JD_FEEDBACK_FULL, true};

TestSuite(server_judge0_json, .init = app_setup, .fini = app_teardown);

Test(server_judge0_json, every_field_plain_and_base64)
{
    struct submission s;
    full_run(&s);
    expect_render(&s, ALL_SPEC, false, submitter,
                  "{\"source_code\":\"int main(){}\",\"language_id\":50,\"stdin\":\"in\\n\","
                  "\"expected_output\":\"exp\\n\",\"stdout\":\"out\\n\",\"status_id\":4,"
                  "\"created_at\":\"2026-01-02T03:04:05.000Z\","
                  "\"finished_at\":\"2026-01-02T03:04:06.000Z\",\"time\":\"0.013\",\"memory\":2048,"
                  "\"stderr\":\"err\\n\",\"token\":\"00000000-0000-4000-8000-000000000001\","
                  "\"number_of_runs\":1,\"cpu_time_limit\":\"5.000\",\"cpu_extra_time\":\"1.000\","
                  "\"wall_time_limit\":\"10.250\",\"memory_limit\":128000,\"stack_limit\":64000,"
                  "\"max_processes_and_or_threads\":60,"
                  "\"enable_per_process_and_thread_time_limit\":false,"
                  "\"enable_per_process_and_thread_memory_limit\":true,\"max_file_size\":1024,"
                  "\"compile_output\":\"warn\",\"exit_code\":0,\"exit_signal\":null,"
                  "\"message\":\"wrong answer\",\"wall_time\":\"0.500\",\"compiler_options\":\"-O2\","
                  "\"command_line_arguments\":\"a b\",\"redirect_stderr_to_stdout\":false,"
                  "\"callback_url\":\"http://127.0.0.1:1/cb\",\"additional_files\":\"UEsDBA==\","
                  "\"enable_network\":true,\"status\":{\"id\":4,\"description\":\"Wrong Answer\"},"
                  "\"language\":{\"id\":50,\"name\":\"C (GCC 12, gnu11)\"},\"verdict\":\"WA\","
                  "\"problem_id\":null,\"score\":null,\"max_score\":null,\"tests\":null,"
                  "\"tests_total\":null}");
    expect_render(&s, ALL_SPEC, true, submitter,
                  "{\"source_code\":\"aW50IG1haW4oKXt9\",\"language_id\":50,\"stdin\":\"aW4K\","
                  "\"expected_output\":\"ZXhwCg==\",\"stdout\":\"b3V0Cg==\",\"status_id\":4,"
                  "\"created_at\":\"2026-01-02T03:04:05.000Z\","
                  "\"finished_at\":\"2026-01-02T03:04:06.000Z\",\"time\":\"0.013\",\"memory\":2048,"
                  "\"stderr\":\"ZXJyCg==\",\"token\":\"00000000-0000-4000-8000-000000000001\","
                  "\"number_of_runs\":1,\"cpu_time_limit\":\"5.000\",\"cpu_extra_time\":\"1.000\","
                  "\"wall_time_limit\":\"10.250\",\"memory_limit\":128000,\"stack_limit\":64000,"
                  "\"max_processes_and_or_threads\":60,"
                  "\"enable_per_process_and_thread_time_limit\":false,"
                  "\"enable_per_process_and_thread_memory_limit\":true,\"max_file_size\":1024,"
                  "\"compile_output\":\"d2Fybg==\",\"exit_code\":0,\"exit_signal\":null,"
                  "\"message\":\"d3JvbmcgYW5zd2Vy\",\"wall_time\":\"0.500\",\"compiler_options\":\"-O2\","
                  "\"command_line_arguments\":\"a b\",\"redirect_stderr_to_stdout\":false,"
                  "\"callback_url\":\"http://127.0.0.1:1/cb\",\"additional_files\":\"UEsDBA==\","
                  "\"enable_network\":true,\"status\":{\"id\":4,\"description\":\"Wrong Answer\"},"
                  "\"language\":{\"id\":50,\"name\":\"C (GCC 12, gnu11)\"},\"verdict\":\"WA\","
                  "\"problem_id\":null,\"score\":null,\"max_score\":null,\"tests\":null,"
                  "\"tests_total\":null}");
    expect_render(&s, NULL, false, submitter,
                  "{\"stdout\":\"out\\n\",\"time\":\"0.013\",\"memory\":2048,\"stderr\":\"err\\n\","
                  "\"token\":\"00000000-0000-4000-8000-000000000001\",\"compile_output\":\"warn\","
                  "\"message\":\"wrong answer\",\"status\":{\"id\":4,\"description\":\"Wrong Answer\"}}");
    expect_render(&s, NULL, true, submitter,
                  "{\"stdout\":\"b3V0Cg==\",\"time\":\"0.013\",\"memory\":2048,\"stderr\":\"ZXJyCg==\","
                  "\"token\":\"00000000-0000-4000-8000-000000000001\",\"compile_output\":\"d2Fybg==\","
                  "\"message\":\"d3JvbmcgYW5zd2Vy\",\"status\":{\"id\":4,\"description\":\"Wrong Answer\"}}");
    expect_render(&s, "*", true, submitter,
                  "{\"source_code\":\"aW50IG1haW4oKXt9\",\"language_id\":50,\"stdin\":\"aW4K\","
                  "\"expected_output\":\"ZXhwCg==\",\"stdout\":\"b3V0Cg==\",\"status_id\":4,"
                  "\"created_at\":\"2026-01-02T03:04:05.000Z\","
                  "\"finished_at\":\"2026-01-02T03:04:06.000Z\",\"time\":\"0.013\",\"memory\":2048,"
                  "\"stderr\":\"ZXJyCg==\",\"token\":\"00000000-0000-4000-8000-000000000001\","
                  "\"number_of_runs\":1,\"cpu_time_limit\":\"5.000\",\"cpu_extra_time\":\"1.000\","
                  "\"wall_time_limit\":\"10.250\",\"memory_limit\":128000,\"stack_limit\":64000,"
                  "\"max_processes_and_or_threads\":60,"
                  "\"enable_per_process_and_thread_time_limit\":false,"
                  "\"enable_per_process_and_thread_memory_limit\":true,\"max_file_size\":1024,"
                  "\"compile_output\":\"d2Fybg==\",\"exit_code\":0,\"exit_signal\":null,"
                  "\"message\":\"d3JvbmcgYW5zd2Vy\",\"wall_time\":\"0.500\",\"compiler_options\":\"-O2\","
                  "\"command_line_arguments\":\"a b\",\"redirect_stderr_to_stdout\":false,"
                  "\"callback_url\":\"http://127.0.0.1:1/cb\",\"additional_files\":\"UEsDBA==\","
                  "\"enable_network\":true,\"status\":{\"id\":4,\"description\":\"Wrong Answer\"},"
                  "\"language\":{\"id\":50,\"name\":\"C (GCC 12, gnu11)\"}}");
    submission_clear(&s);
}

Test(server_judge0_json, every_field_null)
{
    struct submission s;
    submission_init(&s);
    strcpy(s.token, "00000000-0000-4000-8000-000000000002");
    s.language_id = 99999;     /* no such language: its name is null */
    s.status_id = 1;
    expect_render(&s, ALL_SPEC, false, submitter,
                  "{\"source_code\":null,\"language_id\":99999,\"stdin\":null,\"expected_output\":null,"
                  "\"stdout\":null,\"status_id\":1,\"created_at\":null,\"finished_at\":null,\"time\":null,"
                  "\"memory\":null,\"stderr\":null,\"token\":\"00000000-0000-4000-8000-000000000002\","
                  "\"number_of_runs\":0,\"cpu_time_limit\":\"0.000\",\"cpu_extra_time\":\"0.000\","
                  "\"wall_time_limit\":\"0.000\",\"memory_limit\":0,\"stack_limit\":0,"
                  "\"max_processes_and_or_threads\":0,"
                  "\"enable_per_process_and_thread_time_limit\":false,"
                  "\"enable_per_process_and_thread_memory_limit\":false,\"max_file_size\":0,"
                  "\"compile_output\":null,\"exit_code\":null,\"exit_signal\":null,\"message\":null,"
                  "\"wall_time\":null,\"compiler_options\":null,\"command_line_arguments\":null,"
                  "\"redirect_stderr_to_stdout\":false,\"callback_url\":null,\"additional_files\":null,"
                  "\"enable_network\":false,\"status\":{\"id\":1,\"description\":\"In Queue\"},"
                  "\"language\":{\"id\":99999,\"name\":null},\"verdict\":null,\"problem_id\":null,"
                  "\"score\":null,\"max_score\":null,\"tests\":null,\"tests_total\":null}");
    expect_render(&s, ALL_SPEC, true, submitter,
                  "{\"source_code\":null,\"language_id\":99999,\"stdin\":null,\"expected_output\":null,"
                  "\"stdout\":null,\"status_id\":1,\"created_at\":null,\"finished_at\":null,\"time\":null,"
                  "\"memory\":null,\"stderr\":null,\"token\":\"00000000-0000-4000-8000-000000000002\","
                  "\"number_of_runs\":0,\"cpu_time_limit\":\"0.000\",\"cpu_extra_time\":\"0.000\","
                  "\"wall_time_limit\":\"0.000\",\"memory_limit\":0,\"stack_limit\":0,"
                  "\"max_processes_and_or_threads\":0,"
                  "\"enable_per_process_and_thread_time_limit\":false,"
                  "\"enable_per_process_and_thread_memory_limit\":false,\"max_file_size\":0,"
                  "\"compile_output\":null,\"exit_code\":null,\"exit_signal\":null,\"message\":null,"
                  "\"wall_time\":null,\"compiler_options\":null,\"command_line_arguments\":null,"
                  "\"redirect_stderr_to_stdout\":false,\"callback_url\":null,\"additional_files\":null,"
                  "\"enable_network\":false,\"status\":{\"id\":1,\"description\":\"In Queue\"},"
                  "\"language\":{\"id\":99999,\"name\":null},\"verdict\":null,\"problem_id\":null,"
                  "\"score\":null,\"max_score\":null,\"tests\":null,\"tests_total\":null}");
    /* a signal: exit_signal shows it; 0 is no signal, as null */
    s.exit_signal = 9;
    s.exit_code = -1;
    expect_render(&s, "exit_code,exit_signal", false, submitter,
                  "{\"exit_code\":null,\"exit_signal\":9}");
    submission_clear(&s);
}

Test(server_judge0_json, problem_submission)
{
    struct submission s;
    full_run(&s);
    s.problem_id = strdup("hello");
    s.score = 50;
    s.max_score = 100;
    s.tests_total = 2;
    s.tests = strdup("[{\"name\":\"1\",\"sample\":true,\"verdict\":\"AC\",\"_path\":\"x\","
                     "\"message\":\"ok\",\"output\":\"3\\n\"},"
                     "{\"name\":\"2\",\"sample\":false,\"verdict\":\"WA\",\"_message_b64\":\"/w==\"}]");
    /* the defaults add the problem fields on a problem submission */
    expect_render(&s, NULL, true, jury,
                  "{\"stdout\":\"b3V0Cg==\",\"time\":\"0.013\",\"memory\":2048,\"stderr\":\"ZXJyCg==\","
                  "\"token\":\"00000000-0000-4000-8000-000000000001\",\"compile_output\":\"d2Fybg==\","
                  "\"message\":\"d3JvbmcgYW5zd2Vy\",\"status\":{\"id\":4,\"description\":\"Wrong Answer\"},"
                  "\"verdict\":\"WA\",\"problem_id\":\"hello\",\"score\":50.0,\"max_score\":100.0,"
                  "\"tests\":[{\"name\":\"1\",\"sample\":true,\"verdict\":\"AC\",\"message\":\"b2s=\","
                  "\"output\":\"Mwo=\"},{\"name\":\"2\",\"sample\":false,\"verdict\":\"WA\",\"message\":\"/w==\"}],"
                  "\"tests_total\":2}");
    expect_render(&s, "token,tests", true, submitter,
                  "{\"token\":\"00000000-0000-4000-8000-000000000001\",\"tests\":[{\"name\":\"1\","
                  "\"sample\":true,\"verdict\":\"AC\",\"message\":\"b2s=\",\"output\":\"Mwo=\"},{\"name\":\"2\","
                  "\"sample\":false,\"verdict\":\"WA\",\"exit_code\":null,\"exit_signal\":null,"
                  "\"message\":null}]}");
    expect_render(&s, "token,tests", false, submitter,
                  "{\"token\":\"00000000-0000-4000-8000-000000000001\",\"tests\":[{\"name\":\"1\","
                  "\"sample\":true,\"verdict\":\"AC\",\"message\":\"ok\",\"output\":\"3\\n\"},{\"name\":\"2\","
                  "\"sample\":false,\"verdict\":\"WA\",\"exit_code\":null,\"exit_signal\":null,"
                  "\"message\":null}]}");
    submission_clear(&s);
}

/* A text field that is not UTF-8 cannot be a JSON string: the plain
 * rendering fails with not_utf8 (the route answers with the conversion
 * error), base64 shows it; additional_files is base64 in every mode. */
Test(server_judge0_json, not_utf8)
{
    struct submission s;
    full_run(&s);
    j0_fields f;
    char err[64];
    cr_assert_eq(j0_fields_parse(ALL_SPEC, &f, err, sizeof err), 0);
    bool bad = false;
    free(s.additional_files.p);
    set_bytes(&s.additional_files, "\xff\xfe", 2);
    char *t = render(&s, f, false, submitter, &bad);
    cr_assert(t && !bad, "additional_files is base64 in plain mode too");
    cr_assert(strstr(t, "\"additional_files\":\"//4=\""), "%s", t);
    free(t);
    static const size_t offs[] = {offsetof(struct submission, source_code),
                                  offsetof(struct submission, stdin_data),
                                  offsetof(struct submission, expected_output),
                                  offsetof(struct submission, stdout_data),
                                  offsetof(struct submission, stderr_data),
                                  offsetof(struct submission, compile_output)};
    for (size_t i = 0; i < sizeof offs / sizeof *offs; i++) {
        struct submission c = s;
        struct bytes *b = (struct bytes *)((char *)&c + offs[i]);
        *b = (struct bytes){"\xff", 1};
        bad = false;
        cr_assert_null(render(&c, f, false, submitter, &bad), "field %zu", i);
        cr_assert(bad, "field %zu", i);
        t = render(&c, f, true, submitter, &bad);
        cr_assert(t && !bad, "field %zu in base64", i);
        cr_assert(strstr(t, "\"/w==\""), "%s", t);
        free(t);
    }
    struct submission c = s;
    c.message = "\xff";
    bad = false;
    cr_assert_null(render(&c, f, false, submitter, &bad));
    cr_assert(bad, "message");
    t = render(&c, f, true, submitter, &bad);
    cr_assert(t && strstr(t, "\"message\":\"/w==\""), "%s", t);
    free(t);
    /* a field not asked for does not fail the rendering */
    c = s;
    c.stdout_data = (struct bytes){"\xff", 1};
    cr_assert_eq(j0_fields_parse("token,status", &f, err, sizeof err), 0);
    t = render(&c, f, false, submitter, &bad);
    cr_assert(t && !bad);
    free(t);
    submission_clear(&s);
}

/* The parser and the renderer share the field set: every key of the
 * widest rendering is a name fields= takes and that renders exactly that
 * key with the same value; every bit below the spare ones renders one key
 * or none, no two the same; the spare bits change nothing. */
Test(server_judge0_json, fields_agree_with_rendering)
{
    struct submission s;
    full_run(&s);
    s.problem_id = strdup("hello");
    s.tests = strdup("[]");
    j0_fields everything = ~J0_FIELDS_SPARE_MASK & (((j0_fields)1 << J0_FIELDS_SPARE_SHIFT) - 1);
    bool bad;
    json_t *all = j0_render_submission(&app, &s, everything, true, jury, &bad);
    cr_assert(all);
    j0_fields by_name;
    char err[256];
    cr_assert_eq(j0_fields_parse(ALL_SPEC, &by_name, err, sizeof err), 0);
    json_t *named = j0_render_submission(&app, &s, by_name, true, jury, &bad);
    cr_assert(json_equal(all, named), "\"*\" and the extras by name are every field");
    json_decref(named);

    const char *key;
    json_t *val;
    json_object_foreach(all, key, val) {
        j0_fields f;
        cr_assert_eq(j0_fields_parse(key, &f, err, sizeof err), 0, "%s: %s", key, err);
        json_t *one = j0_render_submission(&app, &s, f, true, jury, &bad);
        cr_assert(one);
        cr_assert_eq(json_object_size(one), 1, "fields=%s", key);
        cr_assert(json_equal(json_object_get(one, key), val), "fields=%s", key);
        json_decref(one);
        /* the spare bits are the caller's: ignored */
        f |= J0_FIELDS_SPARE_MASK;
        one = j0_render_submission(&app, &s, f, true, jury, &bad);
        cr_assert(one && json_object_size(one) == 1 && json_object_get(one, key), "fields=%s+spare", key);
        json_decref(one);
    }
    size_t rendering = 0;
    json_t *seen = json_object();
    for (int i = 0; i < J0_FIELDS_SPARE_SHIFT; i++) {
        json_t *one = j0_render_submission(&app, &s, (j0_fields)1 << i, true, jury, &bad);
        cr_assert(one);
        cr_assert_leq(json_object_size(one), 1, "bit %d", i);
        json_object_foreach(one, key, val) {
            cr_assert_null(json_object_get(seen, key), "bit %d renders %s again", i, key);
            cr_assert(json_object_get(all, key), "bit %d: %s", i, key);
            json_object_set_new(seen, key, json_true());
            rendering++;
        }
        json_decref(one);
    }
    cr_assert_eq(rendering, json_object_size(all));
    cr_assert_eq(j0_fields_parse("token", &by_name, err, sizeof err), 0);
    cr_assert_eq(j0_fields_token_only(), by_name);
    json_decref(seen);
    json_decref(all);
    submission_clear(&s);
}
