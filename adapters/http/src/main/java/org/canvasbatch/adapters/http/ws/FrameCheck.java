package org.canvasbatch.adapters.http.ws;

import io.helidon.websocket.WsCloseException;

/**
 * Reads along the bytes a client sends after the WebSocket handshake and finds the frames RFC 6455 says must fail the
 * connection, before Helidon reads them: reserved opcodes and reserved bits, unmasked frames, fragmented or long
 * control frames, continuations of nothing and messages that interrupt a message (1002); text that is not UTF-8 and
 * close reasons that are not (1007); a close code no endpoint may send (1002); frames beyond the limit (1009).
 *
 * <p>Why here: Helidon 4.5's frame reader throws {@code IllegalArgumentException} for a reserved opcode, which escapes
 * the WebSocket connection, so the HTTP/1 layer beneath writes {@code HTTP/1.1 500} into the WebSocket stream; it
 * decodes text with replacement characters instead of refusing it; and it ignores reserved bits and the control-frame
 * rules. (docs/architecture.md, "Helidon's WebSocket frame reader".) Fed bytes in the order they arrive, a check says
 * how many of them are safe to hand on; the refusal of the first bad frame is kept for when the reader asks for it.
 */
final class FrameCheck {

    static final int PROTOCOL_ERROR = 1002;
    static final int INVALID_PAYLOAD = 1007;
    static final int TOO_BIG = 1009;
    /** RFC 6455 §5.5: a control frame carries at most this many payload bytes. */
    private static final int CONTROL_PAYLOAD_LIMIT = 125;

    private enum Stage {
        FIRST,
        SECOND,
        LENGTH,
        MASK,
        PAYLOAD
    }

    private final long maxFrameLength;
    private Stage stage = Stage.FIRST;
    private boolean fin;
    private int opcode;
    /** The data message under way: 0 none, 1 text, 2 binary. */
    private int message;

    private int lengthBytesLeft;
    private long length;
    private long payloadLeft;
    /** The frame's masking key, its first byte in the highest bits (an int: no array per socket). */
    private int mask;

    private int maskBytesRead;
    private long payloadIndex;

    private final Utf8 text = new Utf8();
    /** A close frame's payload; made at the first close frame that has one, so an idle socket holds none. */
    private byte[] close;

    private int closeLength;

    private WsCloseException refusal;

    FrameCheck(long maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
    }

    /**
     * Reads {@code bytes} along; returns how many of them, from the start, belong to frames that are fine. Fewer than
     * all means a bad frame starts at that index (or earlier, within bytes already handed on): {@link #refusal()} says
     * how to close.
     */
    int feed(byte[] bytes) {
        return feed(bytes, 0, bytes.length);
    }

    /** {@link #feed(byte[])} for {@code length} bytes from {@code offset}; the count is of those bytes. */
    int feed(byte[] bytes, int offset, int length) {
        if (refusal != null) {
            return 0;
        }
        int frameStart = stage == Stage.FIRST ? 0 : -1;
        for (int i = 0; i < length; i++) {
            if (stage == Stage.FIRST) {
                frameStart = i;
            }
            try {
                accept(bytes[offset + i] & 0xff);
            } catch (WsCloseException e) {
                refusal = e;
                return Math.max(frameStart, 0);
            }
        }
        return length;
    }

    /** How many payload bytes the frame under way still owes: 0 between frames and within a frame's header. */
    long payloadDue() {
        return stage == Stage.PAYLOAD ? payloadLeft : 0;
    }

    /** How many payload bytes of the frame under way have arrived: 0 between frames and within a frame's header. */
    long payloadDone() {
        return stage == Stage.PAYLOAD ? payloadIndex : 0;
    }

    /** How to close after a bad frame; null while every frame was fine. */
    WsCloseException refusal() {
        return refusal;
    }

    private void accept(int b) {
        switch (stage) {
            case FIRST -> first(b);
            case SECOND -> second(b);
            case LENGTH -> {
                length = length << 8 | b;
                if (--lengthBytesLeft == 0) {
                    if (length < 0) {
                        throw refuse(PROTOCOL_ERROR, "frame length out of range");
                    }
                    lengthKnown();
                }
            }
            case MASK -> {
                mask = mask << 8 | b;
                if (++maskBytesRead == 4) {
                    payloadStarts();
                }
            }
            case PAYLOAD -> payload(b);
        }
    }

    private void first(int b) {
        if ((b & 0x70) != 0) {
            throw refuse(PROTOCOL_ERROR, "reserved bits set");
        }
        fin = (b & 0x80) != 0;
        opcode = b & 0x0f;
        switch (opcode) {
            case 0 -> {
                if (message == 0) {
                    throw refuse(PROTOCOL_ERROR, "continuation without a message");
                }
            }
            case 1, 2 -> {
                if (message != 0) {
                    throw refuse(PROTOCOL_ERROR, "new message inside a fragmented one");
                }
            }
            case 8, 9, 10 -> {
                if (!fin) {
                    throw refuse(PROTOCOL_ERROR, "fragmented control frame");
                }
            }
            default -> throw refuse(PROTOCOL_ERROR, "reserved opcode " + opcode);
        }
        stage = Stage.SECOND;
    }

