/* languages.c - the language table (configs/languages.json) and its lookups. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <jansson.h>
#include "judge/internal.h"
#include "judge/number.h"

/* Checkers of problem packages when the caller gives no language table. */
static const char builtin_json[] =
    "{\"languages\": ["
    "{\"id\":\"c\",\"name\":\"C\",\"source_file\":\"main.c\",\"extensions\":[\"c\"],"
    " \"compile\":[\"gcc\",\"-O2\",\"-std=gnu11\",\"-o\",\"main\",\"{src}\",\"-lm\"],\"run\":[\"./main\"]},"
    "{\"id\":\"cpp\",\"name\":\"C++\",\"source_file\":\"main.cpp\",\"extensions\":[\"cpp\",\"cc\",\"cxx\",\"c++\",\"C\"],"
    " \"compile\":[\"g++\",\"-O2\",\"-std=gnu++17\",\"-o\",\"main\",\"{src}\"],\"run\":[\"./main\"]},"
    "{\"id\":\"python3\",\"name\":\"Python 3\",\"source_file\":\"main.py\",\"extensions\":[\"py\"],"
    " \"run\":[\"python3\",\"{src}\"]}"
    "]}";

/* Free what a language entry owns and zero it. */
void jd_lang_clear(struct jd_lang *l)
{
    free(l->id);
    free(l->name);
    free(l->source_file);
    free(l->entry_marker);
    free(l->shebang);
    jd_strv_free(l->shebang_extensions);
    jd_strv_free(l->extensions);
    jd_strv_free(l->compile_argv);
    jd_strv_free(l->run_argv);
    jd_strv_free(l->mounts);
    memset(l, 0, sizeof *l);
}

/* A deep copy, e.g. for a validator cache that outlives the table. */
int jd_lang_copy(struct jd_lang *dst, const struct jd_lang *src)
{
    *dst = *src;
    dst->id = jd_strdup(src->id);
    dst->name = jd_strdup(src->name);
    dst->source_file = jd_strdup(src->source_file);
    dst->entry_marker = jd_strdup(src->entry_marker);
    dst->shebang = jd_strdup(src->shebang);
    dst->shebang_extensions = src->shebang_extensions ? jd_strv_dup(src->shebang_extensions) : NULL;
    dst->extensions = src->extensions ? jd_strv_dup(src->extensions) : NULL;
    dst->compile_argv = src->compile_argv ? jd_strv_dup(src->compile_argv) : NULL;
    dst->run_argv = src->run_argv ? jd_strv_dup(src->run_argv) : NULL;
    dst->mounts = src->mounts ? jd_strv_dup(src->mounts) : NULL;
    if (!dst->id || !dst->name || !dst->source_file || !dst->run_argv ||
        (src->extensions && !dst->extensions) || (src->compile_argv && !dst->compile_argv) ||
        (src->mounts && !dst->mounts) || (src->entry_marker && !dst->entry_marker) ||
        (src->shebang && !dst->shebang) || (src->shebang_extensions && !dst->shebang_extensions)) {
        jd_lang_clear(dst);
        return -ENOMEM;
    }
    return 0;
}

void jd_langs_free(struct jd_langs *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        jd_lang_clear(&l->v[i]);
    free(l->v);
    free(l);
}

/* Where a command would be found inside the box (same PATH as the box). */
bool jd_command_path(const char *cmd, char *out, size_t outlen)
{
    if (!cmd || !*cmd || cmd[0] == '.')
        return false;
    if (cmd[0] == '/')
        return access(cmd, X_OK) == 0 && (size_t)snprintf(out, outlen, "%s", cmd) < outlen;
    /* the box's PATH (sandbox/defaults.c) */
    static const char *const path[] = {"/usr/local/bin", "/usr/bin", "/bin"};
    for (size_t i = 0; i < 3; i++)
        if ((size_t)snprintf(out, outlen, "%s/%s", path[i], cmd) < outlen && access(out, X_OK) == 0)
            return true;
    return false;
}

