/*
 * judge.h - the contract of the judge layer: languages, problems,
 * compiling and running a submission, checking, scoring, reporting.
 *
 * Everything untrusted (the submission, compilers, checkers, interactors)
 * runs through sandbox/sandbox.h. Like the sandbox, this layer never
 * prints and never exits: errors come back as -errno plus a message.
 */
#ifndef NSJUDGE_JUDGE_H
#define NSJUDGE_JUDGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "../sandbox/sandbox.h"

#define JD_MSG_MAX 512

/* ---- verdicts ---------------------------------------------------------- */
typedef enum {
    JD_PENDING = 0,
    JD_AC, JD_WA, JD_PE, JD_TLE, JD_MLE, JD_RTE, JD_OLE, JD_CE, JD_JE,
} jd_verdict;

const char *jd_verdict_code(jd_verdict v);   /* "AC", "WA", ... */
const char *jd_verdict_name(jd_verdict v);   /* "Accepted", ... */
int jd_verdict_parse(const char *code, jd_verdict *out); /* 0 or -EINVAL */

/* ---- feedback: what a submitter may see of a problem's tests ------------ */
/* Ordered: each level shows less than the one after it. The CLI shows a
 * problem setter everything; the HTTP service applies a level
 * (server/service/feedback.c). */
typedef enum {
    JD_FEEDBACK_UNSET = 0,  /* not chosen: the service's default applies */
    JD_FEEDBACK_VERDICT,    /* overall result; sample tests only */
    JD_FEEDBACK_SAMPLES,    /* sample tests in full; secret tests: verdict, time, memory, score */
    JD_FEEDBACK_FULL,       /* every test in full: messages, checker feedback */
} jd_feedback;

const char *jd_feedback_name(jd_feedback f);            /* "verdict", ...; NULL when unset */
int jd_feedback_parse(const char *s, jd_feedback *out); /* 0 or -EINVAL */

/* ---- languages (configs/languages.json) -------------------------------- */
struct jd_lang {
    char *id;              /* "c", "cpp", "python3", ... */
    char *name;            /* "C (GCC 12)" */
    char *source_file;     /* file name the source is saved as, e.g. "main.c" */
    bool keep_file_name;   /* a file keeps its own name when it is a plain identifier (Java: hello.java holds class hello) */
    char *entry_marker;    /* directory program: the entry point is the first source holding this text (Java: "void main"); may be NULL */
    char **extensions;     /* NULL-terminated: "c", "h" */
    char **compile_argv;   /* NULL-terminated or NULL for interpreted; may use {src} {exe} {opts} */
    char **run_argv;       /* NULL-terminated; may use {src} {main} {args} ({main}: the entry point's name without extension) */
    int judge0_ids[8];     /* Judge0 CE language ids it answers to; 0-terminated */
    int judge0_listed;     /* the first judge0_listed of them are listed by GET /languages;
                            * the rest are Judge0's archived ids (judge0_archived_ids) */
    bool available;        /* its toolchain was found on this host */
    struct sb_limits compile_limits;
    struct sb_limits validator_compile_limits; /* compiling a package's validators/checkers: generous (testlib checkers take 5-9 s of CPU) */
    struct sb_limits run_extra; /* e.g. the JVM needs more procs/address space */
    char **mounts;         /* NULL-terminated extra host paths the toolchain needs (read-only, same place); may be NULL */
    int input_valid_exit;  /* as an input validator, the exit code of a valid input: 42, checktestdata 0 */
    char *shebang;         /* a file with one of shebang_extensions whose #! line names this word is this language (Python 2); may be NULL */
    char **shebang_extensions;
};

struct jd_langs {
    struct jd_lang *v;
    size_t n;
};

int jd_langs_load(const char *path, struct jd_langs **out, char *err, size_t errlen);
void jd_langs_free(struct jd_langs *l);
const struct jd_lang *jd_lang_by_id(const struct jd_langs *l, const char *id);
/* Would the box find this command (its PATH: /usr/local/bin:/usr/bin:/bin)? */
bool jd_command_exists(const char *cmd);
const struct jd_lang *jd_lang_by_judge0(const struct jd_langs *l, int judge0_id);
const struct jd_lang *jd_lang_by_filename(const struct jd_langs *l, const char *path);
/* By extension for a file; for a directory program, by the sources in it. */
const struct jd_lang *jd_lang_for_path(const struct jd_langs *l, const char *path);

