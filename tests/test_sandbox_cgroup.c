/*
 * test_sandbox_cgroup.c - the cgroup layer against fake cgroupfs trees.
 * This host runs cgroup v1 (tested live by test_sandbox.c); production
 * hosts mostly run v2, so both file layouts are checked here: the limits
 * written, counters reset, CPU / peak memory / OOM events read back.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sandbox/internal.h"

static void put(const char *dir, const char *file, const char *val)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    FILE *f = fopen(p, "w");
    cr_assert(f, "%s", p);
    fputs(val, f);
    fclose(f);
}

static void get(const char *dir, const char *file, char *out, size_t len)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    FILE *f = fopen(p, "r");
    cr_assert(f, "%s", p);
    size_t n = fread(out, 1, len - 1, f);
    out[n] = 0;
    fclose(f);
}

TestSuite(sandbox_cgroup);

Test(sandbox_cgroup, v2_fake_tree)
{
    char root[] = "/tmp/nsjudge-fakecg2-XXXXXX";
    cr_assert(mkdtemp(root));
    char box[1100], v[128], err[SB_MSG_MAX];
    put(root, "cgroup.subtree_control", "");
    snprintf(box, sizeof box, "%s/slot", root);
    mkdir(box, 0755);
    const char *files[] = {"memory.max", "memory.swap.max", "pids.max", "cgroup.procs", "cgroup.kill"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        put(box, files[i], "");
    put(box, "cpu.stat", "usage_usec 5000\nuser_usec 4000\nsystem_usec 1000\n");
    put(box, "memory.events", "low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\n");
    put(box, "memory.peak", "");

    struct sb_cg_layout lay = {.version = 2};
    for (int i = 0; i < SB_CG_N; i++)
        snprintf(lay.root[i], sizeof lay.root[i], "%s", root);
    struct sb_cgroup cg;
    cr_assert_eq(sb_cg_open(&lay, "slot", &cg, err, sizeof err), 0, "%s", err);
    get(root, "cgroup.subtree_control", v, sizeof v);
    cr_assert(strstr(v, "+memory") && strstr(v, "+pids"), "controllers not enabled: %s", v);

    cr_assert_eq(sb_cg_set_limits(&cg, 64 << 20, 11, err, sizeof err), 0, "%s", err);
    get(box, "memory.max", v, sizeof v);
    cr_assert_str_eq(v, "67108864");
    get(box, "memory.swap.max", v, sizeof v);
    cr_assert_str_eq(v, "0", "swap must be off");
    get(box, "pids.max", v, sizeof v);
    cr_assert_str_eq(v, "11");

    cr_assert_eq(sb_cg_reset(&cg, err, sizeof err), 0, "%s", err);
    put(box, "cpu.stat", "usage_usec 12000\nuser_usec 10000\nsystem_usec 2000\n");
    put(box, "memory.events", "low 0\nhigh 0\nmax 9\noom 3\noom_kill 3\n");
    put(box, "memory.peak", "1048576\n");
    struct sb_cg_stats st;
    cr_assert_eq(sb_cg_read_stats(&cg, &st), 0);
    cr_assert_eq(st.cpu_ns, 7000000ULL, "cpu %llu", (unsigned long long)st.cpu_ns);
    cr_assert_eq(st.oom_kills, 1);
    cr_assert_eq(st.mem_peak_bytes, 1048576ULL);

    cr_assert_eq(sb_cg_attach(&cg, 4242, err, sizeof err), 0, "%s", err);
    get(box, "cgroup.procs", v, sizeof v);
    cr_assert_str_eq(v, "4242");
    sb_cg_close(&cg, false);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    cr_assert_eq(system(cmd), 0);
}

Test(sandbox_cgroup, v1_fake_tree)
{
    char root[] = "/tmp/nsjudge-fakecg1-XXXXXX";
    cr_assert(mkdtemp(root));
    const char *ctl[SB_CG_N] = {"memory", "pids", "cpuacct"};
    char dirs[SB_CG_N][1100], v[128], err[SB_MSG_MAX];
    struct sb_cg_layout lay = {.version = 1};
    for (int i = 0; i < SB_CG_N; i++) {
        snprintf(lay.root[i], sizeof lay.root[i], "%s/%s", root, ctl[i]);
        snprintf(dirs[i], sizeof dirs[i], "%s/slot", lay.root[i]);
        mkdir(lay.root[i], 0755);
        mkdir(dirs[i], 0755);
        put(dirs[i], "cgroup.procs", "");
    }
    const char *memfiles[] = {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
                              "memory.max_usage_in_bytes", "memory.failcnt", "memory.memsw.failcnt"};
    for (size_t i = 0; i < 5; i++)
        put(dirs[SB_CG_MEM], memfiles[i], "");
    put(dirs[SB_CG_MEM], "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
    put(dirs[SB_CG_PIDS], "pids.max", "");
    put(dirs[SB_CG_CPU], "cpuacct.usage", "999");

    struct sb_cgroup cg;
    cr_assert_eq(sb_cg_open(&lay, "slot", &cg, err, sizeof err), 0, "%s", err);
    cr_assert(cg.has_memsw);
    cr_assert_eq(sb_cg_set_limits(&cg, 32 << 20, 5, err, sizeof err), 0, "%s", err);
    get(dirs[SB_CG_MEM], "memory.limit_in_bytes", v, sizeof v);
    cr_assert_str_eq(v, "33554432");
    get(dirs[SB_CG_MEM], "memory.memsw.limit_in_bytes", v, sizeof v);
    cr_assert_str_eq(v, "33554432", "memory+swap must equal memory: no swap");
    get(dirs[SB_CG_PIDS], "pids.max", v, sizeof v);
    cr_assert_str_eq(v, "5");

    cr_assert_eq(sb_cg_reset(&cg, err, sizeof err), 0, "%s", err);
    get(dirs[SB_CG_CPU], "cpuacct.usage", v, sizeof v);
    cr_assert_eq(v[0], '0', "cpuacct.usage not reset: %s", v);
    put(dirs[SB_CG_CPU], "cpuacct.usage", "250000000");
    put(dirs[SB_CG_MEM], "memory.max_usage_in_bytes", "2097152");
    put(dirs[SB_CG_MEM], "memory.failcnt", "3");
    put(dirs[SB_CG_MEM], "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n");
    struct sb_cg_stats st;
    cr_assert_eq(sb_cg_read_stats(&cg, &st), 0);
    cr_assert_eq(st.cpu_ns, 250000000ULL);
    cr_assert_eq(st.mem_peak_bytes, 2097152ULL);
    cr_assert_eq(st.oom_kills, 1);
    cr_assert_eq(st.mem_failcnt, 3);
    sb_cg_close(&cg, false);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    cr_assert_eq(system(cmd), 0);
}

Test(sandbox_cgroup, host_detection)
{
    struct sb_host_info hi;
    int r = sb_host_probe(&hi);
    cr_assert_eq(r, 0, "no cgroups detected: %s", hi.cgroup_detail);
    cr_assert(hi.cgroup_version == 1 || hi.cgroup_version == 2);
    cr_assert(strstr(hi.cgroup_detail, hi.cgroup_version == 1 ? "v1" : "v2"), "%s", hi.cgroup_detail);
}

/* A v2 cgroup whose parent did not delegate the controllers: nsjudge
 * stops with a message naming the cgroup and what to delegate, and
 * makes no box cgroup there. */
Test(sandbox_cgroup, v2_missing_controller_is_named)
{
    char root[] = "/tmp/nsjudge-fakecg2-XXXXXX";
    cr_assert(mkdtemp(root));
    char err[SB_MSG_MAX] = "", box[1100];
    put(root, "cgroup.subtree_control", "");
    put(root, "cgroup.controllers", "cpuset cpu io memory\n"); /* no pids */
    struct sb_cg_layout lay = {.version = 2};
    for (int i = 0; i < SB_CG_N; i++)
        snprintf(lay.root[i], sizeof lay.root[i], "%s", root);
    struct sb_cgroup cg;
    cr_assert_lt(sb_cg_open(&lay, "slot", &cg, err, sizeof err), 0);
    cr_assert(strstr(err, root) && strstr(err, "pids") && strstr(err, "Delegate=yes"), "%s", err);
    snprintf(box, sizeof box, "%s/slot", root);
    cr_assert_neq(access(box, F_OK), 0, "a box cgroup was made in %s", root);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    cr_assert_eq(system(cmd), 0);
}
