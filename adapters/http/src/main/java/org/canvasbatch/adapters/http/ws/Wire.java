package org.canvasbatch.adapters.http.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one way out of a socket: its drain's frames (data, pings, pongs, its close) and Helidon's own (its answer to the
 * client's close, a protocol-error close) are written here one whole write at a time, so the order in which they pass
 * is the order on the wire. RFC 6455 §5.5.1: nothing follows a close frame. Once either side's close is known — the
 * client's has arrived, or a close frame is being written — no more data is written, and once a close frame has gone
 * out, nothing at all (a second close, Helidon's answer to a client that answered ours, is dropped); a write under way
 * finishes first, whole.
 *
 * <p>{@link FrameCheckingUpgrader} gives every WebSocket connection one of these as its writer, so Helidon's frames pass
 * it too; Helidon writes each frame with one call, header first, so a close frame is known by its first byte. Our frames
 * never take Helidon's send lock, so the two locks are only ever taken in one order (Helidon's, then this one).
 */
final class Wire implements DataWriter {

    /** FIN and the close opcode: the first byte of every close frame a server writes. */
    private static final int CLOSE_FRAME = 0x88;

    private final DataWriter socket;
    /**
     * Fair: a close waiting for its turn (Helidon's answer, a protocol-error close) goes out right after the write
     * under way, not after every batch a busy drain would take first.
     */
    private final ReentrantLock turn = new ReentrantLock(true);
    /** A close has been received or sent: no data frame may go out. Set under {@link #turn} but for a stuck write. */
    private volatile boolean dataOver;
    /** A close frame went out: nothing may follow it. Guarded by {@link #turn}. */
    private boolean closeWritten;

    Wire(DataWriter socket) {
        this.socket = socket;
    }

    /** The wire of a socket accepted by a server set up with {@link SessionSocketChannel#configureProtocol}. */
    static Wire of(WsSession ws) {
        if (ws.socketContext() instanceof ConnectionContext connection
                && connection.dataWriter() instanceof Wire wire) {
            return wire;
        }
        throw new IllegalStateException(
                "a socket of this channel must come through SessionSocketChannel.configureProtocol's upgrade");
    }

    /**
     * Writes complete frames of ours (data, pings, pongs, ready made) as one write, unless a close has been received or
     * sent.
     *
     * @return false if nothing was written because the socket's data is over
     */
    boolean writeFrames(BufferData frames) {
        turn.lock();
        try {
            if (dataOver) {
                return false;
            }
            socket.writeNow(frames);
            return true;
        } finally {
            turn.unlock();
        }
    }

    /**
     * Writes our close frame, unless a close frame has gone out already (Helidon's answer to the client's close).
     *
     * @return false if nothing was written
     */
    boolean writeClose(byte[] frame) {
        turn.lock();
        try {
            if (closeWritten) {
                return false;
            }
            dataOver = true;
            closeWritten = true;
            socket.writeNow(BufferData.create(frame));
            return true;
        } finally {
            turn.unlock();
        }
    }

    /**
     * The client's close has arrived: no data goes out from now on. Returns once a write under way has finished, so
     * that the answer Helidon writes next is the last frame; false if that write did not finish within {@code patience}
     * (a client that closed and stopped reading), and the data is over all the same.
     */
    boolean endData(Duration patience) throws InterruptedException {
        if (!turn.tryLock(patience.toNanos(), TimeUnit.NANOSECONDS)) {
            dataOver = true;
            return false;
        }
        try {
            dataOver = true;
            return true;
        } finally {
            turn.unlock();
        }
    }

    /** Helidon's frames: each its own whole frame; a close frame ends the data, and nothing follows it. */
    @Override
    public void writeNow(BufferData frame) {
        turn.lock();
        try {
            if (closeWritten) {
                return;
            }
            if (frame.available() > 0 && (frame.get(0) & 0xFF) == CLOSE_FRAME) {
                dataOver = true;
                closeWritten = true;
            }
            socket.writeNow(frame);
        } finally {
            turn.unlock();
        }
    }

    @Override
    public void writeNow(BufferData... frames) {
        turn.lock();
        try {
            for (BufferData frame : frames) {
                writeNow(frame);
            }
        } finally {
            turn.unlock();
        }
    }

    @Override
    public void write(BufferData frame) {
        writeNow(frame);
    }

    @Override
    public void write(BufferData... frames) {
        writeNow(frames);
    }

    @Override
    public void flush() {
        turn.lock();
        try {
            socket.flush();
        } finally {
            turn.unlock();
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
