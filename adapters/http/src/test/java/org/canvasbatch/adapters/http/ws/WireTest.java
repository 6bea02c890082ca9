package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 6455 §5.5.1 at the one place a socket's bytes leave: after a close frame — Helidon's answer to the client's close
 * or ours — nothing is written, and once the client's close has arrived no data is. The socket here records the writes
 * that reach it; Helidon's frames come as Helidon writes them (a growing buffer it fills byte by byte).
 */
class WireTest {

    private final List<byte[]> socket = new ArrayList<>();
    private final Wire wire = new Wire(new RecordingWriter());

    @Test
    void afterHelidonsCloseAnswerNothingFollows() {
        byte[] event = TextFrame.of("{\"type\":\"task_started\"}");
        byte[] answer = ControlFrame.close(Connection.NORMAL, "normal");

        assertThat(wire.writeFrames(BufferData.create(event))).isTrue();
        wire.writeNow(asHelidonWritesIt(answer));

        assertThat(wire.writeFrames(BufferData.create(TextFrame.of("{\"type\":\"task_completed\"}"))))
                .as("data after the close answer")
                .isFalse();
        assertThat(wire.writeClose(ControlFrame.close(Connection.NORMAL, "session completed")))
                .as("a second close")
                .isFalse();
        wire.writeNow(asHelidonWritesIt(ControlFrame.ping()));
        assertThat(socket).containsExactly(event, answer);
    }

    @Test
    void afterOurCloseHelidonsAnswerToTheClientIsDropped() {
        byte[] ours = ControlFrame.close(Connection.IDLE, "idle timeout");

        assertThat(wire.writeClose(ours)).isTrue();
        wire.writeNow(asHelidonWritesIt(ControlFrame.close(Connection.NORMAL, "normal")));

        assertThat(wire.writeFrames(BufferData.create(ControlFrame.ping()))).isFalse();
        assertThat(socket).containsExactly(ours);
    }

    @Test
    void onceTheClientsCloseHasArrivedNoDataGoesOutButOneClose() throws InterruptedException {
        assertThat(wire.endData(Duration.ofSeconds(1))).isTrue();

        assertThat(wire.writeFrames(BufferData.create(TextFrame.of("{\"type\":\"ack\"}"))))
                .isFalse();
        byte[] answer = ControlFrame.close(Connection.NORMAL, "normal");
        wire.writeNow(asHelidonWritesIt(answer));
        assertThat(wire.writeClose(ControlFrame.close(Connection.NORMAL, "session completed")))
                .isFalse();
        assertThat(socket).containsExactly(answer);
    }

    @Test
    void helidonsOtherFramesPassUntilAClose() {
        byte[] pong = ControlFrame.pong(new byte[] {1, 2});
        wire.writeNow(asHelidonWritesIt(pong));
        assertThat(wire.writeFrames(BufferData.create(ControlFrame.ping()))).isTrue();
        assertThat(socket).containsExactly(pong, ControlFrame.ping());
    }

    private static BufferData asHelidonWritesIt(byte[] frame) {
        BufferData buffer = BufferData.growing(4);
        for (byte b : frame) {
            buffer.write(b & 0xFF);
        }
        return buffer;
    }

    private final class RecordingWriter implements DataWriter {
        @Override
        public void writeNow(BufferData buffer) {
            byte[] bytes = new byte[buffer.available()];
            buffer.read(bytes);
            socket.add(bytes);
        }

        @Override
        public void writeNow(BufferData... buffers) {
            for (BufferData buffer : buffers) {
                writeNow(buffer);
            }
        }

        @Override
        public void write(BufferData buffer) {
            writeNow(buffer);
        }

        @Override
        public void write(BufferData... buffers) {
            writeNow(buffers);
        }
    }
}
