/* test_root.h - the one way a test skips when it is not run as root (the
 * sandbox needs namespaces and cgroups). */
#ifndef NSJUDGE_TEST_ROOT_H
#define NSJUDGE_TEST_ROOT_H

#include <criterion/criterion.h>
#include <unistd.h>

static inline void test_need_root(void)
{
    if (geteuid() != 0)
        cr_skip_test("needs root (namespaces and cgroups): run make test as root");
}

#endif
