/* store_open.c - the store a URL names (config key `store`, --store): the
 * one file that knows every backend. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "server/service/store.h"

int store_open(const char *url, struct store **out, char *err, size_t errlen)
{
    if (!strncmp(url, "sqlite:", 7)) {
        if (!url[7]) {
            snprintf(err, errlen, "store: sqlite: wants a file path (sqlite:/var/lib/nsjudge/nsjudge.db)");
            return -EINVAL;
        }
        return store_sqlite_open(url + 7, out, err, errlen);
    }
    /* a libpq URL, or its key=value conninfo (which always has an '=') */
    if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11) || strchr(url, '='))
        return store_pg_open(url, out, err, errlen);
    snprintf(err, errlen, "store: '%.200s' is not a store URL: use sqlite:PATH, "
             "postgresql://user@host:port/dbname, or a libpq conninfo such as "
             "\"host=/run/postgresql dbname=nsjudge\"", url);
    return -EINVAL;
}
