/* cmd_languages.c - `nsjudge languages`: the language table and which
 * toolchains this host has. */
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

const char cmd_languages_usage[] =
    "usage: nsjudge languages [--json] [--languages PATH]\n"
    "\n"
    "List the configured languages: id, Judge0 ids, name, and whether the\n"
    "compiler and runtime are installed on this host (as seen from inside the\n"
    "box: PATH=/usr/local/bin:/usr/bin:/bin).\n"
    "\n"
    "options:\n"
    "      --json           print a JSON array\n"
    "      --languages PATH language table (default: $NSJUDGE_LANGUAGES, then\n"
    "                       configs/languages.json of the checkout holding this\n"
    "                       binary, /etc/nsjudge/languages.json, then\n"
    "                       PREFIX/share/nsjudge/languages.json)\n"
    "  -h, --help           show this help\n";


int cmd_languages(int argc, char **argv)
{
    const char *langs_path = NULL;
    bool json = false;
    int done = json_languages_flags(argc, argv, cmd_languages_usage, &json, &langs_path);
    if (done >= 0)
        return done;
    struct jd_langs *langs = NULL;
    char used[PATH_MAX];
    if (load_langs(langs_path, &langs, used, sizeof used) < 0)
        return 2;
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < langs->n; i++) {
            const struct jd_lang *l = &langs->v[i];
            json_t *ids = json_array(), *ext = json_array();
            for (int k = 0; k < 8 && l->judge0_ids[k]; k++)
                json_array_append_new(ids, json_integer(l->judge0_ids[k]));
            for (char **e = l->extensions; e && *e; e++)
                json_array_append_new(ext, json_string(*e));
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:o, s:b, s:b}", "id", l->id,
                "name", l->name, "source_file", l->source_file, "extensions", ext,
                "judge0_ids", ids, "compiled", l->compile_argv != NULL, "available", l->available));
        }
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        if (s)
            puts(s);
        free(s);
        json_decref(arr);
    } else {
        printf("languages from %s\n", used);
        printf("%-12s %-24s %-9s %-26s %s\n", "id", "judge0 ids", "installed", "name", "extensions");
        for (size_t i = 0; i < langs->n; i++) {
            const struct jd_lang *l = &langs->v[i];
            char ids[64] = "", ext[64] = "";
            for (int k = 0; k < 8 && l->judge0_ids[k]; k++)
                snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%d", k ? "," : "", l->judge0_ids[k]);
            for (char **e = l->extensions; e && *e; e++)
                snprintf(ext + strlen(ext), sizeof ext - strlen(ext), "%s%s", e == l->extensions ? "" : " ", *e);
            printf("%-12s %-24s %-9s %-26s %s\n", l->id, ids[0] ? ids : "-", l->available ? "yes" : "no",
                   l->name, ext);
        }
    }
    jd_langs_free(langs);
    return 0;
}

