/* rt_json.h - a small strict JSON parser (RFC 8259) into a tree.
 *
 * Used for safetensors headers, which come from files we do not trust:
 * the parser never reads past `len`, limits nesting depth to 64, refuses
 * duplicate object keys, trailing commas, comments, leading zeros, invalid
 * escapes or UTF-16 surrogates, raw control characters, and strings
 * containing \u0000 (so every string is a plain C string).  Whitespace may
 * follow the value (safetensors pads its header with spaces).
 * Numbers keep both a double and, when they are non-negative integers up to
 * 2^64-1 written without fraction or exponent, an exact uint64.
 * Raw bytes in strings must form valid UTF-8.
 * Leaves out: serialisation, streaming.
 */
#ifndef RT_JSON_H
#define RT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/rt_err.h"

enum rt_json_type {
    RT_JSON_NULL, RT_JSON_FALSE, RT_JSON_TRUE, RT_JSON_NUMBER,
    RT_JSON_STRING, RT_JSON_ARRAY, RT_JSON_OBJECT
};

typedef struct rt_json rt_json;
struct rt_json {
    int type;            /* enum rt_json_type */
    double num;          /* NUMBER */
    int is_uint;         /* NUMBER: exact non-negative integer in u */
    uint64_t u;
    char *str;           /* STRING: NUL-terminated UTF-8 */
    size_t n;            /* ARRAY / OBJECT: number of items */
    char **keys;         /* OBJECT: n keys, in file order */
    rt_json *items;      /* ARRAY / OBJECT: n values */
};

/* Parses text[0..len); `what` names the input in error messages, which also
 * give the byte offset.  On success the caller owns *out (rt_json_free). */
int rt_json_parse(const char *text, size_t len, const char *what, rt_json *out, rt_err *err);
void rt_json_free(rt_json *j);

/* The value for key in an object, or NULL. */
const rt_json *rt_json_get(const rt_json *obj, const char *key);
/* "null", "boolean", "number", "string", "array", "object" */
const char *rt_json_type_name(int type);

#endif
