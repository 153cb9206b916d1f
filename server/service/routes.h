/* routes.h - the route table (routes.c) and its handlers, one file per
 * resource family: routes_submissions.c, routes_problems.c, routes_info.c,
 * routes_stream.c, routes_pages.c. */
#ifndef NSJUDGE_SERVER_ROUTES_H
#define NSJUDGE_SERVER_ROUTES_H

#include "server/service/http.h"
#include "server/service/judge0_json.h"

typedef void route_fn(struct http_req *r, struct http_resp *w);

enum { AUTH_NONE = 0, AUTH_TOKEN = 1 };

struct route {
    const char *method;
    const char *pattern;   /* a trailing star matches one path segment into req->param */
    route_fn *fn;
    int auth;              /* X-Auth-Token needed when configured */
};

/* The route table (routes.c), ended by a NULL method. */
extern const struct route http_routes[];

route_fn route_submission_create, route_submission_list, route_submission_show,
    route_submission_delete, route_batch_create, route_batch_show;
route_fn route_languages, route_languages_all, route_language_show, route_statuses,
    route_about, route_version, route_config_info, route_workers, route_system_info,
    route_statistics, route_healthz, route_metrics, route_authenticate, route_authorize;
route_fn route_problem_create, route_problem_put, route_problem_list, route_problem_show,
    route_problem_delete;
route_fn route_submission_events; /* routes_stream.c */
route_fn route_page_playground, route_page_problems, route_page_static, route_page_codemirror,
    route_page_samples, route_page_admin, route_admin_stats; /* routes_pages.c */

/* ?feedback= of a request as a feedback view (routes_submissions.c):
 * 0, or -EINVAL / -EACCES with the answer (400/403) in w. */
int submissions_view_of(struct http_req *r, struct http_resp *w, struct fb_view *v);


#endif
