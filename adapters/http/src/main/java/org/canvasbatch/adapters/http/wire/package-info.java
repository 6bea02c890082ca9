/**
 * JSON shapes shared by the REST answers and the WebSocket messages, built with Jakarta JSON-P: the status object of
 * CONTRACT §2.3 ({@link org.canvasbatch.adapters.http.wire.StatusJson}), the analysis answer of §2.1, and wire
 * timestamps (UTC, {@code Z}, milliseconds). Integers stay integers ({@code group_id}), and a value that does not exist
 * yet is JSON {@code null}, never an absent field.
 */
package org.canvasbatch.adapters.http.wire;
