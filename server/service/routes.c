/* routes.c - the service's routes: which handler answers which method and
 * path, and whether X-Auth-Token is needed. http.c matches requests
 * against this table and knows nothing of the handlers. */
#include "server/service/routes.h"

const struct route http_routes[] = {
    {"GET", "/healthz", route_healthz, AUTH_NONE},
    {"GET", "/metrics", route_metrics, AUTH_NONE},
    {"POST", "/authenticate", route_authenticate, AUTH_TOKEN},
    {"POST", "/authorize", route_authorize, AUTH_TOKEN},
    {"POST", "/submissions/batch", route_batch_create, AUTH_TOKEN},
    {"GET", "/submissions/batch", route_batch_show, AUTH_TOKEN},
    {"POST", "/submissions", route_submission_create, AUTH_TOKEN},
    {"GET", "/submissions", route_submission_list, AUTH_TOKEN},
    {"GET", "/submissions/*", route_submission_show, AUTH_TOKEN},
    {"DELETE", "/submissions/*", route_submission_delete, AUTH_TOKEN},
    {"GET", "/languages", route_languages, AUTH_TOKEN},
    {"GET", "/languages/all", route_languages_all, AUTH_TOKEN},
    {"GET", "/languages/*", route_language_show, AUTH_TOKEN},
    {"GET", "/statuses", route_statuses, AUTH_TOKEN},
    {"GET", "/about", route_about, AUTH_TOKEN},
    {"GET", "/version", route_version, AUTH_TOKEN},
    {"GET", "/config_info", route_config_info, AUTH_TOKEN},
    {"GET", "/workers", route_workers, AUTH_TOKEN},
    {"GET", "/system_info", route_system_info, AUTH_TOKEN},
    {"GET", "/statistics", route_statistics, AUTH_TOKEN},
    {"POST", "/problems", route_problem_create, AUTH_TOKEN},
    {"GET", "/problems", route_problem_list, AUTH_TOKEN},
    {"PUT", "/problems/*", route_problem_put, AUTH_TOKEN},
    {"POST", "/problems/*", route_problem_put, AUTH_TOKEN},
    {"GET", "/problems/*", route_problem_show, AUTH_TOKEN},
    {"DELETE", "/problems/*", route_problem_delete, AUTH_TOKEN},
    {"GET", "/submissions/events/*", route_submission_events, AUTH_TOKEN}, /* routes_stream.c */
    /* web pages (routes_pages.c): files are public, what they fetch is not */
    {"GET", "/", route_page_playground, AUTH_NONE},
    {"GET", "/p", route_page_problems, AUTH_NONE},
    {"GET", "/p/*", route_page_problems, AUTH_NONE},
    {"GET", "/static/*", route_page_static, AUTH_NONE},
    {"GET", "/codemirror/*", route_page_codemirror, AUTH_NONE},
    {"GET", "/samples/*", route_page_samples, AUTH_TOKEN},
    {"GET", "/admin", route_page_admin, AUTH_NONE},
    {"GET", "/admin/stats", route_admin_stats, AUTH_TOKEN},
    {NULL, NULL, NULL, 0},
};
