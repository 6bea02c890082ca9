package org.canvasbatch.adapters.http.ws;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.function.LongFunction;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.wire.EventMessages.Envelope;
import org.canvasbatch.adapters.http.wire.LocalizedFailures;

/** What a connection's sender thread works through, in order. */
sealed interface Outgoing {

    /**
     * A rendered event message, serialised once per session and shared by every socket watching it: besides its JSON
     * text it carries the whole WebSocket text frame (header and UTF-8 payload) that every socket writes as is, so
     * fan-out to N sockets costs N writes of the same bytes and no per-socket encoding.
     */
    final class Message implements Outgoing {
        private final String type;
        private final long seq;
        private final boolean derived;
        private final int progressGroup;
        private final boolean closesGroup;
        private final boolean endsSession;
        private final String text;
        private final byte[] frame;
        /** The frame for a Chinese reader, where a failure reason reads differently; null: the same frame. */
        private final byte[] chineseFrame;
        /** For a {@code session_completed}: the nodes that succeeded (notes written); 0 for any other message. */
        private final int succeeded;

        Message(
                String type,
                long seq,
                boolean derived,
                int progressGroup,
                boolean closesGroup,
                boolean endsSession,
                String text,
                String chineseText) {
            this(type, seq, derived, progressGroup, closesGroup, endsSession, text, chineseText, 0);
        }

        Message(
                String type,
                long seq,
                boolean derived,
                int progressGroup,
                boolean closesGroup,
                boolean endsSession,
                String text,
                String chineseText,
                int succeeded) {
            this.type = type;
            this.seq = seq;
            this.derived = derived;
            this.progressGroup = progressGroup;
            this.closesGroup = closesGroup;
            this.endsSession = endsSession;
            this.text = text;
            this.frame = TextFrame.of(text);
            this.chineseFrame = chineseText == null ? null : TextFrame.of(chineseText);
            this.succeeded = succeeded;
        }

        static Message of(Envelope envelope) {
            JsonObject chinese = LocalizedFailures.message(envelope.json(), Language.ZH);
            return new Message(
                    envelope.type(),
                    envelope.seq(),
                    envelope.derived(),
                    envelope.isProgress() ? envelope.groupId() : 0,
                    envelope.closesGroup(),
                    envelope.endsSession(),
                    envelope.text(),
                    chinese == envelope.json() ? null : chinese.toString(),
                    envelope.endsSession() && envelope.json().get("data") instanceof JsonObject data
                            ? data.getInt("success_count", 0)
                            : 0);
        }

        String type() {
            return type;
        }

        long seq() {
            return seq;
        }

        boolean derived() {
            return derived;
        }

        int progressGroup() {
            return progressGroup;
        }

        boolean closesGroup() {
            return closesGroup;
        }

        boolean endsSession() {
            return endsSession;
        }

        /** For a {@code session_completed}: the nodes that succeeded, whose notes are in the vault. */
        int succeeded() {
            return succeeded;
        }

        String text() {
            return text;
        }

        /** The complete server-to-client text frame; shared, never to be modified. */
        byte[] frame() {
            return frame;
        }

        /** {@link #frame()} for a reader of {@code language}: its failure reasons in it. */
        byte[] frame(Language language) {
            return language == Language.ZH && chineseFrame != null ? chineseFrame : frame;
        }

        /** The bytes this message keeps besides its text. */
        int frameBytes() {
            return frame.length + (chineseFrame == null ? 0 : chineseFrame.length);
        }

        boolean isProgress() {
            return progressGroup > 0;
        }

        @Override
        public String toString() {
            return type + "#" + seq + (derived ? " (derived)" : "");
        }
    }

    /** An answer to the client, rendered when sent so that it carries the connection's latest seq. */
    record Reply(LongFunction<Envelope> render) implements Outgoing {}

    /** The client asked to be brought up to date from {@code lastSeq}. */
    record Resync(long lastSeq, String epoch, JsonValue requestId) implements Outgoing {}

    record Ping() implements Outgoing {}

    record Pong(byte[] payload) implements Outgoing {}

    /** The last thing a socket sends. */
    record Close(int code, String reason) implements Outgoing {}

    /** The socket is already gone: stop without sending anything. */
    record Stop() implements Outgoing {}
}
