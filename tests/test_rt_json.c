/* test_rt_json.c - the strict JSON parser used for safetensors headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "formats/rt_json.h"

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

static int parse(const char *text, rt_json *j, rt_err *err)
{
    return rt_json_parse(text, strlen(text), "t.json", j, err);
}

/* Expects text to be refused with a message containing `why`. */
static void refuse(const char *text, const char *why)
{
    rt_json j;
    rt_err err;
    if (parse(text, &j, &err) == 0)
        fail_msg("accepted %s", text);
    assert_contains(err.msg, why);
}

static void test_document(void **state)
{
    (void)state;
    rt_json j;
    rt_err err;
    const char *text = " {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\"}}   ";
    assert_int_equal(parse(text, &j, &err), 0);
    assert_int_equal(j.type, RT_JSON_OBJECT);
    assert_int_equal(j.n, 2);
    const rt_json *a = rt_json_get(&j, "a");
    assert_non_null(a);
    assert_int_equal(a->type, RT_JSON_ARRAY);
    assert_int_equal(a->n, 5);
    assert_true(a->items[0].is_uint && a->items[0].u == 1);
    assert_false(a->items[1].is_uint);
    assert_true(a->items[1].num == -2500);
    assert_int_equal(a->items[2].type, RT_JSON_TRUE);
    assert_int_equal(a->items[3].type, RT_JSON_FALSE);
    assert_int_equal(a->items[4].type, RT_JSON_NULL);
    assert_string_equal(rt_json_get(rt_json_get(&j, "b"), "c")->str, "x");
    assert_null(rt_json_get(&j, "zz"));
    rt_json_free(&j);
}

static void test_integers(void **state)
{
    (void)state;
    rt_json j;
    rt_err err;
    assert_int_equal(parse("18446744073709551615", &j, &err), 0);
    assert_true(j.is_uint && j.u == UINT64_MAX);
    rt_json_free(&j);
    assert_int_equal(parse("18446744073709551616", &j, &err), 0);
    assert_false(j.is_uint);   /* too big for exact: a double only */
    rt_json_free(&j);
    assert_int_equal(parse("4.0", &j, &err), 0);
    assert_false(j.is_uint);
    rt_json_free(&j);
}

static void test_strings_and_escapes(void **state)
{
    (void)state;
    rt_json j;
    rt_err err;
    assert_int_equal(parse("\"q\\\"b\\\\s\\/n\\n\\u00e9\\ud83d\\ude00\"", &j, &err), 0);
    assert_string_equal(j.str, "q\"b\\s/n\n\xc3\xa9\xf0\x9f\x98\x80");
    rt_json_free(&j);
}

static void test_refusals(void **state)
{
    (void)state;
    refuse("", "found the end of the input");
    refuse("{\"a\": 1,}", "at byte 8: expected '\"'");
    refuse("[1, 2,]", "at byte 6: expected a JSON value, found ']'");
    refuse("{\"a\": 1, \"a\": 2}", "\"a\" appears twice");
    refuse("01", "the end of the input after the value");
    refuse("{} x", "found 'x'");
    refuse("\"a\tb\"", "no raw control characters");
    refuse("\"\\u0000\"", "no \\u0000");
    refuse("\"\\ud800x\"", "low surrogate");
    refuse("\"\\udc00\"", "lone low surrogate");
    refuse("\"\\x\"", "one of");
    refuse("\"abc", "found the end of the input");
    refuse("tru", "a JSON value");
    refuse("1.", "a digit after '.'");
    refuse("-", "a digit");
    refuse("{\"a\" 1}", "expected ':'");
    refuse("// c\n{}", "expected a JSON value, found '/'");
    /* raw bytes must be UTF-8: a lone continuation byte, a truncated
     * sequence, an overlong form, a surrogate, a code point past U+10FFFF */
    refuse("\"a\x80\"", "valid UTF-8");
    refuse("\"\xe2\x82\"", "valid UTF-8");
    refuse("\"\xc0\xaf\"", "valid UTF-8");
    refuse("\"\xed\xa0\x80\"", "valid UTF-8");
    refuse("\"\xf4\x90\x80\x80\"", "valid UTF-8");
    rt_json u;
    rt_err uerr;
    assert_int_equal(parse("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", &u, &uerr), 0);
    assert_string_equal(u.str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    rt_json_free(&u);
    char deep[200];
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = 0;
    refuse(deep, "nesting at most 64 deep");
    /* 64 deep is fine: the limit is exact */
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = 0;
    rt_json j;
    rt_err err;
    assert_int_equal(parse(deep, &j, &err), 0);
    rt_json_free(&j);
}

static void test_never_reads_past_len(void **state)
{
    (void)state;
    rt_json j;
    rt_err err;
    /* the text goes on after len: the parser must stop at len */
    const char text[] = "{\"a\": 12345}";
    assert_int_equal(rt_json_parse(text, 9, "cut", &j, &err), -1);
    assert_contains(err.msg, "cut: JSON at byte 9");
    assert_int_equal(rt_json_parse("1234", 2, "cut", &j, &err), 0);
    assert_true(j.u == 12);
    rt_json_free(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_strings_and_escapes),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_never_reads_past_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