bool jd_command_exists(const char *cmd)
{
    if (cmd && (cmd[0] == '.' || !strncmp(cmd, "/box/", 5)))
        return true;    /* the program built by the compile step */
    char buf[4096];
    return jd_command_path(cmd, buf, sizeof buf);
}

static int strv_from_json(json_t *a, char ***out, bool allow_null)
{
    *out = NULL;
    if (!a || json_is_null(a))
        return allow_null ? 0 : -EINVAL;
    if (json_is_string(a)) {   /* "gcc -O2 ..." as a convenience */
        *out = jd_strv_split(json_string_value(a));
        return *out ? 0 : -ENOMEM;
    }
    if (!json_is_array(a))
        return -EINVAL;
    char **v = calloc(1, sizeof *v);
    if (!v)
        return -ENOMEM;
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        if (!json_is_string(e)) {
            jd_strv_free(v);
            return -EINVAL;
        }
        if (jd_strv_push(&v, json_string_value(e)) < 0) {
            jd_strv_free(v);
            return -ENOMEM;
        }
    }
    *out = v;
    return 0;
}

/* A number at key of o in [lo, hi] (whole when asked): 1 read, 0 absent,
 * -EINVAL with err naming the language, the object and the key. Checked
 * before the conversion: a negative or huge *_kib must not reach a cast. */
static int num_of(json_t *o, const char *lang, const char *obj, const char *key, double lo,
                  double hi, bool whole, double *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    int64_t n;
    if (json_is_number(v) && (whole ? jd_num_int(json_number_value(v), (int64_t)lo, (int64_t)hi,
                                                 true, &n) == 0
                                    : jd_num_real(json_number_value(v), lo, hi) == 0)) {
        *out = json_number_value(v);
        return 1;
    }
    snprintf(err, errlen, "language \"%s\": %s.%s must be a %s from %.0f to %.0f", lang, obj, key,
             whole ? "whole number" : "number", lo, hi);
    return -EINVAL;
}

/* KiB from kib_key, or MiB from mib_key; 0 when neither is given. */
static int kib_of(json_t *o, const char *lang, const char *obj, const char *kib_key,
                  const char *mib_key, uint64_t *out, char *err, size_t errlen)
{
    double v = 0;
    int r = num_of(o, lang, obj, kib_key, 0, (double)JD_KIB_MAX, false, &v, err, errlen);
    if (r == 0) {
        r = num_of(o, lang, obj, mib_key, 0, (double)(JD_KIB_MAX / 1024), false, &v, err, errlen);
        v *= 1024;
    }
    *out = r > 0 ? (uint64_t)v : 0; /* in [0, JD_KIB_MAX]: exact enough, and defined */
    return r < 0 ? r : 0;
}

static int limits_from_json(json_t *o, const char *lang, const char *obj, struct sb_limits *l,
                            char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    if (!o || json_is_null(o))
        return 0;
    if (!json_is_object(o)) {
        snprintf(err, errlen, "language \"%s\": %s must be an object", lang, obj);
        return -EINVAL;
    }
    double v;
    int r;
    if ((r = num_of(o, lang, obj, "cpu_s", 0, JD_SECONDS_MAX, false, &l->cpu_s, err, errlen)) < 0 ||
        (r = num_of(o, lang, obj, "wall_s", 0, JD_SECONDS_MAX, false, &l->wall_s, err, errlen)) < 0 ||
        (r = kib_of(o, lang, obj, "mem_kib", "mem_mib", &l->mem_kib, err, errlen)) < 0 ||
        (r = kib_of(o, lang, obj, "stack_kib", "stack_mib", &l->stack_kib, err, errlen)) < 0 ||
        (r = kib_of(o, lang, obj, "fsize_kib", "fsize_mib", &l->fsize_kib, err, errlen)) < 0 ||
        (r = kib_of(o, lang, obj, "as_kib", "as_mib", &l->as_kib, err, errlen)) < 0 ||
        (r = kib_of(o, lang, obj, "tmp_kib", "tmp_mib", &l->tmp_kib, err, errlen)) < 0)
        return r;
    if ((r = num_of(o, lang, obj, "procs", 0, 100000, true, &v, err, errlen)) < 0)
        return r;
    if (r)
        l->procs = (uint32_t)v;
    if ((r = num_of(o, lang, obj, "nofile", 0, 65536, true, &v, err, errlen)) < 0)
        return r;
    if (r)
        l->nofile = (uint32_t)v;
    return 0;
}

