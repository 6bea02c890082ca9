package org.canvasbatch.adapters.http.wire;

import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.util.Map;

/**
 * The one JSON-P builder factory of the adapter (looking the provider up per call is needlessly slow), and the small
 * conversions every wire object needs: nullable strings, rounded decimals.
 */
public final class JsonValues {

    /**
     * The provider, looked up once: {@code Json.createValue} looks it up on every call by scanning the class path, which
     * profiling showed as a sixth of the server's CPU while streaming events.
     */
    public static final JsonProvider PROVIDER = JsonProvider.provider();

    public static final JsonBuilderFactory BUILDERS = PROVIDER.createBuilderFactory(Map.of());

    private JsonValues() {}

    /** A string, or JSON {@code null}. */
    public static JsonValue string(String value) {
        return value == null ? JsonValue.NULL : PROVIDER.createValue(value);
    }

    /** {@code value} rounded to {@code digits} decimals, as a JSON number. */
    public static JsonValue decimal(double value, int digits) {
        return PROVIDER.createValue(round(value, digits));
    }

    public static double round(double value, int digits) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return 0;
        }
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
