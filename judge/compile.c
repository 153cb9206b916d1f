/*
 * compile.c - turn a source (file, directory of files, or buffer) into a
 * program ready to run in a box. The compiler runs in the sandbox with the
 * language's compile limits, so a compile-time attack (#include
 * "/dev/random", endless template expansion) ends as a failed compile.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include "judge/internal.h"

void jd_program_free(struct jd_program *prog)
{
    if (!prog)
        return;
    if (prog->dir && !prog->plain_dir)
        sb_scratch_umount(prog->dir); /* the binary and the compiler's files go */
    free(prog->dir);
    jd_strv_free(prog->sources);
    jd_strv_free(prog->extra_args);
    memset(prog, 0, sizeof *prog);
}

static bool is_header(const char *name)
{
    const char *e = jd_extension(name);
    return !strcmp(e, "h") || !strcmp(e, "hpp") || !strcmp(e, "hh") || !strcmp(e, "hxx");
}

static bool lang_has_ext(const struct jd_lang *l, const char *name)
{
    const char *e = jd_extension(name);
    for (char **x = l->extensions; x && *x; x++)
        if (!strcmp(*x, e))
            return true;
    return false;
}

static bool file_holds(const char *dir, const char *name, const char *marker)
{
    char *path = jd_path_join(dir, name), *text = NULL;
    bool found = path && jd_read_file(path, 4 << 20, &text, NULL) == 0 && strstr(text, marker);
    free(text);
    free(path);
    return found;
}

/* Source files of a directory program: every file of the language, the
 * entry point first (for a language with an entry marker, the first file
 * holding it: Java runs the class that has main; else main.EXT / Main.EXT
 * if present, else the first by name). The compiler gets them all; an
 * interpreter only the entry point. */
static int dir_sources(const struct jd_lang *lang, const char *dir, char ***out)
{
    char **names = NULL, **v = calloc(1, sizeof *v);
    size_t n = 0;
    int rc = v ? jd_list_dir(dir, &names, &n) : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (lang_has_ext(lang, names[i]) && !is_header(names[i]))
            rc = jd_strv_push(&v, names[i]);
    jd_strv_free(names);
    if (rc == 0 && !v[0])
        rc = -ENOENT;
    if (rc < 0) {
        jd_strv_free(v);
        return rc;
    }
    size_t marked = 0;
    bool have_mark = false;
    for (size_t i = 0; lang->entry_marker && v[i] && !have_mark; i++)
        if (file_holds(dir, v[i], lang->entry_marker)) {
            marked = i;
            have_mark = true;
        }
    for (size_t i = 1; v[i]; i++)
        if (have_mark ? i == marked : !strncasecmp(v[i], "main.", 5)) {
            char *keep = v[i];
            memmove(&v[1], &v[0], i * sizeof *v);
            v[0] = keep;
            break;
        }
    *out = v;
    return 0;
}

/* A single-file checker often includes a header shipped next to it
 * (checker.cpp + testlib.h): headers beside a source file come along. */
static int copy_sibling_headers(const char *path, const char *dir)
{
    const char *slash = strrchr(path, '/');
    char *src_dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
    char **names = NULL;
    size_t n = 0;
    int rc = src_dir ? 0 : -ENOMEM;
    if (rc == 0 && jd_list_dir(src_dir, &names, &n) < 0)
        n = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!is_header(names[i]))
            continue;
        char *from = jd_path_join(src_dir, names[i]), *to = jd_path_join(dir, names[i]);
        rc = from && to ? (jd_is_file(from) ? jd_copy_file(from, to, 0644) : 0) : -ENOMEM;
        free(from);
        free(to);
    }
    jd_strv_free(names);
    free(src_dir);
    return rc;
}

