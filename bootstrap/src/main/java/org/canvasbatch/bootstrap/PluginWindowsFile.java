package org.canvasbatch.bootstrap;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.canvasbatch.adapters.http.ws.PluginWindowMemory;
import org.canvasbatch.adapters.vault.AtomicFiles;
import org.canvasbatch.adapters.vault.RegularFiles;
import org.canvasbatch.domain.session.SessionId;

/**
 * The plugin windows' positions in the data folder ({@value #NAME}), beside the journal they index into, and the
 * sessions the plugin's own window cancelled: {@code {"windows": [{session, address, origin, seq}…],
 * "cancelled_by_plugin": [session id…]}} (a bare array of windows, as earlier versions wrote, is read too). The file is
 * the server's own, but read as hostile: a symlink, a non-regular file, an oversized one or a malformed entry is left
 * out with one log line, and the worst it can cause is a window counting some nodes twice, as if it were new, or a
 * window that cancelled its batch being shown the cancellation's summary.
 */
public final class PluginWindowsFile implements PluginWindowMemory {

    static final String NAME = "plugin-windows.json";
    private static final long MAX_BYTES = 2L * 1024 * 1024;
    private static final int MAX_WINDOWS = 4096;
    private static final int MAX_TEXT = 256;
    private static final System.Logger LOG = System.getLogger(PluginWindowsFile.class.getName());
    /**
     * Looked up once: {@code Json.createObjectBuilder} looks the provider up on every call by scanning the class path,
     * and the file is rewritten every half second with an object per open window — with a thousand windows (a
     * reconnect storm) that was half the server's processor time and a third of its garbage (JFR).
     */
    private static final JsonBuilderFactory BUILDERS = Json.createBuilderFactory(Map.of());

    private final Path file;
    private boolean keepFailed;

    /** The file in {@code dataFolder}, the temporary files of killed writes of it deleted first by the system's clock. */
    public PluginWindowsFile(Path dataFolder) {
        this(dataFolder, Clock.systemUTC());
    }

    /**
     * The file in {@code dataFolder}. A process killed between a keep's write and its rename leaves a hidden
     * {@code .canvas-batch-<16 hex>.tmp} in the data folder, and nothing else would ever delete it: the ones old enough
     * by {@code clock} that no live process can still be writing them are deleted now, as the vault deletes its own.
     */
    public PluginWindowsFile(Path dataFolder, Clock clock) {
        this.file = dataFolder.resolve(NAME);
        AtomicFiles.deleteLeftovers(dataFolder, "the data folder", clock);
    }

    @Override
    public Kept recall() {
        byte[] bytes;
        // a link, a pipe (whose open would wait for a writer) or a device is not ours: refused, never waited on
        try (InputStream in = RegularFiles.read(file)) {
            bytes = in.readNBytes((int) MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                LOG.log(System.Logger.Level.WARNING, file + " is larger than 2 MiB; ignored");
                return Kept.NOTHING;
            }
        } catch (NoSuchFileException e) {
            return Kept.NOTHING;
        } catch (RegularFiles.NotARegularFile e) {
            LOG.log(System.Logger.Level.WARNING, file + " is not a regular file (" + e.what() + "); ignored");
            return Kept.NOTHING;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read " + file + " (" + e.getMessage() + "); ignored");
            return Kept.NOTHING;
        }
        try {
            return parsed(bytes);
        } catch (RuntimeException e) {
            // the reader refuses deep nesting and overlong numbers with exceptions that are no JsonException
            LOG.log(System.Logger.Level.WARNING, file + " is not a list of plugin windows (" + e + "); ignored");
            return Kept.NOTHING;
        }
    }

