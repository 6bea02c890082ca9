package org.canvasbatch.adapters.http.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's files, read once from the jar. Only the names listed here are served: a request can never reach any
 * other resource of the class path, whatever its path says.
 */
final class DashboardAssets {

    /** A file of the page and the content type it is served with. */
    record Asset(String name, String contentType, byte[] bytes) {}

    static final String PAGE = "index.html";

    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private final Map<String, Asset> assets;

    private DashboardAssets(Map<String, Asset> assets) {
        this.assets = Map.copyOf(assets);
    }

    /** Reads every file now, so that a jar built without them fails at start rather than on the first visit. */
    static DashboardAssets load() {
        Map<String, Asset> loaded = new LinkedHashMap<>();
        TYPES.forEach((name, type) -> loaded.put(name, new Asset(name, type, read(name))));
        return new DashboardAssets(loaded);
    }

    Optional<Asset> find(String name) {
        return Optional.ofNullable(assets.get(name));
    }

    Asset page() {
        return assets.get(PAGE);
    }

    private static byte[] read(String name) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard file '" + name + "' is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("the dashboard file '" + name + "' could not be read", e);
        }
    }
}
