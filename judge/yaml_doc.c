/* yaml_doc.c - load a YAML file with libyaml and read values out of it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "judge/internal.h"

int jd_yaml_load(const char *path, yaml_document_t *doc, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rbe");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -errno;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        snprintf(err, errlen, "%s: cannot initialise the YAML parser", path);
        return -ENOMEM;
    }
    yaml_parser_set_input_file(&parser, f);
    int rc = 0;
    if (!yaml_parser_load(&parser, doc)) {
        snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", path, parser.problem_mark.line + 1,
                 parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML error",
                 parser.context ? " " : "", parser.context ? parser.context : "");
        rc = -EINVAL;
    } else if (yaml_document_get_root_node(doc) &&
               yaml_document_get_root_node(doc)->type != YAML_MAPPING_NODE &&
               !(yaml_document_get_root_node(doc)->type == YAML_SCALAR_NODE &&
                 yaml_document_get_root_node(doc)->data.scalar.length == 0)) {
        snprintf(err, errlen, "%s: the top level must be a mapping (key: value)", path);
        yaml_document_delete(doc);
        rc = -EINVAL;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

yaml_node_t *jd_yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

const char *jd_yaml_str(yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)n->data.scalar.value;
}

int jd_yaml_double(yaml_node_t *n, double *out)
{
    const char *s = jd_yaml_str(n);
    if (!s)
        return -EINVAL;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    /* finite only: "inf" and "nan" (which strtod takes) are no limit or score */
    if (errno == ERANGE && fabs(v) > 1)
        return -ERANGE;
    if (end == s || *end || !isfinite(v))
        return -EINVAL;
    *out = v;
    return 0;
}

char **jd_yaml_strv(yaml_document_t *d, yaml_node_t *n)
{
    if (!n)
        return NULL;
    if (n->type == YAML_SCALAR_NODE)
        return jd_strv_split(jd_yaml_str(n));
    if (n->type != YAML_SEQUENCE_NODE)
        return NULL;
    char **v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        const char *s = jd_yaml_str(yaml_document_get_node(d, *it));
        if (s && jd_strv_push(&v, s) < 0) {
            jd_strv_free(v);
            return NULL;
        }
    }
    return v;
}
