/*
 * json-get [PATH...]: parse standard input as one JSON document with yajl
 * (a real parser, not a pattern) and print the values at each PATH.
 *
 * PATH is keys and array indexes joined by dots, e.g. ranges.0.runs.1.state;
 * a '*' stands for every element or member, and each value found then
 * prints as "path value".  Strings print bare, numbers as written, arrays
 * and objects as "array N" / "object N" (their length).  Exit 0; 1 when
 * the input is not exactly one well-formed document, or a path without '*'
 * finds nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

static void print_value(const char *path, yajl_val v)
{
    if (path)
        printf("%s ", path);
    if (YAJL_IS_STRING(v))
        printf("%s\n", YAJL_GET_STRING(v));
    else if (YAJL_IS_NUMBER(v))
        printf("%s\n", YAJL_GET_NUMBER(v));
    else if (YAJL_IS_TRUE(v))
        printf("true\n");
    else if (YAJL_IS_FALSE(v))
        printf("false\n");
    else if (YAJL_IS_NULL(v))
        printf("null\n");
    else if (YAJL_IS_ARRAY(v))
        printf("array %zu\n", YAJL_GET_ARRAY(v)->len);
    else
        printf("object %zu\n", YAJL_GET_OBJECT(v)->len);
}

/* Walk @rest (dot-separated) from @v; @done is the path walked so far. */
static int walk(yajl_val v, char *rest, const char *done, int wild)
{
    char here[4096], *dot, *key;
    size_t i, n;
    int found = 0;

    if (!rest) {
        print_value(wild ? done : NULL, v);
        return 1;
    }
    key = rest;
    dot = strchr(rest, '.');
    if (dot)
        *dot++ = '\0';

    n = YAJL_IS_ARRAY(v) ? YAJL_GET_ARRAY(v)->len :
        YAJL_IS_OBJECT(v) ? YAJL_GET_OBJECT(v)->len : 0;
    for (i = 0; i < n; i++) {
        yajl_val e;
        char name[32];
        const char *label;

        if (YAJL_IS_ARRAY(v)) {
            snprintf(name, sizeof(name), "%zu", i);
            label = name;
            e = YAJL_GET_ARRAY(v)->values[i];
        } else {
            label = YAJL_GET_OBJECT(v)->keys[i];
            e = YAJL_GET_OBJECT(v)->values[i];
        }
        if (strcmp(key, "*") && strcmp(key, label))
            continue;
        snprintf(here, sizeof(here), "%s%s%s", done, *done ? "." : "",
                 label);
        found += walk(e, dot ? strdup(dot) : NULL, here,
                      wild || !strcmp(key, "*"));
    }
    return found;
}

int main(int argc, char **argv)
{
    static char text[1 << 24];
    char err[256];
    size_t len = fread(text, 1, sizeof(text) - 1, stdin);
    yajl_val doc;
    int i, rc = 0;

    if (len == sizeof(text) - 1) {
        fprintf(stderr, "json-get: input too large\n");
        return 1;
    }
    text[len] = '\0';
    /* yajl_tree_parse() refuses anything after the first document. */
    doc = yajl_tree_parse(text, err, sizeof(err));
    if (!doc) {
        fprintf(stderr, "json-get: not one JSON document: %s\n", err);
        return 1;
    }
    for (i = 1; i < argc; i++) {
        if (!walk(doc, strdup(argv[i]), "", 0) && !strchr(argv[i], '*')) {
            fprintf(stderr, "json-get: nothing at %s\n", argv[i]);
            rc = 1;
        }
    }
    yajl_tree_free(doc);
    return rc;
}