static int run_compiler(struct sb_slot *slot, const struct jd_lang *lang, struct jd_program *prog,
                        const char *scratch, const char *tag, const char *opts, bool *ok,
                        char **out, size_t *outlen, struct sb_result *cres, char *err, size_t errlen)
{
    *ok = true;
    if (out)
        *out = NULL;
    if (outlen)
        *outlen = 0;
    if (!lang->compile_argv)
        return 0;
    char **argv = jd_expand_argv(lang->compile_argv, prog->sources, opts, NULL, 0);
    char *logp = jd_asprintf("%s/%s.compile.log", scratch, tag);
    if (!argv || !logp) {
        jd_strv_free(argv);
        free(logp);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        int e = -errno;
        snprintf(err, errlen, "%s: %s", logp, strerror(errno));
        jd_strv_free(argv);
        free(logp);
        return e;
    }
    struct sb_mount mounts[SB_MAX_MOUNTS];
    struct jd_box_run r;
    jd_box_run_init(&r);
    r.argv = (const char *const *)argv;
    r.box_dir = prog->dir;
    r.box_writable = true;
    r.mounts = mounts;
    r.n_mounts = jd_lang_mounts(lang, mounts, SB_MAX_MOUNTS);
    r.stdout_fd = r.stderr_fd = fd;
    r.limits = lang->compile_limits;
    struct sb_result res;
    chmod(prog->dir, 0777);   /* the compiler runs as the box's uid and writes here */
    int rc = jd_box(slot, &r, &res);
    chmod(prog->dir, 0755);
    close(fd);
    if (cres)
        *cres = res;
    jd_strv_free(argv);
    if (rc < 0 || res.status == SB_XX) {
        snprintf(err, errlen, "compiling in the sandbox failed: %s", res.message);
        free(logp);
        /* always -EIO: a sandbox failure is the judge's, never the
         * submitter's (callers map -EINVAL from archives to CE) */
        return -EIO;
    }
    char *text = NULL;
    size_t len = 0;
    if (jd_read_file(logp, JD_COMPILE_OUTPUT_CAP, &text, &len) < 0)
        text = NULL;
    free(logp);
    if (res.status != SB_OK) {
        *ok = false;
        const char *why = res.status == SB_TO ? "compilation time limit exceeded"
                        : res.status == SB_ML ? "compilation memory limit exceeded"
                        : res.status == SB_OL ? "compiler output limit exceeded"
                        : res.status == SB_SG ? "compiler killed by a signal" : NULL;
        if (why) {
            char *t = jd_asprintf("%s%s%s\n", text ? text : "", text && *text ? "\n" : "", why);
            if (t) {
                free(text);
                text = t;
                len = strlen(t);
            }
        }
    }
    if (out) {
        *out = text;
        if (outlen)
            *outlen = text ? len : 0;
    } else {
        free(text);
    }
    return 0;
}

/* The program is the one file `name` in its directory. */
static int single_source(struct jd_program *prog, const char *name)
{
    if (!(prog->sources = calloc(1, sizeof(char *))))
        return -ENOMEM;
    return jd_strv_push(&prog->sources, name);
}

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$';
}

/* Does the source declare `class NAME` (NAME a whole word)? */
static bool declares_class(const char *text, const char *name, size_t nl)
{
    for (const char *p = strstr(text, "class"); p; p = strstr(p + 5, "class")) {
        if (p > text && ident_char(p[-1]))
            continue;
        const char *q = p + 5;
        if (*q != ' ' && *q != '\t' && *q != '\n' && *q != '\r')
            continue;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
            q++;
        if (!strncmp(q, name, nl) && !ident_char(q[nl]))
            return true;
    }
    return false;
}

/* text with its comments and string and char literals blanked out, so
 * that "// public class Old" names nothing; malloc'd, NULL on ENOMEM. */
static char *code_only(const char *text)
{
    char *c = strdup(text);
    if (!c)
        return NULL;
    for (char *p = c; *p; p++) {
        if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                *p++ = ' ';
        } else if (p[0] == '/' && p[1] == '*') {
            *p++ = ' ';
            *p = ' ';
            while (p[1] && !(p[1] == '*' && p[2] == '/'))
                *++p = ' ';
            if (p[1])
                p[1] = p[2] = ' ', p += 2;
        } else if (*p == '"' || *p == '\'') {
            char q = *p;
            *p = ' ';
            while (p[1] && p[1] != q) {
                if (p[1] == '\\' && p[2])
                    *++p = ' ';
                *++p = ' ';
            }
            if (p[1])
                *++p = ' ';
        }
        if (!*p)
            break;
    }
    return c;
}

/* The class a Java-like source declares public (`public [final|abstract]
 * class NAME`), copied into name; false if none or not a plain identifier. */
