/*
 * feedback_files.c - the files a validator shares with the judge: the
 * test's feedback dir (judgemessage.txt, teammessage.txt, score.txt), and
 * the answer file mounted for it. Every checker kind reads them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "judge/internal.h"
#include "judge/number.h"

/* work/feedback/, kept across the passes of a multi-pass test (work is
 * fresh for every test). */
int jd_feedback_dir(const char *work, char **out)
{
    char *fb = jd_path_join(work, "feedback");
    if (!fb)
        return -ENOMEM;
    if ((mkdir(fb, 0777) < 0 && errno != EEXIST) || chmod(fb, 0777) < 0) {
        int e = -errno;
        free(fb);
        return e;
    }
    *out = fb;
    return 0;
}

const char *jd_answer_for_box(const struct jd_test *t, const char *work, char **tmp)
{
    *tmp = NULL;
    if (t->ans_path[0])
        return t->ans_path;
    *tmp = jd_path_join(work, "empty.ans");
    if (!*tmp || jd_write_file(*tmp, "", 0, 0644) < 0)
        return t->in_path;   /* still a readable file; never a device */
    return *tmp;
}

void jd_feedback_message(const char *fbdir, char *msg, size_t msglen)
{
    static const char *const files[] = {"judgemessage.txt", "teammessage.txt"};
    for (int i = 0; i < 2; i++) {
        char *path = jd_path_join(fbdir, files[i]), *text = NULL;
        if (path && jd_read_file(path, 4096, &text, NULL) == 0 && text[0]) {
            sb_first_line(text, 400, msg, msglen);
            free(text);
            free(path);
            return;
        }
        free(text);
        free(path);
    }
}

int jd_read_score(const char *fbdir, double *score, char *msg, size_t msglen)
{
    char *path = jd_path_join(fbdir, "score.txt"), *text = NULL;
    int rc = 0;
    if (!path)
        return -ENOMEM;
    if (jd_read_file(path, 256, &text, NULL) == 0) {
        /* one number, maybe followed by a line end; spaces around it are
         * the validator's, not part of the score */
        char *t = text;
        while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
            t++;
        size_t n = strlen(t);
        while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' || t[n - 1] == '\r'))
            t[--n] = 0;
        rc = jd_parse_real(t, 0, JD_SCORE_MAX, score) == 0 ? 1 : -EINVAL;
        if (rc < 0)
            snprintf(msg, msglen, "the validator's score.txt is not a number from 0 to %g: '%.40s'",
                     JD_SCORE_MAX, t);
    }
    free(text);
    free(path);
    return rc;
}
