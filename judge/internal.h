/*
 * internal.h - what the files of the judge layer share with each other
 * (never included outside judge/ and its tests).
 */
#ifndef NSJUDGE_JUDGE_INTERNAL_H
#define NSJUDGE_JUDGE_INTERNAL_H

#include <stdio.h>
#include <yaml.h>
#include "judge/judge.h"
#include "sandbox/util.h"   /* sb_mkdir_p, sb_rm_rf, sb_first_line */

#define JD_COMPILE_OUTPUT_CAP (64 * 1024)

/* ---- small helpers (fsutil.c) ------------------------------------------ */
char *jd_strdup(const char *s);                 /* NULL on ENOMEM */
char *jd_path_join(const char *a, const char *b);
char *jd_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void jd_strv_free(char **v);
size_t jd_strv_len(char *const *v);
int jd_strv_push(char ***v, const char *s);     /* appends a copy */
char **jd_strv_split(const char *s);            /* split on whitespace; NULL on ENOMEM */
char **jd_strv_dup(char *const *v);
bool jd_is_dir(const char *path);
bool jd_is_file(const char *path);
/* Reads at most cap bytes of a file (O_NOFOLLOW), NUL-terminated. */
int jd_read_file(const char *path, size_t cap, char **out, size_t *len);
int jd_write_file(const char *path, const void *data, size_t len, mode_t mode);
/* The same relative to a dir fd (a short path walk per file). */
int jd_read_file_at(int dfd, const char *path, size_t cap, char **out, size_t *len);
int jd_write_file_at(int dfd, const char *path, const void *data, size_t len, mode_t mode);
int jd_copy_file(const char *from, const char *to, mode_t mode);
int jd_copy_tree(const char *from, const char *to);   /* files and dirs, symlinks followed */
/* Regular files and dirs only, symlinks never followed nor copied: for what a box wrote. */
int jd_copy_tree_nofollow(const char *from, const char *to);
/* mkdtemp under $TMPDIR (or /tmp), or under parent (made if missing) when given. */
int jd_mkdtemp(const char *parent, const char *prefix, char **out);
/* Sorted names in a directory (no dot entries). */
int jd_list_dir(const char *dir, char ***names, size_t *n);
int jd_list_dir_fd(int dfd, char ***names, size_t *n);
/* Removes every entry of dir, the dir itself staying, except those keep
 * (may be NULL) says to keep: it gets dir's fd, the entry's name, its type
 * (DT_REG, DT_DIR, ...; not followed) and ctx. */
typedef bool (*jd_keep_fn)(int dfd, const char *name, unsigned char type, void *ctx);
int jd_empty_dir(const char *dir, jd_keep_fn keep, void *ctx);
int jd_empty_dir_fd(int dfd, jd_keep_fn keep, void *ctx); /* moves dfd's offset */
/* dfd (opened O_NOFOLLOW) is a directory of ours on its parent's
 * filesystem (not a mount point): it may be emptied and used again. */
bool jd_plain_dir_fd(int dfd);
bool jd_has_suffix(const char *s, const char *suffix);
const char *jd_extension(const char *path);     /* after the last '.', or "" */

/* ---- sandbox glue (box_run.c) ------------------------------------------ */
struct jd_box_run {
    const char *const *argv;
    const char *box_dir;
    bool box_writable;
    const struct sb_mount *mounts; int n_mounts;
    int stdin_fd, stdout_fd, stderr_fd;
    struct sb_limits limits;
    bool loopback_up;
};
void jd_box_run_init(struct jd_box_run *r);
int jd_box(struct sb_slot *slot, const struct jd_box_run *r, struct sb_result *res);
/* Adds the language's run extras to limits (max of each, procs/as). */
void jd_limits_add_extra(struct sb_limits *l, const struct sb_limits *extra);

/* ---- languages (languages.c) ------------------------------------------- */
/* Built-in table (C, C++, Python 3) for checkers when no table is given. */
void jd_lang_clear(struct jd_lang *l);
int jd_lang_copy(struct jd_lang *dst, const struct jd_lang *src);
int jd_langs_builtin(struct jd_langs **out, char *err, size_t errlen);
int jd_langs_parse(const char *json, struct jd_langs **out, char *err, size_t errlen);
/* The box mounts a language needs (points into lang; n <= max). */
int jd_lang_mounts(const struct jd_lang *lang, struct sb_mount *m, int max);
/* Expand {src} {exe} {opts} {args} {mem_mib} in a command. src is a list
 * (a directory program has several source files). */
