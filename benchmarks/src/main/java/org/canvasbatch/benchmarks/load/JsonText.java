package org.canvasbatch.benchmarks.load;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;

/** JSON for the few HTTP answers the tool reads in full; socket messages are scanned by {@link Envelope} instead. */
final class JsonText {

    static final JsonProvider JSON = JsonProvider.provider();

    private JsonText() {}

    static String quote(String text) {
        return JSON.createValue(text).toString();
    }

    static JsonObject parse(String body) {
        try (var reader = JSON.createReader(new StringReader(body))) {
            return reader.readObject();
        }
    }
}
