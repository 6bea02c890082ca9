// A tiny OpenAI-compatible server for the browser test: answers POST /v1/chat/completions after a delay, with a short
// Markdown note about the question it was asked, so that a real canvas-batch server visibly makes progress.
//
//   node fake-llm.mjs [--port N] [--delay-ms 300]
//
// It prints "fake-llm listening on http://127.0.0.1:PORT" once it accepts calls. The test steers it while it runs:
//   POST /__control {"delay_ms": 3000, "fail_matching": "cholesterol"}   (null or "" turns failing off)
//   GET  /__stats   -> {"calls": N, "failed": M}
import http from 'node:http';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};

const settings = { delayMs: Number(option('delay-ms', '300')), failMatching: null };
const stats = { calls: 0, failed: 0 };
const sockets = new Set();

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > 4 * 1024 * 1024) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response, status, json) {
  const body = JSON.stringify(json);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/** The question the prompt templates put between <question> tags, else the last user message. */
function questionOf(messages) {
  const user = [...(messages || [])].reverse().find((m) => m && m.role === 'user');
  const text = user && typeof user.content === 'string' ? user.content : '';
  const tagged = /<question>\s*([\s\S]*?)\s*<\/question>/.exec(text);
  return (tagged ? tagged[1] : text).trim() || 'the question';
}

async function chat(request, response) {
  let call;
  try {
    call = JSON.parse(await readBody(request));
  } catch (e) {
    reply(response, 400, { error: { message: `not JSON: ${e.message}`, type: 'invalid_request_error' } });
    return;
  }
  stats.calls += 1;
  const question = questionOf(call.messages);
  await new Promise((resolve) => setTimeout(resolve, settings.delayMs));
  if (settings.failMatching && question.includes(settings.failMatching)) {
    stats.failed += 1;
    // a model server's words are not to be trusted: this one ends with a right-to-left override (U+202E), which would
    // turn around whatever the page shows after it on the same line
    reply(response, 400, { error: { message: 'The fake model refuses to answer this question \u202Eflipped', type: 'invalid_request_error' } });
    return;
  }
  const note = `# ${question}\n\nA note written by the fake model for the browser test.\n\n## Recap\n- ${question}\n`;
  reply(response, 200, {
    id: `chatcmpl-fake-${stats.calls}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: call.model || 'fake',
    choices: [{ index: 0, message: { role: 'assistant', content: note }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
  });
}

async function control(request, response) {
  try {
    const change = JSON.parse((await readBody(request)) || '{}');
    if (typeof change.delay_ms === 'number' && change.delay_ms >= 0) settings.delayMs = change.delay_ms;
    if ('fail_matching' in change) settings.failMatching = change.fail_matching || null;
    reply(response, 200, { delay_ms: settings.delayMs, fail_matching: settings.failMatching });
  } catch (e) {
    reply(response, 400, { error: { message: e.message } });
  }
}

const server = http.createServer((request, response) => {
  const path = new URL(request.url, 'http://fake').pathname.replace(/\/+$/, '');
  if (request.method === 'POST' && path === '/v1/chat/completions') {
    chat(request, response).catch((e) => reply(response, 500, { error: { message: e.message } }));
  } else if (request.method === 'POST' && path === '/__control') {
    control(request, response);
  } else if (request.method === 'GET' && path === '/__stats') {
    reply(response, 200, stats);
  } else if (request.method === 'GET' && path === '/v1/models') {
    reply(response, 200, { object: 'list', data: [{ id: 'fake', object: 'model' }] });
  } else {
    reply(response, 404, { error: { message: `no route ${request.method} ${path}` } });
  }
});
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

function stop() {
  server.close(() => process.exit(0));
  for (const socket of sockets) socket.destroy();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(Number(option('port', '0')), '127.0.0.1', () => {
  console.log(`fake-llm listening on http://127.0.0.1:${server.address().port}`);
});