    private Kept parsed(byte[] bytes) {
        JsonValue whole;
        try (var reader = Json.createReader(new java.io.ByteArrayInputStream(bytes))) {
            whole = reader.readValue();
        } catch (JsonException | IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, file + " is not a list of plugin windows; ignored");
            return Kept.NOTHING;
        }
        JsonValue windows = whole;
        JsonValue cancelled = JsonValue.EMPTY_JSON_ARRAY;
        if (whole instanceof JsonObject object) {
            windows = object.getOrDefault("windows", JsonValue.EMPTY_JSON_ARRAY);
            cancelled = object.getOrDefault("cancelled_by_plugin", JsonValue.EMPTY_JSON_ARRAY);
        }
        if (!(windows instanceof JsonArray windowList) || !(cancelled instanceof JsonArray cancelledList)) {
            LOG.log(System.Logger.Level.WARNING, file + " is not a list of plugin windows; ignored");
            return Kept.NOTHING;
        }
        List<WindowPosition> positions = new ArrayList<>();
        int skipped = 0;
        for (JsonValue value : windowList) {
            WindowPosition position = valid(value);
            if (position == null || positions.size() >= MAX_WINDOWS) {
                skipped++;
            } else {
                positions.add(position);
            }
        }
        List<String> sessions = new ArrayList<>();
        for (JsonValue value : cancelledList) {
            if (value instanceof JsonString id
                    && id.getString().length() <= MAX_TEXT
                    && SessionId.isWellFormed(id.getString())
                    && sessions.size() < MAX_WINDOWS) {
                sessions.add(id.getString());
            } else {
                skipped++;
            }
        }
        if (skipped > 0) {
            LOG.log(System.Logger.Level.WARNING, skipped + " malformed entries of " + file + " ignored");
        }
        return new Kept(positions, sessions);
    }

    private static WindowPosition valid(JsonValue value) {
        if (!(value instanceof JsonObject entry)) {
            return null;
        }
        String session = text(entry, "session");
        String address = text(entry, "address");
        String origin = text(entry, "origin");
        JsonValue seq = entry.get("seq");
        if (session == null
                || address == null
                || origin == null
                || !SessionId.isWellFormed(session)
                || !(seq instanceof jakarta.json.JsonNumber number)
                || !number.isIntegral()
                || number.bigIntegerValue().bitLength() > 62
                || number.longValue() < 0) {
            return null;
        }
        return new WindowPosition(session, address, origin, number.longValue());
    }

    private static String text(JsonObject entry, String name) {
        return entry.get(name) instanceof jakarta.json.JsonString s
                        && s.getString().length() <= MAX_TEXT
                ? s.getString()
                : null;
    }

    @Override
    public void keep(Kept kept) {
        JsonArrayBuilder list = BUILDERS.createArrayBuilder();
        // the newest, last: the open windows, the ones that reconnect after a restart
        List<WindowPosition> windows = kept.windows();
        windows.subList(Math.max(0, windows.size() - MAX_WINDOWS), windows.size())
                .forEach(p -> list.add(BUILDERS.createObjectBuilder()
                        .add("session", p.sessionId())
                        .add("address", p.address())
                        .add("origin", p.origin())
                        .add("seq", p.seq())));
        JsonArrayBuilder cancelled = BUILDERS.createArrayBuilder();
        // the newest are the ones a window may still reconnect for
        List<String> sessions = kept.cancelledByPlugin();
        sessions.subList(Math.max(0, sessions.size() - MAX_WINDOWS), sessions.size())
                .forEach(cancelled::add);
        byte[] bytes = BUILDERS.createObjectBuilder()
                .add("windows", list)
                .add("cancelled_by_plugin", cancelled)
                .build()
                .toString()
                .getBytes(StandardCharsets.UTF_8);
        try {
            // a random new name beside the file, then a rename, as the vault writes: nothing planted in the data
            // folder (a link, a named pipe) is ever opened for writing
            AtomicFiles.replaceOnDisk(file, bytes);
            keepFailed = false;
        } catch (IOException e) {
            if (!keepFailed) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "cannot keep the plugin windows' positions in " + file + " (" + e.getMessage()
                                + "); a restart will send open windows their whole batch again");
            }
            keepFailed = true;
        }
    }
}
