package org.canvasbatch.adapters.http.wire;

import java.util.Optional;
import java.util.Set;

/**
 * The shipped Obsidian plugin, recognised by where it calls from. It cannot change, and a few of its rules make a
 * generic answer show the learner something untrue (docs/obsidian-plugin-client.md), so the server answers it in its
 * own terms there: a lost session's poll, and what a socket without {@code last_seq} is sent.
 */
public final class PluginClient {

    /** Where the plugin calls from: the desktop renderer and the mobile app. */
    public static final Set<String> ORIGINS = Set.of("app://obsidian.md", "capacitor://localhost");

    private PluginClient() {}

    public static boolean isOrigin(Optional<String> origin) {
        return origin.filter(ORIGINS::contains).isPresent();
    }
}
