// canvas-batch dashboard. Plain browser JavaScript, no build step: the server ships this file as it is.
//
// Where the data comes from:
//   GET  /canvas/intelligent-parallel              the session list, polled to find new sessions
//   GET  /canvas/intelligent-parallel/{id}         the status of one session (finished ones, and the polling fallback)
//   WS   /ws/intelligent-parallel/{id}[?last_seq]  live events of an unfinished session (CONTRACT §3)
//   POST /canvas/intelligent-parallel[/confirm]    analyze and start, from the form
//   POST …/cancel|pause|resume/{id}, /canvas/single-agent   steering when no socket is open
// Every text from the server goes into the page through textContent, never as markup.
'use strict';

(() => {
  const API = '/canvas/intelligent-parallel';
  const LIST_EVERY_MS = 4000;
  const POLL_EVERY_MS = 2000;
  const COMMAND_TIMEOUT_MS = 8000;
  // a read the server leaves unanswered this long counts as the server being unreachable (a hung server still accepts
  // connections); writes get no limit: a retried node is answered only once it has run
  const READ_TIMEOUT_MS = 10000;
  const SOCKET_FAILURES_BEFORE_POLLING = 2;
  // A hung server keeps its sockets open and silent, as does a paused batch: after this much silence the card asks
  // with {"type":"ping"} (CONTRACT §3), and a socket that does not answer within PONG_WAIT_MS is given up and
  // reconnected, so the card stops saying "live" about a server that no longer speaks.
  const SILENCE_BEFORE_PING_MS = 8000;
  const PONG_WAIT_MS = 8000;
  const HEARTBEAT_CHECK_EVERY_MS = 2000;
  const TERMINAL = new Set(['completed', 'partial_failure', 'failed', 'cancelled']);
  // messages that describe the connection or answer a command, not an event of the session
  const NOT_EVENTS = new Set(['connected', 'snapshot', 'ack', 'pong']);

  const $ = (selector, root = document) => root.querySelector(selector);
  // A text from the server (a node's text, a group's name, a model's message) joined with others on one line is set
  // apart as a bidi isolate (FSI … PDI): a right-to-left override in it must not turn around what follows it.
  const isolated = (text) => `\u2068${text}\u2069`;
  const UNLINKED_SHOWN = 100; // the count says how many; a list of thousands helps nobody find one
  const sessions = new Map();
  let requestCounter = 0;

  // ------------------------------------------------------------------------------------------------------ HTTP

  // A server bound beyond loopback wants its access token: open the page as /?token=… and every call carries it.
  const TOKEN = new URLSearchParams(location.search).get('token');

  async function api(method, path, body) {
    const init = { method, headers: { Accept: 'application/json' } };
    if (TOKEN) {
      init.headers.Authorization = `Bearer ${TOKEN}`;
    }
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (method === 'GET') init.signal = AbortSignal.timeout(READ_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      if (e && e.name === 'TimeoutError') {
        throw new Error(`the server did not answer within ${READ_TIMEOUT_MS / 1000} s`);
      }
      throw e;
    }
    let json = null;
    try {
      json = await response.json();
    } catch (ignored) {
      // a body that is not JSON: the status alone has to tell
    }
    if (!response.ok) {
      const message = (json && (json.message || (json.detail && json.detail.message)))
        || `The server answered ${response.status}`;
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return json;
  }

  const sessionPath = (id) => `${API}/${encodeURIComponent(id)}`;

  function socketUrl(id, lastSeq) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = new URLSearchParams();
    if (lastSeq > 0) {
      query.set('last_seq', String(lastSeq));
    }
    if (TOKEN) {
      query.set('token', TOKEN);
    }
    const search = query.toString() ? `?${query}` : '';
    return `${scheme}//${location.host}/ws/intelligent-parallel/${encodeURIComponent(id)}${search}`;
  }

  // -------------------------------------------------------------------------------------------------- helpers

  function clone(templateId) {
    return document.getElementById(templateId).content.firstElementChild.cloneNode(true);
  }

  function percent(part, whole) {
    return whole > 0 ? Math.max(0, Math.min(100, (100 * part) / whole)) : 0;
  }

  function setBar(bar, succeeded, failed, total) {
    const done = percent(succeeded + failed, total);
    bar.setAttribute('aria-valuenow', String(Math.round(done)));
    bar.querySelector('.fill.ok').style.width = `${percent(succeeded, total)}%`;
    bar.querySelector('.fill.failed').style.width = `${percent(failed, total)}%`;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
    return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
  }

  const STATE_WORDS = {
    pending: 'analyzed',
    running: 'running',
    paused: 'paused',
    completed: 'completed',
    partial_failure: 'partly failed',
    failed: 'failed',
    cancelled: 'cancelled',
  };

  const ACTION_WORDS = { start: 'Start', pause: 'Pause', resume: 'Resume', cancel: 'Cancel' };

  const LINK_WORDS = {
    idle: '',
    connecting: 'connecting…',
    live: 'live',
    reconnecting: 'reconnecting…',
    polling: 'polling',
    closed: 'finished',
  };

  function numberOr(value, fallback) {
    return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  }

  // ------------------------------------------------------------------------------------------------- a session

  class SessionCard {
    constructor(summary) {
      this.id = summary.session_id;
      this.canvasPath = summary.canvas_path || '';
      this.state = summary.state || 'pending';
      this.createdAt = summary.created_at || '';
      this.totals = { total: 0, succeeded: 0, failed: 0 };
      this.elapsed = { seconds: 0, at: Date.now() };
      this.groups = new Map();
      this.failures = new Map();
      this.unlinked = new Map(); // succeeded nodes whose note is not in the canvas, with why (link_problem)
      this.running = new Map();
      this.notice = null;
      this.lastSeq = 0; // seq of the last primary message (or status) applied; 0 = no full picture yet
      this.epoch = null; // the event store's identity: a seq means nothing across two of them
      this.socket = null;
      this.link = 'idle';
      this.socketFailures = 0;
      this.reconnectDelay = 1000;
      this.reconnectTimer = null;
      this.lastHeard = 0; // when the open socket last brought anything
      this.pingSentAt = 0; // when the unanswered ping went out; 0 = none
      this.pollTimer = null;
      this.pending = new Map();
      this.busy = new Set();
      this.el = clone('session-template');
      this.el.dataset.sessionId = this.id;
      this.el.addEventListener('click', (event) => this.onClick(event));
      this.applySummary(summary, true);
    }

    get terminal() {
      return TERMINAL.has(this.state);
    }

    // ---- what the server tells

    applySummary(s, first) {
      // the list may have been read before an event this card already applied: never step back
      if (!first && this.lastSeq > 0 && numberOr(s.last_seq, 0) < this.lastSeq) return;
      this.canvasPath = s.canvas_path || this.canvasPath;
      this.state = s.state || this.state;
      this.totals.total = numberOr(s.total_nodes, this.totals.total);
      this.totals.succeeded = numberOr(s.completed_nodes, this.totals.succeeded);
      this.totals.failed = numberOr(s.failed_nodes, this.totals.failed);
      this.elapsed = { seconds: numberOr(s.elapsed_seconds, 0), at: Date.now() };
      this.render();
    }

    /** The status object of CONTRACT §2.3, from GET or a WebSocket snapshot. */
    applyStatus(s) {
      this.canvasPath = s.canvas_path || this.canvasPath;
      this.state = s.state || this.state;
      this.createdAt = s.created_at || this.createdAt;
      this.totals = {
        total: numberOr(s.total_nodes, 0),
        succeeded: numberOr(s.completed_nodes, 0),
        failed: numberOr(s.failed_nodes, 0),
      };
      this.elapsed = { seconds: numberOr(s.elapsed_seconds, 0), at: Date.now() };
      this.notice = s.batch_error ? { text: s.batch_error, kind: 'error' } : this.notice;
      this.groups.clear();
      for (const g of s.groups || []) {
        this.groups.set(g.group_id, {
          id: g.group_id,
          name: g.group_name || `Group ${g.group_id}`,
          emoji: g.group_emoji || '',
          agent: g.agent_type || '',
          priority: g.priority || '',
          total: numberOr(g.nodes_total, numberOr(g.total_nodes, 0)),
          succeeded: numberOr(g.completed_nodes, 0),
          failed: numberOr(g.failed_nodes, 0),
        });
      }
      const processed = new Set();
      this.failures.clear();
      this.unlinked.clear();
      for (const r of s.node_results || []) {
        processed.add(r.node_id);
        this.noteLink(r);
        if (r.status === 'failed') {
          this.failures.set(r.node_id, {
            nodeId: r.node_id,
            groupId: r.group_id,
            text: r.node_text || r.node_id,
            error: r.error || 'failed',
            agent: r.agent || r.agent_type || '',
          });
        }
      }
      for (const nodeId of [...this.running.keys()]) {
        if (processed.has(nodeId) || this.terminal) this.running.delete(nodeId);
      }
      this.lastSeq = Math.max(this.lastSeq, numberOr(s.last_seq, 0));
      this.render();
    }

    onMessage(message) {
      if (!message || typeof message.type !== 'string') return;
      if (message.session_id && message.session_id !== this.id) return;
      const data = message.data || {};
      const isCommandAnswer = message.type === 'ack'
        || (message.type === 'error' && data.request_id !== undefined && data.request_id !== null);
      const primary = !NOT_EVENTS.has(message.type) && !isCommandAnswer && message.derived !== true
        && typeof message.seq === 'number';
      if (primary) {
        // replayed after a resume that overlapped what this card has already seen
        if (message.seq <= this.lastSeq) return;
        this.lastSeq = message.seq;
      }
      switch (message.type) {
        case 'connected':
          this.state = data.state || this.state;
          // not resumed (first connection, pruned history, another event store): the snapshot that follows is
          // everything up to this seq, and only events after it come next
          if (!data.resumed || (this.epoch && data.epoch && data.epoch !== this.epoch)) {
            this.lastSeq = numberOr(data.last_seq, 0);
          }
          this.epoch = data.epoch || this.epoch;
          this.socketFailures = 0;
          this.reconnectDelay = 1000;
          this.stopPolling();
          this.setLink('live');
          break;
        case 'snapshot':
          this.lastSeq = 0; // a snapshot is the whole truth as of its own seq
          this.applyStatus(data);
          break;
        case 'progress_update': this.onProgress(data); break;
        case 'task_started':
          this.running.set(data.node_id, { text: data.node_text || data.node_id, agent: data.agent_type || '' });
          break;
        case 'task_retrying':
          this.running.set(data.node_id, {
            text: data.node_text || data.node_id,
            agent: `retrying after: ${data.error || data.error_message || 'a transient error'}`,
          });
          break;
        case 'task_completed':
          this.running.delete(data.node_id);
          this.failures.delete(data.node_id);
          this.noteLink(data);
          break;
        case 'task_failed':
          this.running.delete(data.node_id);
          this.unlinked.delete(data.node_id);
          this.failures.set(data.node_id, {
            nodeId: data.node_id,
            groupId: data.group_id,
            text: data.node_text || data.node_id,
            error: data.error || data.error_message || 'failed',
            agent: data.agent_type || '',
          });
          break;
        case 'task_requeued':
          this.failures.delete(data.node_id);
          break;
        case 'priority_changed': {
          const group = this.groups.get(data.group_id);
          if (group) group.priority = data.priority;
          break;
        }
        case 'session_started':
        case 'session_paused':
        case 'session_resumed':
        case 'session_cancelled':
          this.state = data.state || this.state;
          break;
        case 'session_completed': this.onCompleted(data); break;
        case 'error':
          if (isCommandAnswer) {
            this.settle(data.request_id, new Error(data.message || 'The command was refused'));
          } else {
            this.notice = { text: data.message || data.error_message || 'The batch reported an error', kind: 'error' };
          }
          break;
        case 'ack': this.settle(data.request_id, null); break;
        default: break; // types added later are ignored, as the plugin does
      }
      this.render();
    }

    onProgress(d) {
      const group = this.groups.get(d.group_id) || {
        id: d.group_id, name: `Group ${d.group_id}`, emoji: '', agent: '', priority: '',
        total: 0, succeeded: 0, failed: 0,
      };
      group.total = numberOr(d.nodes_total, group.total);
      const processed = numberOr(d.nodes_completed, group.succeeded + group.failed);
      if (typeof d.group_failed_nodes === 'number') {
        group.failed = d.group_failed_nodes;
        group.succeeded = numberOr(d.group_completed_nodes, processed - group.failed);
      } else {
        group.failed = [...this.failures.values()].filter((f) => f.groupId === d.group_id).length;
        group.succeeded = Math.max(0, processed - group.failed);
      }
      this.groups.set(group.id, group);
      this.totals = {
        total: numberOr(d.total_nodes, this.totals.total),
        succeeded: numberOr(d.completed_nodes, this.totals.succeeded),
        failed: numberOr(d.failed_nodes, this.totals.failed),
      };
      if (d.state) this.state = d.state;
    }

    /**
     * A node result or task_completed: a succeeded note the server could not link into its canvas is listed with why;
     * one linked (or run again since) is not. The plugin never shows this (it says the canvas got every note).
     */
    noteLink(r) {
      if (r.status === 'failed') return;
      if (r.link_problem) {
        this.unlinked.set(r.node_id, {
          nodeId: r.node_id, text: r.node_text || r.node_id, problem: r.link_problem, path: r.file_path || '',
        });
      } else {
        this.unlinked.delete(r.node_id);
      }
    }

    onCompleted(d) {
      this.state = d.state || (d.status === 'completed' ? 'completed' : 'failed');
      this.totals.succeeded = numberOr(d.success_count, this.totals.succeeded);
      this.totals.failed = numberOr(d.failure_count, this.totals.failed);
      this.totals.total = numberOr(d.total_nodes, this.totals.total);
      this.elapsed = { seconds: numberOr(d.elapsed_seconds, this.elapsedNow()), at: Date.now() };
      this.running.clear();
      if (Array.isArray(d.node_results)) {
        this.failures.clear();
        this.unlinked.clear();
        for (const r of d.node_results) {
          this.noteLink(r);
          if (r.status === 'failed') {
            this.failures.set(r.node_id, {
              nodeId: r.node_id, groupId: r.group_id, text: r.node_text || r.node_id,
              error: r.error || 'failed', agent: r.agent || r.agent_type || '',
            });
          }
        }
      }
      this.setLink('closed');
    }

    // ---- the socket

    /** Opens the live channel of an unfinished session; resumes after the last event seen when there was one. */
    connect() {
      if (this.socket || this.terminal || this.reconnectTimer) return;
      let socket;
      try {
        socket = new WebSocket(socketUrl(this.id, this.lastSeq));
      } catch (e) {
        this.onSocketLost(false);
        return;
      }
      this.socket = socket;
      let opened = false;
      if (this.link !== 'polling') this.setLink(this.link === 'idle' ? 'connecting' : 'reconnecting');
      socket.onopen = () => {
        opened = true;
        this.lastHeard = Date.now();
        this.pingSentAt = 0;
      };
      socket.onmessage = (event) => {
        this.lastHeard = Date.now();
        this.pingSentAt = 0;
        let message;
        try {
          message = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        this.onMessage(message);
      };
      socket.onclose = (event) => {
        if (this.socket === socket) this.socket = null;
        this.settlePendingOnClose();
        if (event.code === 4404) {
          this.forget();
        } else if (this.terminal || event.code === 1000) {
          this.setLink('closed');
          // the server ended the session on this socket; read its final numbers once
          if (!this.terminal) this.refresh();
        } else {
          this.onSocketLost(opened);
        }
      };
    }

    /** Asks a silent live socket whether the server is still there; gives it up when no answer came in time. */
    checkHeartbeat(now) {
      const socket = this.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN || this.link !== 'live') return;
      if (this.pingSentAt && now - this.pingSentAt >= PONG_WAIT_MS) {
        this.abandonSocket(socket);
      } else if (!this.pingSentAt && now - this.lastHeard >= SILENCE_BEFORE_PING_MS) {
        this.pingSentAt = now;
        socket.send(JSON.stringify({ type: 'ping' }));
      }
    }

    /** A socket the server stopped answering: its close handshake would wait on that server too, so it is not waited. */
    abandonSocket(socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close();
      this.socket = null;
      this.pingSentAt = 0;
      this.settlePendingOnClose();
      this.onSocketLost(true);
    }

    onSocketLost(hadOpened) {
      this.socketFailures = hadOpened ? 0 : this.socketFailures + 1;
      if (this.socketFailures >= SOCKET_FAILURES_BEFORE_POLLING) this.startPolling();
      else this.setLink('reconnecting');
      const delay = this.reconnectDelay;
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, 15000);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        this.connect();
      }, delay);
    }

    startPolling() {
      this.setLink('polling');
      if (this.pollTimer) return;
      const poll = async () => {
        this.pollTimer = null;
        await this.refresh();
        if (!this.terminal && this.link === 'polling') this.pollTimer = setTimeout(poll, POLL_EVERY_MS);
      };
      poll();
    }

    stopPolling() {
      if (this.pollTimer) clearTimeout(this.pollTimer);
      this.pollTimer = null;
    }

    async refresh() {
      try {
        this.applyStatus(await api('GET', sessionPath(this.id)));
      } catch (e) {
        if (e.status === 404) this.forget();
      }
    }

    forget() {
      this.close();
      this.el.remove();
      sessions.delete(this.id);
      renderEmpty();
    }

    close() {
      this.stopPolling();
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      if (this.socket) this.socket.close(1000, 'dashboard closed the card');
      this.socket = null;
    }

    setLink(link) {
      this.link = link;
      this.renderLink();
    }

    // ---- commands

    /** Sends a command over the socket and waits for its ack; without an open socket, does it over HTTP. */
    command(type, extra = {}) {
      if (this.socket && this.socket.readyState === WebSocket.OPEN && this.link === 'live') {
        const requestId = `dashboard-${++requestCounter}`;
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            this.pending.delete(requestId);
            reject(new Error(`The server did not answer the ${type} command`));
          }, COMMAND_TIMEOUT_MS);
          this.pending.set(requestId, { type, resolve, reject, timer });
          this.socket.send(JSON.stringify({ type, request_id: requestId, ...extra }));
        });
      }
      return this.commandOverHttp(type, extra);
    }

    async commandOverHttp(type, extra) {
      if (type === 'retry') {
        const failure = this.failures.get(extra.node_id);
        await api('POST', '/canvas/single-agent', {
          canvas_path: this.canvasPath,
          node_id: extra.node_id,
          agent: failure && failure.agent ? failure.agent : 'oral-explanation',
          session_id: this.id,
        });
      } else {
        await api('POST', `${API}/${type}/${encodeURIComponent(this.id)}`);
      }
      await this.refresh();
    }

    settle(requestId, error) {
      const waiting = this.pending.get(requestId);
      if (!waiting) return;
      this.pending.delete(requestId);
      clearTimeout(waiting.timer);
      if (error) waiting.reject(error);
      else waiting.resolve();
    }

    /** The socket closed with commands unanswered: a cancel that ended the session did what it was asked. */
    settlePendingOnClose() {
      for (const [requestId, waiting] of this.pending) {
        const done = waiting.type === 'cancel' && this.terminal;
        this.settle(requestId, done ? null : new Error('The live connection closed before the server answered'));
      }
    }

    async onClick(event) {
      const button = event.target.closest('button[data-action]');
      if (!button || button.disabled) return;
      const action = button.dataset.action;
      const key = action === 'retry' ? `retry:${button.closest('[data-node-id]').dataset.nodeId}` : action;
      if (this.busy.has(key)) return;
      this.busy.add(key);
      button.disabled = true;
      try {
        if (action === 'start') {
          await api('POST', `${API}/confirm`, { session_id: this.id });
          this.state = 'running';
          this.render();
          this.connect();
        } else if (action === 'retry') {
          const nodeId = key.slice('retry:'.length);
          this.notice = { text: 'Retrying the node…', kind: 'info' };
          this.render();
          await this.command('retry', { node_id: nodeId });
          this.notice = null;
        } else {
          await this.command(action);
          if (action === 'cancel') this.notice = null;
        }
      } catch (e) {
        this.notice = { text: e.message, kind: 'error' };
      } finally {
        this.busy.delete(key);
        button.disabled = false;
        this.render();
      }
    }

    // ---- the card

    elapsedNow() {
      const running = this.state === 'running' || this.state === 'paused';
      return this.elapsed.seconds + (running ? (Date.now() - this.elapsed.at) / 1000 : 0);
    }

    render() {
      const el = this.el;
      el.dataset.state = this.state;
      $('.canvas', el).textContent = this.canvasPath || '(unnamed canvas)';
      $('.canvas', el).title = this.canvasPath;
      $('.state', el).textContent = STATE_WORDS[this.state] || this.state;
      $('.session-id', el).textContent = `session ${this.id}`;
      this.renderElapsed();
      this.renderLink();

      const { total, succeeded, failed } = this.totals;
      setBar($('.overall .bar', el), succeeded, failed, total);
      $('.overall .bar', el).setAttribute('aria-label', `${this.canvasPath}: progress`);
      const counts = $('.counts', el);
      counts.replaceChildren();
      const strong = document.createElement('strong');
      strong.textContent = `${succeeded + failed} of ${total}`;
      counts.append(strong, ` nodes processed · ${succeeded} succeeded`);
      if (failed) counts.append(` · ${failed} failed`);
      const cancelled = this.state === 'cancelled' ? total - succeeded - failed : 0;
      if (cancelled > 0) counts.append(` · ${cancelled} cancelled`);
      if (this.groups.size) counts.append(` · ${this.groups.size} group${this.groups.size === 1 ? '' : 's'}`);

      const actions = { start: this.state === 'pending', pause: this.state === 'running',
        resume: this.state === 'paused', cancel: !this.terminal };
      for (const [action, visible] of Object.entries(actions)) {
        const button = $(`[data-action="${action}"]`, el);
        button.hidden = !visible;
        // heard alone (a screen reader's list of buttons), it says which batch it steers; it starts with the word shown
        button.setAttribute('aria-label', `${ACTION_WORDS[action]} ${this.canvasPath || this.id}`);
      }
      $('.actions', el).hidden = this.terminal;

      const notice = $('.notice', el);
      notice.hidden = !this.notice;
      if (this.notice) {
        notice.textContent = this.notice.text;
        notice.classList.toggle('info', this.notice.kind === 'info');
      }

      this.renderGroups();
      this.renderRunning();
      this.renderFailures();
      this.renderUnlinked();
      if ($('#server').dataset.state === 'up') $('#server-text').textContent = serverSummary();
    }

    renderElapsed() {
      const seconds = this.elapsedNow();
      const since = this.createdAt ? new Date(this.createdAt) : null;
      const started = since && !Number.isNaN(since.getTime())
        ? `created ${since.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : '';
      const took = this.state === 'pending' ? '' : duration(seconds);
      $('.elapsed', this.el).textContent = [started, took].filter(Boolean).join(' · ');
    }

    renderLink() {
      const link = $('.link', this.el);
      // once a session has ended, how its card was fed no longer matters
      const shown = this.terminal ? 'idle' : this.link;
      link.dataset.link = shown;
      link.textContent = LINK_WORDS[shown] || '';
      link.hidden = !link.textContent;
    }

    renderGroups() {
      const container = $('.groups', this.el);
      const ids = [...this.groups.keys()].sort((a, b) => a - b);
      for (const child of [...container.children]) {
        if (!this.groups.has(Number(child.dataset.groupId))) child.remove();
      }
      for (const id of ids) {
        const g = this.groups.get(id);
        let row = container.querySelector(`[data-group-id="${id}"]`);
        if (!row) {
          row = clone('group-template');
          row.dataset.groupId = String(id);
          container.append(row);
        }
        $('.emoji', row).textContent = g.emoji;
        $('.group-name', row).textContent = g.name;
        $('.agent', row).textContent = g.agent;
        $('.agent', row).hidden = !g.agent;
        $('.priority', row).textContent = g.priority;
        $('.priority', row).hidden = !g.priority;
        const bar = $('.bar', row);
        setBar(bar, g.succeeded, g.failed, g.total);
        bar.setAttribute('aria-label', `${g.name}: progress`);
        $('.failed-count', row).textContent = `${g.failed} failed`;
        $('.failed-count', row).hidden = !g.failed;
        $('.group-count', row).textContent = `${g.succeeded + g.failed}/${g.total}`;
      }
      // keep group order stable even when a later group's first update arrived first
      for (const id of ids) container.append(container.querySelector(`[data-group-id="${id}"]`));
    }

    renderRunning() {
      const list = $('.running', this.el);
      list.replaceChildren();
      if (this.terminal) return;
      const shown = [...this.running.values()].slice(0, 6);
      for (const r of shown) {
        const li = document.createElement('li');
        li.textContent = r.agent ? `${isolated(r.text)} — ${r.agent}` : r.text;
        li.title = r.text;
        list.append(li);
      }
      if (this.running.size > shown.length) {
        const li = document.createElement('li');
        li.textContent = `and ${this.running.size - shown.length} more running`;
        list.append(li);
      }
    }

    /**
     * The first UNLINKED_SHOWN unlinked notes, each drawn once and kept: a canvas at its node limit leaves every note of
     * a large batch unlinked, and drawing the whole list again on every event held the page for seconds.
     */
    renderUnlinked() {
      const box = $('.unlinked', this.el);
      const list = $('.unlinked-list', box);
      const count = this.unlinked.size;
      box.hidden = count === 0;
      $('summary', box).textContent = `${count} note${count === 1 ? '' : 's'} written but not linked into the canvas`;
      const shown = [...this.unlinked.values()].slice(0, UNLINKED_SHOWN);
      const wanted = new Set(shown.map((u) => u.nodeId));
      const drawn = new Map();
      for (const item of [...list.children]) {
        if (item.dataset.nodeId && wanted.has(item.dataset.nodeId)) drawn.set(item.dataset.nodeId, item);
        else item.remove();
      }
      for (const u of shown) {
        let item = drawn.get(u.nodeId);
        if (!item) {
          item = clone('unlinked-template');
          item.dataset.nodeId = u.nodeId;
        }
        const words = [isolated(u.problem), u.path && isolated(u.path)].filter(Boolean).join(' · ');
        if ($('.node-text', item).textContent !== u.text) $('.node-text', item).textContent = u.text;
        if ($('.error', item).textContent !== words) $('.error', item).textContent = words;
        list.append(item); // in the map's order; an element already in place is moved to the end, no new one made
      }
      if (count > shown.length) {
        const more = document.createElement('li');
        more.className = 'unlinked-more';
        more.textContent = `and ${count - shown.length} more`;
        list.append(more);
      }
    }

    renderFailures() {
      const box = $('.failures', this.el);
      const list = $('.failure-list', box);
      box.hidden = this.failures.size === 0;
      $('summary', box).textContent = `${this.failures.size} failed node${this.failures.size === 1 ? '' : 's'}`;
      for (const item of [...list.children]) {
        if (!this.failures.has(item.dataset.nodeId)) item.remove();
      }
      for (const f of this.failures.values()) {
        let item = [...list.children].find((li) => li.dataset.nodeId === f.nodeId);
        if (!item) {
          item = clone('failure-template');
          item.dataset.nodeId = f.nodeId;
          list.append(item);
        }
        $('.node-text', item).textContent = f.text;
        const group = this.groups.get(f.groupId);
        $('.error', item).textContent = [
          f.error && isolated(f.error), group ? `group “${isolated(group.name)}”` : '', f.agent && isolated(f.agent),
        ].filter(Boolean).join(' · ');
        const retry = $('[data-action="retry"]', item);
        const busy = this.busy.has(`retry:${f.nodeId}`);
        retry.disabled = busy;
        retry.textContent = busy ? 'Retrying…' : 'Retry';
        retry.setAttribute('aria-label', `${retry.textContent} ${f.text}`);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------- the list

  function renderEmpty() {
    $('#no-sessions').hidden = sessions.size > 0;
  }

  function place(card) {
    const container = $('#sessions');
    const after = [...container.children].find((el) => {
      const other = sessions.get(el.dataset.sessionId);
      return other && other.createdAt < card.createdAt;
    });
    container.insertBefore(card.el, after || null);
  }

  /** Counted from the cards, which the sockets keep more current than the last list. */
  function serverSummary() {
    const active = [...sessions.values()].filter((card) => !card.terminal).length;
    return `Server up · ${sessions.size} session${sessions.size === 1 ? '' : 's'}, ${active} active`;
  }

  function setServer(up, text) {
    $('#server').dataset.state = up ? 'up' : 'down';
    $('#server-text').textContent = text;
  }

  let listing = null;
  async function loadSessions() {
    if (listing) return listing;
    listing = (async () => {
      try {
        const answer = await api('GET', API);
        const list = Array.isArray(answer) ? answer : (answer.sessions || []);
        const seen = new Set();
        for (const summary of list) {
          seen.add(summary.session_id);
          let card = sessions.get(summary.session_id);
          if (!card) {
            card = new SessionCard(summary);
            sessions.set(card.id, card);
            place(card);
            if (card.terminal) card.refresh();
            else card.connect();
          } else {
            const wasTerminal = card.terminal;
            // a finished session has no socket: a later event (a node retried from Obsidian) is seen only here
            const moved = numberOr(summary.last_seq, 0) > card.lastSeq;
            card.applySummary(summary, false);
            if (!card.terminal) card.connect();
            else if (!wasTerminal || moved) card.refresh();
          }
        }
        for (const [id, card] of sessions) {
          if (!seen.has(id) && card.terminal) card.forget();
        }
        setServer(true, serverSummary());
      } catch (e) {
        // an answer (a missing token, a refusal) means the server was reached: only no answer is "unreachable"
        setServer(false, e.status ? `Server refused the page (${e.status}): ${e.message}` : `Server unreachable: ${e.message}`);
      } finally {
        renderEmpty();
        listing = null;
      }
    })();
    return listing;
  }

  // ---------------------------------------------------------------------------------------------- start form

  let analyzed = null;

  function showFormError(text) {
    const error = $('#form-error');
    error.hidden = !text;
    error.textContent = text || '';
  }

  function showPreview(analysis) {
    analyzed = analysis;
    $('#preview').hidden = !analysis;
    if (!analysis) return;
    const minutes = Math.max(1, Math.round(numberOr(analysis.total_estimated_time_seconds, 60) / 60));
    $('#preview-summary').textContent = `${analysis.total_nodes} node${analysis.total_nodes === 1 ? '' : 's'} in `
      + `${analysis.total_groups} group${analysis.total_groups === 1 ? '' : 's'} · about ${minutes} min`;
    const list = $('#preview-groups');
    list.replaceChildren();
    for (const g of analysis.groups || []) {
      const li = document.createElement('li');
      const head = document.createElement('span');
      const name = document.createElement('strong');
      name.textContent = `${g.group_emoji || ''} ${isolated(g.group_name)}`.trim();
      head.append(name, ` — ${isolated(g.recommended_agent)}, ${g.priority}, ${(g.nodes || []).length} node(s)`);
      const nodes = document.createElement('span');
      nodes.className = 'nodes';
      // per node (CONTRACT §5): a node whose own question is clear runs its own agent, named after it
      nodes.textContent = (g.nodes || [])
        .map((n) => isolated(n.text || n.id) + (n.agent && n.agent !== g.recommended_agent ? ` (${n.agent})` : ''))
        .join(' · ');
      li.append(head, nodes);
      list.append(li);
    }
  }

  async function onAnalyze(event) {
    event.preventDefault();
    const button = $('#analyze-button');
    const canvasPath = $('#canvas-path').value.trim();
    const maxGroups = Number($('#max-groups').value) || 6;
    showFormError('');
    button.disabled = true;
    try {
      showPreview(await api('POST', API, { canvas_path: canvasPath, max_groups: maxGroups, node_agents: 'per_node',
        options: { max_groups: maxGroups } }));
      loadSessions();
    } catch (e) {
      showPreview(null);
      showFormError(e.message);
    } finally {
      button.disabled = false;
    }
  }

  async function onConfirm() {
    if (!analyzed) return;
    const button = $('#confirm-button');
    button.disabled = true;
    try {
      await api('POST', `${API}/confirm`, { session_id: analyzed.session_id });
      showPreview(null);
      await loadSessions();
    } catch (e) {
      showFormError(e.message);
    } finally {
      button.disabled = false;
    }
  }

  async function onDiscard() {
    if (!analyzed) return;
    const id = analyzed.session_id;
    showPreview(null);
    try {
      await api('POST', `${API}/cancel/${encodeURIComponent(id)}`);
    } catch (e) {
      // already gone or started elsewhere: nothing left to discard
    }
    loadSessions();
  }

  // ------------------------------------------------------------------------------------------------------ start

  document.addEventListener('DOMContentLoaded', () => {
    $('#analyze-form').addEventListener('submit', onAnalyze);
    $('#confirm-button').addEventListener('click', onConfirm);
    $('#discard-button').addEventListener('click', onDiscard);
    $('#refresh-button').addEventListener('click', () => loadSessions());
    loadSessions();
    setInterval(loadSessions, LIST_EVERY_MS);
    setInterval(() => {
      const now = Date.now();
      for (const card of sessions.values()) card.checkHeartbeat(now);
    }, HEARTBEAT_CHECK_EVERY_MS);
    setInterval(() => {
      for (const card of sessions.values()) {
        if (card.state === 'running' || card.state === 'paused') card.renderElapsed();
      }
    }, 1000);
  });
})();
