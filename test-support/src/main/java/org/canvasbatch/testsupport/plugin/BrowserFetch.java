package org.canvasbatch.testsupport.plugin;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * {@code window.fetch} as the plugin calls it (docs/obsidian-plugin-client.md §1): the renderer's origin
 * {@code app://obsidian.md}, the language Electron announces, {@code Content-Type: application/json} on every call
 * (even GET and the body-less cancel), the plugin's {@code User-Agent}. The answer is handed to the event loop. There
 * is no CORS preflight here (Node does not make one either): CORS is checked by the HTTP adapter's own tests.
 */
final class BrowserFetch {

    /** One answer, read whole (the plugin always reads the body right after the headers). */
    record Response(int status, String statusText, String body) {

        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** {@code await response.json()}: the object, or empty where the plugin's {@code .catch(() => ({}))} applies. */
        Optional<JsonObject> json() {
            try (var reader = Json.createReader(new StringReader(body))) {
                JsonValue value = reader.readValue();
                return value.getValueType() == JsonValue.ValueType.OBJECT
                        ? Optional.of(value.asJsonObject())
                        : Optional.empty();
            } catch (JsonException | IllegalStateException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * Why a fetch rejected: a {@code TypeError('Failed to fetch')} when the server cannot be reached, an
     * {@code AbortError} when the plugin's own timer aborted it.
     */
    record Failure(boolean aborted, String message) {}

    private final EventLoop loop;
    private final HttpClient http;
    private final Map<String, String> browserHeaders;
    private final List<PluginRequest> calls = new CopyOnWriteArrayList<>();

    BrowserFetch(EventLoop loop, HttpClient http, Map<String, String> browserHeaders) {
        this.loop = loop;
        this.http = http;
        this.browserHeaders = Map.copyOf(browserHeaders);
    }

    /**
     * Sends the request; {@code then} or {@code failed} runs later on the loop.
     *
     * @param pluginTimeout the plugin's {@code AbortController} timer, or null for none (only analyze has one)
     */
    void fetch(
            String method,
            String url,
            String body,
            Duration pluginTimeout,
            double scale,
            Consumer<Response> then,
            Consumer<Failure> failed) {
        HttpRequest request;
        try {
            Map<String, String> headers = new LinkedHashMap<>(browserHeaders);
            headers.put("Content-Type", "application/json");
            headers.put("User-Agent", "Obsidian-Canvas-Review/1.0.0");
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            headers.forEach(builder::header);
            if (pluginTimeout != null) {
                builder.timeout(Duration.ofNanos(Math.max(1, Math.round(pluginTimeout.toNanos() * scale))));
            }
            request = builder.build();
        } catch (IllegalArgumentException e) {
            loop.post(() -> failed.accept(new Failure(false, "Failed to fetch")));
            return;
        }
        String path = request.uri().getRawPath();
        loop.ioStarted();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .whenComplete((response, error) -> {
                    try {
                        if (error == null) {
                            calls.add(new PluginRequest(method, path, response.statusCode()));
                            Response answer = new Response(
                                    response.statusCode(), statusText(response.statusCode()), response.body());
                            loop.post(() -> then.accept(answer));
                        } else {
                            calls.add(new PluginRequest(method, path, 0));
                            Throwable cause = error instanceof CompletionException && error.getCause() != null
                                    ? error.getCause()
                                    : error;
                            boolean aborted = cause instanceof HttpTimeoutException;
                            loop.post(() -> failed.accept(
                                    new Failure(aborted, aborted ? "The user aborted a request." : "Failed to fetch")));
                        }
                    } finally {
                        loop.ioEnded();
                    }
                });
    }

    List<PluginRequest> calls() {
        return List.copyOf(calls);
    }

    /** Chromium's {@code response.statusText}: the reason phrase of HTTP/1.1 (the JDK does not keep the server's). */
    static String statusText(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Payload Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "";
        };
    }
}
