/**
 * The end-to-end load tool, run by {@code benchmarks/run-load [--write-docs] [--quick]}: real {@code canvas-batch serve}
 * processes driven over real sockets, with a fake OpenAI-compatible model inside the tool's own JVM.
 *
 * <p>Figures: batch wall time against the ideal {@link BatchWallTime}, event latency from append to receipt with 1, 100
 * and 1 000 sockets {@link EventLatency}, memory and CPU of 10 000 idle sockets {@link IdleConnections}, startup to
 * the first answered request {@link Startup}, a storm of full replays of a 20 000-event session {@link ReplayStorm}, a storm of 1 000 resumes with {@code last_seq} under a live
 * session {@link ReconnectStorm}, and the idle sockets held by a bare Node {@code ws} server {@link IdleNodeConnections}
 * (fan-out side by side with Node: {@link Fanout}, {@code benchmarks/run-fanout}). Every child process is started here and stopped by its own pid.
 */
package org.canvasbatch.benchmarks.load;
