'use strict';
// A bare Node WebSocket server (the `ws` package, nothing else) that replays a trace recorded from canvas-batch to
// every client that connects, for benchmarks/run-fanout (issue 12).
//
//   node replay-server.js --trace trace.json [--host 127.0.0.1] [--port 0] [--stamp due|send]
//
// trace.json: {"preamble": ["<text>", ...], "live": [{"text": "<text>", "offsetMs": 0}, ...]}. Every socket gets the
// preamble (connected, the snapshot) as it connects, whatever its path. A line `go` on standard input starts the live
// part: message k is due at start + offsetMs(k); when it is due, its `timestamp` is set to that due time (the moment
// the event "happened", as canvas-batch's `timestamp` is the moment its event was appended) and it is sent to every
// open socket, the same bytes to all (encoded once per message). Whatever makes a message late — a timer that fires
// late, the sends of the messages before it — therefore counts in the latency the clients measure, as canvas-batch's
// own delays do. With --stamp send, `timestamp` is instead the moment its sends begin (truncated to the millisecond,
// as canvas-batch's), which leaves out how long it waited behind the messages before it. After the last message every
// socket is closed with 1000. Standard output: `listening <port>`, then
// `replayed <messages> to <sockets> sockets, late by at most <ms> ms`.

const fs = require('fs');
const readline = require('readline');
const { performance } = require('perf_hooks');
const { WebSocketServer, WebSocket } = require('ws');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const trace = JSON.parse(fs.readFileSync(option('--trace'), 'utf8'));
const preamble = trace.preamble.map((text) => Buffer.from(text, 'utf8'));
const TIMESTAMP = '"timestamp":"';
const ISO_LENGTH = 24;
const stampAtSend = option('--stamp', 'due') === 'send';

function stamped(text, epochMs) {
  const at = text.indexOf(TIMESTAMP);
  if (at < 0) {
    return Buffer.from(text, 'utf8');
  }
  const start = at + TIMESTAMP.length;
  return Buffer.from(text.slice(0, start) + new Date(epochMs).toISOString() + text.slice(start + ISO_LENGTH), 'utf8');
}

const server = new WebSocketServer({
  host: option('--host', '127.0.0.1'),
  port: Number(option('--port', '0')),
  perMessageDeflate: false,
});

server.on('connection', (ws) => {
  ws.on('error', () => {});
  for (const message of preamble) {
    ws.send(message, { binary: false });
  }
});

server.on('listening', () => {
  process.stdout.write('listening ' + server.address().port + '\n');
});

function now() {
  return performance.timeOrigin + performance.now();
}

function replay() {
  // whole milliseconds, as canvas-batch's timestamps are
  const start = Math.ceil(now());
  const live = trace.live;
  let next = 0;
  let worstLateMs = 0;
  function step() {
    const current = now();
    while (next < live.length && start + live[next].offsetMs <= current) {
      const due = start + live[next].offsetMs;
      worstLateMs = Math.max(worstLateMs, now() - due);
      const frame = stamped(live[next].text, stampAtSend ? Math.floor(now()) : due);
      for (const client of server.clients) {
        if (client.readyState === WebSocket.OPEN) {
          client.send(frame, { binary: false });
        }
      }
      next++;
    }
    if (next < live.length) {
      setTimeout(step, Math.max(0, start + live[next].offsetMs - now()));
      return;
    }
    const sockets = server.clients.size;
    for (const client of server.clients) {
      client.close(1000, 'session completed');
    }
    process.stdout.write(
      'replayed ' + live.length + ' to ' + sockets + ' sockets, late by at most ' + worstLateMs.toFixed(1) + ' ms\n',
    );
  }
  step();
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'go') {
    replay();
  }
});
