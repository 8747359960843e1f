/* rt_font.h - the runtime's bitmap font: printable ASCII (32 to 126), each
 * glyph 5 pixels wide and 9 rows tall.
 *
 * Rows 0 to 6 stand above the baseline (capitals and digits are 7 rows
 * tall, lower case 5), rows 7 and 8 hold the descenders of g, j, p, q, y
 * and the comma.  A glyph is 9 bytes, one per row from the top; bit 4 of a
 * row is its leftmost pixel, bit 0 its rightmost.  Text sets glyphs in
 * cells of RT_GLYPH_CELL_W x RT_GLYPH_CELL_H pixels (a column and a row of
 * space around each glyph); see viz/rt_text.h.
 * Drawn for this project, in the manner of the 5x7 dot-matrix fonts of
 * character LCDs, with room for descenders.
 * Leaves out: anything beyond ASCII (drawn as '?'), kerning, proportional
 * widths.
 */
#ifndef RT_FONT_H
#define RT_FONT_H

#define RT_GLYPH_W 5
#define RT_GLYPH_H 9
#define RT_GLYPH_CELL_W 6
#define RT_GLYPH_CELL_H 10

/* The 9 rows of character ch; characters outside 32..126 give '?'. */
const unsigned char *rt_font_glyph(int ch);

#endif
