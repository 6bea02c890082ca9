package org.canvasbatch.adapters.vault;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.json.stream.JsonParsingException;
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
        CoderResult result = decoder.decode(in, out, true);
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
        try (JsonParser parser = PARSERS.createParser(new StringReader(text))) {
            return build(parser);
        } catch (JsonParsingException e) {
            throw new Refusal("is not valid JSON" + near(e.getLocation()));
        } catch (JsonException | UnsupportedOperationException | IllegalStateException e) {
            // Limits enforced by the parser itself (a second guard behind the ones below) and input it cannot read.
            throw new Refusal("is not valid JSON");
        }
    }

    private static JsonValue build(JsonParser parser) throws Refusal {
        Deque<Container> open = new ArrayDeque<>();
        JsonValue root = null;
        int values = 0;
        while (parser.hasNext()) {
            JsonParser.Event event = parser.next();
            if (event != JsonParser.Event.KEY_NAME
                    && event != JsonParser.Event.END_OBJECT
                    && event != JsonParser.Event.END_ARRAY
                    && ++values > MAX_VALUES) {
                throw new Refusal("has more than " + MAX_VALUES + " values" + near(parser.getLocation()));
            }
            JsonValue complete = null;
            switch (event) {
                case START_OBJECT, START_ARRAY -> {
                    if (open.size() == MAX_DEPTH) {
                        throw new Refusal(
                                "is nested more than " + MAX_DEPTH + " levels deep" + near(parser.getLocation()));
                    }
                    open.push(
                            event == JsonParser.Event.START_OBJECT
                                    ? new Container(CanvasFile.JSON.createObjectBuilder(), null)
                                    : new Container(null, CanvasFile.JSON.createArrayBuilder()));
                }
                case END_OBJECT, END_ARRAY -> complete = open.pop().build();
                case KEY_NAME -> open.peek().key = checkedString(parser);
                case VALUE_STRING -> complete = CanvasFile.JSON.createValue(checkedString(parser));
                case VALUE_NUMBER -> {
                    String lexeme = parser.getString();
                    if (lexeme.length() > MAX_NUMBER_CHARS) {
                        throw new Refusal("has a number " + lexeme.length() + " characters long"
                                + near(parser.getLocation()) + "; a canvas's numbers are at most " + MAX_NUMBER_CHARS
                                + " characters");
                    }
                    if (Math.abs((long) new BigDecimal(lexeme).scale()) > MAX_EXPONENT) {
                        throw new Refusal("has a number out of range (its exponent is beyond ±" + MAX_EXPONENT + ")"
                                + near(parser.getLocation()));
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

    private static String checkedString(JsonParser parser) throws Refusal {
        String value = parser.getString();
        if (value.length() > MAX_STRING_CHARS) {
            throw new Refusal("has a text " + value.length() + " characters long" + near(parser.getLocation())
                    + ", more than the limit of " + MAX_STRING_CHARS + " for one value");
        }
        return value;
    }

    private static String near(JsonLocation at) {
        return at == null ? "" : " near line " + at.getLineNumber() + ", column " + at.getColumnNumber();
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
