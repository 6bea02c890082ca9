'use strict';
// The client side of benchmarks/run-fanout: opens --count WebSocket clients (the `ws` package) on one URL, all of them
// before anything is sent live, and times every live message as its receipt time minus its `timestamp`. The same
// script, with the same options, is pointed first at canvas-batch and then at the Node replay of the same trace.
//
//   node fanout-clients.js --url ws://127.0.0.1:PORT/ws/intelligent-parallel/ID --count 500 --out result.json
//                          [--origin app://obsidian.md] [--record] [--open-parallel 64] [--patience-ms 300000]
//
// Protocol with the load tool (stdout, one line each): `ready <count> <cpu>` once every socket has its snapshot (or, for
// the plugin's Origin, its `connected`), then `done <cpu>` once every socket has its `session_completed` or is closed,
// after --out is written; <cpu> is this process's CPU time so far in microseconds. `failed <reason>` and exit code 1
// when the sockets do not all open.
//
// Time: receipt is `performance.timeOrigin + performance.now()` (epoch milliseconds with a fraction, read the moment
// `ws` hands the message over); the sender's `timestamp` has millisecond resolution. Both are this machine's clock.

const fs = require('fs');
const { performance } = require('perf_hooks');
const WebSocket = require('ws');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const url = option('--url');
const count = Number(option('--count', '1'));
const out = option('--out');
const origin = option('--origin', '');
const record = process.argv.includes('--record');
const openParallel = Number(option('--open-parallel', '64'));
const patienceMs = Number(option('--patience-ms', '300000'));
if (!url || !out || !(count > 0)) {
  process.stderr.write('usage: node fanout-clients.js --url WS_URL --count N --out FILE [--origin O] [--record]\n');
  process.exit(2);
}

const TYPE = Buffer.from('"type":"');
const TIMESTAMP = Buffer.from('"timestamp":"');
const ISO_LENGTH = 24; // 2026-11-26T12:00:00.123Z

// a message's head is scanned rather than parsed: a thousand sockets' worth of JSON.parse would measure this client
function head(buffer) {
  const typeAt = buffer.indexOf(TYPE);
  const stampAt = buffer.indexOf(TIMESTAMP);
  if (typeAt < 0) {
    return headByParsing(buffer);
  }
  const typeStart = typeAt + TYPE.length;
  const type = buffer.toString('latin1', typeStart, buffer.indexOf(0x22, typeStart));
  let stamp = NaN;
  if (stampAt >= 0) {
    const start = stampAt + TIMESTAMP.length;
    stamp = Date.parse(buffer.toString('latin1', start, start + ISO_LENGTH));
  }
  return { type, stamp };
}

function headByParsing(buffer) {
  try {
    const message = JSON.parse(buffer.toString('utf8'));
    return { type: String(message.type), stamp: Date.parse(message.timestamp) };
  } catch (notJson) {
    return { type: '', stamp: NaN };
  }
}

const sockets = [];
const latencies = []; // microseconds, every live message of every socket
let undated = 0;
let ready = 0;
let finished = 0;
let announcedReady = false;
let written = false;
let readyAtMs = 0;
let lastLiveAtMs = 0;
const trace = []; // the first socket's messages, when --record: [{text, live, receivedMs}]

function cpuMicros() {
  const used = process.cpuUsage();
  return used.user + used.system;
}

function finish(reason) {
  if (written) {
    return;
  }
  written = true;
  const result = {
    reason,
    readyAtMs,
    lastLiveAtMs,
    finishedAtMs: performance.timeOrigin + performance.now(),
    sockets: sockets.map((s) => ({ live: s.live, completed: s.completed, close: s.close })),
    undated,
    latenciesMicros: latencies,
    trace,
  };
  fs.writeFileSync(out, JSON.stringify(result));
  process.stdout.write('done ' + cpuMicros() + '\n');
  for (const s of sockets) {
    if (s.ws && s.ws.readyState === WebSocket.OPEN) {
      s.ws.close(1000, 'load done');
    }
  }
  // the server's close answers are not waited for long: the figures are written
  setTimeout(() => process.exit(0), 2000).unref();
}

function settle(state) {
  if (!state.ended) {
    state.ended = true;
    finished++;
    if (finished === count && announcedReady) {
      finish('all ended');
    }
  }
}

function markReady(state) {
  if (!state.ready) {
    state.ready = true;
    ready++;
    if (ready === count && !announcedReady) {
      announcedReady = true;
      readyAtMs = performance.timeOrigin + performance.now();
      process.stdout.write('ready ' + count + ' ' + cpuMicros() + '\n');
      if (finished === count) {
        finish('all ended');
      }
    }
  }
}

function open(index) {
  const state = { ws: null, ready: false, live: 0, completed: false, close: null, ended: false };
  sockets.push(state);
  const options = { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 60000 };
  if (origin) {
    options.origin = origin;
  }
  const recording = record && index === 0;
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    state.ws = ws;
    ws.on('open', () => resolve());
    ws.on('message', (data, isBinary) => {
      const receivedMs = performance.timeOrigin + performance.now();
      if (isBinary) {
        return;
      }
      const { type, stamp } = head(data);
      const live = state.ready;
      if (recording) {
        trace.push({ text: data.toString('utf8'), live, receivedMs });
      }
      if (live) {
        lastLiveAtMs = receivedMs;
        state.live++;
        if (Number.isNaN(stamp)) {
          undated++;
        } else {
          latencies.push(Math.round((receivedMs - stamp) * 1000));
        }
        if (type === 'session_completed') {
          state.completed = true;
          settle(state);
        }
      } else if (type === 'snapshot' || (origin && type === 'connected')) {
        markReady(state);
      }
    });
    ws.on('close', (code) => {
      state.close = code;
      resolve();
      markReady(state);
      settle(state);
    });
    ws.on('error', (error) => {
      if (!state.ready) {
        process.stdout.write('failed socket ' + index + ': ' + error.message + '\n');
        process.exit(1);
      }
    });
  });
}

async function main() {
  let next = 0;
  async function opener() {
    while (next < count) {
      await open(next++);
    }
  }
  await Promise.all(Array.from({ length: Math.min(openParallel, count) }, opener));
}

setTimeout(() => {
  if (!announcedReady) {
    process.stdout.write('failed only ' + ready + ' of ' + count + ' sockets had their snapshot\n');
    process.exit(1);
  }
  finish('patience ran out');
}, patienceMs).unref();

main().catch((error) => {
  process.stdout.write('failed ' + error.message + '\n');
  process.exit(1);
});