static bool public_class(const char *source, char *name, size_t namelen)
{
    char *text = code_only(source);
    if (!text)
        return false;
    bool found = false;
    for (const char *p = strstr(text, "class"); p && !found; p = strstr(p + 5, "class")) {
        if ((p > text && ident_char(p[-1])) || ident_char(p[5]))
            continue;
        /* the words before it, back to "public" */
        const char *b = p;
        bool pub = false;
        for (int words = 0; words < 3 && !pub; words++) {
            while (b > text && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n' || b[-1] == '\r'))
                b--;
            const char *e = b;
            while (b > text && ident_char(b[-1]))
                b--;
            size_t wl = (size_t)(e - b);
            if (wl == 6 && !strncmp(b, "public", 6))
                pub = true;
            else if (!((wl == 5 && !strncmp(b, "final", 5)) || (wl == 8 && !strncmp(b, "abstract", 8))))
                break;
        }
        if (!pub)
            continue;
        const char *q = p + 5;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
            q++;
        size_t n = 0;
        while (ident_char(q[n]))
            n++;
        if (n == 0 || n > 128 || n + 1 > namelen || (q[0] >= '0' && q[0] <= '9'))
            break;
        memcpy(name, q, n);
        name[n] = 0;
        found = true;
    }
    free(text);
    return found;
}

/* The name a single source file is saved as. Kattis compiles hello.java
 * (public class hello) under its own name and runs class hello; a
 * language with keep_file_name does so when the name is a plain
 * identifier (nothing that could be an option, a path or a shell word)
 * and the source declares that class. Otherwise (Throw.java holding
 * public class Main, as Judge0-style clients send) lang->source_file.
 * Returns a malloc'd name or NULL on ENOMEM. */
static char *saved_name(const struct jd_lang *lang, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    bool plain = lang->keep_file_name && dot && dot > base && dot - base <= 128 &&
                 lang_has_ext(lang, base) && !(base[0] >= '0' && base[0] <= '9');
    for (const char *c = base; plain && c < dot; c++)
        plain = ident_char(*c);
    char *text = NULL;
    if (plain && jd_read_file(path, 4 << 20, &text, NULL) == 0 &&
        declares_class(text, base, (size_t)(dot - base))) {
        free(text);
        return strdup(base);
    }
    /* Not named after its class (a source that came over HTTP is saved as
     * Main.java whatever it holds): the public class it declares names
     * it, as javac requires. */
    char cls[130];
    const char *ext = strrchr(lang->source_file, '.');
    if (lang->keep_file_name && ext && (text || jd_read_file(path, 4 << 20, &text, NULL) == 0) &&
        text && public_class(text, cls, sizeof cls)) {
        free(text);
        return jd_asprintf("%s%s", cls, ext);
    }
    free(text);
    return strdup(lang->source_file);
}

/* Can a compiler message hold a file name that starts or ends here? Names
 * stand after a line start, a space, a quote, '(' or '/', and before ':',
 * a quote, '(', ',', ')' or space: "main.c:3:1:", " --> main.rs:2:5",
 * "main.pas(3,1)", "In file included from main.c:2"; "domain.c" is not
 * "main.c". ‘ ’ are gcc's quotes in a UTF-8 locale. */
static bool name_before(const char *s, size_t i)
{
    if (i == 0)
        return true;
    char c = s[i - 1];
    return (c && strchr(" \t\n\"'`(/", c)) || (i >= 3 && !memcmp(s + i - 3, "\xe2\x80\x98", 3));
}

static bool name_after(const char *s, size_t i, size_t len)
{
    if (i == len)
        return true;
    return (s[i] && strchr(":\"'(,) \t\n", s[i])) || (i + 3 <= len && !memcmp(s + i, "\xe2\x80\x99", 3));
}

/* The compiler saw the file as `saved` (main.c); the submitter wrote
 * `theirs` (sol.c): their name in the messages, so "sol.c:3:1: error"
 * points at their file. Only whole names are replaced. The text stays
 * within cap (the compiler output cap): a rename never lets it grow past. */
static void rename_in_output(char **out, size_t *outlen, const char *saved, const char *theirs)
{
    if (!*out || !strcmp(saved, theirs) || !*theirs)
        return;
    const char *s = *out;
    size_t len = outlen ? *outlen : strlen(s), fl = strlen(saved), tl = strlen(theirs);
    size_t n = 0;
    for (const char *m = s; (m = memmem(m, len - (size_t)(m - s), saved, fl)); m += fl)
        n++;
    if (!n)
        return;
    size_t cap = len + n * (tl > fl ? tl - fl : 0) + 1;
    if (cap - 1 > JD_COMPILE_OUTPUT_CAP)
        return; /* would grow past the cap: keep the compiler's text */
    char *t = malloc(cap);
    if (!t)
        return;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (i + fl <= len && !memcmp(s + i, saved, fl) && name_before(s, i) &&
            name_after(s, i + fl, len)) {
            memcpy(t + o, theirs, tl);
            o += tl;
            i += fl;
        } else {
            t[o++] = s[i++];
        }
    }
    t[o] = 0;
    free(*out);
    *out = t;
    if (outlen)
        *outlen = o;
}

