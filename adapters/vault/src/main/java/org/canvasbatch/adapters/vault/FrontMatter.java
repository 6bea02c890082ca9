package org.canvasbatch.adapters.vault;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.note.QuestionDigest;

/**
 * The YAML front matter of a note: written with every value double-quoted (so a colon, a quote or a leading
 * {@code -} in a model name or path cannot change its meaning), and read back to learn which node and agent a note
 * file belongs to.
 *
 * <p>Its last field, {@value #CONTENT_SHA256}, is the SHA-256 of the whole file as written with that one line left out:
 * front matter included, since a property the learner adds in Obsidian is their edit too. A note whose text no longer
 * gives its digest was changed by someone since this program wrote it, and is never overwritten.
 */
final class FrontMatter {

    static final String SOURCE_CANVAS = "source_canvas";
    static final String SOURCE_NODE = "source_node";
    static final String AGENT = "agent";
    static final String GENERATED_AT = "generated_at";
    static final String CONTENT_SHA256 = "content_sha256";
    /** The {@link QuestionDigest} of the question the note answers: a later run asks a reworded question again. */
    static final String QUESTION_SHA256 = "question_sha256";

    private static final int SHA256_HEX = 64;
    private static final int HEAD_BYTES = 8 * 1024;

    private FrontMatter() {}

    /** The note's file as this program writes it, its digest line included. */
    static String render(NoteDraft draft) {
        String asOlderVersionsWroteIt = renderWithoutDigest(draft);
        int closing = asOlderVersionsWroteIt.indexOf("\n---\n") + 1;
        String question = draft.nodeText() == null
                ? ""
                : QUESTION_SHA256 + ": " + quote(QuestionDigest.of(draft.nodeText())) + "\n";
        String unsigned =
                asOlderVersionsWroteIt.substring(0, closing) + question + asOlderVersionsWroteIt.substring(closing);
        int digestAt = closing + question.length();
        return unsigned.substring(0, digestAt)
                + CONTENT_SHA256 + ": " + quote(ShortHash.of(unsigned, SHA256_HEX)) + "\n"
                + unsigned.substring(digestAt);
    }

