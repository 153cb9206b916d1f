/*
 * test_judge_compile_fill.c - a compile-time disk fill through compiler
 * options (Judge0's compiler_options; -fdump-tree-all-all writes ~300 MB
 * of dumps for a 400-line program) must not reach the host disk: program
 * directories are size-capped tmpfs mounts, gone after the judge.
 */
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include "tests/test_judge_util.h"

static long long disk_bytes;

static int add_blocks(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)path, (void)flag, (void)f;
    disk_bytes += (long long)st->st_blocks * 512;
    return 0;
}

static char *big_source(void)
{
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    cr_assert(s);
    n += snprintf(s + n, cap - n, "#include <stdio.h>\n");
    for (int i = 0; i < 200; i++)
        n += snprintf(s + n, cap - n, "int f%d(int x){int s=0;for(int j=0;j<x;j++)s+=j*%d;return s;}\n", i, i);
    n += snprintf(s + n, cap - n, "int main(void){long t=0;\n");
    for (int i = 0; i < 200; i++)
        n += snprintf(s + n, cap - n, "t+=f%d(%d);\n", i, i);
    snprintf(s + n, cap - n, "printf(\"%%ld\\n\",t);return 0;}\n");
    return s;
}

Test(judge_compile_fill, compiler_dumps_stay_off_the_host_disk, .timeout = 180)
{
    struct sb_slot *slot;
    jt_slots(&slot, 1);
    struct jd_langs *langs = jt_langs();
    const struct jd_lang *c = jd_lang_by_id(langs, "c");
    cr_assert(c);
    char scratch[] = "/tmp/nsjudge-dumpfill-XXXXXX";
    cr_assert(mkdtemp(scratch));
    char *src = big_source();
    struct jd_single_request req;
    memset(&req, 0, sizeof req);
    req.lang = c;
    req.source = src;
    req.source_len = strlen(src);
    req.compiler_options = "-O2 -fdump-tree-all-all -fdump-rtl-all";
    req.limits.cpu_s = 2;
    req.number_of_runs = 1;
    struct jd_single_result res;
    memset(&res, 0, sizeof res);
    cr_assert_eq(jd_run_single(slot, &req, scratch, &res), 0, "%s", res.message);

    /* Host side: what is left on the disk under the scratch dir, not
     * counting mounts (there must be none left either). */
    disk_bytes = 0;
    nftw(scratch, add_blocks, 16, FTW_PHYS | FTW_MOUNT);
    cr_assert_lt(disk_bytes, 16LL << 20, "%lld MiB of compiler output on the host disk (verdict %s)",
                 disk_bytes >> 20, jd_verdict_code(res.verdict));
    cr_assert_eq(sb_scratch_umount_under(scratch), 0, "a program tmpfs was left mounted");
    jd_single_result_free(&res);
    free(src);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    cr_assert_eq(system(cmd), 0);
    jd_langs_free(langs);
    jt_close_slots(&slot, 1);
}