char **jd_expand_argv(char *const *tmpl, char *const *srcs, const char *opts,
                      const char *args, uint64_t mem_kib);

/* ---- programs: submissions, validators (compile.c) --------------------- */
/* Size cap of a program's directory (a tmpfs): sources, compiler output,
 * binary. Pages are memory, charged to the compiling box's cgroup. */
#define JD_PROGRAM_DIR_KIB (256 * 1024)

struct jd_program {
    const struct jd_lang *lang;
    char *dir;              /* host dir with the sources and, after build, the binary */
    char **sources;         /* file names inside dir given to {src} */
    char **extra_args;      /* appended to run argv (e.g. {args}) */
    bool plain_dir;         /* dir is no tmpfs of its own (nothing to unmount) */
};
/* Pick the language of a file or a directory program (by extensions). */
const struct jd_lang *jd_detect_lang(const struct jd_langs *langs, const char *path);
/* Copy path (file or dir) into a fresh dir under scratch and compile it in
 * the box. with_headers: a single file brings the headers beside it (for
 * validators: checker.cpp + testlib.h). On a compile failure returns 0 with *ok=false and the compiler
 * output in *out. Returns -errno when the judge itself failed. */
int jd_program_build(struct sb_slot *slot, const struct jd_lang *lang,
                     const char *path, const char *scratch, const char *tag,
                     const char *compiler_options, bool with_headers,
                     struct jd_program *prog, bool *ok, char **out, size_t *outlen,
                     struct sb_result *cres, char *err, size_t errlen);
/* jd_program_build in two steps: prepare copies the sources into a fresh
 * program dir (nothing runs), compile runs the compiler in the box (on a
 * rc < 0 it frees prog). build_cache.c looks between the two. */
int jd_program_prepare(const struct jd_lang *lang, const char *path, const char *scratch,
                       const char *tag, bool with_headers, struct jd_program *prog, char *err,
                       size_t errlen);
int jd_program_compile(struct sb_slot *slot, struct jd_program *prog, const char *scratch,
                       const char *tag, const char *compiler_options, bool *ok, char **out,
                       size_t *outlen, struct sb_result *cres, char *err, size_t errlen);
/* Where the box finds cmd (an absolute path, or the first of the box's
 * PATH that holds it), into out; false when nowhere. */
bool jd_command_path(const char *cmd, char *out, size_t outlen);
/* A problem's own program (validator, checker, interactor), built through
 * the on-disk cache in cache_dir (build_cache.c; NULL: no cache, a plain
 * build with headers). */
int jd_build_cached(struct sb_slot *slot, const struct jd_lang *lang, const char *path,
                    const char *scratch, const char *tag, const char *cache_dir,
                    struct jd_program *prog, bool *ok, char **out, size_t *outlen,
                    char *err, size_t errlen);
/* Puts files into the fresh, empty program dir before the source is
 * written (a submission's additional files): 0 or -errno with err. */
typedef int (*jd_fill_fn)(const char *dir, void *ctx, char *err, size_t errlen);
/* Same from a buffer holding the source; fill may be NULL. */
int jd_program_build_source(struct sb_slot *slot, const struct jd_lang *lang,
                            const char *src, size_t srclen, const char *scratch,
                            const char *tag, const char *compiler_options,
                            jd_fill_fn fill, void *fill_ctx,
                            struct jd_program *prog, bool *ok, char **out, size_t *outlen,
                            struct sb_result *cres, char *err, size_t errlen);
/* argv to run the program inside the box (/box is prog->dir). */
char **jd_program_argv(const struct jd_program *prog, char *const *more_args, uint64_t mem_kib);
void jd_program_free(struct jd_program *prog);

/* ---- default checker (checker_default.c) -------------------------------- */
struct jd_default_flags {
    bool case_sensitive;
    bool space_change_sensitive;
    double abs_tol, rel_tol;      /* < 0 = not given */
};
void jd_default_flags_init(struct jd_default_flags *f);
/* Parse validator flags; unknown words are ignored (a custom validator may use them). */
int jd_default_flags_parse(char *const *flags, struct jd_default_flags *f, char *err, size_t errlen);
/* The longest part of a token the checker holds (per side). Far above any
 * real answer token (a 10^6-digit number, a 10^6-letter string); what is
 * longer is compared as it streams, so a check never holds more than this. */
#define JD_DEFAULT_TOKEN_CAP ((size_t)1 << 20)
/* Compare team output with the answer. Returns JD_AC or JD_WA (message says
 * where), JD_JE when memory or reading fails. Streams: files of any size. */
