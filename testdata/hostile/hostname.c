/*
 * hostname NEWNAME: print the box's hostname, try to change it (and the
 * domain name) to NEWNAME. A change may at most affect the box's own UTS
 * namespace; the test checks that the host's name is unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct utsname u;
    setlinebuf(stdout);
    if (argc < 2) {
        printf("ERROR: usage\n");
        return 2;
    }
    uname(&u);
    printf("nodename: %s\n", u.nodename);
    int changed = 0;
    if (sethostname(argv[1], strlen(argv[1])) == 0) {
        printf("CHANGED: sethostname\n");
        changed++;
    } else {
        printf("ok: sethostname: %s\n", strerror(errno));
    }
    if (setdomainname(argv[1], strlen(argv[1])) == 0) {
        printf("CHANGED: setdomainname\n");
        changed++;
    } else {
        printf("ok: setdomainname: %s\n", strerror(errno));
    }
    uname(&u);
    printf("after: %s\n", u.nodename);
    printf("%s\n", changed ? "CHANGED: box hostname (must stay in the box)" : "BLOCKED: hostname unchanged");
    return 0;
}