/* The one file a plain program dir keeps from the job before: the source
 * file, when the new one has the same name (a regular file, written over:
 * no unlink and create per job). Anything else an earlier job left, of
 * another language, goes. */
static bool same_source(int dfd, const char *name, unsigned char type, void *ctx)
{
    struct stat st;
    return type == DT_REG && !strcmp(name, ctx) &&
           fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
           st.st_nlink == 1;
}

/* bounded: a tmpfs of JD_PROGRAM_DIR_KIB (else a plain directory, for a
 * program nothing writes to in a box, whose source file is keep) */
static int make_dir(const char *scratch, const char *tag, bool bounded, const char *keep,
                    char **dir, char *err, size_t errlen)
{
    *dir = jd_path_join(scratch, tag);
    if (!*dir) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    /* A dir only we write (bounded: no) is emptied and used again when it
     * is a plain one: the same inode lets the sandbox keep its mount. */
    if (!bounded) {
        int fd = open(*dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        bool reused = fd >= 0 && jd_plain_dir_fd(fd) &&
                      jd_empty_dir_fd(fd, keep ? same_source : NULL, (void *)keep) == 0 &&
                      fchmod(fd, 0755) == 0;
        if (fd >= 0)
            close(fd);
        if (reused)
            return 0;
    }
    sb_scratch_umount(*dir); /* a leftover from an earlier judge */
    sb_rm_rf(*dir);
    if (mkdir(*dir, 0755) < 0) {
        int e = -errno;
        snprintf(err, errlen, "%s: %s", *dir, strerror(errno));
        free(*dir);
        *dir = NULL;
        return e;
    }
    if (!bounded)
        return 0;
    /* The compiler writes here with a writable /box: cap the total (per
     * file only RLIMIT_FSIZE applies; -fdump-tree-all alone writes
     * hundreds of files) by making it a tmpfs of bounded size. */
    char merr[SB_MSG_MAX];
    int r = sb_scratch_mount(*dir, JD_PROGRAM_DIR_KIB, merr, sizeof merr);
    if (r < 0) {
        snprintf(err, errlen, "program directory: %s", merr);
        free(*dir);
        *dir = NULL;
        return r;
    }
    return 0;
}

int jd_program_prepare(const struct jd_lang *lang, const char *path, const char *scratch,
                       const char *tag, bool with_headers, struct jd_program *prog, char *err,
                       size_t errlen)
{
    memset(prog, 0, sizeof *prog);
    prog->lang = lang;
    int rc = make_dir(scratch, tag, true, NULL, &prog->dir, err, errlen);
    if (rc < 0)
        return rc;
    if (jd_is_dir(path)) {
        rc = jd_copy_tree(path, prog->dir);
        if (rc == 0) {
            rc = dir_sources(lang, prog->dir, &prog->sources);
            if (rc == -ENOENT) {
                snprintf(err, errlen, "%s: no %s source file in this directory", path, lang->name);
                goto fail;
            }
        }
    } else {
        char *name = saved_name(lang, path);
        char *dst = name ? jd_path_join(prog->dir, name) : NULL;
        rc = dst ? jd_copy_file(path, dst, 0644) : -ENOMEM;
        free(dst);
        if (rc == 0 && with_headers)
            rc = copy_sibling_headers(path, prog->dir);
        if (rc == 0)
            rc = single_source(prog, name);
        free(name);
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(-rc));
        goto fail;
    }
    return 0;
fail:
    jd_program_free(prog);
    return rc;
}

int jd_program_compile(struct sb_slot *slot, struct jd_program *prog, const char *scratch,
                       const char *tag, const char *compiler_options, bool *ok, char **out,
                       size_t *outlen, struct sb_result *cres, char *err, size_t errlen)
{
    int rc = run_compiler(slot, prog->lang, prog, scratch, tag, compiler_options, ok, out, outlen,
                          cres, err, errlen);
    if (rc < 0)
        jd_program_free(prog);
    return rc;
}

