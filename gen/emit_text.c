/* emit_text.c - the layout of generated text: indentation, comments
 * wrapped at GAN_LINE_WIDTH, argument lists wrapped under their opening
 * parenthesis. */
#include "emit.h"

#include <stdio.h>

#include <string.h>

void gan_indent(gan_buf *o, int level)
{
    for (int i = 0; i < level; i++)
        gan_buf_put(o, "    ");
}

void gan_emit_comment(gan_buf *o, int lvl, const char *text)
{
    int col = 0, first = 1;
    for (const char *s = text; *s;) {
        if (*s == ' ') {
            s++;
            continue;
        }
        if (*s == '\n') {   /* a line break of the text's own */
            if (col)
                gan_buf_put(o, "\n");
            col = 0;
            s++;
            continue;
        }
        int len = (int)strcspn(s, " \n"), room = GAN_LINE_WIDTH - 3 - (4 * lvl + 3);
        if (len > room)   /* a word longer than a line: cut where the line ends */
            len = col && col + 1 + 8 <= GAN_LINE_WIDTH - 3 ? GAN_LINE_WIDTH - 3 - col - 1 : room;
        if (col && col + 1 + len > GAN_LINE_WIDTH - 3) {   /* room for the closing mark */
            gan_buf_put(o, "\n");
            col = 0;
        }
        if (!col) {
            gan_indent(o, lvl);
            gan_buf_put(o, first ? "/*" : " *");
            col = 4 * lvl + 2;
            first = 0;
        }
        gan_buf_printf(o, " %.*s", len, s);
        col += 1 + len;
        s += len;
    }
    if (!first && !col)
        gan_indent(o, lvl);
    if (!first)
        gan_buf_put(o, " */\n");
}

void gan_emit_list(gan_buf *o, int column, char *const *items, int n, const char *close)
{
    int col = column + 1, align = column + 1;
    gan_buf_put(o, "(");
    for (int i = 0; i < n; i++) {
        /* the last item carries the parenthesis and what closes the line */
        int len = (int)strlen(items[i]) + (i + 1 < n ? 1 : 1 + (int)strcspn(close, "\n"));
        if (i && col + 1 + len > GAN_LINE_WIDTH) {
            gan_buf_printf(o, "\n%*s", align, "");
            col = align;
        } else if (i) {
            gan_buf_put(o, " ");
            col++;
        }
        gan_buf_printf(o, "%s%s", items[i], i + 1 < n ? "," : "");
        col += (int)strlen(items[i]) + (i + 1 < n);
    }
    gan_buf_printf(o, ")%s", close);
}

/* The last column <= limit of `line` (len columns) holding a space outside
 * string and character literals and comments, past column `skip` (the
 * indentation); 0 when there is none. */
static int break_column(const char *line, int len, int limit, int skip)
{
    int best = 0, quote = 0, comment = 0;
    for (int i = 0; i < len && i <= limit; i++) {
        char ch = line[i];
        if (comment) {
            if (ch == '*' && i + 1 < len && line[i + 1] == '/') {
                comment = 0;
                i++;
            }
        } else if (quote) {
            if (ch == '\\')
                i++;
            else if (ch == quote)
                quote = 0;
        } else if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '/' && i + 1 < len && line[i + 1] == '*') {
            comment = 1;
            i++;
        } else if (ch == ' ' && i > skip) {
            best = i;
        }
    }
    return best;
}

void gan_wrap_code(gan_buf *o, const char *text)
{
    const char *s = text;
    while (*s) {
        int len = (int)strcspn(s, "\n"), nl = s[len] == '\n';
        int indent = (int)strspn(s, " "), col0 = 0, skip = indent;
        const char *line = s;
        /* col0: the columns before `line` on the output line */
        while (col0 + len > GAN_HARD_LINE_WIDTH && s[indent] != '#') {
            int at = break_column(line, len, GAN_LINE_WIDTH - col0, skip);
            if (at <= 0)
                break;
            gan_buf_printf(o, "%.*s\n%*s", at, line, indent + 8, "");
            line += at + 1;
            len -= at + 1;
            col0 = indent + 8;
            skip = 0;
        }
        gan_buf_printf(o, "%.*s%s", len, line, nl ? "\n" : "");
        s = line + len + nl;
    }
}

char *gan_comment_safe(const char *text)
{
    gan_buf b = { 0 };
    for (const char *s = text; *s; s++)
        gan_buf_printf(&b, s[0] == '*' && s[1] == '/' ? "* " : "%c", *s);
    return b.s ? b.s : gan_strf("%s", "");
}