/* ---- one program, one input (the Judge0-style "run this code") --------- */
struct jd_single_request {
    const struct jd_lang *lang;
    const char *source; size_t source_len;
    const char *stdin_data; size_t stdin_len;
    const char *expected; size_t expected_len; /* NULL = no check: AC if it ran OK */
    const char *compiler_options;   /* NULL = none; split on spaces */
    const char *command_line_arguments;
    struct sb_limits limits;        /* run limits */
    bool redirect_stderr_to_stdout;
    bool enable_network;            /* loopback only: there is never a route out */
    int number_of_runs;             /* >=1; time/memory are averaged as Judge0 does */
    const char *additional_files_zip; size_t additional_files_len; /* optional */
    size_t output_cap;              /* bytes of stdout/stderr kept; 0 = 1 MiB */
};

struct jd_single_result {
    jd_verdict verdict;
    sb_status status;          /* raw sandbox status of the run */
    int exit_code, signal;
    double time_s, wall_s;
    uint64_t mem_kib;
    char *stdout_data; size_t stdout_len;   /* malloc'd, capped */
    char *stderr_data; size_t stderr_len;
    char *compile_output; size_t compile_output_len;
    char message[JD_MSG_MAX];
};

/* Compile (if needed), run, compare with expected. scratch_dir is a host
 * directory this call may use (it is emptied and reused). Returns 0 when
 * judging happened (see res->verdict; JD_JE when the judge itself failed),
 * -errno only for bad arguments. */
int jd_run_single(struct sb_slot *slot, const struct jd_single_request *req,
                  const char *scratch_dir, struct jd_single_result *res);
void jd_single_result_free(struct jd_single_result *res);

/* ---- problems (Kattis / ICPC package or plain NAME.in/NAME.ans dir) ---- */
struct jd_problem;   /* opaque: loaded once, read-only after, shareable between
                      * threads (its validator is compiled once, on first use) */

struct jd_problem_options {
    double time_limit_s;   /* override; 0 = from the package (or default 1 s) */
    uint64_t mem_limit_kib;/* override; 0 = from the package (or default 256 MiB) */
    /* Host dir where the package's own programs (validators, checkers,
     * interactors) are kept compiled, keyed by content, across loads and
     * processes (build_cache.c); NULL = compile afresh for each load. */
    const char *build_cache_dir;
    /* Host dir under which the package's own programs are built and its
     * inputs checked (kept while the problem is loaded); NULL = $TMPDIR. */
    const char *scratch_dir;
};

/* Detach the size-capped program dirs (tmpfs) the judge mounted anywhere
 * below dir: for a caller removing a scratch dir after a crash or a kill.
 * The judge removes its own when it ends normally. */
void jd_scratch_unmount(const char *dir);

int jd_problem_load(const char *dir, const struct jd_problem_options *opt,
                    struct jd_problem **out, char *err, size_t errlen);
void jd_problem_free(struct jd_problem *p);
const char *jd_problem_name(const struct jd_problem *p);
size_t jd_problem_test_count(const struct jd_problem *p);
const char *jd_problem_dir(const struct jd_problem *p);       /* absolute */
double jd_problem_time_limit(const struct jd_problem *p);     /* effective, seconds */
uint64_t jd_problem_memory_kib(const struct jd_problem *p);   /* the submission's memory limit */
uint64_t jd_problem_output_kib(const struct jd_problem *p);   /* its output limit */
bool jd_problem_time_limit_given(const struct jd_problem *p); /* by flag, problem.yaml or .timelimit */
bool jd_problem_is_interactive(const struct jd_problem *p);
bool jd_problem_is_scoring(const struct jd_problem *p);
/* time_multiplier (ac_to_time_limit) and time_safety_margin (time_limit_to_tle) */
void jd_problem_time_factors(const struct jd_problem *p, double *multiplier, double *margin);
/* What loading noticed but did not refuse: keys of problem.yaml,
 * testdata.yaml or test_group.yaml that the package's format does not
 * know (a misspelt tme_limit would otherwise be ignored silently), each
 * "FILE:LINE: unknown key 'KEY' ...". At most JD_WARNINGS_MAX are kept;
 * jd_problem_n_warnings counts them all. */
