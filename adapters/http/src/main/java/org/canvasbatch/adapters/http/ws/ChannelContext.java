package org.canvasbatch.adapters.http.ws;

import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.application.port.out.Clock;

/**
 * What every part of the channel shares: the core's use cases, the settings, the time and the counters, and what the
 * vault adds to a canvas (what the plugin's windows are told is not done).
 */
record ChannelContext(
        UseCases useCases,
        WsSettings settings,
        Clock clock,
        Counters counters,
        History history,
        CanvasWriting canvasWriting) {}
