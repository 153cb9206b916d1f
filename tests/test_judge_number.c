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

/* One syntax for sizes and durations on every command line flag. */
Test(number, sizes_with_units)
{
    int64_t v = 7;
    const int64_t T = JD_KIB_MAX;
    cr_assert_eq(jd_parse_size_kib("256M", 0, T, &v), 0);
    cr_assert_eq(v, 256 * 1024);
    cr_assert_eq(jd_parse_size_kib("2G", 0, T, &v), 0);
    cr_assert_eq(v, 2 * 1024 * 1024);
    cr_assert_eq(jd_parse_size_kib("512K", 0, T, &v), 0);
    cr_assert_eq(v, 512);
    cr_assert_eq(jd_parse_size_kib("512", 0, T, &v), 0, "a bare number is KiB");
    cr_assert_eq(v, 512);
    cr_assert_eq(jd_parse_size_kib("1.5M", 0, T, &v), 0);
    cr_assert_eq(v, 1536);
    cr_assert_eq(jd_parse_size_kib("64MiB", 0, T, &v), 0);
    cr_assert_eq(v, 65536);
    cr_assert_eq(jd_parse_size_kib("1gb", 0, T, &v), 0);
    cr_assert_eq(v, 1024 * 1024);
    cr_assert_eq(jd_parse_size_kib("4T", 0, T, &v), 0);
    cr_assert_eq(v, T);
    v = 7;
    cr_assert_eq(jd_parse_size_kib("5T", 0, T, &v), -ERANGE);
    cr_assert_eq(jd_parse_size_kib("-1M", 0, T, &v), -ERANGE);
    cr_assert_eq(jd_parse_size_kib("1e999M", 0, T, &v), -ERANGE);
    cr_assert_eq(jd_parse_size_kib("128", 1024, T, &v), -ERANGE);
    static const char *const bad[] = {"", "M", "5X", "1MM", " 1M", "1M ", "inf", "infM", "nanK", "1 M", "0x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(jd_parse_size_kib(bad[i], 0, T, &v), -EINVAL, "'%s'", bad[i]);
    cr_assert_eq(v, 7, "nothing is written on failure");

    char buf[32];
    jd_size_text(T, buf, sizeof buf);
    cr_assert_str_eq(buf, "4T");
    jd_size_text(1024, buf, sizeof buf);
    cr_assert_str_eq(buf, "1M");
    jd_size_text(1536, buf, sizeof buf);
    cr_assert_str_eq(buf, "1536K");
    jd_size_text(0, buf, sizeof buf);
    cr_assert_str_eq(buf, "0K");
}

Test(number, durations_with_units)
{
    double v = 7;
    cr_assert_eq(jd_parse_duration("500ms", 0, 1e6, &v), 0);
    cr_assert_float_eq(v, 0.5, 1e-12);
    cr_assert_eq(jd_parse_duration("2s", 0, 1e6, &v), 0);
    cr_assert_float_eq(v, 2, 1e-12);
    cr_assert_eq(jd_parse_duration("1.5", 0, 1e6, &v), 0, "a bare number is seconds");
    cr_assert_float_eq(v, 1.5, 1e-12);
    cr_assert_eq(jd_parse_duration("1ms", 0.001, 1e6, &v), 0);
    v = 7;
    cr_assert_eq(jd_parse_duration("0", 0.001, 1e6, &v), -ERANGE, "0 is no time limit: refused");
    cr_assert_eq(jd_parse_duration("0.5ms", 0.001, 1e6, &v), -ERANGE);
    cr_assert_eq(jd_parse_duration("1e7", 0, 1e6, &v), -ERANGE);
    cr_assert_eq(jd_parse_duration("1e999", 0, 1e6, &v), -ERANGE);
    static const char *const bad[] = {"", "s", "2h", "2 s", "nan", "inf", "infs", "2S", "5mss"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(jd_parse_duration(bad[i], 0, 1e6, &v), -EINVAL, "'%s'", bad[i]);
    cr_assert_eq(v, 7, "nothing is written on failure");
    char buf[32];
    jd_duration_text(0.001, buf, sizeof buf);
    cr_assert_str_eq(buf, "1ms");
    jd_duration_text(1e6, buf, sizeof buf);
    cr_assert_str_eq(buf, "1000000s");
}