    /**
     * The note as versions before the digests wrote it (neither its question's nor its own): what an old note that
     * nobody edited still holds.
     */
    static String renderWithoutDigest(NoteDraft draft) {
        String model = draft.model() == null || draft.model().isBlank() ? "unknown" : draft.model();
        StringBuilder out = new StringBuilder(draft.markdown().length() + 256);
        out.append("---\n");
        field(out, SOURCE_CANVAS, VaultPaths.normalise(draft.canvasPath()));
        field(out, SOURCE_NODE, draft.nodeId());
        field(out, AGENT, draft.agent().wireName());
        // Instant prints UTC with a Z; milliseconds are plenty for a note.
        field(
                out,
                GENERATED_AT,
                draft.generatedAt().truncatedTo(ChronoUnit.MILLIS).toString());
        field(out, "model", model);
        out.append("---\n\n");
        out.append(draft.markdown().startsWith("\uFEFF") ? draft.markdown().substring(1) : draft.markdown());
        if (!draft.markdown().endsWith("\n")) {
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * Whether the text is exactly what this program wrote: its front matter has a digest line and the rest of the text
     * gives that digest. False for a note written before digests were, or one that is not valid UTF-8.
     */
    static boolean isUnchangedSinceWritten(byte[] file) {
        String text = new String(file, StandardCharsets.UTF_8);
        if (!text.startsWith("---\n") || !Arrays.equals(text.getBytes(StandardCharsets.UTF_8), file)) {
            return false;
        }
        int closing = text.indexOf("\n---\n");
        int line = text.indexOf("\n" + CONTENT_SHA256 + ": ") + 1;
        if (closing < 0 || line <= 0 || line > closing) {
            return false;
        }
        int end = text.indexOf('\n', line);
        String recorded =
                unquote(text.substring(line + CONTENT_SHA256.length() + 1, end).strip());
        String rest = text.substring(0, line) + text.substring(end + 1);
        return recorded.equals(ShortHash.of(rest, SHA256_HEX));
    }

    private static void field(StringBuilder out, String key, String value) {
        out.append(key).append(": ").append(quote(value)).append('\n');
    }

    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        value.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (cp < 0x20
                            || (cp >= 0x7F && cp <= 0x9F)
                            || cp == 0x2028
                            || cp == 0x2029
                            || cp == 0xFEFF
                            || Character.getType(cp) == Character.SURROGATE) {
                        out.append(String.format("\\u%04x", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    /**
     * The front matter's simple {@code key: value} fields, or an empty map when the file has none or is not a plain
     * file (a symbolic link is never followed: it could lead out of the vault).
     */
    static Map<String, String> readFields(Path file) {
        String head;
        try (InputStream in = RegularFiles.read(file)) {
            head = new String(in.readNBytes(HEAD_BYTES), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Map.of();
        }
        return fieldsOf(head);
    }

    /** As {@link #readFields(Path)}, for the file {@code name} in a folder held open: looked at and read there. */
    static Map<String, String> readFields(HeldFolder folder, Path name) {
        String head;
        try {
            java.nio.file.attribute.BasicFileAttributes looked = folder.attributes(name);
            if (looked == null) {
                return Map.of();
            }
            try (InputStream in = folder.read(name, looked)) {
                head = new String(in.readNBytes(HEAD_BYTES), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return Map.of();
        }
        return fieldsOf(head);
    }

    /**
     * The simple {@code key: value} fields of the front matter a note's text starts with; empty without one. Reads
     * line by line up to the closing fence only: it runs for every note whose owner is checked, and a note's body is
     * many times its front matter.
     */
    static Map<String, String> fieldsOf(String text) {
        int end = Math.min(text.length(), HEAD_BYTES);
        int lineStart = 0;
        int lineEnd = lineEnd(text, lineStart, end);
        if (!text.substring(lineStart, lineEnd).strip().equals("---")) {
            return Map.of();
        }
        Map<String, String> fields = new HashMap<>();
        while (lineEnd < end) {
            lineStart = text.indexOf('\n', lineEnd) + 1;
            lineEnd = lineEnd(text, lineStart, end);
            String line = text.substring(lineStart, lineEnd);
            if (line.strip().equals("---")) {
                return fields;
            }
            int colon = line.indexOf(':');
            if (colon > 0 && !Character.isWhitespace(line.charAt(0))) {
                fields.put(
                        line.substring(0, colon).strip(),
                        unquote(line.substring(colon + 1).strip()));
            }
        }
        return Map.of();
    }

    /** Where the line from {@code start} ends: before its line break ({@code \n} or {@code \r\n}), or at {@code end}. */
    private static int lineEnd(String text, int start, int end) {
        int newline = text.indexOf('\n', start);
        if (newline < 0 || newline >= end) {
            return end;
        }
        return newline > start && text.charAt(newline - 1) == '\r' ? newline - 1 : newline;
    }

    static String unquote(String raw) {
        if (raw.length() >= 2 && raw.startsWith("'") && raw.endsWith("'")) {
            return raw.substring(1, raw.length() - 1).replace("''", "'");
        }
        if (raw.length() < 2 || !raw.startsWith("\"") || !raw.endsWith("\"")) {
            return raw;
        }
        String body = raw.substring(1, raw.length() - 1);
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 == body.length()) {
                out.append(c);
                continue;
            }
            char escaped = body.charAt(++i);
            switch (escaped) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case '0' -> out.append('\0');
                case 'u', 'x', 'U' -> {
                    int digits = escaped == 'x' ? 2 : escaped == 'u' ? 4 : 8;
                    // hex digits only (parseInt takes a sign too) naming a code point: anything else in a hostile
                    // note is kept as text, never thrown (appendCodePoint refuses what is beyond U+10FFFF)
                    int codePoint = hexCodePoint(body, i + 1, digits);
                    if (codePoint >= 0) {
                        out.appendCodePoint(codePoint);
                        i += digits;
                    } else {
                        out.append(escaped);
                    }
                }
                default -> out.append(escaped);
            }
        }
        return out.toString();
    }

    /** The code point that {@code digits} hex digits from {@code start} name, or -1 when they are not that. */
    private static int hexCodePoint(String text, int start, int digits) {
        if (start + digits > text.length()) {
            return -1;
        }
        long value = 0;
        for (int i = start; i < start + digits; i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0 || text.charAt(i) > 'f') {
                return -1;
            }
            value = value * 16 + digit;
        }
        return Character.isValidCodePoint((int) Math.min(value, Integer.MAX_VALUE)) ? (int) value : -1;
    }
}
