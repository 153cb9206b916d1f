/* cmd_version.c - `nsjudge version`: the version and what this host
 * supports (cgroups, namespaces, toolchains). */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "judge/judge.h"
#include "judge/number.h"
#include "server/cli/cli.h"
#include "server/cli/cli_common.h"
#include "server/cli/cli_flags.h"

const char cmd_version_usage[] =
    "usage: nsjudge version [--json] [--languages PATH]\n"
    "\n"
    "Print the version and what this host supports: the cgroup version and\n"
    "controllers the sandbox found, the namespaces the kernel offers, and each\n"
    "language of the language table with its compiler and runtime found or not\n"
    "(as the box sees them: PATH=/usr/local/bin:/usr/bin:/bin).\n"
    "\n"
    "options:\n"
    "      --json           print one JSON object: version, cgroup_version,\n"
    "                       cgroups, namespaces, languages\n"
    "      --languages PATH language table (see 'nsjudge judge --help')\n"
    "  -h, --help           show this help\n";


/* The namespaces the sandbox uses, and whether this kernel has each. */
static const char *const ns_names[] = {"pid", "net", "mnt", "ipc", "uts", "user", "cgroup", "time"};

static bool ns_available(const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/ns/%s", name);
    return access(path, F_OK) == 0;
}

int cmd_version(int argc, char **argv)
{
    const char *langs_path = NULL;
    bool json = false;
    int done = json_languages_flags(argc, argv, cmd_version_usage, &json, &langs_path);
    if (done >= 0)
        return done;
    struct sb_host_info hi;
    sb_host_probe(&hi);
    /* a missing or broken language table is reported, not fatal: the
     * version and the host are still worth knowing */
    struct jd_langs *langs = NULL;
    char used[PATH_MAX] = "";
    if (load_langs(langs_path, &langs, used, sizeof used) < 0)
        langs = NULL;
    if (json) {
        json_t *ns = json_object();
        for (size_t i = 0; i < sizeof ns_names / sizeof *ns_names; i++)
            json_object_set_new(ns, ns_names[i], json_boolean(ns_available(ns_names[i])));
        json_t *arr = langs ? json_array() : json_null();
        for (size_t i = 0; langs && i < langs->n; i++) {
            const struct jd_lang *l = &langs->v[i];
            const char *cc = l->compile_argv ? l->compile_argv[0] : NULL;
            json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s?, s:b, s:s, s:b, s:b}",
                "id", l->id, "name", l->name, "compiled", cc != NULL, "compiler", cc,
                "compiler_found", cc && jd_command_exists(cc), "runtime", l->run_argv[0],
                "runtime_found", jd_command_exists(l->run_argv[0]), "available", l->available));
        }
        json_t *o = json_pack("{s:s, s:i, s:s, s:o, s:s?, s:o, s:b}", "version", NSJUDGE_VERSION,
                              "cgroup_version", hi.cgroup_version, "cgroups", hi.cgroup_detail,
                              "namespaces", ns, "language_table", used[0] ? used : NULL,
                              "languages", arr, "root", geteuid() == 0);
        char *s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
        if (s)
            puts(s);
        free(s);
        json_decref(o);
    } else {
        printf("nsjudge %s\n", NSJUDGE_VERSION);
        printf("cgroups: %s\n", hi.cgroup_detail);
        printf("namespaces:");
        for (size_t i = 0; i < sizeof ns_names / sizeof *ns_names; i++)
            printf(" %s%s", ns_names[i], ns_available(ns_names[i]) ? "" : " (missing)");
        printf("\n");
        if (langs) {
            printf("languages (%s):\n", used);
            for (size_t i = 0; i < langs->n; i++) {
                const struct jd_lang *l = &langs->v[i];
                const char *cc = l->compile_argv ? l->compile_argv[0] : NULL;
                bool rt = jd_command_exists(l->run_argv[0]);
                printf("  %-14s %-9s", l->id, l->available ? "installed" : "missing");
                if (cc)
                    printf(" compiler %s%s,", cc, jd_command_exists(cc) ? "" : " (not found)");
                printf(" runtime %s%s\n", l->run_argv[0], rt ? "" : " (not found)");
            }
        }
    }
    jd_langs_free(langs);
    return 0;
}

