/* install_paths.h - where serve/worker find their config and language table
 * when started from any directory: the checkout the binary was built in
 * (<repo>/build/nsjudge -> <repo>/configs), then /etc/nsjudge, then the
 * installed tree (PREFIX/bin/nsjudge -> PREFIX/share/nsjudge). */
#ifndef NSJUDGE_INSTALL_PATHS_H
#define NSJUDGE_INSTALL_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#define NSJUDGE_ETC_DIR "/etc/nsjudge"
#define NSJUDGE_STATE_DIR "/var/lib/nsjudge"

/* Finds NAME (e.g. "languages.json") in the places above, in order, and
 * writes the first readable one to out. 0, or -ENOENT with out holding the
 * places tried (for the error message). */
int install_paths_find(const char *name, char *out, size_t outlen);

/* The folder of the web pages: <repo>/server/web next to a checkout's
 * build/, else PREFIX/share/nsjudge/web (make install). 0, or -ENOENT with
 * out holding the places tried. */
int install_paths_web_dir(char *out, size_t outlen);

/* True when the binary runs from an installed tree rather than a checkout
 * (there is no configs/ next to its build/ directory). */
bool install_paths_installed(void);

#endif