static int lang_from_json(json_t *o, size_t idx, struct jd_lang *l, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!json_is_object(o) || !id) {
        snprintf(err, errlen, "languages[%zu]: needs an \"id\"", idx);
        return -EINVAL;
    }
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *src = json_string_value(json_object_get(o, "source_file"));
    l->id = strdup(id);
    l->name = strdup(name ? name : id);
    l->source_file = src ? strdup(src) : NULL;
    const char *marker = json_string_value(json_object_get(o, "entry_marker"));
    l->entry_marker = marker && *marker ? strdup(marker) : NULL;
    json_t *keep = json_object_get(o, "keep_file_name");
    if (keep && !json_is_boolean(keep)) {
        snprintf(err, errlen, "language \"%s\": keep_file_name must be true or false", id);
        return -EINVAL;
    }
    l->keep_file_name = json_is_true(keep);
    const char *sb = json_string_value(json_object_get(o, "shebang"));
    if (sb && *sb && !(l->shebang = strdup(sb)))
        goto nomem;
    json_t *ve = json_object_get(o, "input_valid_exit");
    if (ve && (!json_is_integer(ve) || json_integer_value(ve) < 0 || json_integer_value(ve) > 255)) {
        snprintf(err, errlen, "language \"%s\": input_valid_exit must be a whole number from 0 to 255", id);
        return -EINVAL;
    }
    l->input_valid_exit = ve ? (int)json_integer_value(ve) : 42;
    if (!l->id || !l->name || (src && !l->source_file) || (marker && *marker && !l->entry_marker))
        goto nomem;
    int rc;
    if ((rc = strv_from_json(json_object_get(o, "extensions"), &l->extensions, true)) < 0 ||
        (rc = strv_from_json(json_object_get(o, "compile"), &l->compile_argv, true)) < 0 ||
        (rc = strv_from_json(json_object_get(o, "run"), &l->run_argv, false)) < 0 ||
        (rc = strv_from_json(json_object_get(o, "mounts"), &l->mounts, true)) < 0 ||
        (rc = strv_from_json(json_object_get(o, "shebang_extensions"), &l->shebang_extensions, true)) < 0) {
        if (rc == -ENOMEM)
            goto nomem;
        snprintf(err, errlen, "language \"%s\": extensions/compile/run/mounts/shebang_extensions must be arrays of strings (run is required)", id);
        return -EINVAL;
    }
    if (!l->extensions && !(l->extensions = calloc(1, sizeof(char *))))
        goto nomem;
    if (l->compile_argv && !l->compile_argv[0]) {
        free(l->compile_argv);
        l->compile_argv = NULL;
    }
    if (!l->run_argv[0]) {
        snprintf(err, errlen, "language \"%s\": empty run command", id);
        return -EINVAL;
    }
    if (!l->source_file) {
        const char *ext = l->extensions[0] ? l->extensions[0] : "txt";
        if (!(l->source_file = jd_asprintf("main.%s", ext)))
            goto nomem;
    }
    if (strchr(l->source_file, '/')) {
        snprintf(err, errlen, "language \"%s\": source_file must be a plain name", id);
        return -EINVAL;
    }
    /* Judge0 ids: 1..INT_MAX (0 ends the list), at most 7 in all. The
     * listed ones (judge0_ids) come first, then judge0_archived_ids: ids
     * this toolchain also answers to, which GET /languages leaves out. */
    size_t k = 0;
    for (int part = 0; part < 2; part++) {
        const char *key = part ? "judge0_archived_ids" : "judge0_ids";
        json_t *ids = json_object_get(o, key);
        if (ids && !json_is_integer(ids) && !json_is_array(ids)) {
            snprintf(err, errlen, "language \"%s\": %s must be a whole number or an array of them", id, key);
            return -EINVAL;
        }
        for (size_t i = 0; ids && i < (json_is_array(ids) ? json_array_size(ids) : 1); i++) {
            json_t *e = json_is_array(ids) ? json_array_get(ids, i) : ids;
            json_int_t v = json_is_integer(e) ? json_integer_value(e) : 0;
            if (v < 1 || v > INT_MAX || k >= 7) {
                snprintf(err, errlen, "language \"%s\": %s[%zu] must be a whole number from 1 to %d"
                         " (at most 7 ids with judge0_ids and judge0_archived_ids)", id, key, i, INT_MAX);
                return -EINVAL;
            }
            for (size_t j = 0; j < k; j++)
                if (l->judge0_ids[j] == (int)v) {
                    snprintf(err, errlen, "language \"%s\": Judge0 id %d is given twice", id, (int)v);
                    return -EINVAL;
                }
            l->judge0_ids[k++] = (int)v;
        }
        if (!part)
            l->judge0_listed = (int)k;
    }
    if ((rc = limits_from_json(json_object_get(o, "compile_limits"), id, "compile_limits",
                               &l->compile_limits, err, errlen)) < 0)
        return rc;
    if (!l->compile_limits.cpu_s)
        l->compile_limits.cpu_s = 10;
    if (!l->compile_limits.wall_s)
        l->compile_limits.wall_s = 20;
    if (!l->compile_limits.mem_kib)
        l->compile_limits.mem_kib = 1024 * 1024;
    if (!l->compile_limits.fsize_kib)
        l->compile_limits.fsize_kib = 64 * 1024;
    if (!l->compile_limits.procs)
        l->compile_limits.procs = 64;
    /* Validators and checkers are the setter's code, compiled once per
     * problem: their own limits, at least 60 s CPU / 120 s wall / 2 GiB,
     * so a heavy testlib checker is not a JE on a loaded host. */
    if ((rc = limits_from_json(json_object_get(o, "validator_compile_limits"), id,
                               "validator_compile_limits", &l->validator_compile_limits, err,
                               errlen)) < 0)
        return rc;
    {
        struct sb_limits *v = &l->validator_compile_limits;
        const struct sb_limits *c = &l->compile_limits;
        if (!v->cpu_s)
            v->cpu_s = c->cpu_s > 60 ? c->cpu_s : 60;
        if (!v->wall_s)
            v->wall_s = c->wall_s > 120 ? c->wall_s : 120;
        if (!v->mem_kib)
            v->mem_kib = c->mem_kib > 2048 * 1024 ? c->mem_kib : 2048 * 1024;
        if (!v->fsize_kib)
            v->fsize_kib = c->fsize_kib;
        if (!v->procs)
            v->procs = c->procs;
        if (!v->as_kib)
            v->as_kib = c->as_kib;
        if (!v->stack_kib)
            v->stack_kib = c->stack_kib;
        if (!v->nofile)
            v->nofile = c->nofile;
        if (!v->tmp_kib)
            v->tmp_kib = c->tmp_kib;
        if (!v->cpu_extra_s)
            v->cpu_extra_s = c->cpu_extra_s;
    }
    if ((rc = limits_from_json(json_object_get(o, "run_extra"), id, "run_extra", &l->run_extra,
                               err, errlen)) < 0)
        return rc;
    l->available = jd_command_exists(l->run_argv[0]) &&
                   (!l->compile_argv || jd_command_exists(l->compile_argv[0]));
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
}