#define JD_WARNINGS_MAX 16
size_t jd_problem_n_warnings(const struct jd_problem *p);
const char *jd_problem_warning(const struct jd_problem *p, size_t i); /* NULL past the kept ones */
/* problem.yaml `nsjudge: {feedback: ...}`: what the package lets a
 * submitter see of its secret tests; UNSET = the service decides. */
jd_feedback jd_problem_feedback(const struct jd_problem *p);
/* Describing a loaded problem (problem_info.c). */
uint64_t jd_problem_mem_limit_kib(const struct jd_problem *p);    /* effective */
uint64_t jd_problem_output_limit_kib(const struct jd_problem *p);
bool jd_problem_is_multipass(const struct jd_problem *p);
const char *jd_problem_format_version(const struct jd_problem *p); /* "legacy", "2023-07-draft", ... */
struct jd_group_info {
    const char *name;      /* "" (data/ itself, or a plain directory), "sample", "secret", "secret/g1" */
    bool sample;           /* data/sample or below */
    size_t tests;          /* in the group and every group below it */
    bool aggregation_min;  /* the group's score is the min of its parts, else the sum */
    bool has_max_score; double max_score;
};
/* Groups in package order, parents before their subgroups; 0, or -1 past the end. */
size_t jd_problem_group_count(const struct jd_problem *p);
int jd_problem_group(const struct jd_problem *p, size_t i, struct jd_group_info *out);

/* ---- uploaded archives (archive.c) ------------------------------------- */
/* What one archive may unpack to. Sizes are apparent sizes (a sparse
 * entry's holes count) and, checked after writing, blocks on disk. */
struct jd_archive_limits {
    uint64_t max_bytes;     /* all files together */
    uint64_t max_entries;
    unsigned max_depth;     /* directory levels of a member name */
    unsigned max_ratio;     /* unpacked bytes per archive byte; 0 = no ratio check */
    uint64_t ratio_floor;   /* bytes allowed whatever the ratio (small packages) */
};
/* max_bytes as given; 20000 entries, depth 32, ratio 200 above 16 MiB. */
void jd_archive_limits_init(struct jd_archive_limits *l, uint64_t max_bytes);
struct jd_archive_stats {
    uint64_t files, dirs;
    uint64_t bytes;         /* apparent */
    uint64_t disk_bytes;    /* st_blocks of what was written */
};
/* Unpack a tar (plain, gzip, bzip2, xz, zstd) or zip held in memory into
 * the existing empty directory dir. Only regular files (mode 0644/0755)
 * and directories are written, never through a symlink; absolute names,
 * "..", links, devices, duplicates and limits exceeded are refused whole,
 * leaving dir empty. stats may be NULL. 0 or -errno with a message. */
int jd_archive_extract(const void *data, size_t len, const char *dir,
                       const struct jd_archive_limits *lim, struct jd_archive_stats *stats,
                       char *err, size_t errlen);
/* A Judge0 submission's additional_files: a zip (or tar) unpacked into the
 * empty dir under the limits of one submission. 0 or -errno with err
 * (-EINVAL: not an archive we take, -EFBIG: over the limits). */
int jd_extract_zip(const char *data, size_t len, const char *dir, char *err, size_t errlen);

/* SHA-256 of data as 64 lowercase hex digits and a NUL (sha256.c). */
void jd_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- text -------------------------------------------------------------- */
/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if none
 * (overlong forms, surrogates and code points past U+10FFFF are not). */
size_t jd_utf8_len(const void *s, size_t n);
bool jd_utf8_valid(const char *s, size_t n);

