'use strict';
// A bare Node WebSocket server (the `ws` package, nothing else) that holds idle sockets as canvas-batch holds the
// plugin's sockets on a pending session: one `connected` message each (resumed, as the plugin's socket gets it), a ping
// to every socket every --ping-seconds (30, as canvas-batch) and a socket that missed the last pong cut off. The
// load tool measures its memory per socket against canvas-batch's (issue 12).
//
//   node --expose-gc idle-server.js [--host 127.0.0.1] [--port 0] [--ping-seconds 30]
//
// Standard output: `listening <port>`. Standard input: `gc` runs a full collection and answers
// `gc <heapUsedKiB> <rssKiB>`.

const readline = require('readline');
const { WebSocketServer } = require('ws');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const server = new WebSocketServer({
  host: option('--host', '127.0.0.1'),
  port: Number(option('--port', '0')),
  perMessageDeflate: false,
});

server.on('connection', (ws, request) => {
  const session = decodeURIComponent(request.url.split('?')[0].split('/').pop() || 'session');
  ws.isAlive = true;
  ws.on('pong', () => {
    ws.isAlive = true;
  });
  ws.on('error', () => {});
  ws.send(
    JSON.stringify({
      type: 'connected',
      task_id: session,
      session_id: session,
      seq: 0,
      timestamp: new Date().toISOString(),
      data: { session_id: session, state: 'pending', last_seq: 0, resumed: true, epoch: 'idle-node' },
    }),
  );
});

setInterval(() => {
  for (const ws of server.clients) {
    if (!ws.isAlive) {
      ws.terminate();
      continue;
    }
    ws.isAlive = false;
    ws.ping();
  }
}, Number(option('--ping-seconds', '30')) * 1000);

server.on('listening', () => {
  process.stdout.write('listening ' + server.address().port + '\n');
});

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'gc') {
    if (typeof global.gc === 'function') {
      global.gc();
    }
    const memory = process.memoryUsage();
    process.stdout.write('gc ' + Math.round(memory.heapUsed / 1024) + ' ' + Math.round(memory.rss / 1024) + '\n');
  }
});
