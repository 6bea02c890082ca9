package org.canvasbatch.adapters.http.ws;

import java.time.Duration;
import java.util.Objects;

/**
 * The knobs of the WebSocket channel (CONTRACT §3). The defaults are the contract's; tests shorten the times.
 *
 * @param pingInterval      a ping frame goes to every socket this often
 * @param missedPongLimit   a socket that left this many pings unanswered is dead and cleaned up
 * @param idleTimeout       no session event and no client message for this long closes with 4408 (never while a task
 *                          of the session is in flight)
 * @param queueCapacity     messages waiting for one slow socket before it is closed with 4429
 * @param maxFrameBytes     the largest client message handled; bigger ones are answered with an error
 * @param badFrameLimit     more bad client frames than this within {@code badFrameWindow} closes with 1008
 * @param badFrameWindow    the window of the bad-frame limit
 * @param closeGrace        how long a closing socket may take to finish its close handshake before it is cut off
 * @param replayPageSize    events read from the journal and rendered at a time when replaying (one chunk): what a
 *                          replay holds at most, and the unit the rendered history is shared in
 * @param pluginSettleMargin how long before the Obsidian plugin's own close a message must have been written to count
 *                          as handled by its window: (plugin) the browser drops what reaches it after {@code close()},
 *                          so the window's next socket is sent again what was written later (it may count a node
 *                          twice, never miss one)
 */
public record WsSettings(
        Duration pingInterval,
        int missedPongLimit,
        Duration idleTimeout,
        int queueCapacity,
        int maxFrameBytes,
        int badFrameLimit,
        Duration badFrameWindow,
        Duration closeGrace,
        int replayPageSize,
        Duration pluginSettleMargin) {

    public static final WsSettings DEFAULT = new WsSettings(
            Duration.ofSeconds(30),
            2,
            Duration.ofMinutes(10),
            1_024,
            64 * 1024,
            20,
            Duration.ofMinutes(1),
            Duration.ofSeconds(5),
            256,
            Duration.ofMillis(250));

    public WsSettings {
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(badFrameWindow, "badFrameWindow");
        Objects.requireNonNull(closeGrace, "closeGrace");
        Objects.requireNonNull(pluginSettleMargin, "pluginSettleMargin");
        if (pluginSettleMargin.isNegative()) {
            throw new IllegalArgumentException("the plugin's settle margin must not be negative");
        }
        if (pingInterval.isNegative() || pingInterval.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("the ping interval and the idle timeout must be positive");
        }
        if (missedPongLimit < 1 || queueCapacity < 1 || maxFrameBytes < 1 || badFrameLimit < 0 || replayPageSize < 1) {
            throw new IllegalArgumentException("limits must be positive: " + missedPongLimit + ", " + queueCapacity
                    + ", " + maxFrameBytes + ", " + badFrameLimit + ", " + replayPageSize);
        }
    }

    public WsSettings withPingInterval(Duration value) {
        return new WsSettings(
                value,
                missedPongLimit,
                idleTimeout,
                queueCapacity,
                maxFrameBytes,
                badFrameLimit,
                badFrameWindow,
                closeGrace,
                replayPageSize,
                pluginSettleMargin);
    }

    public WsSettings withIdleTimeout(Duration value) {
        return new WsSettings(
                pingInterval,
                missedPongLimit,
                value,
                queueCapacity,
                maxFrameBytes,
                badFrameLimit,
                badFrameWindow,
                closeGrace,
                replayPageSize,
                pluginSettleMargin);
    }

    public WsSettings withQueueCapacity(int value) {
        return new WsSettings(
                pingInterval,
                missedPongLimit,
                idleTimeout,
                value,
                maxFrameBytes,
                badFrameLimit,
                badFrameWindow,
                closeGrace,
                replayPageSize,
                pluginSettleMargin);
    }

    public WsSettings withCloseGrace(Duration value) {
        return new WsSettings(
                pingInterval,
                missedPongLimit,
                idleTimeout,
                queueCapacity,
                maxFrameBytes,
                badFrameLimit,
                badFrameWindow,
                value,
                replayPageSize,
                pluginSettleMargin);
    }

    public WsSettings withReplayPageSize(int value) {
        return new WsSettings(
                pingInterval,
                missedPongLimit,
                idleTimeout,
                queueCapacity,
                maxFrameBytes,
                badFrameLimit,
                badFrameWindow,
                closeGrace,
                value,
                pluginSettleMargin);
    }

    public WsSettings withPluginSettleMargin(Duration value) {
        return new WsSettings(
                pingInterval,
                missedPongLimit,
                idleTimeout,
                queueCapacity,
                maxFrameBytes,
                badFrameLimit,
                badFrameWindow,
                closeGrace,
                replayPageSize,
                value);
    }

    /** How often the heartbeat looks at every socket: fine enough for both the ping interval and the idle rule. */
    Duration heartbeatPeriod() {
        Duration shortest = pingInterval.compareTo(idleTimeout) < 0 ? pingInterval : idleTimeout;
        Duration quarter = shortest.dividedBy(4);
        return quarter.compareTo(Duration.ofMillis(5)) < 0 ? Duration.ofMillis(5) : quarter;
    }
}