int jd_langs_parse(const char *text, struct jd_langs **out, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    if (!root) {
        snprintf(err, errlen, "line %d: %s", je.line, je.text);
        return -EINVAL;
    }
    json_t *arr = json_is_array(root) ? root : json_object_get(root, "languages");
    if (!json_is_array(arr)) {
        snprintf(err, errlen, "expected {\"languages\": [...]}");
        json_decref(root);
        return -EINVAL;
    }
    struct jd_langs *ls = calloc(1, sizeof *ls);
    size_t n = json_array_size(arr);
    if (!ls || !(ls->v = calloc(n ? n : 1, sizeof *ls->v))) {
        free(ls);
        json_decref(root);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = lang_from_json(json_array_get(arr, i), i, &ls->v[i], err, errlen);
        ls->n = i + 1;
        if (rc < 0) {
            jd_langs_free(ls);
            json_decref(root);
            return rc;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(ls->v[j].id, ls->v[i].id)) {
                snprintf(err, errlen, "language id \"%s\" appears twice", ls->v[i].id);
                jd_langs_free(ls);
                json_decref(root);
                return -EINVAL;
            }
    }
    json_decref(root);
    *out = ls;
    return 0;
}

int jd_langs_load(const char *path, struct jd_langs **out, char *err, size_t errlen)
{
    char *text = NULL;
    char msg[256];
    int rc = jd_read_file(path, 4 << 20, &text, NULL);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(-rc));
        return rc;
    }
    rc = jd_langs_parse(text, out, msg, sizeof msg);
    free(text);
    if (rc < 0)
        snprintf(err, errlen, "%s: %s", path, msg);
    return rc;
}

