package org.canvasbatch.bootstrap;

/**
 * Text laid out in terminal columns: CJK ideographs, kana, hangul and full-width forms take two columns, so padding by
 * {@code String.length()} would misalign every Chinese group name.
 */
final class TerminalText {

    private TerminalText() {}

    static int columns(String text) {
        return text.codePoints().map(TerminalText::columnsOf).sum();
    }

    /**
     * {@code text} with every character a terminal could take as a command or that would reorder what follows shown as
     * {@code \\uXXXX}: C0 and C1 controls (ESC starts every escape sequence), DEL, and the bidi embeddings, overrides and
     * isolates. Node ids, file paths, group names and error messages come from a canvas or a model server, which may be
     * hostile.
     */
    static String printable(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean unsafe = c < 0x20 && c != '\t'
                    || c >= 0x7f && c <= 0x9f
                    || c >= 0x202a && c <= 0x202e
                    || c >= 0x2066 && c <= 0x2069
                    || c == 0x200e
                    || c == 0x200f
                    || c == 0x061c;
            if (unsafe && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (unsafe) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /** {@code text} on one line, cut with an ellipsis or padded with spaces to exactly {@code width} columns. */
    static String fit(String text, int width) {
        String line = printable(text.replaceAll("\\s+", " ").strip());
        StringBuilder out = new StringBuilder();
        int used = 0;
        boolean cut = columns(line) > width;
        int room = cut ? width - 1 : width;
        for (int i = 0; i < line.length(); ) {
            int cp = line.codePointAt(i);
            int w = columnsOf(cp);
            if (used + w > room) {
                break;
            }
            out.appendCodePoint(cp);
            used += w;
            i += Character.charCount(cp);
        }
        if (cut) {
            out.append('…');
            used++;
        }
        return out.append(" ".repeat(Math.max(0, width - used))).toString();
    }

    private static int columnsOf(int cp) {
        boolean wide = (cp >= 0x1100 && cp <= 0x115F)
                || (cp >= 0x2E80 && cp <= 0xA4CF)
                || (cp >= 0xAC00 && cp <= 0xD7A3)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60)
                || (cp >= 0xFFE0 && cp <= 0xFFE6)
                || (cp >= 0x1F300 && cp <= 0x1FAFF)
                || (cp >= 0x20000 && cp <= 0x3FFFD);
        return wide ? 2 : 1;
    }
}
