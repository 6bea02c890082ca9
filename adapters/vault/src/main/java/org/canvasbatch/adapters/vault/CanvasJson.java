package org.canvasbatch.adapters.vault;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.json.stream.JsonParsingException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.eclipse.parsson.api.JsonConfig;

/**
 * The bytes of a canvas file to JSON, refusing what a planted file could turn against the server or the learner.
 *
 * <p>The bytes must be UTF-8: anything else would be decoded with replacement characters and, on the next write-back,
 * saved over the learner's own bytes. The JSON is built here from the parser's events, without recursion, within
 * limits that no canvas comes near (Obsidian's canvases nest 3 levels; numbers are coordinates and sizes; a node's text
 * is at most a few pages): {@value #MAX_DEPTH} levels, numbers of {@value #MAX_NUMBER_CHARS} characters with an
 * exponent within ±{@value #MAX_EXPONENT}, texts (keys and values) of {@value #MAX_STRING_CHARS} characters,
 * {@value #MAX_VALUES} values in all. Each refusal says what and where, never how the parser failed.
 */
final class CanvasJson {

    /** The same limits as the HTTP edge's for request bodies, so a canvas is refused for what a request would be. */
    static final int MAX_DEPTH = 64;

    static final int MAX_NUMBER_CHARS = 100;
    /** Beyond a double's range; keeps a number such as {@code 1e99999999} from ever being expanded. */
    static final int MAX_EXPONENT = 1000;

    static final int MAX_STRING_CHARS = 256 * 1024;
    static final int MAX_VALUES = 1_000_000;

    /**
     * Parsson's own limits stay as a second guard; its document length limit (15 million characters) is lifted,
     * because the file's size was checked before and a canvas of the allowed size may be longer than that.
     */
    private static final JsonParserFactory PARSERS = CanvasFile.JSON.createParserFactory(Map.of(
            JsonConfig.MAX_DEPTH,
            MAX_DEPTH + 2,
            JsonConfig.MAX_BIGDECIMAL_LEN,
            MAX_NUMBER_CHARS,
            JsonConfig.MAX_PARSING_LIMIT,
            Integer.MAX_VALUE));

    private CanvasJson() {}

    /** Why a canvas file was refused, as the end of a sentence that starts with the canvas's name. */
    static final class Refusal extends Exception {

        Refusal(String problem) {
            super(problem, null, false, false);
        }
    }

