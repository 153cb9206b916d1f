/*
 * test_sandbox_hostile_compile.c - compile-time attacks: the compiler runs in
 * the box too, and a hostile source can make it read an endless device
 * or compute forever. The box's limits must end the compile, counting
 * the CPU of the compiler's child processes (gcc -> cc1). The sources
 * live here rather than in testdata/hostile/, where `make hostile`
 * would try to compile them.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/test_sandbox_hostile.h"

TestSuite(sandbox_hostile_compile, .timeout = 60, .fini = hx_cleanup);

/* Compile SRC (written to a temp dir as NAME) with COMPILER in a box. */
static void compile(const char *compiler, const char *name, const char *src, struct hx_run *r)
{
    char dir[64], path[128], box_src[160];
    hx_dir(); /* root check, NSJUDGE_HOSTILE */
    hx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, src, strlen(src)), (ssize_t)strlen(src));
    close(fd);
    snprintf(box_src, sizeof box_src, "/box/%s", name);

    struct sb_slot *slot = hx_slot(0);
    const char *argv[] = {compiler, "-c", "-O0", "-o", "/tmp/out.o", box_src, NULL};
    int out = hx_tmpfile(), err = hx_tmpfile();
    struct sb_config cfg;
    sb_config_init(&cfg);
    cfg.argv = argv;
    cfg.box_dir = dir;
    cfg.stdout_fd = out;
    cfg.stderr_fd = err;
    cfg.limits.cpu_s = 1;
    cfg.limits.wall_s = 4;
    cfg.limits.mem_kib = 256 * 1024;
    memset(r, 0, sizeof *r);
    r->rc = sb_run(slot, &cfg, &r->res);
    ssize_t n = pread(err, r->err, sizeof r->err - 1, 0);
    r->err[n > 0 ? n : 0] = 0;
    cr_log_info("%s %s: rc %d status %s cpu %.3f wall %.3f mem %llu KiB msg '%s'\n%.800s", compiler,
                name, r->rc, sb_status_code(r->res.status), r->res.cpu_s, r->res.wall_s,
                (unsigned long long)r->res.mem_kib, r->res.message, r->err);
    close(out);
    close(err);
    hx_slot_close(slot);
    hx_rmtree(dir);
}

static void assert_stopped_by_limit(const struct hx_run *r)
{
    cr_assert_eq(r->rc, 0, "sb_run: %s", r->res.message);
    cr_assert(r->res.status == SB_TO || r->res.status == SB_ML,
              "compile ended %s (%s), not by a limit:\n%.800s", sb_status_code(r->res.status),
              r->res.message, r->err);
    if (r->res.status == SB_TO)
        cr_assert(r->res.cpu_s >= 0.9 || r->res.wall_s >= 4.0,
                  "TO with cpu %.3f wall %.3f: the compiler's CPU was not counted", r->res.cpu_s,
                  r->res.wall_s);
}

/* The preprocessor reads /dev/random (or /dev/zero) forever. */
Test(sandbox_hostile_compile, include_dev_random_is_stopped)
{
    struct hx_run *r = hx_new_run();
    compile("/usr/bin/gcc", "random.c", "#include \"/dev/random\"\nint main(void) { return 0; }\n", r);
    assert_stopped_by_limit(r);
}

Test(sandbox_hostile_compile, include_dev_zero_is_stopped)
{
    struct hx_run *r = hx_new_run();
    compile("/usr/bin/gcc", "zero.c", "#include \"/dev/zero\"\nint main(void) { return 0; }\n", r);
    assert_stopped_by_limit(r);
}

/* Constant evaluation that stays under g++'s per-loop limit but runs for
 * minutes: the CPU is spent in cc1plus, a child of the g++ driver. */
Test(sandbox_hostile_compile, endless_constexpr_is_TO_with_child_cpu_counted)
{
    struct hx_run *r = hx_new_run();
    compile("/usr/bin/g++", "burn.cpp",
            "constexpr long burn() {\n"
            "    long s = 0;\n"
            "    for (long i = 0; i < 200000; i++)\n"
            "        for (long j = 0; j < 200000; j++)\n"
            "            s += i ^ j;\n"
            "    return s;\n"
            "}\n"
            "static_assert(burn() != 1, \"burn\");\n"
            "int main() { return 0; }\n",
            r);
    assert_stopped_by_limit(r);
    cr_assert_eq(r->res.status, SB_TO, "%s", r->res.message);
}
