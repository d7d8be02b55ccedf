// DevFlow dashboard: log viewer.
//
// Plain deferred script, no modules and no dependencies. Mounts a viewer in every
// `.log-viewer` element (see the data-* attributes below) and exposes
// `window.DevFlowLogViewer = { mount(element), get(element) }`.
//
// Log text is attacker-controlled: every piece of it reaches the DOM through
// textContent / createTextNode only, never as markup. Escape sequences are parsed
// for SGR colours only; everything else (cursor moves, OSC titles and hyperlinks,
// control characters) is stripped and never interpreted.
(function () {
  'use strict';

  const MAX_ROW_CHARS = 10000;      // characters rendered in one row before "… N more"
  const MAX_SCROLL_PX = 15000000;   // browsers cap element heights near 33M px; scale above this
  const OVERSCAN = 10;              // rows rendered above and below the viewport
  const MAX_MATCHES = 1000000;      // stop counting search matches here
  const SLICE_MS = 12;              // time budget of one search slice
  const PARSE_CACHE = 600;          // parsed rows kept while scrolling

  // ---------------------------------------------------------------- ANSI

  // One alternative per thing we strip: CSI (ESC [ or 8-bit, maybe unterminated), OSC to BEL/ST,
  // DCS/SOS/PM/APC to ST, other ESC sequences and a lone ESC, then C0 (but tab),
  // DEL and C1 controls. Every alternative consumes at least one character.
  const CTRL_RE = /(?:\x1b\[|\x9b)[0-?]*[ -\/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -\/]*[0-~]?|[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
  const HAS_CTRL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
  const SGR_RE = /^\x1b\[([0-9;:]*)m$/;
  const PLAIN = Object.freeze({ b: false, d: false, i: false, u: false, fg: null, bg: null });

  /** The text as shown: every escape sequence and control character removed. */
  function plainText(text) {
    return HAS_CTRL.test(text) ? text.replace(CTRL_RE, '') : text;
  }

  /** xterm 256-colour index -> palette index (0-15) or CSS colour. */
  function colour256(n) {
    if (!(n >= 0 && n <= 255)) return undefined;
    if (n < 16) return n;
    if (n >= 232) { const g = 8 + 10 * (n - 232); return `rgb(${g},${g},${g})`; }
    const v = [0, 95, 135, 175, 215, 255], k = n - 16;
    return `rgb(${v[Math.floor(k / 36)]},${v[Math.floor(k / 6) % 6]},${v[k % 6]})`;
  }

  const byte = (n) => Math.max(0, Math.min(255, n | 0));

  /** Applies one SGR parameter list ("1;31", "38;5;208", "") to a state, returning a new one. */
  function applySgr(state, params) {
    const p = params === '' ? [0] : params.split(/[;:]/).map((x) => (x === '' ? 0 : parseInt(x, 10)));
    let s = { ...state };
    for (let k = 0; k < p.length; k++) {
      const n = p[k];
      if (n === 0) s = { ...PLAIN };
      else if (n === 1) s.b = true;
      else if (n === 2) s.d = true;
      else if (n === 3) s.i = true;
      else if (n === 4) s.u = true;
      else if (n === 22) s.b = s.d = false;
      else if (n === 23) s.i = false;
      else if (n === 24) s.u = false;
      else if (n === 39) s.fg = null;
      else if (n === 49) s.bg = null;
      else if (n >= 30 && n <= 37) s.fg = n - 30;
      else if (n >= 90 && n <= 97) s.fg = n - 90 + 8;
      else if (n >= 40 && n <= 47) s.bg = n - 40;
      else if (n >= 100 && n <= 107) s.bg = n - 100 + 8;
      else if (n === 38 || n === 48) {
        let c;
        if (p[k + 1] === 5 && k + 2 < p.length) { c = colour256(p[k + 2]); k += 2; }
        else if (p[k + 1] === 2 && k + 4 < p.length) { c = `rgb(${byte(p[k + 2])},${byte(p[k + 3])},${byte(p[k + 4])})`; k += 4; }
        else break; // malformed extended colour: ignore the rest of the list
        if (c !== undefined) { if (n === 38) s.fg = c; else s.bg = c; }
      }
    }
    return s;
  }

  /** Splits a raw line into styled segments [{t, cls, fg, bg}] (fg/bg: inline CSS colour or null). */
  function parseAnsi(text) {
    const segs = [];
    let state = PLAIN, style = null, last = 0, m;
    const push = (t) => {
      if (!t) return;
      if (!style) style = styleOf(state);
      segs.push({ t, cls: style.cls, fg: style.fg, bg: style.bg });
    };
    CTRL_RE.lastIndex = 0;
    while ((m = CTRL_RE.exec(text)) !== null) {
      push(text.slice(last, m.index));
      last = CTRL_RE.lastIndex;
      const sgr = m[0].endsWith('m') ? SGR_RE.exec(m[0]) : null;
      if (sgr) { state = applySgr(state, sgr[1]); style = null; }
    }
    push(text.slice(last));
    return segs;
  }

  function styleOf(s) {
    let cls = '';
    if (s.b) cls += ' lv-b';
    if (s.d) cls += ' lv-d';
    if (s.i) cls += ' lv-i';
    if (s.u) cls += ' lv-u';
    if (typeof s.fg === 'number') cls += ' lv-fg-' + s.fg;
    if (typeof s.bg === 'number') cls += ' lv-bg-' + s.bg;
    return {
      cls: cls.trim(),
      fg: typeof s.fg === 'string' ? s.fg : null,
      bg: typeof s.bg === 'string' ? s.bg : null,
    };
  }

  // ---------------------------------------------------------------- helpers

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function button(cls, text, label, onClick) {
    const b = el('button', 'lv-btn ' + cls, text);
    b.type = 'button';
    b.setAttribute('aria-label', label);
    b.title = label;
    b.addEventListener('click', onClick);
    return b;
  }

  const fmt = (n) => n.toLocaleString('en-US');
  const pad = (n, w) => String(n).padStart(w, '0');
  const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  /** "2026-12-02T11:14:26.123Z" -> local "HH:MM:SS.mmm" (or the raw text if unparsable). */
  function localTime(ts) {
    const d = new Date(ts.replace(/(\.\d{3})\d+/, '$1'));
    if (isNaN(d.getTime())) return ts;
    return `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
  }

  function storedFlag(key, fallback) {
    try { const v = localStorage.getItem(key); return v === null ? fallback : v === '1'; } catch (e) { return fallback; }
  }
  function storeFlag(key, value) {
    try { localStorage.setItem(key, value ? '1' : '0'); } catch (e) { /* private mode */ }
  }

  // A task that yields to rendering and input without setTimeout's 4 ms clamp.
  const channel = new MessageChannel();
  const queued = [];
  channel.port1.onmessage = () => { const f = queued.shift(); if (f) f(); };
  const nextTask = (f) => { queued.push(f); channel.port2.postMessage(0); };

  const viewers = new WeakMap();
  let activeViewer = null;

  // ---------------------------------------------------------------- viewer

  class LogViewer {
    constructor(root) {
      this.root = root;
      this.times = [];        // timestamp prefix per line ('' when none)
      this.texts = [];        // raw line text (escapes still in it)
      this.stderr = new Set(); // indices of stderr lines (SSE only)
      this.pending = [];      // pieces of a line whose '\n' has not arrived
      this.parsed = new Map(); // line -> segments, for rendered rows only
      this.rowMap = new Map();
      this.start = this.end = -1;
      this.dirty = true;
      this.ratio = 1;
      this.sel = null;        // {from, to, anchor} 0-based permalink selection
      this.hashPending = false;
      this.running = root.dataset.running === 'true';
      this.loading = true;
      this.follow = this.running;
      this.flushQueued = false;
      this.lastId = null;
      this.stats = window.__logViewerStats = { firstRowsAt: null, loadedAt: null, lines: 0 };
      this.search = { key: '', matches: [], pos: 0, cur: -1, pending: 0, anchor: 0, re: null, test: null, error: '', scheduled: false, capped: false };
      this.build();
      this.rowH = parseFloat(getComputedStyle(root).getPropertyValue('--lv-row-height')) || 18;
      this.onHash();
      if (this.running && root.dataset.streamUrl) this.stream(root.dataset.streamUrl);
      else if (root.dataset.logUrl) this.load(root.dataset.logUrl);
      else this.fail('no log URL');
    }

    // ---- DOM skeleton: toolbar, scroll area, expanded-line panel

    build() {
      const root = this.root;
      root.replaceChildren();
      root.classList.add('lv-mounted');
      const bar = el('div', 'lv-toolbar');

      const find = el('div', 'lv-find');
      this.input = el('input', 'lv-search-input');
      this.input.type = 'search';
      this.input.placeholder = 'Search  ( / )';
      this.input.setAttribute('aria-label', 'Search log');
      this.input.autocomplete = 'off';
      this.input.spellcheck = false;
      this.input.addEventListener('input', () => {
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.startSearch(0), 250);
      });
      this.input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') { e.preventDefault(); this.step(e.shiftKey ? -1 : 1); }
        else if (e.key === 'Escape') { this.input.blur(); this.scroller.focus(); }
      });
      this.regexBtn = button('lv-regex', '.*', 'Regular expression (case-sensitive)', () => {
        this.regexBtn.setAttribute('aria-pressed', String(this.regexBtn.getAttribute('aria-pressed') !== 'true'));
        this.startSearch(0);
      });
      this.regexBtn.setAttribute('aria-pressed', 'false');
      this.countEl = el('span', 'lv-search-count');
      this.countEl.setAttribute('aria-live', 'polite');
      find.append(this.input, this.regexBtn,
        button('lv-prev', '↑', 'Previous match (Shift+Enter)', () => this.step(-1)),
        button('lv-next', '↓', 'Next match (Enter)', () => this.step(1)),
        this.countEl);

      const tools = el('div', 'lv-tools');
      const showTs = storedFlag('devflow.logviewer.timestamps', !matchMedia('(max-width: 480px)').matches);
      this.tsBtn = button('lv-ts-toggle', 'Time', 'Show timestamps', () => this.setTimestamps(this.tsBtn.getAttribute('aria-pressed') !== 'true', true));
      this.followBtn = button('lv-follow', 'Follow', 'Follow new lines (f)', () => this.setFollow(!this.follow));
      tools.append(this.tsBtn, this.followBtn,
        button('lv-top', 'Top', 'Scroll to top (g)', () => this.toTop()),
        button('lv-bottom', 'Bottom', 'Scroll to bottom (G)', () => this.toBottom()));
      if (root.dataset.downloadUrl) {
        const a = el('a', 'lv-btn lv-download', 'Raw');
        a.href = root.dataset.downloadUrl;
        a.setAttribute('download', '');
        a.setAttribute('aria-label', 'Download raw log');
        a.title = 'Download raw log';
        tools.append(a);
      }

      const status = el('div', 'lv-status');
      this.statusEl = el('span', 'lv-count', 'loading…');
      this.reconnectEl = el('span', 'lv-reconnect', 'reconnecting…');
      this.reconnectEl.setAttribute('role', 'status');
      this.reconnectEl.hidden = true;
      status.append(this.statusEl, this.reconnectEl);
      bar.append(find, tools, status);

      this.scroller = el('div', 'lv-scroll');
      this.scroller.tabIndex = 0;
      this.scroller.setAttribute('role', 'region');
      this.scroller.setAttribute('aria-label', 'Log output');
      this.spacer = el('div', 'lv-spacer');
      this.rowsEl = el('div', 'lv-rows');
      this.spacer.append(this.rowsEl);
      this.scroller.append(this.spacer);

      this.full = el('div', 'lv-full');
      this.full.hidden = true;
      this.fullTitle = el('span', 'lv-full-title');
      this.fullPre = el('pre', 'lv-full-text');
      this.fullPre.tabIndex = 0;
      const head = el('div', 'lv-full-head');
      head.append(this.fullTitle, button('lv-full-close', 'Close', 'Close expanded line', () => {
        this.full.hidden = true; this.fullPre.textContent = ''; this.scroller.focus();
      }));
      this.full.append(head, this.fullPre);
      root.append(bar, this.scroller, this.full);

      this.setTimestamps(showTs, false);
      this.setFollow(this.follow);

      this.scroller.addEventListener('scroll', () => {
        if (this.follow && !this.atBottom()) this.setFollow(false);
        this.render();
      }, { passive: true });
      // Scrolling up by wheel, touch or key is an explicit "stop following".
      this.scroller.addEventListener('wheel', (e) => { if (e.deltaY < 0 && this.follow) this.setFollow(false); }, { passive: true });
      this.scroller.addEventListener('touchmove', () => { if (this.follow) this.setFollow(false); }, { passive: true });
      this.scroller.addEventListener('keydown', (e) => {
        if (['ArrowUp', 'PageUp', 'Home'].includes(e.key) && this.follow) this.setFollow(false);
      });
      this.rowsEl.addEventListener('mousedown', (e) => { if (e.shiftKey && e.target.closest('.lv-ln')) e.preventDefault(); });
      this.rowsEl.addEventListener('click', (e) => this.onRowClick(e));
      root.addEventListener('pointerdown', () => { activeViewer = this; });
      root.addEventListener('focusin', () => { activeViewer = this; });
      window.addEventListener('hashchange', () => this.onHash());
      new ResizeObserver(() => { this.updateHeight(); this.render(); }).observe(this.scroller);
    }

    // ---- loading

    async load(url) {
      const full = url + (url.includes('?') ? '&' : '?') + 'timestamps=true';
      let res;
      try {
        res = await fetch(full, { credentials: 'same-origin', headers: { Accept: 'text/plain' } });
      } catch (e) {
        return this.fail('failed to load log: ' + e.message);
      }
      if (!res.ok) return this.fail(`failed to load log: HTTP ${res.status}`);
      const decoder = new TextDecoder('utf-8'); // not fatal: bad bytes become U+FFFD
      try {
        if (!res.body) {
          this.ingest(await res.text());
        } else {
          const reader = res.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            // Chrome hands over megabytes at once: show the first rows before splitting the rest.
            if (this.stats.firstRowsAt === null && value.length > 65536) {
              this.ingest(decoder.decode(value.subarray(0, 65536), { stream: true }));
              this.ingest(decoder.decode(value.subarray(65536), { stream: true }));
            } else {
              this.ingest(decoder.decode(value, { stream: true }));
            }
          }
        }
        this.ingest(decoder.decode());
      } catch (e) {
        this.error = 'log stream interrupted: ' + e.message;
      }
      if (this.pending.length) { this.pushLine(this.pending.join('')); this.pending = []; }
      this.finish();
    }

    /** Splits decoded text into lines; a line's head may wait in `pending` for its '\n'. */
    ingest(s) {
      if (!s) return;
      let start = 0, nl;
      if (this.pending.length) {
        nl = s.indexOf('\n');
        if (nl === -1) { this.pending.push(s); return; }
        this.pending.push(s.slice(0, nl));
        this.pushLine(this.pending.join(''));
        this.pending = [];
        start = nl + 1;
      }
      while ((nl = s.indexOf('\n', start)) !== -1) {
        this.pushLine(s.slice(start, nl));
        start = nl + 1;
      }
      if (start < s.length) this.pending.push(s.slice(start));
      this.changed();
    }

    /** Stores one line, splitting off an RFC 3339 timestamp prefix ("2026-…T… "). */
    pushLine(line) {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.length > 20 && line.charCodeAt(4) === 45 && line.charCodeAt(10) === 84) {
        const sp = line.indexOf(' ', 19);
        if (sp !== -1 && sp <= 40) {
          this.times.push(line.slice(0, sp));
          this.texts.push(line.slice(sp + 1));
          return;
        }
      }
      this.times.push('');
      this.texts.push(line);
    }

    stream(url) {
      const es = this.source = new EventSource(url);
      es.onopen = () => { this.reconnectEl.hidden = true; };
      es.onerror = () => {
        if (es.readyState === EventSource.CLOSED) { this.error = 'log stream closed'; this.finish(); }
        else if (this.reconnectEl.hidden) { // EventSource reconnects by itself, sending Last-Event-ID
          this.reconnectEl.hidden = false;
          this.stats.reconnects = (this.stats.reconnects || 0) + 1;
        }
      };
      es.onmessage = (e) => {
        // A reconnect may replay events: ignore ids we already appended.
        // Ids are "CHUNK.LINE" (DevFlow's log stream) or plain numbers: compare them as pairs, never as decimals
        // ("12.10" comes after "12.9").
        const m = /^(\d+)(?:\.(\d+))?$/.exec(e.lastEventId);
        if (m) {
          const pos = [Number(m[1]), Number(m[2] || 0)];
          const last = this.lastId;
          if (last !== null && (pos[0] < last[0] || (pos[0] === last[0] && pos[1] <= last[1]))) return;
          this.lastId = pos;
        }
        let d;
        try { d = JSON.parse(e.data); } catch (err) { return; }
        if (!d || typeof d.line !== 'string') return;
        if (d.stream === 'stderr') this.stderr.add(this.texts.length);
        this.times.push(typeof d.at === 'string' ? d.at : '');
        this.texts.push(d.line);
        this.changed();
      };
      es.addEventListener('end', (e) => {
        es.close();
        try { this.endStatus = JSON.parse(e.data).status; } catch (err) { /* no status */ }
        this.finish();
      });
    }

    finish() {
      this.loading = this.running = false;
      this.reconnectEl.hidden = true;
      this.stats.loadedAt = performance.now();
      this.flush();
    }

    fail(message) {
      this.error = message;
      this.finish();
    }

    /** New lines arrived: update at once for the first rows, then once per frame. */
    changed() {
      if (this.stats.firstRowsAt === null) { this.flush(); return; }
      if (this.flushQueued) return;
      this.flushQueued = true;
      requestAnimationFrame(() => this.flush());
    }

    flush() {
      this.flushQueued = false;
      const n = this.texts.length;
      this.stats.lines = n;
      this.root.style.setProperty('--lv-ln-ch', String(Math.max(3, String(n).length)));
      this.updateHeight();
      if (this.follow) this.scroller.scrollTop = this.scroller.scrollHeight;
      if (this.hashPending && this.sel && this.sel.from < n) {
        this.hashPending = false;
        this.scrollToLine(this.sel.from);
      }
      this.render();
      this.updateStatus();
      this.updateCount();
      this.scheduleSearch();
    }

    updateStatus() {
      const n = this.texts.length, lines = `${fmt(n)} ${n === 1 ? 'line' : 'lines'}`;
      let text;
      if (this.error) text = `${this.error} · ${lines}`;
      else if (this.running) text = `running… ${lines}`;
      else if (this.loading) text = `loading… ${lines}`;
      else text = this.endStatus ? `${lines} · ${this.endStatus}` : lines;
      this.statusEl.textContent = text;
      this.statusEl.classList.toggle('lv-error', !!this.error);
    }

    // ---- virtual scrolling

    /** Spacer height; above MAX_SCROLL_PX the scroll position is scaled by `ratio`. */
    updateHeight() {
      const vh = this.scroller.clientHeight, real = this.texts.length * this.rowH;
      const virt = Math.min(real, MAX_SCROLL_PX);
      const ratio = virt > vh ? (real - vh) / (virt - vh) : 1;
      if (ratio !== this.ratio) {
        const realTop = this.scroller.scrollTop * this.ratio; // keep the same line on top
        this.ratio = ratio;
        this.spacer.style.height = virt + 'px';
        if (!this.follow) this.scroller.scrollTop = realTop / ratio;
      } else {
        this.spacer.style.height = virt + 'px';
      }
    }

    topLine() { return Math.floor((this.scroller.scrollTop * this.ratio) / this.rowH); }

    atBottom() {
      const s = this.scroller;
      return s.scrollTop + s.clientHeight >= s.scrollHeight - this.rowH;
    }

    scrollToLine(i) {
      const vh = this.scroller.clientHeight, real = this.texts.length * this.rowH;
      const pos = Math.max(0, Math.min(i * this.rowH - (vh - this.rowH) / 2, real - vh));
      this.scroller.scrollTop = pos / this.ratio;
      this.render();
    }

    render() {
      const n = this.texts.length, h = this.rowH;
      const st = this.scroller.scrollTop, realTop = st * this.ratio;
      const first = Math.floor(realTop / h);
      const start = Math.max(0, Math.min(first, n) - OVERSCAN);
      const end = Math.min(n, first + Math.ceil((this.scroller.clientHeight || 600) / h) + OVERSCAN + 1);
      this.rowsEl.style.transform = `translateY(${st - (realTop - start * h)}px)`;
      if (start === this.start && end === this.end && !this.dirty) return;
      const map = this.rowMap;
      if (this.dirty || start >= this.end || end <= this.start) {
        // Nothing to reuse: build every row.
        map.clear();
        const rows = [];
        for (let i = start; i < end; i++) { const row = this.makeRow(i); map.set(i, row); rows.push(row); }
        this.rowsEl.replaceChildren(...rows);
      } else {
        // Overlapping range: drop rows that left, add rows at either end, keep the rest.
        for (const [i, row] of map) if (i < start || i >= end) { row.remove(); map.delete(i); }
        const head = document.createDocumentFragment(), tail = document.createDocumentFragment();
        for (let i = start; i < Math.min(this.start, end); i++) { const row = this.makeRow(i); map.set(i, row); head.append(row); }
        for (let i = Math.max(this.end, start); i < end; i++) { const row = this.makeRow(i); map.set(i, row); tail.append(row); }
        this.rowsEl.prepend(head);
        this.rowsEl.append(tail);
      }
      this.start = start;
      this.end = end;
      this.dirty = false;
      if (end > start && this.stats.firstRowsAt === null) {
        this.stats.firstRowsAt = window.__logFirstPaint = performance.now();
        if (performance.mark) performance.mark('devflow-log-first-rows');
      }
    }

    invalidate() { this.dirty = true; this.render(); }

    segments(i) {
      let segs = this.parsed.get(i);
      if (!segs) {
        if (this.parsed.size >= PARSE_CACHE) this.parsed.clear();
        segs = parseAnsi(this.texts[i]);
        this.parsed.set(i, segs);
      }
      return segs;
    }

    makeRow(i) {
      const row = el('div', 'lv-row');
      row.dataset.line = String(i + 1);
      if (this.stderr.has(i)) row.classList.add('lv-stderr');
      if (this.sel && i >= this.sel.from && i <= this.sel.to) row.classList.add('lv-selected');

      const ln = el('a', 'lv-ln', String(i + 1));
      ln.href = '#L' + (i + 1);
      ln.tabIndex = -1;
      const ts = el('span', 'lv-ts');
      if (this.times[i]) { ts.textContent = localTime(this.times[i]); ts.title = this.times[i]; }

      const text = el('span', 'lv-text');
      const segs = this.segments(i);
      let len = 0;
      for (const s of segs) len += s.t.length;
      const { ranges, current } = this.rowMatches(i, segs);
      appendSegments(text, segs, MAX_ROW_CHARS, ranges, current);
      row.append(ln, ts, text);
      if (current >= 0) row.classList.add('lv-current');
      if (len > MAX_ROW_CHARS) {
        const more = button('lv-more', `… ${fmt(len - MAX_ROW_CHARS)} more characters`,
          `Show all ${fmt(len)} characters of line ${i + 1}`, () => this.expand(i));
        row.append(more);
      }
      return row;
    }

    /** Search hits inside a rendered row (only the visible part) and which one is current. */
    rowMatches(i, segs) {
      const s = this.search, ranges = [];
      let current = -1;
      if (!s.re) return { ranges, current };
      let plain = '';
      for (const g of segs) { plain += g.t; if (plain.length > MAX_ROW_CHARS) break; }
      plain = plain.slice(0, MAX_ROW_CHARS);
      const re = s.re;
      re.lastIndex = 0;
      let m;
      while ((m = re.exec(plain)) !== null) {
        if (m[0].length === 0) { re.lastIndex++; continue; }
        ranges.push([m.index, m.index + m[0].length]);
      }
      if (s.cur >= 0 && s.matches[s.cur] === i) {
        let k = s.cur;
        while (k > 0 && s.matches[k - 1] === i) k--;
        if (s.cur - k < ranges.length) current = s.cur - k;
      }
      return { ranges, current };
    }

    expand(i) {
      const text = plainText(this.texts[i]);
      this.fullTitle.textContent = `Line ${i + 1} · ${fmt(text.length)} characters`;
      this.fullPre.textContent = text;
      this.full.hidden = false;
      this.fullPre.focus();
    }

    // ---- permalinks

    onHash() {
      const m = /^#L(\d+)(?:-L?(\d+))?$/.exec(location.hash);
      let sel = null;
      if (m && +m[1] >= 1) {
        const a = +m[1] - 1, b = m[2] ? Math.max(0, +m[2] - 1) : a;
        sel = { from: Math.min(a, b), to: Math.max(a, b), anchor: a };
      }
      const same = sel && this.sel && sel.from === this.sel.from && sel.to === this.sel.to;
      if (same) return; // our own click set this hash
      this.sel = sel;
      if (sel) {
        this.setFollow(false);
        this.hashPending = true;
        if (sel.from < this.texts.length) { this.hashPending = false; this.scrollToLine(sel.from); }
      }
      this.invalidate();
    }

    onRowClick(e) {
      const ln = e.target.closest('.lv-ln');
      if (!ln) return;
      e.preventDefault();
      const i = +ln.parentNode.dataset.line - 1;
      if (e.shiftKey && this.sel) {
        const a = this.sel.anchor;
        this.sel = { from: Math.min(a, i), to: Math.max(a, i), anchor: a };
      } else {
        this.sel = { from: i, to: i, anchor: i };
      }
      const { from, to } = this.sel;
      location.hash = from === to ? `#L${from + 1}` : `#L${from + 1}-L${to + 1}`;
      this.invalidate();
    }

    // ---- toggles and navigation

    setFollow(on) {
      this.follow = on;
      this.followBtn.setAttribute('aria-pressed', String(on));
      if (on && this.scroller) { this.scroller.scrollTop = this.scroller.scrollHeight; this.render(); }
    }

    setTimestamps(on, remember) {
      this.tsBtn.setAttribute('aria-pressed', String(on));
      this.root.classList.toggle('lv-show-ts', on);
      if (remember) storeFlag('devflow.logviewer.timestamps', on);
    }

    toTop() { this.setFollow(false); this.scroller.scrollTop = 0; this.render(); }
    toBottom() { this.scroller.scrollTop = this.scroller.scrollHeight; this.render(); }

    // ---- search over the whole log, in time-boxed slices

    searchKey() {
      return (this.regexBtn.getAttribute('aria-pressed') === 'true' ? 're:' : 's:') + this.input.value;
    }

    startSearch(jump) {
      clearTimeout(this.debounce);
      const key = this.searchKey(), q = this.input.value, regex = key.startsWith('re:');
      const s = this.search = { key, matches: [], pos: 0, cur: -1, pending: jump, anchor: this.topLine(), re: null, test: null, error: '', scheduled: false, capped: false };
      this.stats.search = { key, startedAt: performance.now(), doneAt: null };
      if (q) {
        try {
          s.re = regex ? new RegExp(q, 'g') : new RegExp(escapeRe(q), 'gi');
          s.test = new RegExp(s.re.source, s.re.flags.replace('g', ''));
        } catch (e) {
          s.error = 'invalid regular expression';
        }
      }
      this.scheduleSearch();
      this.updateCount();
      this.invalidate();
    }

    scheduleSearch() {
      const s = this.search;
      if (!s.test || s.scheduled || s.capped || s.pos >= this.texts.length) return;
      s.scheduled = true;
      nextTask(() => this.searchSlice(s));
    }

    searchSlice(s) {
      s.scheduled = false;
      if (s !== this.search) return; // superseded by a newer query
      const texts = this.texts, n = texts.length, t0 = performance.now();
      const { test, re, matches } = s;
      const before = matches.length;
      let i = s.pos;
      while (i < n) {
        const plain = plainText(texts[i]);
        if (test.test(plain)) {
          re.lastIndex = 0;
          let m;
          while ((m = re.exec(plain)) !== null) {
            if (m[0].length === 0) { re.lastIndex++; continue; }
            matches.push(i);
            if (matches.length >= MAX_MATCHES) { s.capped = true; break; }
          }
          if (s.capped) { i++; break; }
        }
        i++;
        if ((i & 255) === 0 && performance.now() - t0 > SLICE_MS) break;
      }
      s.pos = i;
      const caughtUp = s.capped || i >= n;
      if (caughtUp && !this.loading && !this.running && this.stats.search) this.stats.search.doneAt = performance.now();
      if (s.pending) this.resolvePending(caughtUp);
      if (matches.length !== before || caughtUp) this.updateCount();
      if (!caughtUp) this.scheduleSearch();
    }

    /** Enter pressed before the wanted match was found: jump once it is. */
    resolvePending(caughtUp) {
      const s = this.search, m = s.matches;
      if (s.pending === 1) {
        let k = m.findIndex((line) => line >= s.anchor);
        if (k === -1 && caughtUp && m.length && !this.loading && !this.running) k = 0;
        if (k !== -1) this.goTo(k);
      } else if (caughtUp && m.length) {
        let k = m.length - 1;
        while (k > 0 && m[k] > s.anchor) k--;
        if (m[k] > s.anchor) k = m.length - 1;
        this.goTo(k);
      }
    }

    /** Enter / Shift+Enter / the arrow buttons. */
    step(dir) {
      if (this.searchKey() !== this.search.key) { this.startSearch(dir); return; }
      const s = this.search, n = s.matches.length;
      if (!s.test) return;
      const searching = s.pos < this.texts.length && !s.capped;
      if (s.cur < 0 || (dir === 1 && s.cur === n - 1 && searching)) {
        s.pending = dir;
        s.anchor = s.cur < 0 ? this.topLine() : s.matches[s.cur] + 1;
        this.resolvePending(!searching);
        return;
      }
      if (n) this.goTo((s.cur + dir + n) % n);
    }

    goTo(k) {
      const s = this.search;
      s.cur = k;
      s.pending = 0;
      this.setFollow(false);
      this.scrollToLine(s.matches[k]);
      this.invalidate();
      this.updateCount();
      // Bring the hit into view horizontally too (long lines).
      const mark = this.rowsEl.querySelector('.lv-match-current');
      if (mark) {
        const r = mark.getBoundingClientRect(), c = this.scroller.getBoundingClientRect();
        if (r.right > c.right || r.left < c.left + c.width / 4) this.scroller.scrollLeft += r.left - c.left - c.width / 3;
      }
    }

    updateCount() {
      const s = this.search, n = s.matches.length;
      // "…": lines not searched yet, or a finished log still arriving (a running one may never end).
      const more = !s.capped && (s.pos < this.texts.length || (this.loading && !this.running)) ? '…' : '';
      const total = fmt(n) + (s.capped ? '+' : '');
      let text = '';
      if (s.error) text = s.error;
      else if (!s.test) text = '';
      else if (!n) text = more ? 'searching…' : 'no matches';
      else if (s.cur >= 0) text = `${fmt(s.cur + 1)} of ${total}${more}`;
      else text = `${total} ${n === 1 ? 'match' : 'matches'}${more}`;
      this.countEl.textContent = text;
      this.countEl.classList.toggle('lv-error', !!s.error);
    }
  }

  /** Appends styled text (at most `limit` characters) with search ranges wrapped in <mark>. */
  function appendSegments(parent, segs, limit, ranges, current) {
    let pos = 0, r = 0;
    for (const seg of segs) {
      if (pos >= limit) break;
      const t = pos + seg.t.length > limit ? seg.t.slice(0, limit - pos) : seg.t;
      const end = pos + t.length;
      let a = pos;
      while (a < end) {
        while (r < ranges.length && ranges[r][1] <= a) r++;
        let b = end, hit = false;
        if (r < ranges.length) {
          if (ranges[r][0] <= a) { hit = true; b = Math.min(end, ranges[r][1]); }
          else b = Math.min(end, ranges[r][0]);
        }
        let node = styled(seg, t.slice(a - pos, b - pos));
        if (hit) {
          const mark = el('mark', r === current ? 'lv-match lv-match-current' : 'lv-match');
          mark.append(node);
          node = mark;
        }
        parent.append(node);
        a = b;
      }
      pos = end;
    }
  }

  function styled(seg, text) {
    if (!seg.cls && !seg.fg && !seg.bg) return document.createTextNode(text);
    const span = el('span', seg.cls, text);
    if (seg.fg) span.style.color = seg.fg;
    if (seg.bg) span.style.backgroundColor = seg.bg;
    return span;
  }

  // ---------------------------------------------------------------- keys and mounting

  document.addEventListener('keydown', (e) => {
    const v = activeViewer;
    if (!v || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (t.isContentEditable || (t.closest && t.closest('input, textarea, select')))) return;
    if (e.key === '/') v.input.focus();
    else if (e.key === 'f') v.setFollow(!v.follow);
    else if (e.key === 'g') v.toTop();
    else if (e.key === 'G') v.toBottom();
    else return;
    e.preventDefault();
  });

  function mount(element) {
    if (viewers.has(element)) return viewers.get(element);
    const v = new LogViewer(element);
    viewers.set(element, v);
    if (!activeViewer) activeViewer = v;
    return v;
  }

  window.DevFlowLogViewer = {
    mount,
    get: (element) => viewers.get(element) || null,
  };

  // Small read-only helpers for tests and other dashboard scripts.
  LogViewer.prototype.lineCount = function () { return this.texts.length; };
  LogViewer.prototype.plainLine = function (i) { return plainText(this.texts[i]); };

  const mountAll = () => document.querySelectorAll('.log-viewer').forEach(mount);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
  else mountAll();
})();
