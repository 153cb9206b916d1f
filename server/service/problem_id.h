/* problem_id.h - valid problem ids (problem_id.c). */
#ifndef NSJUDGE_SERVER_PROBLEM_ID_H
#define NSJUDGE_SERVER_PROBLEM_ID_H

#include <stdbool.h>

bool problem_id_valid(const char *id);

#endif
