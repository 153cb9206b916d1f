/*
 * config.c - fuzz target: the service configuration (configs/nsjudge.json)
 * as `nsjudge serve --config FILE` reads it: config_defaults, config_load
 * of the input written to a file, config_listen_addr, config_free.
 *
 * Properties (abort = finding): no crash, leak or UB; a failed load says
 * why; the listen address split gives a host that fits and a port 0-65535;
 * every string key is still set (callers do not check for NULL).
 */
#include <fcntl.h>
#include <unistd.h>
#include "tests/fuzz/fuzz.h"

static char *path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char *dir = fuzz_tmpdir("nsjudge-fuzz-config");   /* freed at exit */
    path = jd_path_join(dir, "nsjudge.json");
    if (!path)
        fuzz_die("path", "out of memory");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (jd_write_file(path, data, size, 0600) < 0)
        fuzz_die("write", path);
    struct config c;
    char err[512] = "";
    config_defaults(&c);
    int rc = config_load(&c, path, err, sizeof err);
    FUZZ_CHECK(rc == 0 || err[0], "config_load failed (%d) without a message", rc);
    FUZZ_CHECK(c.listen && c.data_dir && c.languages && c.cors_allow_origin,
               "a string key lost its value");
    char host[256];
    int port = -1;
    if (config_listen_addr(&c, host, sizeof host, &port) == 0) {
        FUZZ_CHECK(memchr(host, 0, sizeof host) && host[0], "empty or unterminated host");
        FUZZ_CHECK(port >= 0 && port <= 65535, "port %d", port);
    }
    for (size_t i = 0; i < c.auth_tokens.n; i++)
        FUZZ_CHECK(c.auth_tokens.v[i], "auth_tokens[%zu] is NULL", i);
    config_free(&c);
    return 0;
}