int jd_langs_builtin(struct jd_langs **out, char *err, size_t errlen)
{
    return jd_langs_parse(builtin_json, out, err, errlen);
}

const struct jd_lang *jd_lang_by_id(const struct jd_langs *l, const char *id)
{
    for (size_t i = 0; l && id && i < l->n; i++)
        if (!strcmp(l->v[i].id, id))
            return &l->v[i];
    return NULL;
}

const struct jd_lang *jd_lang_by_judge0(const struct jd_langs *l, int judge0_id)
{
    for (size_t i = 0; l && i < l->n; i++)
        for (size_t k = 0; k < 8 && l->v[i].judge0_ids[k]; k++)
            if (l->v[i].judge0_ids[k] == judge0_id)
                return &l->v[i];
    return NULL;
}

/* First language (in table order) whose extensions list has this file's
 * extension; an available one wins over one that is not installed. */
/* Does the file's first line start with #! and name word (as a whole
 * word: "python2" matches "#!/usr/bin/env python2", not "python27")? */
static bool shebang_names(const char *path, const char *word)
{
    char line[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, line, sizeof line - 1);
    close(fd);
    if (n < 2 || line[0] != '#' || line[1] != '!')
        return false;
    line[n] = 0;
    line[strcspn(line, "\n")] = 0;
    size_t wl = strlen(word);
    for (const char *p = strstr(line, word); p; p = strstr(p + 1, word)) {
        char after = p[wl];
        if (!((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') ||
              (after >= '0' && after <= '9') || after == '_'))
            return true;
    }
    return false;
}

const struct jd_lang *jd_lang_by_filename(const struct jd_langs *l, const char *path)
{
    const char *ext = jd_extension(path);
    const struct jd_lang *found = NULL;
    if (!*ext)
        return NULL;
    /* Kattis: a .py whose #! line names python2 is Python 2, installed or
     * not (then it is skipped, not run as Python 3 and failed). */
    for (size_t i = 0; l && i < l->n; i++)
        for (char **e = l->v[i].shebang_extensions; l->v[i].shebang && e && *e; e++)
            if (!strcmp(*e, ext) && shebang_names(path, l->v[i].shebang))
                return &l->v[i];
    for (size_t i = 0; l && i < l->n; i++)
        for (char **e = l->v[i].extensions; e && *e; e++)
            if (!strcmp(*e, ext)) {
                if (l->v[i].available)
                    return &l->v[i];
                if (!found)
                    found = &l->v[i];
            }
    return found;
}

int jd_lang_mounts(const struct jd_lang *lang, struct sb_mount *m, int max)
{
    int n = 0;
    for (char **p = lang ? lang->mounts : NULL; p && *p && n < max; p++)
        m[n++] = (struct sb_mount){.host = *p, .box = *p, .optional = true};
    return n;
}

static bool is_header(const char *name)
{
    const char *e = jd_extension(name);
    return !strcmp(e, "h") || !strcmp(e, "hpp") || !strcmp(e, "hh") || !strcmp(e, "hxx");
}

const struct jd_lang *jd_detect_lang(const struct jd_langs *langs, const char *path)
{
    if (!jd_is_dir(path))
        return jd_lang_by_filename(langs, path);
    char **names = NULL;
    size_t n = 0;
    if (jd_list_dir(path, &names, &n) < 0)
        return NULL;
    const struct jd_lang *best = NULL;
    /* C++ wins over C when both appear (a .c helper next to a .cpp main is rare;
     * a checker dir with testlib.h is common). */
    for (size_t i = 0; i < n; i++) {
        if (is_header(names[i]))
            continue;
        char *full = jd_path_join(path, names[i]);
        const struct jd_lang *l = full ? jd_lang_by_filename(langs, full) : NULL;
        free(full);
        if (l && (!best || (!strcmp(l->id, "cpp") && !strcmp(best->id, "c"))))
            best = l;
    }
    jd_strv_free(names);
    return best;
}

const struct jd_lang *jd_lang_for_path(const struct jd_langs *l, const char *path)
{
    return jd_detect_lang(l, path);
}

static int push_split(char ***v, const char *s)
{
    char **w = jd_strv_split(s);
    if (!w)
        return -ENOMEM;
    for (char **p = w; *p; p++)
        if (jd_strv_push(v, *p) < 0) {
            jd_strv_free(w);
            return -ENOMEM;
        }
    jd_strv_free(w);
    return 0;
}

/* Replace every {key} in s by val; returns a new string. */
static char *replace_all(const char *s, const char *key, const char *val)
{
    size_t kl = strlen(key), vl = strlen(val), n = 0;
    for (const char *p = strstr(s, key); p; p = strstr(p + kl, key))
        n++;
    char *out = malloc(strlen(s) + n * vl + 1), *o = out;
    if (!out)
        return NULL;
    for (const char *p = s;;) {
        const char *q = strstr(p, key);
        if (!q) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, val, vl);
        o += vl;
        p = q + kl;
    }
    return out;
}