    private void second(int b) {
        if ((b & 0x80) == 0) {
            throw refuse(PROTOCOL_ERROR, "unmasked client frame");
        }
        int shortLength = b & 0x7f;
        if (opcode >= 8 && shortLength > CONTROL_PAYLOAD_LIMIT) {
            throw refuse(PROTOCOL_ERROR, "control frame over " + CONTROL_PAYLOAD_LIMIT + " bytes");
        }
        length = 0;
        if (shortLength == 126) {
            lengthBytesLeft = 2;
            stage = Stage.LENGTH;
        } else if (shortLength == 127) {
            lengthBytesLeft = 8;
            stage = Stage.LENGTH;
        } else {
            length = shortLength;
            lengthKnown();
        }
    }

    private void lengthKnown() {
        if (length > maxFrameLength) {
            throw refuse(TOO_BIG, "frame over " + maxFrameLength + " bytes");
        }
        maskBytesRead = 0;
        stage = Stage.MASK;
    }

    private void payloadStarts() {
        payloadLeft = length;
        payloadIndex = 0;
        closeLength = 0;
        if (opcode == 8 && length > 0 && close == null) {
            close = new byte[CONTROL_PAYLOAD_LIMIT];
        }
        if (opcode == 1) {
            text.reset();
        }
        if (payloadLeft == 0) {
            frameEnds();
        } else {
            stage = Stage.PAYLOAD;
        }
    }

    private void payload(int masked) {
        int b = (masked ^ mask >>> 24 - 8 * (int) (payloadIndex++ & 3)) & 0xff;
        if (opcode == 1 || opcode == 0 && message == 1) {
            if (!text.accept(b)) {
                throw refuse(INVALID_PAYLOAD, "invalid UTF-8 in text");
            }
        } else if (opcode == 8) {
            close[closeLength++] = (byte) b;
        }
        if (--payloadLeft == 0) {
            frameEnds();
        }
    }

    private void frameEnds() {
        switch (opcode) {
            case 0, 1, 2 -> {
                int type = opcode == 0 ? message : opcode;
                if (fin && type == 1 && !text.atBoundary()) {
                    throw refuse(INVALID_PAYLOAD, "text ends inside a character");
                }
                message = fin ? 0 : type;
            }
            case 8 -> checkClose();
            default -> {
                // ping and pong carry anything
            }
        }
        stage = Stage.FIRST;
    }

    private void checkClose() {
        if (closeLength == 1) {
            throw refuse(PROTOCOL_ERROR, "close frame of one byte");
        }
        if (closeLength >= 2) {
            int code = (close[0] & 0xff) << 8 | close[1] & 0xff;
            boolean allowed =
                    code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
            if (!allowed) {
                throw refuse(PROTOCOL_ERROR, "close code " + code + " not allowed");
            }
            Utf8 reason = new Utf8();
            for (int i = 2; i < closeLength; i++) {
                if (!reason.accept(close[i] & 0xff)) {
                    throw refuse(INVALID_PAYLOAD, "invalid UTF-8 in close reason");
                }
            }
            if (!reason.atBoundary()) {
                throw refuse(INVALID_PAYLOAD, "invalid UTF-8 in close reason");
            }
        }
    }

    private static WsCloseException refuse(int code, String reason) {
        return new WsCloseException(reason, code);
    }

    /**
     * UTF-8 validation as the WHATWG decoder does it, byte by byte across frame boundaries: no overlong forms, no
     * surrogates, nothing above U+10FFFF.
     */
    static final class Utf8 {
        private int needed;
        private int lower = 0x80;
        private int upper = 0xbf;

        void reset() {
            needed = 0;
            lower = 0x80;
            upper = 0xbf;
        }

        boolean accept(int b) {
            if (needed == 0) {
                if (b < 0x80) {
                    return true;
                }
                if (b >= 0xc2 && b <= 0xdf) {
                    needed = 1;
                } else if (b == 0xe0) {
                    needed = 2;
                    lower = 0xa0;
                } else if (b == 0xed) {
                    needed = 2;
                    upper = 0x9f;
                } else if (b >= 0xe1 && b <= 0xef) {
                    needed = 2;
                } else if (b == 0xf0) {
                    needed = 3;
                    lower = 0x90;
                } else if (b == 0xf4) {
                    needed = 3;
                    upper = 0x8f;
                } else if (b >= 0xf1 && b <= 0xf3) {
                    needed = 3;
                } else {
                    return false;
                }
                return true;
            }
            if (b < lower || b > upper) {
                return false;
            }
            lower = 0x80;
            upper = 0xbf;
            needed--;
            return true;
        }

        boolean atBoundary() {
            return needed == 0;
        }
    }
}
