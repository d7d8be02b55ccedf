// DevFlow dashboard: live pages and keyboard shortcuts.
//
// Plain ES2020, no dependencies, no build step, no inline script needed (the pages are served with
// `default-src 'self'`). Loaded with a plain <script src="/assets/dashboard.js"> at the end of <body>, after
// run-graph.js and log-viewer.js. Everything is driven by the page's ids, classes and data-* attributes (see the
// page contract):
//
//   runs list (#runs)      run events update a row's status badge and duration; on `#runs[data-live=true]` a run
//                          not in the table (and newer than the page's newest row) is fetched from /api/v1/runs/ID and inserted
//   run page (main[data-run-id])
//                          run events update #run-status; when the run finishes #cancel-run is hidden,
//                          #reload-details shown and the graph reloaded; node events update tr[data-node-id] and the
//                          graph (DevFlowRunGraph handle.setNodeStatus); a node selected in the graph highlights its row
//   both                   one EventSource on /api/v1/events; #live-status says "Live" or "Reconnecting…"
//   every page             running durations tick every second (the server's format: 45s, 1m 3s, 2h 5m, 3d 4h);
//                          <time datetime> gets a local date-time title;
//                          `g r`, `g b`, `g d`, `g i` navigate, `/` focuses the first filter input
//
// Run names, branches, commits and event summaries are untrusted: they reach the DOM through textContent and
// setAttribute only, never as markup. A malformed event is ignored; an unknown status gets a neutral badge.
//
// The event feed starts at the beginning unless told otherwise, so a page may carry `data-last-event-id` on <main>
// or <body> (the feed position when it was rendered): the stream then starts after it. Without it the whole feed is
// replayed; that is harmless (a finished run never goes back, only runs newer than the page's newest row are inserted).
(() => {
  'use strict';
  if (window.DevFlowDashboard) return;

  const EVENTS_URL = '/api/v1/events';
  const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'config_error', 'skipped', 'interrupted']);
  const STATUS_RE = /^[a-z][a-z0-9_]{0,39}$/;
  const EVENT_ID_RE = /^[0-9]{1,18}$/;
  const NAV = { r: '/', b: '/breakers', d: '/dora', i: '/insights' };
  const CHORD_MS = 1500; // the second key of `g r` must follow within this
  const RETRY_MIN_MS = 1000; // our own reconnect after the browser gave up (a refused connection)
  const RETRY_MAX_MS = 30000;
  const GRAPH_RELOAD_DELAY_MS = 500;
  const MAX_FETCH_TRIES = 3;

  // ------------------------------------------------------------------------------------------------ helpers

  function str(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return '';
  }

  function parseTime(v) {
    if (typeof v !== 'string' || v === '') return NaN;
    return Date.parse(v);
  }

  /**
   * `45s`, `1m 3s`, `1m`, `2h 5m`, `2h`, `3d 4h` as the server writes them (DisplayFormat.duration); with
   * `fractional`, under 10 s one decimal (`0.4s`) as the server does for a finished step. Unknown: ''.
   */
  function formatDuration(ms, fractional) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
    const seconds = Math.max(0, ms) / 1000;
    if (fractional && seconds < 10 && seconds !== Math.round(seconds)) return `${seconds.toFixed(1)}s`;
    const total = Math.round(seconds);
    const d = Math.floor(total / 86400);
    const h = Math.floor(total / 3600) % 24;
    const m = Math.floor(total / 60) % 60;
    const s = total % 60;
    if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
    if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
    if (m > 0) return s > 0 ? `${m}m ${s}s` : `${m}m`;
    return `${s}s`;
  }

  /** A state as the server labels it: `config_error` -> `config error`. */
  function label(status) { return status.replace(/_/g, ' '); }

  /** `2026-12-02 14:05 UTC`, as the server writes a time (DisplayFormat.text). */
  function timeText(iso) {
    return iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
  }

  let dateFormat = null;
  function localDateTime(ms) {
    try {
      if (!dateFormat) dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' });
      return dateFormat.format(new Date(ms));
    } catch (_) {
      return new Date(ms).toLocaleString();
    }
  }

  function titleTimes(root) {
    for (const t of root.querySelectorAll('time[datetime]')) {
      const ms = parseTime(t.getAttribute('datetime'));
      if (Number.isFinite(ms)) t.setAttribute('title', localDateTime(ms));
    }
  }

  function isFinished(status) { return FINISHED.has(status); }

  /** Sets a badge's text (the status's label) and its `status-*` class, keeping its other classes. */
  function setBadge(el, status) {
    el.textContent = label(status);
    for (const c of Array.from(el.classList)) if (c.startsWith('status-')) el.classList.remove(c);
    el.classList.add('badge', STATUS_RE.test(status) ? `status-${status}` : 'status-unknown');
  }

  function badge(status) {
    const span = document.createElement('span');
    setBadge(span, status);
    return span;
  }

  /** The badge inside a status cell, made if the cell has none. */
  function cellBadge(cell) {
    let b = cell.querySelector('.badge');
    if (!b) {
      b = badge('');
      cell.textContent = '';
      cell.appendChild(b);
    }
    return b;
  }

  /** Whether a status change should be applied: a finished run never goes back to queued or running. */
  function runChangeApplies(current, next) {
    if (current === next) return false;
    return !(isFinished(current) && !isFinished(next));
  }

  /** The JSON of one event, checked; null if it is not a state change. */
  function parseChange(event, kind) {
    let v;
    try { v = JSON.parse(event.data); } catch (_) { return null; }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
    if (!Number.isSafeInteger(v.run) || v.run < 1) return null;
    if (typeof v.status !== 'string' || v.status === '' || v.status.length > 100) return null;
    if (kind === 'node' && (typeof v.node !== 'string' || v.node === '')) return null;
    const at = Number.isFinite(parseTime(v.at)) ? v.at : new Date().toISOString();
    return { run: String(v.run), status: v.status, node: kind === 'node' ? v.node : null, at };
  }

  // ------------------------------------------------------------------------------------------------ durations

  /** Updates a `.duration[data-started-at]` element's text; `running` says whether an open end ticks. */
  function renderDuration(el, running) {
    const started = parseTime(el.dataset.startedAt);
    if (!Number.isFinite(started)) return;
    const finished = parseTime(el.dataset.finishedAt);
    let text;
    if (Number.isFinite(finished)) text = formatDuration(finished - started, true);
    else if (running) text = formatDuration(Date.now() - started, false);
    else return;
    if (el.textContent !== text) el.textContent = text;
  }

  /** Records a run's change on its duration element (start when it runs, end when it finishes). */
  function noteDuration(el, change) {
    if (!el) return;
    if (change.status === 'running' && !el.dataset.startedAt) el.dataset.startedAt = change.at;
    if (isFinished(change.status) && !el.dataset.finishedAt) el.dataset.finishedAt = change.at;
    renderDuration(el, change.status === 'running');
  }

  function statusOf(el) {
    const row = el.closest('[data-status]');
    if (row && row.id !== 'run-status') return row.dataset.status;
    const run = document.getElementById('run-status');
    return run ? run.dataset.status : '';
  }

  function tick() {
    for (const el of document.querySelectorAll('.duration[data-started-at]')) {
      if (el.dataset.finishedAt) continue;
      if (statusOf(el) === 'running') renderDuration(el, true);
    }
  }

  // ------------------------------------------------------------------------------------------------ the stream

  /** One EventSource; reopens it (after the last id seen) if the browser gives up; reports Live/Reconnecting…. */
  function openStream(handlers) {
    const statusEl = document.getElementById('live-status');
    const main = document.querySelector('main');
    const startId = str((main && main.dataset.lastEventId) || document.body.dataset.lastEventId);
    let lastId = EVENT_ID_RE.test(startId) ? startId : '';
    let source = null;
    let retry = RETRY_MIN_MS;
    let timer = 0;

    const show = (state) => {
      if (!statusEl) return;
      statusEl.dataset.state = state;
      const text = state === 'live' ? 'Live' : 'Reconnecting…';
      if (statusEl.textContent !== text) statusEl.textContent = text;
    };
    const onMessage = (kind) => (event) => {
      if (EVENT_ID_RE.test(event.lastEventId || '')) lastId = event.lastEventId;
      const change = parseChange(event, kind);
      if (!change) return;
      try { handlers[kind](change); } catch (error) { console.error('dashboard: event', error); }
    };
    const connect = () => {
      timer = 0;
      const url = lastId ? `${EVENTS_URL}?last_event_id=${lastId}` : EVENTS_URL;
      let s;
      try { s = new EventSource(url); } catch (error) { schedule(); return; }
      source = s;
      s.addEventListener('open', () => { retry = RETRY_MIN_MS; show('live'); });
      s.addEventListener('run', onMessage('run'));
      s.addEventListener('node', onMessage('node'));
      s.addEventListener('error', () => {
        if (source !== s) return;
        show('reconnecting');
        // CONNECTING: the browser retries by itself, with Last-Event-ID. CLOSED (a refused or non-stream answer):
        // it will not, so we open a new one after the last id seen.
        if (s.readyState === EventSource.CLOSED) schedule();
      });
    };
    const schedule = () => {
      if (source) source.close();
      source = null;
      if (timer) return;
      timer = setTimeout(connect, retry);
      retry = Math.min(retry * 2, RETRY_MAX_MS);
    };
    window.addEventListener('pagehide', () => {
      if (timer) clearTimeout(timer);
      timer = 0;
      if (source) source.close();
      source = null;
    });
    window.addEventListener('pageshow', (e) => { if (e.persisted && !source && !timer) connect(); });
    connect();
  }

  // ------------------------------------------------------------------------------------------------ runs list

  function runsList(table) {
    const live = table.dataset.live === 'true';
    const rows = () => table.querySelectorAll('tbody tr[data-run-id]');
    const rowOf = (id) => {
      for (const tr of rows()) if (tr.dataset.runId === id) return tr;
      return null;
    };
    // The newest run the page was rendered with: any run above it is new, whatever order its events come in (a run
    // queued just after another may be heard of first); the runs below it belong to older pages (a replayed feed).
    let newest = 0;
    for (const tr of rows()) newest = Math.max(newest, parseInt(tr.dataset.runId, 10) || 0);
    const fetching = new Map(); // run id -> the changes that came while it was being fetched
    const tries = new Map();

    const apply = (tr, change) => {
      if (!runChangeApplies(tr.dataset.status || '', change.status)) return;
      tr.dataset.status = change.status;
      const cell = tr.querySelector('td.status');
      if (cell) setBadge(cellBadge(cell), change.status);
      noteDuration(tr.querySelector('td.duration'), change);
    };

    const insert = (tr) => {
      const id = parseInt(tr.dataset.runId, 10);
      let body = table.tBodies[0];
      if (!body) body = table.appendChild(document.createElement('tbody'));
      let before = null;
      for (const other of rows()) {
        if ((parseInt(other.dataset.runId, 10) || 0) < id) { before = other; break; }
      }
      if (before) before.parentNode.insertBefore(tr, before); else body.appendChild(tr);
      table.hidden = false;
      const wrap = table.closest('.table-wrap');
      if (wrap) wrap.hidden = false;
      const main = table.closest('main') || document;
      for (const p of main.querySelectorAll('p.empty')) p.hidden = true;
    };

    // The change that asks for the fetch is older than the answer; the ones that come meanwhile are applied to it.
    const fetchAndInsert = (id) => {
      fetching.set(id, []);
      tries.set(id, (tries.get(id) || 0) + 1);
      fetch(`/api/v1/runs/${id}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then((r) => {
          if (r.ok) return r.json();
          if (r.status === 404) tries.set(id, MAX_FETCH_TRIES); // gone: never asked for again
          return Promise.reject(new Error(`HTTP ${r.status}`));
        })
        .then((run) => {
          if (rowOf(id)) return;
          const tr = buildRow(run, id);
          if (!tr) return;
          insert(tr);
          for (const c of fetching.get(id) || []) apply(tr, c);
        })
        .catch((error) => console.warn(`dashboard: run ${id}:`, error.message || error))
        .finally(() => fetching.delete(id));
    };

    return (change) => {
      const tr = rowOf(change.run);
      if (tr) { apply(tr, change); return; }
      if (!live) return;
      const queued = fetching.get(change.run);
      if (queued) { queued.push(change); return; }
      // Only runs newer than the page's newest row are new.
      if (Number(change.run) <= newest || (tries.get(change.run) || 0) >= MAX_FETCH_TRIES) return;
      fetchAndInsert(change.run);
    };
  }

  /** A runs-list row for a run fetched from the API, text only; null if the answer is not that run. */
  function buildRow(run, id) {
    if (!run || typeof run !== 'object' || String(run.id) !== id) return null;
    const status = str(run.status) || 'unknown';
    const tr = document.createElement('tr');
    tr.dataset.runId = id;
    tr.dataset.status = status;
    tr.className = 'inserted';
    const cell = (cls, text) => {
      const td = document.createElement('td');
      td.className = cls;
      if (text !== undefined) td.textContent = text;
      tr.appendChild(td);
      return td;
    };
    const link = document.createElement('a');
    link.href = `/runs/${id}`;
    link.textContent = `#${id}`;
    cell('run-id').appendChild(link);
    cell('status').appendChild(badge(status));
    cell('pipeline', str(run.pipeline));
    cell('repository', str(run.repository));
    cell('branch', str(run.branch));
    const commit = str(run.commit);
    const commitCell = cell('commit');
    if (commit) {
      const code = document.createElement('code');
      code.textContent = commit.slice(0, 7);
      code.setAttribute('title', commit);
      commitCell.appendChild(code);
    }
    const event = run.event && typeof run.event === 'object' ? run.event : {};
    cell('trigger', str(event.summary) || str(run.event_kind) || (typeof run.event === 'string' ? run.event : ''));
    const queuedCell = cell('queued');
    const queuedAt = parseTime(run.queued_at);
    if (Number.isFinite(queuedAt)) {
      const time = document.createElement('time');
      time.setAttribute('datetime', run.queued_at);
      time.textContent = timeText(run.queued_at);
      time.setAttribute('title', localDateTime(queuedAt));
      queuedCell.appendChild(time);
    }
    const duration = cell('duration', '');
    duration.dataset.startedAt = Number.isFinite(parseTime(run.started_at)) ? run.started_at : '';
    duration.dataset.finishedAt = Number.isFinite(parseTime(run.finished_at)) ? run.finished_at : '';
    renderDuration(duration, status === 'running');
    return tr;
  }

  // ------------------------------------------------------------------------------------------------ run page

  function runPage(main) {
    const runId = main.dataset.runId;
    const statusEl = document.getElementById('run-status');
    const graphEl = document.querySelector('#graph .run-graph') || document.querySelector('.run-graph');
    let graph = null;
    let graphLoaded = false;
    const early = new Map(); // node -> status, for node events before the graph has drawn
    // run-graph.js mounts every .run-graph itself on DOMContentLoaded (before this script's start); mount() is
    // idempotent and returns that graph's handle, so asking for it never makes a second one, and mounts it if
    // run-graph.js has not (yet).
    const getGraph = () => {
      if (graph || !graphEl || !window.DevFlowRunGraph) return graph;
      try {
        graph = window.DevFlowRunGraph.mount(graphEl);
      } catch (error) {
        console.error('dashboard: graph', error);
        return null;
      }
      Promise.resolve(graph.ready).then(() => {
        graphLoaded = true;
        for (const [node, status] of early) graph.setNodeStatus(node, status);
        early.clear();
      }, () => { graphLoaded = true; });
      return graph;
    };
    getGraph();

    const finished = () => {
      const cancel = document.getElementById('cancel-run');
      if (cancel) {
        cancel.hidden = true;
        for (const b of cancel.querySelectorAll('button')) b.disabled = true;
      }
      let link = document.getElementById('reload-details');
      if (!link && statusEl) {
        link = document.createElement('a');
        link.id = 'reload-details';
        link.setAttribute('href', ''); // this page, as the server renders it now
        link.textContent = 'Reload for details';
        (statusEl.closest('h1') || statusEl).insertAdjacentElement('afterend', link);
      }
      if (link) {
        if (!link.hasAttribute('href')) link.setAttribute('href', '');
        link.hidden = false;
      }
      if (getGraph()) {
        setTimeout(() => { try { graph.reload(); } catch (_) { /* the graph shows its own error */ } },
          GRAPH_RELOAD_DELAY_MS);
      }
    };

    const onRun = (change) => {
      if (change.run !== runId || !statusEl) return;
      const current = statusEl.dataset.status || '';
      if (!runChangeApplies(current, change.status)) return;
      setBadge(statusEl, change.status);
      statusEl.dataset.status = change.status;
      noteDuration(document.querySelector('.run-facts .duration'), change);
      if (isFinished(change.status) && !isFinished(current)) finished();
    };

    const onNode = (change) => {
      if (change.run !== runId) return;
      for (const tr of document.querySelectorAll('#nodes tr[data-node-id]')) {
        if (tr.dataset.nodeId !== change.node) continue;
        tr.dataset.status = change.status;
        const cell = tr.querySelector('td.status');
        if (cell) setBadge(cellBadge(cell), change.status);
      }
      if (getGraph()) {
        const known = graph.setNodeStatus(change.node, change.status);
        if (!known && !graphLoaded) early.set(change.node, change.status);
      }
    };

    document.addEventListener('devflow:node-selected', (event) => {
      const d = event.detail || {};
      const id = str(d.node !== undefined ? d.node : d.id);
      let match = null;
      for (const tr of document.querySelectorAll('#nodes tr[data-node-id]')) {
        const on = tr.dataset.nodeId === id;
        tr.classList.toggle('selected', on);
        if (on && !match) match = tr;
      }
      if (match) match.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    });

    return { run: onRun, node: onNode };
  }

  // ------------------------------------------------------------------------------------------------ keyboard

  function typing(target) {
    return !!(target && (target.isContentEditable ||
      (target.closest && target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]'))));
  }

  function firstFilterInput() {
    const forms = [document.getElementById('run-filters'), ...document.querySelectorAll('main form.filters'),
      ...document.querySelectorAll('main form[method="get" i]')];
    for (const form of forms) {
      if (!form) continue;
      for (const el of form.querySelectorAll('input, select, textarea')) {
        if (el.type === 'hidden' || el.disabled || el.getClientRects().length === 0) continue;
        return el;
      }
    }
    return null;
  }

  function keyboard() {
    const nav = !!document.querySelector('header.top nav');
    let chord = 0;
    document.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) { chord = 0; return; }
      if (typing(e.target)) { chord = 0; return; }
      const now = Date.now();
      if (chord && now - chord <= CHORD_MS && !e.defaultPrevented && Object.prototype.hasOwnProperty.call(NAV, e.key)) {
        chord = 0;
        e.preventDefault();
        location.assign(NAV[e.key]);
        return;
      }
      // `g` starts a chord even if another component used it (the log viewer's "to top"): harmless.
      chord = nav && e.key === 'g' && !e.shiftKey ? now : 0;
      if (e.key === '/' && !e.defaultPrevented) {
        const input = firstFilterInput();
        if (!input) return;
        e.preventDefault();
        input.focus();
        if (typeof input.select === 'function') input.select();
      }
    });
  }

  // ------------------------------------------------------------------------------------------------ start

  function start() {
    titleTimes(document);
    keyboard();
    const handlers = { run: null, node: null };
    const table = document.getElementById('runs');
    if (table) handlers.run = runsList(table);
    // The run page: <main data-run-id> with #run-status (the log page has data-run-id too, and nothing live).
    const main = document.querySelector('main[data-run-id]');
    if (main && /^[0-9]+$/.test(main.dataset.runId || '') && document.getElementById('run-status')) {
      const page = runPage(main);
      const listRun = handlers.run;
      handlers.run = listRun ? (c) => { listRun(c); page.run(c); } : page.run;
      handlers.node = page.node;
    }
    if (handlers.run || handlers.node) {
      openStream({ run: handlers.run || (() => {}), node: handlers.node || (() => {}) });
    }
    tick();
    setInterval(tick, 1000);
  }

  window.DevFlowDashboard = Object.freeze({ formatDuration, version: 1 });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
