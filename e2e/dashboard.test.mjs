// Browser test of the dashboard: the real canvas-batch server (./canvas-batch serve) on a copy of examples/vault, a fake
// OpenAI-compatible model, and Debian's Chromium driven by playwright-core. It watches a batch's bars reach 100 % in the
// page, sees a failed node with its message and retries it, starts a second batch from the page's form and cancels it
// with the card's button, and saves screenshots under target/e2e/. Prints "N passed, M failed"; exits 1 on any failure.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const out = path.join(repo, 'target', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const WHOLE_TEST_MS = 300_000;
const SERVER_START_MS = 240_000; // the launcher builds the jar first when sources changed
const STEP_MS = 30_000;

const BIOLOGY = 'Biology/Cell Biology.canvas';
const ALGEBRA = '数学/线性代数.canvas';
const FAILING_QUESTION = 'cholesterol';

let passed = 0;
let failed = 0;
const children = [];
let browser = null;
let tempDir = null;

function check(name, condition, detail = '') {
  if (condition) {
    passed += 1;
    console.log(`ok - ${name}`);
  } else {
    failed += 1;
    console.log(`not ok - ${name}${detail ? ` (${detail})` : ''}`);
  }
  return condition;
}

/** Runs a step; a step that throws counts as one failure and the test goes on where it can. */
async function step(name, body) {
  try {
    return await body();
  } catch (e) {
    check(name, false, e && e.message ? e.message.split('\n')[0] : String(e));
    return undefined;
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ----------------------------------------------------------------------------------------------------- processes

/** Starts a process in its own group and resolves with the first match of `ready` on its standard output. */
function startProcess(name, command, args, ready, timeoutMs, logFile) {
  const log = fs.createWriteStream(logFile);
  const child = spawn(command, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push({ name, child });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  return withTimeout(new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk.toString('utf8');
      const match = ready.exec(seen);
      if (match) resolve(match);
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready; see ${logFile}`)));
    child.on('error', reject);
  }), timeoutMs, `starting ${name}`);
}

/** A port nobody listens on now. The server is told the number, so that it knows its own origin for WebSockets. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Stops what this test started, by pid: SIGTERM, then SIGKILL when it does not go within a few seconds. */
async function stopProcesses() {
  for (const { name, child } of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch (e) {
      continue;
    }
    const gone = await Promise.race([exited.then(() => true), sleep(8000).then(() => false)]);
    if (!gone) {
      console.log(`# ${name} (pid ${child.pid}) ignored SIGTERM; killing it`);
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch (e) {
        // already gone
      }
      await Promise.race([exited, sleep(3000)]);
    }
  }
}

async function cleanUp() {
  if (browser) {
    await withTimeout(browser.close(), 10_000, 'closing the browser').catch((e) => console.log(`# ${e.message}`));
    browser = null;
  }
  await stopProcesses();
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
}

// -------------------------------------------------------------------------------------------------------- HTTP

async function http(base, method, urlPath, body) {
  const response = await fetch(base + urlPath, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // not JSON; the status tells
  }
  return { status: response.status, json, text };
}

/**
 * Whether the server has the WebSocket channel at all (it may not be merged into this build yet). The probe names a
 * session that does not exist: a channel refuses that handshake with 404 SessionNotFoundError (older builds accepted
 * it with 101 and closed it 4404); a build without the channel answers otherwise.
 */
async function serverHasWebSocket(host, port) {
  return withTimeout(new Promise((resolve) => {
    let answer = '';
    const socket = net.connect(port, host, () => {
      socket.write(`GET /ws/intelligent-parallel/probe HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\n`
        + 'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (/^HTTP\/1\.1 101/.test(answer) || /^HTTP\/1\.1 404/.test(answer) && answer.includes('SessionNotFoundError')) {
        resolve(true);
        socket.destroy();
      }
    });
    socket.once('close', () => resolve(false));
    socket.once('error', () => resolve(false));
  }), 5000, 'probing the WebSocket channel').catch(() => false);
}

// ----------------------------------------------------------------------------------------------------- the test

async function main() {
  fs.mkdirSync(out, { recursive: true });
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canvas-batch-e2e-'));
  const vault = path.join(tempDir, 'vault');
  fs.cpSync(path.join(repo, 'examples', 'vault'), vault, { recursive: true });

  const llmMatch = await startProcess('fake-llm', process.execPath, [path.join(here, 'fake-llm.mjs'), '--port', '0',
    '--delay-ms', '300'], /fake-llm listening on (http:\/\/127\.0\.0\.1:(\d+))/, 15_000, path.join(out, 'fake-llm.log'));
  const llm = llmMatch[1];
  const serverMatch = await startProcess('canvas-batch serve', path.join(repo, 'canvas-batch'), ['serve',
    '--port', String(await freePort()), '--vault', vault, '--data', 'memory', '--model-provider', 'openai', '--base-url', `${llm}/v1`,
    '--model', 'fake', '--concurrency', '2', '--shutdown-grace', '1'],
  /serving vault .* on http:\/\/([^:\s]+):(\d+)/, SERVER_START_MS, path.join(out, 'server.log'));
  const host = serverMatch[1];
  const port = Number(serverMatch[2]);
  const base = `http://${host}:${port}`;
  console.log(`# server ${base}, fake model ${llm}`);
  const webSocket = await serverHasWebSocket(host, port);
  console.log(`# WebSocket channel ${webSocket ? 'served' : 'not served by this build: the page must poll'}`);

  browser = await withTimeout(chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  }), 70_000, 'launching Chromium');
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.setDefaultTimeout(STEP_MS);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });

  // Every socket of the page goes through this proxy, which records the URLs it asks for and, once, drops the first
  // batch's connection in the middle of the run, as a flaky network would: the page must resume by last_seq.
  const socketUrls = [];
  const drop = { sessionId: null, outcomes: 0, done: false };
  if (webSocket) {
    await page.routeWebSocket(/\/ws\/intelligent-parallel\//, (ws) => {
      const url = ws.url();
      socketUrls.push(url);
      const server = ws.connectToServer();
      server.onMessage((message) => {
        ws.send(message);
        if (drop.done || !drop.sessionId || !url.includes(drop.sessionId)) return;
        let type = '';
        try {
          type = JSON.parse(String(message)).type;
        } catch (e) {
          return;
        }
        if (type === 'task_completed' || type === 'task_failed') drop.outcomes += 1;
        if (drop.outcomes >= 4) {
          drop.done = true;
          ws.close({ code: 4000, reason: 'dropped by the test' }).catch(() => {});
          server.close().catch(() => {});
        }
      });
    });
  }

  await step('the dashboard opens at /', async () => {
    const response = await page.goto(`${base}/`, { waitUntil: 'load' });
    check('the dashboard opens at / with a 200', response && response.status() === 200, response && `${response.status()}`);
    check('the page has its title', (await page.title()) === 'canvas-batch dashboard');
    await page.locator('#server[data-state="up"]').waitFor();
    check('the page reaches the server and says there are no sessions yet', await page.locator('#no-sessions').isVisible());
  });

  // ------------------------------------------------------------------ batch 1: through the API, bars to 100 %
  await http(llm, 'POST', '/__control', { delay_ms: 300, fail_matching: FAILING_QUESTION });
  const first = await step('analyze and confirm the first batch over HTTP', async () => {
    const analysis = await http(base, 'POST', '/canvas/intelligent-parallel', { canvas_path: BIOLOGY });
    check('analyze answers 200 with groups', analysis.status === 200 && analysis.json.groups.length > 0,
      `${analysis.status} ${analysis.text.slice(0, 200)}`);
    drop.sessionId = analysis.json.session_id;
    const confirm = await http(base, 'POST', '/canvas/intelligent-parallel/confirm',
      { session_id: analysis.json.session_id });
    check('confirm answers 202', confirm.status === 202, `${confirm.status} ${confirm.text.slice(0, 200)}`);
    return analysis.json;
  });

  if (first) {
    const card = page.locator(`[data-session-id="${first.session_id}"]`);
    await step('the first batch appears and its bars reach 100 %', async () => {
      await page.click('#refresh-button');
      await card.waitFor();
      check('the new session appears on the page', true);
      const seen = new Set();
      const links = new Set();
      const deadline = Date.now() + 60_000;
      let done = false;
      while (!done && Date.now() < deadline) {
        const state = await card.evaluate((el) => ({
          overall: Number(el.querySelector('.overall .bar').getAttribute('aria-valuenow')),
          groups: [...el.querySelectorAll('.group .bar')].map((b) => Number(b.getAttribute('aria-valuenow'))),
          state: el.dataset.state,
          link: el.querySelector('.link').dataset.link,
        }));
        seen.add(state.overall);
        links.add(state.link);
        done = ['completed', 'partial_failure', 'failed'].includes(state.state)
          && state.groups.length === first.groups.length && state.groups.every((v) => v === 100);
        if (!done) await sleep(100);
      }
      const groups = await card.locator('.group .bar').evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-valuenow')));
      check(`every group bar of the first batch reaches 100 % (${first.groups.length} groups)`, done, `bars ${groups}`);
      check('the overall bar reaches 100 %',
        (await card.locator('.overall .bar').getAttribute('aria-valuenow')) === '100');
      check('the bars were seen in between, not only empty or full',
        [...seen].some((v) => v > 0 && v < 100), `values seen ${[...seen].join(',')}`);
      if (webSocket) {
        check('the card was updated live over the WebSocket', links.has('live'), `link states ${[...links]}`);
        const resumed = socketUrls.filter((u) => u.includes(first.session_id) && /[?&]last_seq=[1-9]\d*/.test(u));
        check('after a dropped connection the page reconnected with last_seq', drop.done && resumed.length > 0,
          `dropped ${drop.done}, sockets ${socketUrls.filter((u) => u.includes(first.session_id)).join(' ')}`);
        const status = await http(base, 'GET', `/canvas/intelligent-parallel/${first.session_id}`);
        const counts = await card.locator('.counts').textContent();
        const shown = await card.locator('.failure').count();
        check('after the resume the card counts match the server\'s',
          counts.startsWith(`${status.json.completed_nodes + status.json.failed_nodes} of ${status.json.total_nodes}`)
          && counts.includes(`${status.json.completed_nodes} succeeded`) && shown === status.json.failed_nodes,
          `card "${counts}", ${shown} failure(s) shown; server ${status.json.completed_nodes} ok ${status.json.failed_nodes} failed`);
      } else {
        check('without a WebSocket channel the card fell back to polling', links.has('polling'), `link states ${[...links]}`);
      }
    });

    await step('the failed node is shown with its message', async () => {
      const failure = card.locator('.failure').filter({ hasText: FAILING_QUESTION });
      await failure.waitFor();
      const error = await failure.locator('.error').textContent();
      check('the failed node is listed with the model\'s message', /refuses to answer/.test(error), error);
      // where the page draws the words after the model's message: to the right of it, in their own order
      const drawn = await failure.locator('.error').evaluate((element) => {
        const text = element.firstChild;
        const at = (part) => {
          const start = text.textContent.indexOf(part);
          const range = document.createRange();
          range.setStart(text, start);
          range.setEnd(text, start + part.length);
          return range.getClientRects()[0];
        };
        const flipped = at('flipped');
        const group = at('group');
        return { flippedRight: flipped.right, flippedTop: flipped.top, groupLeft: group.left, groupTop: group.top };
      });
      check('a right-to-left override in the model\'s message does not turn around the group and agent after it',
        drawn.groupTop > drawn.flippedTop + 1 || drawn.groupLeft >= drawn.flippedRight - 1, JSON.stringify(drawn));
      check('the card says the session partly failed',
        (await card.getAttribute('data-state')) === 'partial_failure', await card.getAttribute('data-state'));
    });

    await step('retrying the failed node from its button', async () => {
      await http(llm, 'POST', '/__control', { fail_matching: null });
      await card.locator('.failure').filter({ hasText: FAILING_QUESTION }).locator('button[data-action="retry"]').click();
      // the node runs again in the background of its session: wait for the session to settle, not just the list
      await page.locator(`[data-session-id="${first.session_id}"][data-state="completed"]`).waitFor();
      await card.locator('.failures').waitFor({ state: 'hidden', timeout: STEP_MS });
      check('after the retry the card shows the session completed, with no failure left', true);
      const status = await http(base, 'GET', `/canvas/intelligent-parallel/${first.session_id}`);
      check('the server counts the retried node as succeeded', status.json.failed_nodes === 0
        && status.json.completed_nodes === status.json.total_nodes, status.text.slice(0, 200));
    });
  }

  // ---------------------------------------------------------- batch 2: from the form, CJK texts, then cancel
  await http(llm, 'POST', '/__control', { delay_ms: 3000 });
  const second = await step('start the second batch from the form', async () => {
    await page.fill('#canvas-path', ALGEBRA);
    const [analyzed] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/canvas/intelligent-parallel') && r.request().method() === 'POST'),
      page.click('#analyze-button'),
    ]);
    await page.locator('#preview').waitFor();
    const summary = await page.locator('#preview-summary').textContent();
    check('the form shows the analysis before anything runs', /\d+ nodes? in \d+ groups?/.test(summary), summary);
    check('the form asks for an agent per node, as the contract says the dashboard does',
      analyzed.request().postDataJSON().node_agents === 'per_node', analyzed.request().postData());
    const listed = (await page.locator('#preview-groups').textContent()) || '';
    const own = (await analyzed.json()).groups.flatMap((g) => g.nodes
      .filter((n) => n.agent && n.agent !== g.recommended_agent).map((n) => n.agent));
    check('the preview names the agent of every node that does not run its group\'s',
      own.every((agent) => listed.includes(`(${agent})`)), `${own.join(', ')} in ${listed.slice(0, 300)}`);
    const [confirm] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/canvas/intelligent-parallel/confirm')),
      page.click('#confirm-button'),
    ]);
    check('the form starts the batch', confirm.status() === 202, `${confirm.status()}`);
    return (await confirm.json()).session_id;
  });

  if (second) {
    const card = page.locator(`[data-session-id="${second}"]`);
    await step('cancelling the second batch from its card', async () => {
      await page.locator(`[data-session-id="${second}"][data-state="running"]`).waitFor();
      await card.locator('.group').first().waitFor();
      const names = await card.locator('.group-name').allTextContents();
      check('CJK group names are shown as text', names.some((n) => /[\u4e00-\u9fff]/.test(n)), names.join(' | '));
      if (webSocket) await card.locator('.running li').first().waitFor();
      await card.locator('button[data-action="cancel"]').click();
      await page.locator(`[data-session-id="${second}"][data-state="cancelled"]`).waitFor({ timeout: 15_000 });
      check('the card shows the session cancelled',
        (await card.locator('.state').textContent()).trim() === 'cancelled');
      check('the cancelled card offers no more steering', !(await card.locator('.actions').isVisible()));
      check('the cancelled card shows no error', !(await card.locator('.notice').isVisible()),
        await card.locator('.notice').textContent());
      const status = await http(base, 'GET', `/canvas/intelligent-parallel/${second}`);
      check('the server agrees it is cancelled', status.json.state === 'cancelled', status.text.slice(0, 200));
      check('the cancelled batch stopped short of its end', status.json.completed_nodes < status.json.total_nodes,
        `${status.json.completed_nodes}/${status.json.total_nodes}`);
    });
  }

  // ------------------------------------- batch 3: paused and resumed from its buttons, left running for the pictures
  await http(llm, 'POST', '/__control', { delay_ms: 2000, fail_matching: 'mitosis' });
  await step('pausing and resuming a third batch from its card', async () => {
    const analysis = await http(base, 'POST', '/canvas/intelligent-parallel', { canvas_path: BIOLOGY });
    const id = analysis.json.session_id;
    const confirm = await http(base, 'POST', '/canvas/intelligent-parallel/confirm', { session_id: id });
    check('the third batch starts', confirm.status === 202, `${confirm.status}`);
    await page.click('#refresh-button');
    const card = page.locator(`[data-session-id="${id}"]`);
    await page.locator(`[data-session-id="${id}"][data-state="running"]`).waitFor();
    await card.locator('.failure').first().waitFor();
    await card.locator('button[data-action="pause"]').click();
    await page.locator(`[data-session-id="${id}"][data-state="paused"]`).waitFor({ timeout: 15_000 });
    check('the pause button pauses the batch', true);
    check('a paused card offers resume, not pause', await card.locator('button[data-action="resume"]').isVisible()
      && !(await card.locator('button[data-action="pause"]').isVisible()));
    await card.locator('button[data-action="resume"]').click();
    await page.locator(`[data-session-id="${id}"][data-state="running"]`).waitFor({ timeout: 15_000 });
    check('the resume button resumes it', true);
    check('pausing and resuming showed no error', !(await card.locator('.notice').isVisible()),
      await card.locator('.notice').textContent());
    const status = await http(base, 'GET', `/canvas/intelligent-parallel/${id}`);
    check('the server agrees it runs again', status.json.state === 'running', status.json.state);
  });

  await step('screenshots', async () => {
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await sleep(500); // the bars' width transition
    await page.screenshot({ path: path.join(out, 'dashboard.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await sleep(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check('a narrow window needs no sideways scrolling', overflow <= 0, `${overflow}px too wide`);
    await page.screenshot({ path: path.join(out, 'dashboard-narrow.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 1100, height: 900 });
    await sleep(300);
    await page.screenshot({ path: path.join(out, 'dashboard-dark.png'), fullPage: false });
    check('screenshots saved to target/e2e/', fs.statSync(path.join(out, 'dashboard.png')).size > 10_000);
  });

  // ------------------------- batch 4: finished with a failure, whose node Obsidian retries while the page is open
  await http(llm, 'POST', '/__control', { delay_ms: 300, fail_matching: FAILING_QUESTION });
  await step('a finished batch whose failed node is retried from Obsidian', async () => {
    const analysis = await http(base, 'POST', '/canvas/intelligent-parallel', { canvas_path: BIOLOGY });
    const id = analysis.json.session_id;
    await http(base, 'POST', '/canvas/intelligent-parallel/confirm', { session_id: id });
    await page.click('#refresh-button');
    const card = page.locator(`[data-session-id="${id}"]`);
    await page.locator(`[data-session-id="${id}"][data-state="partial_failure"]`).waitFor({ timeout: 60_000 });
    await card.locator('.failure').first().waitFor();
    await http(llm, 'POST', '/__control', { fail_matching: null });
    const status = await http(base, 'GET', `/canvas/intelligent-parallel/${id}`);
    const failure = status.json.node_results.find((r) => r.status === 'failed');
    // what the plugin does for a note it offers to retry: the single-agent call, in the session
    const retry = await http(base, 'POST', '/canvas/single-agent', { canvas_path: BIOLOGY, node_id: failure.node_id,
      agent: failure.agent, session_id: id });
    check('the retry from Obsidian succeeds', retry.status === 200, `${retry.status} ${retry.text.slice(0, 200)}`);
    await page.locator(`[data-session-id="${id}"][data-state="completed"]`).waitFor({ timeout: 15_000 });
    await sleep(1000);
    const listed = await card.locator('.failure').count();
    const summary = (await card.locator('.failures').isVisible()) ? await card.locator('.failures summary').textContent() : '';
    check('the card of the now completed batch lists no failed node any more', listed === 0 || !summary,
      `card "${await card.locator('.counts').textContent()}", still listing "${summary}"`);
  });

  // ------------------------------- batch 5: its canvas renamed while it runs, so its notes cannot be linked into it
  await step('notes written but not linked into their canvas are listed with why', async () => {
    const canvas = 'Biology/Renamed during the batch.canvas';
    fs.writeFileSync(path.join(vault, canvas), JSON.stringify({ nodes: [
      { id: 'u1', type: 'text', text: 'What does the Golgi apparatus do?', x: 0, y: 0, width: 250, height: 60, color: '1' },
      { id: 'u2', type: 'text', text: 'Why do cells need lysosomes?', x: 0, y: 100, width: 250, height: 60, color: '1' },
    ], edges: [] }));
    await http(llm, 'POST', '/__control', { delay_ms: 1500 });
    const analysis = await http(base, 'POST', '/canvas/intelligent-parallel', { canvas_path: canvas });
    const id = analysis.json.session_id;
    await http(base, 'POST', '/canvas/intelligent-parallel/confirm', { session_id: id });
    fs.renameSync(path.join(vault, canvas), path.join(vault, 'Biology/Renamed by the learner.canvas'));
    await page.click('#refresh-button');
    const card = page.locator(`[data-session-id="${id}"]`);
    await page.locator(`[data-session-id="${id}"][data-state="completed"]`).waitFor({ timeout: 30_000 });
    const status = await http(base, 'GET', `/canvas/intelligent-parallel/${id}`);
    const unlinked = status.json.node_results.filter((r) => r.link_problem);
    check('the server says the two notes are not linked', unlinked.length === 2, status.text.slice(0, 300));
    const shown = async () => ({
      visible: await card.locator('.unlinked').isVisible(),
      summary: await card.locator('.unlinked summary').textContent(),
      items: await card.locator('.unlinked-note').allTextContents(),
    });
    const live = await shown();
    check('the card lists the two notes written but not linked, with why', live.visible
      && live.summary === '2 notes written but not linked into the canvas' && live.items.length === 2
      && live.items.every((t) => /no longer in the vault/.test(t)), JSON.stringify(live));
    await page.reload({ waitUntil: 'load' });
    await card.waitFor();
    await card.locator('.unlinked-note').first().waitFor({ timeout: 10_000 }).catch(() => {});
    const loaded = await shown();
    check('and so does the page opened after the batch ended', loaded.visible && loaded.items.length === 2,
      JSON.stringify(loaded));
    await http(llm, 'POST', '/__control', { delay_ms: 300 });
  });

  await step('a screen reader can tell the buttons of the cards apart', async () => {
    // an analysed batch, not started: its card offers Start and Cancel
    const analysis = await http(base, 'POST', '/canvas/intelligent-parallel', { canvas_path: ALGEBRA });
    await page.click('#refresh-button');
    await page.locator(`[data-session-id="${analysis.json.session_id}"] button[data-action="start"]`).waitFor();
    // a button's accessible name: its aria-label when it has one, else its text
    const buttons = await page.locator('#sessions button').evaluateAll((all) => all
      .filter((b) => b.offsetParent !== null)
      .map((b) => ({
        name: (b.getAttribute('aria-label') || b.textContent).trim(),
        node: b.closest('.failure') ? b.closest('.failure').querySelector('.node-text').textContent : null,
        canvas: b.closest('.session').querySelector('.canvas').textContent,
      })));
    const retries = buttons.filter((b) => b.node !== null);
    check('there are Retry buttons to name', retries.length > 0);
    const vague = retries.filter((b) => !b.name.includes(b.node));
    check('every Retry button names the node it retries', vague.length === 0,
      vague.map((b) => `"${b.name}" for "${b.node}"`).join(', '));
    const steering = buttons.filter((b) => b.node === null);
    const unnamed = steering.filter((b) => !b.name.includes(b.canvas));
    check('every Start, Pause, Resume and Cancel button names its canvas', steering.length > 0 && unnamed.length === 0,
      unnamed.map((b) => `"${b.name}" on "${b.canvas}"`).join(', '));
  });

  await step('the state badges can be read', async () => {
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      // a card of each state, drawn by the page's own template and style sheet, measured, then taken away again
      const low = await page.evaluate(() => {
        const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
        const lum = (c) => {
          const [r, g, b] = rgb(c).map((v) => {
            const s = v / 255;
            return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const found = [];
        for (const state of ['pending', 'running', 'paused', 'completed', 'partial_failure', 'failed', 'cancelled']) {
          const card = document.getElementById('session-template').content.firstElementChild.cloneNode(true);
          card.dataset.state = state;
          card.querySelector('.badge').textContent = state;
          document.getElementById('sessions').append(card);
          const badge = getComputedStyle(card.querySelector('.badge'));
          const background = badge.backgroundColor === 'rgba(0, 0, 0, 0)' ? getComputedStyle(card).backgroundColor
            : badge.backgroundColor;
          const [a, b] = [lum(badge.color), lum(background)].sort((x, y) => y - x);
          const ratio = (a + 0.05) / (b + 0.05);
          if (ratio < 4.5) found.push(`${state} ${ratio.toFixed(2)}:1 (${badge.color} on ${background})`);
          card.remove();
        }
        // the error a card shows (a refused command, a batch's error), on its tinted background over the card
        const card = document.getElementById('session-template').content.firstElementChild.cloneNode(true);
        const notice = card.querySelector('.notice');
        notice.hidden = false;
        notice.textContent = 'The server did not answer the pause command';
        document.getElementById('sessions').append(card);
        const channels = (c) => {
          const n = c.match(/[\d.]+/g).map(Number);
          const scale = c.startsWith('color(') ? 255 : 1;
          return { rgb: n.slice(0, 3).map((v) => v * scale), alpha: n.length > 3 ? n[3] : 1 };
        };
        const tint = channels(getComputedStyle(notice).backgroundColor);
        const under = channels(getComputedStyle(card).backgroundColor).rgb;
        const shown = tint.rgb.map((v, i) => v * tint.alpha + under[i] * (1 - tint.alpha));
        const [a, b] = [lum(getComputedStyle(notice).color), lum(`rgb(${shown.join(',')})`)].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        if (ratio < 4.5) found.push(`the card's error notice ${ratio.toFixed(2)}:1`);
        card.remove();
        return found;
      });
      check(`every state badge and a card's error notice have a text contrast of at least 4.5:1 (${scheme})`, low.length === 0, low.join(', '));
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await step('a server that stops answering is not shown as up', async () => {
    const server = children.find((c) => c.name === 'canvas-batch serve').child;
    // a paused batch: its socket stays open and silent, as a hung server's does
    const analysis = await http(base, 'POST', '/canvas/intelligent-parallel', { canvas_path: BIOLOGY });
    const id = analysis.json.session_id;
    await http(base, 'POST', '/canvas/intelligent-parallel/confirm', { session_id: id });
    await http(base, 'POST', `/canvas/intelligent-parallel/pause/${id}`);
    await page.click('#refresh-button');
    const link = page.locator(`[data-session-id="${id}"] .link`);
    await page.locator(`[data-session-id="${id}"][data-state="paused"] .link[data-link="live"]`)
      .waitFor({ timeout: 15_000 });
    await sleep(12_000);
    check('a paused batch\'s silent socket still reads "live" while the server answers its pings',
      (await link.getAttribute('data-link')) === 'live', await link.getAttribute('data-link'));
    await page.locator('#server[data-state="up"]').waitFor();
    process.kill(server.pid, 'SIGSTOP'); // hung: it still accepts connections, it answers nothing
    const hungAt = Date.now();
    try {
      const down = await page.locator('#server[data-state="down"]').waitFor({ timeout: 25_000 })
        .then(() => true, () => false);
      check('within 25 s of the server hanging, the page no longer says "Server up"', down,
        await page.locator('#server-text').textContent());
      const stale = await page.locator(`[data-session-id="${id}"] .link:not([data-link="live"])`)
        .waitFor({ timeout: Math.max(1, 25_000 - (Date.now() - hungAt)) }).then(() => true, () => false);
      check('within 25 s of the server hanging, the paused batch\'s card no longer says "live"', stale,
        await link.getAttribute('data-link'));
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await page.locator('#server[data-state="up"]').waitFor({ timeout: 20_000 });
    check('once it answers again the page says so', true);
    const back = await page.locator(`[data-session-id="${id}"] .link[data-link="live"]`)
      .waitFor({ timeout: 30_000 }).then(() => true, () => false);
    check('and the card is live again', back, await link.getAttribute('data-link'));
    await http(base, 'POST', `/canvas/intelligent-parallel/cancel/${id}`);
  });

  // without the channel, Chromium itself logs each refused WebSocket handshake; that is the expected fallback
  const errors = pageErrors.filter((e) => webSocket || !/WebSocket connection to .* failed/.test(e));
  check('the page logged no errors', errors.length === 0, errors.slice(0, 3).join(' | '));

  // on a page of its own: Chromium logs the refused reads as errors, which the check above must not count
  await step('a page without the token the server wants says so, not that the server is unreachable', async () => {
    const refused = await browser.newPage();
    try {
      await refused.route((url) => new URL(url).pathname === '/canvas/intelligent-parallel', (route) => route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'UnauthorizedError', status_code: 401,
          message: 'This server requires an access token: open the dashboard as /?token=<your token>.' }),
      }));
      await refused.goto(`${base}/`);
      await refused.locator('#server[data-state="down"]').waitFor();
      const text = await refused.locator('#server-text').textContent();
      check('the header names the missing token', text.includes('access token'), text);
      check('and does not call the server unreachable', !/unreachable/i.test(text), text);
    } finally {
      await refused.close();
    }
  });
}

const watchdog = setTimeout(async () => {
  console.log(`not ok - the whole test took longer than ${WHOLE_TEST_MS / 1000} s`);
  failed += 1;
  await Promise.race([cleanUp(), sleep(20_000)]);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}, WHOLE_TEST_MS);

try {
  await main();
} catch (e) {
  check('the test ran to its end', false, e && e.message ? e.message.split('\n')[0] : String(e));
} finally {
  await cleanUp();
  clearTimeout(watchdog);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
