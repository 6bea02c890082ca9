package org.canvasbatch.adapters.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request path as this server decides on it: the raw path with doubled and trailing slashes removed (a base URL
 * configured with a trailing slash gives {@code //canvas/...}), and the same path decoded. Paths that could mean one
 * thing to a check and another to the router are refused outright rather than tidied: dot segments ({@code ..},
 * {@code %2e%2e}, {@code .}), encoded separators ({@code %2f}, {@code %5c}), backslashes, matrix parameters
 * ({@code ;}), control characters and broken escapes. No client of this API sends any of them (a browser or
 * {@code curl} removes dot segments before sending; only {@code --path-as-is} keeps them), so a refusal costs nothing
 * and leaves nothing for a later normalisation to turn into another route.
 *
 * @param raw     what routing sees: the raw path, canonical
 * @param decoded the same path decoded, for decisions such as "is this a public route"
 */
record RequestPath(String raw, String decoded) {

    /** Why a path was refused, in words for a person. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    static RequestPath parse(String rawPath) throws Refused {
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '\\') {
                throw new Refused("it contains a backslash");
            }
            if (c == ';') {
                throw new Refused("it contains ';' (path parameters are not used by this API)");
            }
            if (c < 0x20 || c == 0x7f) {
                throw new Refused("it contains a control character");
            }
        }
        String raw = collapse(rawPath);
        List<String> segments = new ArrayList<>();
        for (String segment : raw.substring(1).split("/", -1)) {
            if (segment.isEmpty()) {
                continue;
            }
            String decoded = decode(segment);
            if (decoded.equals(".") || decoded.equals("..")) {
                throw new Refused("it contains a '" + decoded + "' segment");
            }
            segments.add(decoded);
        }
        return new RequestPath(raw, "/" + String.join("/", segments));
    }

    /** {@code //a//b/} → {@code /a/b}; the root stays {@code /}. */
    static String collapse(String rawPath) {
        StringBuilder path = new StringBuilder(rawPath.length() + 1);
        char previous = 0;
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '/' && previous == '/') {
                continue;
            }
            path.append(c);
            previous = c;
        }
        if (path.isEmpty() || path.charAt(0) != '/') {
            path.insert(0, '/');
        }
        if (path.length() > 1 && path.charAt(path.length() - 1) == '/') {
            path.setLength(path.length() - 1);
        }
        return path.toString();
    }

    /** One segment percent-decoded as UTF-8, refusing what would change the path's shape once decoded. */
    private static String decode(String segment) throws Refused {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        int i = 0;
        while (i < segment.length()) {
            int escape = segment.indexOf('%', i);
            if (escape != i) {
                int end = escape < 0 ? segment.length() : escape;
                bytes.writeBytes(segment.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
                continue;
            }
            if (i + 2 >= segment.length()) {
                throw new Refused("it has a '%' that is not followed by two hex digits");
            }
            int high = Character.digit(segment.charAt(i + 1), 16);
            int low = Character.digit(segment.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                throw new Refused("it has a '%' that is not followed by two hex digits");
            }
            int b = high << 4 | low;
            if (b == '/' || b == '\\') {
                throw new Refused("it contains an encoded '/' or '\\' (%2F, %5C)");
            }
            if (b < 0x20 || b == 0x7f) {
                throw new Refused("it contains an encoded control character");
            }
            bytes.write(b);
            i += 3;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refused("its escapes are not UTF-8");
        }
    }
}