int jd_program_build(struct sb_slot *slot, const struct jd_lang *lang,
                     const char *path, const char *scratch, const char *tag,
                     const char *compiler_options, bool with_headers,
                     struct jd_program *prog, bool *ok, char **out, size_t *outlen,
                     struct sb_result *cres, char *err, size_t errlen)
{
    int rc = jd_program_prepare(lang, path, scratch, tag, with_headers, prog, err, errlen);
    if (rc < 0)
        return rc;
    rc = jd_program_compile(slot, prog, scratch, tag, compiler_options, ok, out, outlen, cres,
                            err, errlen);
    /* only the generic name (main.c) is renamed: a file saved under its
     * own or its class's name is what the compiler should say */
    if (rc == 0 && out && !jd_is_dir(path) && prog->sources && prog->sources[0] &&
        lang->source_file && !strcmp(prog->sources[0], lang->source_file)) {
        const char *base = strrchr(path, '/');
        rename_in_output(out, outlen, prog->sources[0], base ? base + 1 : path);
    }
    return rc;
}

int jd_program_build_source(struct sb_slot *slot, const struct jd_lang *lang,
                            const char *src, size_t srclen, const char *scratch,
                            const char *tag, const char *compiler_options,
                            jd_fill_fn fill, void *fill_ctx,
                            struct jd_program *prog, bool *ok, char **out, size_t *outlen,
                            struct sb_result *cres, char *err, size_t errlen)
{
    memset(prog, 0, sizeof *prog);
    prog->lang = lang;
    /* Interpreted, no files unpacked (Plain Text, Bash): only the source is
     * written here, by us, and the box sees it read-only: no tmpfs to
     * mount and unmount per run. */
    bool bounded = lang->compile_argv || fill;
    int rc = make_dir(scratch, tag, bounded, lang->source_file, &prog->dir, err, errlen);
    if (rc < 0)
        return rc;
    prog->plain_dir = !bounded;
    if (fill && (rc = fill(prog->dir, fill_ctx, err, errlen)) < 0)
        goto fail;
    char *dst = jd_path_join(prog->dir, lang->source_file);
    rc = dst ? jd_write_file(dst, src ? src : "", src ? srclen : 0, 0644) : -ENOMEM;
    free(dst);
    if (rc == 0)
        rc = single_source(prog, lang->source_file);
    if (rc < 0) {
        snprintf(err, errlen, "writing the source: %s", strerror(-rc));
        goto fail;
    }
    rc = run_compiler(slot, lang, prog, scratch, tag, compiler_options, ok, out, outlen, cres,
                      err, errlen);
    if (rc < 0)
        goto fail;
    return 0;
fail:
    jd_program_free(prog);
    return rc;
}

char **jd_program_argv(const struct jd_program *prog, char *const *more, uint64_t mem_kib)
{
    char **v = calloc(1, sizeof *v);
    bool placed = false;
    if (!v)
        return NULL;
    for (char **t = prog->lang->run_argv; *t; t++) {
        int rc = 0;
        if (!strcmp(*t, "{args}")) {
            for (size_t i = 0; more && more[i] && rc == 0; i++)
                rc = jd_strv_push(&v, more[i]);
            for (size_t i = 0; prog->extra_args && prog->extra_args[i] && rc == 0; i++)
                rc = jd_strv_push(&v, prog->extra_args[i]);
            placed = true;
        } else {
            /* running: {src} is the entry point only, {main} its name
             * without the extension (the class Java runs) */
            const char *src0 = prog->sources && prog->sources[0] ? prog->sources[0] : "";
            const char *dot = strrchr(src0, '.');
            char *stem = dot ? strndup(src0, (size_t)(dot - src0)) : strdup(src0);
            char *with_main = NULL;
            if (stem && strstr(*t, "{main}")) {
                size_t k = (size_t)(strstr(*t, "{main}") - *t);
                with_main = jd_asprintf("%.*s%s%s", (int)k, *t, stem, *t + k + 6);
            }
            char *one[2] = {with_main ? with_main : *t, NULL};
            char *entry[2] = {(char *)src0, NULL};
            char **e = stem && (with_main || !strstr(*t, "{main}"))
                           ? jd_expand_argv(one, entry, NULL, NULL, mem_kib) : NULL;
            free(stem);
            free(with_main);
            for (size_t i = 0; e && e[i] && rc == 0; i++)
                rc = jd_strv_push(&v, e[i]);
            if (!e)
                rc = -ENOMEM;
            jd_strv_free(e);
        }
        if (rc < 0) {
            jd_strv_free(v);
            return NULL;
        }
    }
    if (!placed) {
        for (size_t i = 0; more && more[i]; i++)
            if (jd_strv_push(&v, more[i]) < 0) {
                jd_strv_free(v);
                return NULL;
            }
    }
    return v;
}
