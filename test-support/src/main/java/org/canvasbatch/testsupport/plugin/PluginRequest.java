package org.canvasbatch.testsupport.plugin;

/**
 * A request the plugin made and what came of it, for tests that count calls (the analyze retries, the polls).
 *
 * @param path   the raw path, without the query
 * @param status the answer's status, 0 when there was no answer (the server could not be reached)
 */
public record PluginRequest(String method, String path, int status) {}
