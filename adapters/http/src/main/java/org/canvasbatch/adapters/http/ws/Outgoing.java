package org.canvasbatch.adapters.http.ws;

import jakarta.json.JsonValue;
import java.util.function.LongFunction;
import org.canvasbatch.adapters.http.wire.EventMessages.Envelope;

/** What a connection's sender thread works through, in order. */
sealed interface Outgoing {

    /** A rendered event message, serialised once per session and shared by every socket watching it. */
    record Message(
            String type,
            long seq,
            boolean derived,
            int progressGroup,
            boolean closesGroup,
            boolean endsSession,
            String text)
            implements Outgoing {

        static Message of(Envelope envelope) {
            return new Message(
                    envelope.type(),
                    envelope.seq(),
                    envelope.derived(),
                    envelope.isProgress() ? envelope.groupId() : 0,
                    envelope.closesGroup(),
                    envelope.endsSession(),
                    envelope.text());
        }

        boolean isProgress() {
            return progressGroup > 0;
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
