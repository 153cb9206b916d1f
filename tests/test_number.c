/* test_number.c - judge/number.h: a number from input is range-checked
 * before it is converted (values at the edges of double and int64). */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include "judge/number.h"

Test(number, doubles_to_integers)
{
    int64_t v = 7;
    cr_assert_eq(jd_num_int(1e10, 1, INT_MAX, true, &v), -ERANGE);
    cr_assert_eq(jd_num_int(-1e300, 1, INT_MAX, true, &v), -ERANGE);
    cr_assert_eq(jd_num_int(1e300, INT64_MIN, INT64_MAX, false, &v), -ERANGE);
    cr_assert_eq(jd_num_int(0x1p63, INT64_MIN, INT64_MAX, false, &v), -ERANGE);
    cr_assert_eq(jd_num_int(NAN, 0, 10, false, &v), -EDOM);
    cr_assert_eq(jd_num_int(INFINITY, 0, 10, false, &v), -EDOM);
    cr_assert_eq(jd_num_int(-INFINITY, 0, 10, false, &v), -EDOM);
    cr_assert_eq(jd_num_int(5.5, 0, 10, true, &v), -EDOM);
    cr_assert_eq(v, 7, "nothing is written on failure");
    /* a fraction beyond an end is outside, though it truncates to the end */
    cr_assert_eq(jd_num_int(5.5, 1, 5, false, &v), -ERANGE);
    cr_assert_eq(jd_num_int(-3.5, -3, 5, false, &v), -ERANGE);
    cr_assert_eq(jd_num_int(0.5, 1, 5, false, &v), -ERANGE);
    cr_assert_eq(jd_num_int(5.5, 1, 6, false, &v), 0);
    cr_assert_eq(v, 5);
    cr_assert_eq(jd_num_int(-0x1p63, INT64_MIN, 0, true, &v), 0);
    cr_assert_eq(v, INT64_MIN);
    cr_assert_eq(jd_num_int(2147483647.0, 1, INT_MAX, true, &v), 0);
    cr_assert_eq(v, INT_MAX);
    cr_assert_eq(jd_num_int(2147483648.0, 1, INT_MAX, true, &v), -ERANGE);
}

Test(number, reals)
{
    cr_assert_eq(jd_num_real(1.5, 0, 2), 0);
    cr_assert_eq(jd_num_real(2.0000001, 0, 2), -ERANGE);
    cr_assert_eq(jd_num_real(-0.1, 0, 2), -ERANGE);
    cr_assert_eq(jd_num_real(NAN, 0, 2), -EDOM);
    cr_assert_eq(jd_num_real(INFINITY, 0, INFINITY), -EDOM);
}

Test(number, text)
{
    int64_t v = 0;
    double d = 0;
    cr_assert_eq(jd_parse_int("99999999999999999999", 1, 1000, &v), -ERANGE);
    cr_assert_eq(jd_parse_int("-99999999999999999999", 1, 1000, &v), -ERANGE);
    cr_assert_eq(jd_parse_int("4294967297", 0, 1024, &v), -ERANGE);
    cr_assert_eq(jd_parse_int("12x", 0, 100, &v), -EINVAL);
    cr_assert_eq(jd_parse_int(" 12", 0, 100, &v), -EINVAL);
    cr_assert_eq(jd_parse_int("", 0, 100, &v), -EINVAL);
    cr_assert_eq(jd_parse_int("1.5", 0, 100, &v), -EINVAL);
    cr_assert_eq(jd_parse_int("-7", -10, 10, &v), 0);
    cr_assert_eq(v, -7);
    cr_assert_eq(jd_parse_real("1e400", 0, 1e6, &d), -ERANGE);
    cr_assert_eq(jd_parse_real("1e300", 0, 1e6, &d), -ERANGE);
    cr_assert_eq(jd_parse_real("inf", 0, 1e6, &d), -ERANGE);
    cr_assert_eq(jd_parse_real("nan", 0, 1e6, &d), -EINVAL);
    cr_assert_eq(jd_parse_real("1s", 0, 1e6, &d), -EINVAL);
    cr_assert_eq(jd_parse_real("2.5", 0, 1e6, &d), 0);
    cr_assert_eq(d, 2.5);
    cr_assert_eq(jd_parse_real("1e-400", 0, 1e6, &d), 0, "an underflow is a tiny number");
}