jd_verdict jd_default_check(FILE *team, FILE *answer, const struct jd_default_flags *f,
                            char *msg, size_t msglen);
jd_verdict jd_default_check_mem(const char *team, size_t tlen, const char *ans, size_t alen,
                                const struct jd_default_flags *f, char *msg, size_t msglen);

/* ---- problem (problem.c, problem_yaml.c) ------------------------------- */
enum jd_checker_kind { JD_CHECK_DEFAULT, JD_CHECK_KATTIS, JD_CHECK_TESTLIB };

struct jd_child { bool is_group; size_t index; };

struct jd_group {
    char *name;                /* "", "sample", "secret/group1" */
    long parent;               /* -1 for the root (data/) */
    struct jd_child *children; size_t n_children;
    bool aggregation_min;      /* else sum */
    bool on_reject_continue;   /* else break */
    bool accept_if_any;
    bool ignore_sample;
    double accept_score, reject_score;
    bool has_max_score; double max_score;
    bool has_range; double range_lo, range_hi;   /* testdata.yaml range: scores kept within */
    char **validator_flags;    /* effective output validator flags */
    char **input_flags;        /* effective input validator flags */
    bool is_sample;
};

struct jd_test {
    char *name;                /* path under data/ without .in */
    char *in_path, *ans_path;
    size_t group;
};

struct jd_checker_cache;
int jd_checker_cache_new(struct jd_checker_cache **out);
void jd_checker_cache_free(struct jd_checker_cache *c);

struct jd_problem {
    char *dir;
    char *name;
    char *format_version;      /* "legacy", "2023-07-draft", "2025-09" */
    bool plain;                /* a plain NAME.in/NAME.ans directory */
    bool scoring, interactive;
    bool multipass;            /* type multi-pass: the validator may ask for another pass */
    int validation_passes;     /* limits.validation_passes, default 2 */
    double time_limit_s;       /* effective */
    bool time_limit_given;     /* by flag, problem.yaml or .timelimit */
    double time_multiplier, time_safety_margin;
    uint64_t mem_kib, output_kib, code_kib;
    double compile_time_s; uint64_t compile_mem_kib;
    double validation_time_s; uint64_t validation_mem_kib;
    jd_feedback feedback;      /* problem.yaml nsjudge.feedback; UNSET = the service's */
    enum jd_checker_kind checker;
    char *checker_path;        /* file or dir */
    char **input_validators;   /* files or dirs (input_validators/ or input_validator/) */
    struct jd_test *tests; size_t n_tests;
    struct jd_group *groups; size_t n_groups;
    struct jd_checker_cache *cache;   /* the compiled validator (checker_cache.c) */
    /* Polygon: a testlib checker.* beside interactor.*, run on the
     * interactor's output file once the interactor accepted; NULL if none */
    char *post_checker_path;
    struct jd_checker_cache *post_cache;
    char *build_cache_dir;            /* jd_problem_options.build_cache_dir (copy) or NULL */
    char *scratch_dir;                /* jd_problem_options.scratch_dir (copy) or NULL */
    char warnings[JD_WARNINGS_MAX][JD_MSG_MAX]; /* unknown keys (problem_yaml.c) */
    size_t n_warnings;                          /* may exceed JD_WARNINGS_MAX */
};

/* The problem's validator, built on first use; NULL (and 0) when the problem
 * uses the default checker. Thread-safe. */
int jd_checker_get(const struct jd_problem *p, const struct jd_langs *langs, struct sb_slot *slot,
                   const struct jd_program **out, char *msg, size_t msglen);
/* The Polygon checker run after the interactor; NULL (and 0) when none. */
int jd_post_checker_get(const struct jd_problem *p, const struct jd_langs *langs,
                        struct sb_slot *slot, const struct jd_program **out, char *msg,
                        size_t msglen);

int jd_problem_parse_yaml(struct jd_problem *p, const char *path, char *err, size_t errlen);
int jd_group_apply_yaml(struct jd_problem *p, struct jd_group *g, const char *path,
                        char *err, size_t errlen);

/* YAML document helpers (yaml_doc.c). */
int jd_yaml_load(const char *path, yaml_document_t *doc, char *err, size_t errlen);
yaml_node_t *jd_yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key);
const char *jd_yaml_str(yaml_node_t *n);      /* scalar value or NULL */
int jd_yaml_double(yaml_node_t *n, double *out);
/* A scalar split on whitespace or a sequence of scalars. */
char **jd_yaml_strv(yaml_document_t *d, yaml_node_t *n);