/* ---- judging a submission against a problem ---------------------------- */
struct jd_test_result {
    char *name;            /* e.g. "secret/group1/03" */
    jd_verdict verdict;
    double time_s, wall_s;
    uint64_t mem_kib;
    double score;
    int exit_code, signal;
    char message[JD_MSG_MAX];  /* checker message, signal name, ... */
    bool sample;           /* a test of data/sample: its data is public */
    /* A sample test's output (public like its data, for a page's side by
     * side view), its first JD_SAMPLE_OUTPUT_MAX bytes; NULL for other
     * tests and interactive problems. */
    char *output;
    size_t output_len;
    bool output_cut;       /* the program printed more than that */
};
#define JD_SAMPLE_OUTPUT_MAX 4096

struct jd_report {
    jd_verdict verdict;
    double score, max_score;
    double max_time_s;
    uint64_t max_mem_kib;
    char *compile_output;
    struct jd_test_result *tests;
    size_t n_tests;        /* tests judged so far / in all */
    char message[JD_MSG_MAX];
};

/* Called after compiling (test_index = (size_t)-1; partial->verdict is JD_CE
 * when that failed) and after each test (test_index = its index in the
 * problem). During judging partial->tests holds the tests finished so far in
 * the order they finished (the newest is tests[n_tests - 1]); the final
 * report lists the tests that count in problem order. Calls are serialised. */
typedef void (*jd_progress_fn)(void *ctx, const struct jd_report *partial,
                               size_t test_index, size_t n_tests_total);

struct jd_judge_options {
    bool run_all;           /* do not stop at the first rejection */
    int parallel;           /* number of boxes to run tests in; 0/1 = serial */
    struct sb_slot **slots; /* at least max(1, parallel) slots */
    const char *scratch_dir;/* host dir for binaries and outputs */
    jd_progress_fn progress; void *progress_ctx;
    /* Added later; zero-initialised callers keep the old behaviour. */
    size_t n_slots;         /* slots given; 0 = max(1, parallel). Interactive problems
                             * need two per test (submission + validator): with fewer
                             * than 2 they are a judging error, with 2k they run k tests
                             * at once */
    const struct jd_langs *langs; /* to build the problem's validator; NULL = built-in C/C++/Python */
    double time_limit_s;    /* override the problem's time limit; 0 = the problem's */
    const char *compiler_options; /* extra compiler options for the submission; NULL = none */
};

/* ---- checking a package's test inputs (input_validators/) ------------- */
struct jd_input_result {
    char *test;            /* test name, e.g. "secret/02" */
    char *validator;       /* the validator, relative to the problem dir */
    bool valid;
    bool skipped;          /* the validator's language is not on this host (test is "") */
    char message[JD_MSG_MAX];
};

/* Run every input validator of the package on every test input, each run
 * sandboxed (validator [input_validator_flags] < input; exit 42 = valid).
 * Returns 0 and the results (*n = 0 when the package has no input
 * validators), or -errno with a message (e.g. a validator that does not
 * compile, naming it). A validator in a language this host lacks (a .ctd
 * without checktestdata) gives one result with skipped set, not an error. langs NULL = built-in C/C++/Python. */
int jd_validate_inputs(const struct jd_problem *p, const struct jd_langs *langs,
                       struct sb_slot *slot, struct jd_input_result **out, size_t *n,
                       char *err, size_t errlen);
void jd_input_results_free(struct jd_input_result *v, size_t n);

/* Judge source_path (a file, or a directory of sources) in lang. Returns 0
 * when judging happened: rep->verdict says how it went (JD_CE with
 * rep->compile_output; JD_JE with rep->message when the judge, the sandbox or
 * the problem's validator failed). -errno only for bad arguments or no
 * scratch space (err says why). Tests after a rejection that stops judging
 * (on_reject: break, the default for pass-fail problems) are not in
 * rep->tests unless run_all. Thread-safe for a shared problem. */
int jd_judge(const struct jd_problem *p, const struct jd_lang *lang,
             const char *source_path, const struct jd_judge_options *opt,
             struct jd_report *rep, char *err, size_t errlen);
void jd_report_free(struct jd_report *rep);

#endif