char **jd_expand_argv(char *const *tmpl, char *const *srcs, const char *opts,
                      const char *args, uint64_t mem_kib)
{
    char **v = calloc(1, sizeof *v);
    char mem[32];
    snprintf(mem, sizeof mem, "%llu", (unsigned long long)(mem_kib ? mem_kib / 1024 : 1024));
    if (!v)
        return NULL;
    for (size_t i = 0; tmpl && tmpl[i]; i++) {
        const char *t = tmpl[i];
        int rc = 0;
        if (!strcmp(t, "{src}")) {
            for (size_t k = 0; srcs && srcs[k] && rc == 0; k++)
                rc = jd_strv_push(&v, srcs[k]);
        } else if (!strcmp(t, "{opts}")) {
            rc = push_split(&v, opts ? opts : "");
        } else if (!strcmp(t, "{args}")) {
            rc = push_split(&v, args ? args : "");
        } else {
            char *a = replace_all(t, "{src}", srcs && srcs[0] ? srcs[0] : "");
            char *b = a ? replace_all(a, "{mem_mib}", mem) : NULL;
            rc = b ? jd_strv_push(&v, b) : -ENOMEM;
            free(a);
            free(b);
        }
        if (rc < 0) {
            jd_strv_free(v);
            return NULL;
        }
    }
    return v;
}