    /** The bytes as text, without a byte order mark; refused at the first byte that is not part of a UTF-8 character. */
    static String decode(byte[] bytes) throws Refusal {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, false);
        if (!result.isError() && in.hasRemaining()) {
            // the bytes left are the start of a character the file ends in: cut off there, not bad text (a tester
            // cut a canvas inside a Chinese character and read "not UTF-8")
            throw new Refusal("is not valid JSON: the file ends too early, in the middle of a character on line "
                    + lineAt(bytes, in.position()) + " (was it cut off while being saved?)");
        }
        if (!result.isError()) {
            result = decoder.decode(in, out, true);
        }
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            throw new Refusal("is not UTF-8 text: the byte at offset " + offset + " (line " + lineAt(bytes, offset)
                    + ") does not start a valid character. It was left as it is");
        }
        String text = out.flip().toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** One JSON value and nothing after it. */
    static JsonValue parse(String text) throws Refusal {
        EndWatchingReader reader = new EndWatchingReader(text);
        try (JsonParser parser = PARSERS.createParser(reader)) {
            return build(parser, reader);
        } catch (JsonParsingException e) {
            throw new Refusal("is not valid JSON" + whyNotJson(e.getLocation(), reader));
        } catch (JsonException | UnsupportedOperationException | IllegalStateException e) {
            // Limits enforced by the parser itself (a second guard behind the ones below) and input it cannot read.
            throw new Refusal("is not valid JSON");
        }
    }

    private static JsonValue build(JsonParser parser, EndWatchingReader reader) throws Refusal {
        Deque<Container> open = new ArrayDeque<>();
        JsonValue root = null;
        int values = 0;
        while (parser.hasNext()) {
            JsonParser.Event event = parser.next();
            if (event != JsonParser.Event.KEY_NAME
                    && event != JsonParser.Event.END_OBJECT
                    && event != JsonParser.Event.END_ARRAY
                    && ++values > MAX_VALUES) {
                throw new Refusal("has more than " + MAX_VALUES + " values" + near(parser.getLocation(), reader));
            }
            JsonValue complete = null;
            switch (event) {
                case START_OBJECT, START_ARRAY -> {
                    if (open.size() == MAX_DEPTH) {
                        throw new Refusal("is nested more than " + MAX_DEPTH + " levels deep"
                                + near(parser.getLocation(), reader));
                    }
                    open.push(
                            event == JsonParser.Event.START_OBJECT
                                    ? new Container(CanvasFile.JSON.createObjectBuilder(), null)
                                    : new Container(null, CanvasFile.JSON.createArrayBuilder()));
                }
                case END_OBJECT, END_ARRAY -> complete = open.pop().build();
                case KEY_NAME -> open.peek().key = checkedString(parser, reader);
                case VALUE_STRING -> complete = CanvasFile.JSON.createValue(checkedString(parser, reader));
                case VALUE_NUMBER -> {
                    String lexeme = parser.getString();
                    if (lexeme.length() > MAX_NUMBER_CHARS) {
                        throw new Refusal("has a number " + lexeme.length() + " characters long"
                                + near(parser.getLocation(), reader) + "; a canvas's numbers are at most "
                                + MAX_NUMBER_CHARS
                                + " characters");
                    }
                    if (Math.abs((long) new BigDecimal(lexeme).scale()) > MAX_EXPONENT) {
                        throw new Refusal("has a number out of range (its exponent is beyond ±" + MAX_EXPONENT + ")"
                                + near(parser.getLocation(), reader));
                    }
                    complete = parser.getValue();
                }
                case VALUE_TRUE -> complete = JsonValue.TRUE;
                case VALUE_FALSE -> complete = JsonValue.FALSE;
                case VALUE_NULL -> complete = JsonValue.NULL;
            }
            if (complete != null) {
                if (open.isEmpty()) {
                    root = complete;
                } else {
                    open.peek().add(complete);
                }
            }
        }
        if (root == null) {
            throw new Refusal("is not valid JSON");
        }
        return root;
    }

    private static String checkedString(JsonParser parser, EndWatchingReader reader) throws Refusal {
        String value = parser.getString();
        if (value.length() > MAX_STRING_CHARS) {
            throw new Refusal("has a text " + value.length() + " characters long" + near(parser.getLocation(), reader)
                    + ", more than the limit of " + MAX_STRING_CHARS + " for one value");
        }
        return value;
    }

    /**
     * Where the parser stopped, as the learner finds it in an editor. Inside the text the parser's own line and column
     * are right; at the end of the text they are not (its column and offset there are running counts past the end,
     * "line 3, column 39" for a line of 3 characters), so there the place is found in the text itself: its last
     * character that is not blank.
     */
    private static String near(JsonLocation at, EndWatchingReader reader) {
        if (atTheEnd(at, reader)) {
            return " near line " + lastCharacter(reader.text);
        }
        return at == null ? "" : " near line " + at.getLineNumber() + ", column " + at.getColumnNumber();
    }

    /** A text that stops where a value is still open — most often a canvas cut off while it was being saved. */
    private static String whyNotJson(JsonLocation at, EndWatchingReader reader) {
        if (atTheEnd(at, reader)) {
            return ": the file ends too early, after line " + lastCharacter(reader.text)
                    + " (was it cut off while being saved?)";
        }
        return near(at, reader);
    }

    private static boolean atTheEnd(JsonLocation at, EndWatchingReader reader) {
        return reader.ended() || (at != null && at.getStreamOffset() >= reader.text.length());
    }

    /** "L, column C" of the last character that is not blank (the start of the text if there is none). */
    private static String lastCharacter(String text) {
        int last = text.length() - 1;
        while (last > 0 && isJsonBlank(text.charAt(last))) {
            last--;
        }
        long line = 1;
        int lineStart = 0;
        for (int i = 0; i < last; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return line + ", column " + (Math.max(last, 0) - lineStart + 1);
    }

    private static boolean isJsonBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static long lineAt(byte[] bytes, int offset) {
        long line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    /** The text for the parser, noting whether the parser has asked for more after its last character. */
    private static final class EndWatchingReader extends Reader {

        final String text;
        private final StringReader in;
        private boolean ended;

        EndWatchingReader(String text) {
            this.text = text;
            this.in = new StringReader(text);
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            int read = in.read(buffer, offset, length);
            if (read < 0) {
                ended = true;
            }
            return read;
        }

        boolean ended() {
            return ended;
        }

        @Override
        public void close() {
            in.close();
        }
    }

    /** An object or array being built, with the key of the member whose value comes next. */
    private static final class Container {

        private final JsonObjectBuilder object;
        private final JsonArrayBuilder array;
        private String key;

        Container(JsonObjectBuilder object, JsonArrayBuilder array) {
            this.object = object;
            this.array = array;
        }

        void add(JsonValue value) {
            if (object != null) {
                object.add(key, value);
            } else {
                array.add(value);
            }
        }

        JsonValue build() {
            return object != null ? object.build() : array.build();
        }
    }
}