/* ---- checking one test (checker_kattis.c, checker_testlib.c) ----------- */
struct jd_check_ctx {
    struct sb_slot *slot;
    const struct jd_problem *p;
    const struct jd_program *checker;   /* NULL for the default checker */
    const struct jd_test *test;
    char *const *flags;                 /* effective validator flags */
    const char *work;                   /* host dir of this test: output, feedback/ */
};
struct jd_check_result {
    jd_verdict verdict;                 /* AC, WA, PE or JE */
    double score; bool has_score;
    char message[JD_MSG_MAX];
};
int jd_check_kattis(const struct jd_check_ctx *c, const char *team_out, struct jd_check_result *r);
int jd_check_testlib(const struct jd_check_ctx *c, const char *team_out, struct jd_check_result *r);
/* testlib's points (exit 7): the first number of its message, after an
 * optional word "points"; false unless a number from 0 to JD_SCORE_MAX. */
bool jd_testlib_points(const char *text, double *score);
int jd_check_default_files(const char *team_out, const char *ans, char *const *flags,
                           struct jd_check_result *r);
/* ---- files shared with validators (feedback_files.c) ------------------ */
int jd_feedback_dir(const char *work, char **out);
/* Host path of the answer file to mount (an empty file when a test has none). */
const char *jd_answer_for_box(const struct jd_test *t, const char *work, char **tmp);
void jd_feedback_message(const char *fbdir, char *msg, size_t msglen);
/* score.txt in a feedback dir: 1 and *score (a number from 0 to
 * JD_SCORE_MAX), 0 when there is none, -EINVAL with msg when it holds
 * anything else (nan, inf, junk after the number, out of range). */
#define JD_SCORE_MAX 1e9
int jd_read_score(const char *fbdir, double *score, char *msg, size_t msglen);
/* ---- the boxes of the problem's own programs (box_run.c) -------------- */
struct sb_limits jd_checker_limits(const struct jd_problem *p);
/* The box for one of the problem's own programs (input validator, output
 * validator, checker): its directory at /box, the nfixed mounts already in
 * m followed by its language's, the validation limits plus the language's
 * extras. Streams are the caller's to set. */
void jd_box_run_helper(struct jd_box_run *r, const struct jd_problem *p, const struct jd_program *prog,
                       char **argv, struct sb_mount *m, int nfixed);

bool jd_judge0_equal(const char *a, size_t an, const char *b, size_t bn);

/* ---- running a test (run_tests.c, interactive.c) ----------------------- */
struct jd_run_ctx {
    struct sb_slot *slot, *slot2;       /* slot2: the validator of interactive problems */
    const struct jd_problem *p;
    const struct jd_program *sub;
    const struct jd_program *checker;
    const struct jd_program *post_checker; /* Polygon: checker after the interactor, or NULL */
    double time_limit_s;
    const char *scratch;
};
int jd_run_test(const struct jd_run_ctx *c, size_t test_index, struct jd_test_result *tr);
/* sub_ended_first: the submission's box returned before the validator's. */
jd_verdict jd_interactive_verdict(const struct sb_result *sub, const struct sb_result *val,
                                  bool sub_ended_first, const char *feedback, char *msg,
                                  size_t msglen);
int jd_run_interactive(const struct jd_run_ctx *c, const struct jd_test *t, const char *work,
                       struct jd_test_result *tr);
/* A submission's box limits for one run (box_run.c). */
struct sb_limits jd_submission_limits(const struct jd_run_ctx *c);
/* Map a submission's own sandbox result (not OK) to a verdict + message. */
jd_verdict jd_verdict_from_sb(const struct sb_result *r, char *msg, size_t msglen);

/* ---- scoring (scoring.c) ----------------------------------------------- */
/* Fills verdict/score/max_score of rep from per-test results (NULL verdict
 * JD_PENDING = skipped). skip[] gets which tests need not run (may be NULL). */
void jd_score(const struct jd_problem *p, const struct jd_test_result *results,
              bool run_all, struct jd_report *rep);
/* Which tests still need to run given the results so far (results of tests
 * not run yet have verdict JD_PENDING). */
void jd_tests_needed(const struct jd_problem *p, const struct jd_test_result *results,
                     bool run_all, bool *needed);
/* A test's score: score.txt when accepted with one, else accept/reject score. */
double jd_test_score(const struct jd_problem *p, size_t i, const struct jd_test_result *r);

#endif
