/* uuid4.h - random (version 4) UUIDs, the tokens of submissions and the
 * names of temporary dirs: 16 bytes from getrandom, one system call (libuuid
 * made five more per token, mixing in its own pids and ids). */
#ifndef NSJUDGE_SERVER_UUID4_H
#define NSJUDGE_SERVER_UUID4_H

/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower case, NUL-terminated. */
#define UUID4_LEN 37
void uuid4_new(char out[UUID4_LEN]);

#endif
