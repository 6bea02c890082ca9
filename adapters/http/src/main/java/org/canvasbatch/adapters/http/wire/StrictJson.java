package org.canvasbatch.adapters.http.wire;

import static org.canvasbatch.adapters.http.wire.JsonValues.PROVIDER;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
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
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a JSON document from a client (a request body, a WebSocket message) within limits that make a hostile
 * document a client error with a sentence, never a server failure: strict UTF-8, at most {@value #MAX_DEPTH} levels
 * of nesting, numbers of at most {@value #MAX_NUMBER_CHARS} characters and an exponent within ±{@value #MAX_EXPONENT},
 * strings of at most {@value #MAX_STRING_CHARS} characters, each name once in an object, and nothing after the value but
 * white space.
 *
 * <p>Parsson has limits of its own (nesting 1000, number length 1100, BigInteger scale 100000) but reports the first
 * with a bare {@code RuntimeException} and the others only when a number is used, long after parsing; the server
 * answered 500 with a 75 KB stack trace per 2 KB request. So the document is built here from Parsson's event stream,
 * each limit checked as its event arrives, and every refusal names the place in the document (such as
 * {@code nodes[3].text}) and the limit. Parsson's own limits stay as a backstop beyond these.
 */
public final class StrictJson {

    /** Requests are 3 levels deep ({@code {nodes:[{…}]}}); nothing legitimate comes near this. */
    public static final int MAX_DEPTH = 64;
    /** A double needs 24 characters, a long 20. */
    public static final int MAX_NUMBER_CHARS = 100;
    /** Beyond a double's range (1e308); keeps {@code bigIntegerValue()} of {@code 1e99999999} from being built. */
    public static final int MAX_EXPONENT = 1000;
    /** Four times the largest text the contract accepts (a node's text, 64 KiB). */
    public static final int MAX_STRING_CHARS = 256 * 1024;

    private static final int MAX_PLACE_CHARS = 120;
    private static final JsonParserFactory PARSERS = PROVIDER.createParserFactory(Map.of());

    /** Why a document was refused, and where in it. */
    public static final class Refused extends RuntimeException {
        private final String place;

        Refused(String place, String reason) {
            super(reason, null, false, false);
            this.place = place;
        }

        /** Where the problem is ({@code nodes[3].text}); empty for the document as a whole. */
        public String place() {
            return place;
        }

        /** What is wrong, as the end of a sentence whose subject is the place ("is nested deeper than …"). */
        public String reason() {
            return getMessage();
        }
    }

    private StrictJson() {}

    /** A document as bytes, which must be UTF-8 (a byte order mark is skipped). */
    public static JsonValue parse(byte[] utf8) {
        return parse(decode(utf8));
    }

    /** A document as text (a byte order mark is skipped: a WebSocket message's as a body's, contract §1). */
    public static JsonValue parse(String text) {
        Reading reading = new Reading();
        String document = text.startsWith("\uFEFF") ? text.substring(1) : text;
        try (JsonParser parser = PARSERS.createParser(new StringReader(document))) {
            return reading.read(parser);
        } catch (JsonException | NoSuchElementException | IllegalStateException e) {
            String words = inWords(e.getMessage());
            // inside a text the parser says it met character -1: the end too
            if (words.startsWith(ENDS_TOO_EARLY)
                    || String.valueOf(e.getMessage()).startsWith("Unexpected char -1 ")) {
                // the parser's column at the end is a running count past it ("line 3, column 39" for a line of 3)
                words = ENDS_TOO_EARLY + ", after line " + lastCharacter(document);
            }
            throw new Refused("", "is not valid JSON: " + words);
        }
    }

    private static final String ENDS_TOO_EARLY = "it ends too early";

    /** "L, column C" of the document's last character that is not blank, where it was cut off. */
    private static String lastCharacter(String text) {
        int last = text.length() - 1;
        while (last > 0 && " \t\r\n".indexOf(text.charAt(last)) >= 0) {
            last--;
        }
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < last; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return line + ", column " + (Math.max(last, 0) - lineStart + 1);
    }

    /** The code is written as a number of the machine's locale: "20,013", "20.013", "20 013". */
    private static final Pattern UNEXPECTED_CHAR =
            Pattern.compile("Unexpected char (\\d(?:[\\d,.'\u00a0\u202f\u2019 ]*\\d)?)");

    private static final Pattern INVALID_TOKEN =
            Pattern.compile("Invalid token=(\\w+)(.*?)\\. Expected tokens are: .*");
    private static final Pattern LOCATION =
            Pattern.compile("\\s*at \\(line no=(\\d+), column no=(\\d+), offset=\\d+\\)");

    /** The parser's message as a caller reads it: the character itself, the token's symbol, line and column. */
    static String inWords(String parserMessage) {
        if (parserMessage == null) {
            return "it could not be read";
        }
        String words = UNEXPECTED_CHAR.matcher(parserMessage).replaceFirst(match -> {
            int character = Integer.parseInt(match.group(1).replaceAll("\\D", ""));
            // a format character (a right-to-left override, a zero-width space), half a character, one that is not
            // assigned: named by its code, never put in the message itself
            int type = Character.getType(character);
            boolean visible = !Character.isISOControl(character)
                    && !Character.isWhitespace(character)
                    && !Character.isSpaceChar(character)
                    && type != Character.FORMAT
                    && type != Character.SURROGATE
                    && type != Character.PRIVATE_USE
                    && type != Character.UNASSIGNED;
            return Matcher.quoteReplacement("unexpected character "
                    + (visible ? "'" + Character.toString(character) + "'" : String.format("U+%04X", character)));
        });
        words = INVALID_TOKEN
                .matcher(words)
                .replaceFirst(match -> Matcher.quoteReplacement(
                        (match.group(1).equals("EOF") ? ENDS_TOO_EARLY : "unexpected " + symbol(match.group(1)))
                                + match.group(2)));
        return LOCATION.matcher(words).replaceAll(" at line $1, column $2");
    }

    private static String symbol(String token) {
        return switch (token) {
            case "CURLYOPEN" -> "'{'";
            case "CURLYCLOSE" -> "'}'";
            case "SQUAREOPEN" -> "'['";
            case "SQUARECLOSE" -> "']'";
            case "COLON" -> "':'";
            case "COMMA" -> "','";
            case "STRING" -> "text in quotes";
            case "NUMBER" -> "number";
            default -> token.toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, false);
        if (!result.isError() && in.hasRemaining()) {
            // the bytes left are the start of a character the body ends in: cut short, not bad text
            throw new Refused(
                    "",
                    "is not valid JSON: " + ENDS_TOO_EARLY + ", in the middle of a character (byte " + in.position()
                            + ")");
        }
        if (!result.isError()) {
            result = decoder.decode(in, out, true);
        }
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new Refused(
                    "",
                    "is not valid UTF-8: the byte at offset " + in.position()
                            + String.format(" (0x%02X)", bytes[in.position()] & 0xff)
                            + " does not start or continue a character");
        }
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** One document being built: the open containers, innermost first. */
    private static final class Reading {
        private final Deque<Open> open = new ArrayDeque<>();

        JsonValue read(JsonParser parser) {
            if (!parser.hasNext()) {
                throw new Refused("", "is empty; send a JSON object");
            }
            while (true) {
                if (!parser.hasNext()) {
                    throw new Refused(place(), "ends before the JSON is complete");
                }
                JsonValue done = step(parser, parser.next());
                if (done != null) {
                    requireEnd(parser);
                    return done;
                }
            }
        }

        /** Applies one event; returns the whole document once its last event has arrived. */
        private JsonValue step(JsonParser parser, JsonParser.Event event) {
            return switch (event) {
                case START_OBJECT, START_ARRAY -> {
                    if (open.size() >= MAX_DEPTH) {
                        throw new Refused(
                                place(),
                                "is nested deeper than the limit of " + MAX_DEPTH + " levels of objects and arrays");
                    }
                    open.push(
                            event == JsonParser.Event.START_OBJECT
                                    ? new Open(PROVIDER.createObjectBuilder())
                                    : new Open(PROVIDER.createArrayBuilder()));
                    yield null;
                }
                case KEY_NAME -> {
                    String key = parser.getString();
                    checkLength(key, "a name");
                    Open object = open.peek();
                    object.key = key;
                    if (!object.names.add(key)) {
                        // the last one would win without a word: which of two values the client meant is its to say
                        throw new Refused(place(), "is given twice in one object; give each name once");
                    }
                    yield null;
                }
                case VALUE_STRING -> {
                    String value = parser.getString();
                    checkLength(value, "a string");
                    yield add(PROVIDER.createValue(value));
                }
                case VALUE_NUMBER -> add(number(parser.getString()));
                case VALUE_TRUE -> add(JsonValue.TRUE);
                case VALUE_FALSE -> add(JsonValue.FALSE);
                case VALUE_NULL -> add(JsonValue.NULL);
                case END_OBJECT, END_ARRAY -> {
                    Open closed = open.pop();
                    yield add(closed.object != null ? closed.object.build() : closed.array.build());
                }
            };
        }

        /** Adds a finished value to the innermost open container; returns it when it is the whole document. */
        private JsonValue add(JsonValue value) {
            Open container = open.peek();
            if (container == null) {
                return value;
            }
            if (container.object != null) {
                container.object.add(container.key, value);
                container.key = null;
            } else {
                container.array.add(value);
                container.size++;
            }
            return null;
        }

        private void checkLength(String text, String what) {
            if (text.length() > MAX_STRING_CHARS) {
                throw new Refused(
                        place(),
                        "is " + what + " of " + text.length() + " characters; the limit is " + MAX_STRING_CHARS);
            }
        }

        private JsonValue number(String lexeme) {
            if (lexeme.length() > MAX_NUMBER_CHARS) {
                throw new Refused(
                        place(), "is a number of " + lexeme.length() + " characters; the limit is " + MAX_NUMBER_CHARS);
            }
            BigDecimal value;
            try {
                value = new BigDecimal(lexeme);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new Refused(place(), "is a number out of range: " + lexeme);
            }
            if (Math.abs((long) value.scale()) > MAX_EXPONENT) {
                throw new Refused(
                        place(), "is a number out of range (its exponent is beyond ±" + MAX_EXPONENT + "): " + lexeme);
            }
            return PROVIDER.createValue(value);
        }

        /** Nothing but white space may follow the value. */
        private static void requireEnd(JsonParser parser) {
            try {
                parser.hasNext();
            } catch (JsonException e) {
                throw new Refused("", "has more after the end of the JSON value: " + inWords(e.getMessage()));
            }
        }

        /** Where the next value goes: {@code nodes[3].text}, bounded for messages. */
        private String place() {
            StringBuilder place = new StringBuilder();
            Iterator<Open> outermostFirst = open.descendingIterator();
            while (outermostFirst.hasNext()) {
                Open container = outermostFirst.next();
                if (container.object != null) {
                    if (container.key != null) {
                        if (!place.isEmpty()) {
                            place.append('.');
                        }
                        place.append(container.key);
                    }
                } else {
                    place.append('[').append(container.size).append(']');
                }
                if (place.length() > MAX_PLACE_CHARS) {
                    return place.substring(0, MAX_PLACE_CHARS) + "…";
                }
            }
            return place.toString();
        }
    }

    /** An object or array still being read. */
    private static final class Open {
        final JsonObjectBuilder object;
        final JsonArrayBuilder array;
        /** An object's names so far. */
        final java.util.Set<String> names = new java.util.HashSet<>();

        String key;
        int size;

        Open(JsonObjectBuilder object) {
            this.object = object;
            this.array = null;
        }

        Open(JsonArrayBuilder array) {
            this.object = null;
            this.array = array;
        }
    }
}
