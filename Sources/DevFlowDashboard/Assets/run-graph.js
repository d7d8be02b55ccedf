// DevFlow dashboard: the run graph.
//
// Draws the steps of a run as a DAG in SVG, left to right by level. Plain ES2020, no dependencies, no build step;
// loaded with <script src="/assets/run-graph.js" defer>. Every `.run-graph` element on the page is mounted on
// DOMContentLoaded: its `data-run-url` is fetched (same-origin credentials) and `data-critical-path` (a JSON array
// of node ids) is highlighted.
//
// Node names, step ids and matrix values come from the repository's configuration, so they are untrusted: every
// piece of text is put in the document with `textContent` or `setAttribute`, never parsed as markup.
//
// API: window.DevFlowRunGraph.mount(element) -> handle with setNodeStatus(id, status), reload() and a few view
// controls (see `makeHandle`). A click on a step, or Enter/Space on it, dispatches
// CustomEvent('devflow:node-selected', {detail: {node: id}, bubbles: true}) on the container.
//
// Large graphs: above LARGE_UNITS drawn units only the units near the viewport are in the DOM (culled on every
// pan/zoom, once per animation frame), edges are batched into one faint path (plus the critical path and the
// edges of the hovered, focused or selected step, drawn one by one), and when too many units would be visible the
// graph is drawn as coloured blocks, one <path> per state.
(() => {
  'use strict';
  if (window.DevFlowRunGraph) return;

  const SVG_NS = 'http://www.w3.org/2000/svg';

  const STATE_INFO = {
    pending: { glyph: '○', label: 'pending' },
    running: { glyph: '●', label: 'running' },
    succeeded: { glyph: '✓', label: 'succeeded' },
    failed: { glyph: '✗', label: 'failed' },
    skipped: { glyph: '↷', label: 'skipped' },
    cancelled: { glyph: '⊘', label: 'cancelled' },
    up_to_date: { glyph: '≡', label: 'up to date' },
    reused: { glyph: '↺', label: 'reused' },
    interrupted: { glyph: '‖', label: 'interrupted' },
    unknown: { glyph: '?', label: 'unknown' },
  };
  const STATES = Object.keys(STATE_INFO);
  const STATE_INDEX = new Map(STATES.map((s, i) => [s, i]));
  // A group's aggregate state: the first of these that any leg has (with one exception, see aggregateState).
  const AGGREGATE_ORDER = ['failed', 'interrupted', 'cancelled', 'running', 'pending', 'succeeded', 'reused',
    'up_to_date', 'skipped', 'unknown'].map((s) => STATE_INDEX.get(s));
  const FINISHED = new Set(['succeeded', 'failed', 'skipped', 'cancelled', 'up_to_date', 'reused', 'interrupted']
    .map((s) => STATE_INDEX.get(s)));
  const S_PENDING = STATE_INDEX.get('pending');
  const S_RUNNING = STATE_INDEX.get('running');

  // Geometry (world units; 1 = one CSS pixel at zoom 1). The font sizes match run-graph.css.
  const NODE_W = 200;
  const NODE_H = 46;
  const GROUP_H = 70;
  const HEADER_H = 28;
  const LEG_GAP = 10; // between the legs of an expanded group (room for the critical halo)
  const V_GAP = 12;
  const H_GAP = 90;
  const PAD = 24;
  const LABEL_FONT = 13;
  const META_FONT = 11;
  const MAX_CELLS = 40;
  const DUMMY_H = 10; // the slot a long edge takes in a column it crosses
  const MAX_DUMMIES = 4000;

  // Behaviour.
  const LARGE_UNITS = 500; // above this many drawn units: culling, batched edges, overview blocks
  const READABLE_K = 0.7; // the initial view never starts smaller than this
  const OVERVIEW_K = 0.35; // below this zoom a large graph is drawn as blocks
  const ELEMENT_BUDGET = 3600; // estimated elements of visible units above which a large graph is drawn as blocks
  const MAX_K = 3;
  const OVERSCAN = 0.25; // fraction of the viewport rendered beyond each edge
  const CONTEXT_EDGE_CAP = 1500;
  const INDIVIDUAL_EDGE_CAP = 200;
  const SWEEPS = 4;

  let instanceCounter = 0;
  const handles = new WeakMap();

  // ---------------------------------------------------------------------------------------------- small helpers

  function svg(name, attrs, parent) {
    const el = document.createElementNS(SVG_NS, name);
    if (attrs) for (const k in attrs) el.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(el);
    return el;
  }

  function html(name, attrs, parent, text) {
    const el = document.createElement(name);
    if (attrs) for (const k in attrs) el.setAttribute(k, attrs[k]);
    if (text !== undefined) el.textContent = text;
    if (parent) parent.appendChild(el);
    return el;
  }

  function str(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    try { return JSON.stringify(v); } catch (_) { return String(v); }
  }

  function plural(n, word, many) { return `${formatCount(n)} ${n === 1 ? word : many || `${word}s`}`; }

  function formatCount(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

  function stateIndex(s) {
    const i = STATE_INDEX.get(typeof s === 'string' ? s : '');
    return i === undefined ? STATE_INDEX.get('unknown') : i;
  }

  function parseTime(v) {
    if (typeof v !== 'string' || v === '') return NaN;
    return Date.parse(v);
  }

  function formatDuration(ms, live) {
    if (!(ms >= 0) || !Number.isFinite(ms)) return '';
    if (ms < 1000 && !live) return `${Math.round(ms)} ms`;
    const s = ms / 1000;
    if (s < 60) return live || s >= 10 ? `${Math.floor(s)}s` : `${s.toFixed(1)}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
    return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
  }

  function parseCriticalPath(text) {
    if (!text) return [];
    try {
      const v = JSON.parse(text);
      return Array.isArray(v) ? v.map(str).filter((s) => s !== '') : [];
    } catch (_) {
      return [];
    }
  }

  function r1(v) { return Math.round(v * 10) / 10; }

  // Text width, measured on a canvas (no layout); cached per font and string.
  const measure = (() => {
    let ctx = null;
    const cache = new Map();
    return (text, font) => {
      const key = font + '\u0000' + text;
      let w = cache.get(key);
      if (w !== undefined) return w;
      if (!ctx) ctx = document.createElement('canvas').getContext('2d');
      if (ctx) {
        ctx.font = font;
        w = ctx.measureText(text).width;
      } else {
        w = text.length * 0.6 * parseFloat(font);
      }
      if (cache.size > 20000) cache.clear();
      cache.set(key, w);
      return w;
    };
  })();

  function ellipsize(text, maxWidth, font) {
    if (measure(text, font) <= maxWidth) return text;
    const chars = Array.from(text);
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (measure(chars.slice(0, mid).join('') + '…', font) <= maxWidth) lo = mid; else hi = mid - 1;
    }
    return chars.slice(0, lo).join('') + '…';
  }

  // ------------------------------------------------------------------------------------------------------ model

  // The graph as the layout needs it: nodes with resolved needs, matrix legs gathered into blocks, blocks in columns.
  function buildModel(graph, criticalIds) {
    const nodes = [];
    const byId = new Map();
    const stepLegs = new Map();
    const add = (raw, id) => {
      const matrix = raw && raw.matrix && typeof raw.matrix === 'object' && !Array.isArray(raw.matrix) ? raw.matrix : {};
      const node = {
        idx: nodes.length,
        id,
        step: raw && raw.step !== undefined && raw.step !== null ? str(raw.step) : id,
        name: raw && raw.name !== undefined && raw.name !== null ? str(raw.name) : '',
        matrix,
        matrixKeys: Object.keys(matrix),
        rawNeeds: raw && Array.isArray(raw.needs) ? raw.needs.map(str) : [],
        rawLevel: raw && Number.isInteger(raw.level) && raw.level >= 0 ? raw.level : -1,
        level: -1,
        needs: [],
      };
      nodes.push(node);
      byId.set(id, node);
      if (node.matrixKeys.length) {
        let legs = stepLegs.get(node.step);
        if (!legs) stepLegs.set(node.step, (legs = []));
        legs.push(node.idx);
      }
      return node;
    };
    for (const raw of Array.isArray(graph.nodes) ? graph.nodes : []) {
      if (!raw || typeof raw !== 'object') continue;
      const id = str(raw.id);
      if (id === '' || byId.has(id)) continue;
      add(raw, id);
    }
    // Levels: the position in graph.levels, else the node's own `level`, else one past its needs.
    const order = [];
    const seen = new Set();
    if (Array.isArray(graph.levels)) {
      graph.levels.forEach((level, L) => {
        if (!Array.isArray(level)) return;
        for (const rawId of level) {
          const id = str(rawId);
          if (id === '' || seen.has(id)) continue;
          seen.add(id);
          const node = byId.get(id) || add(null, id);
          node.level = L;
          order.push(node.idx);
        }
      });
    }
    for (const node of nodes) {
      if (seen.has(node.id)) continue;
      seen.add(node.id);
      order.push(node.idx);
    }
    // Needs: node ids; a step id stands for all its legs.
    for (const node of nodes) {
      const out = [];
      for (const need of node.rawNeeds) {
        const dep = byId.get(need);
        if (dep) {
          if (dep !== node) out.push(dep.idx);
        } else if (stepLegs.has(need)) {
          for (const leg of stepLegs.get(need)) if (leg !== node.idx) out.push(leg);
        }
      }
      node.needs = out.length > 1 ? Array.from(new Set(out)) : out;
    }
    for (const node of nodes) if (node.level < 0 && node.rawLevel >= 0) node.level = node.rawLevel;
    const unplaced = order.filter((i) => nodes[i].level < 0);
    for (let pass = 0; pass < 3 && unplaced.length; pass++) {
      for (const i of unplaced) {
        let lvl = 0;
        for (const d of nodes[i].needs) if (nodes[d].level >= 0) lvl = Math.max(lvl, nodes[d].level + 1);
        nodes[i].level = lvl;
      }
    }
    // Dense column indices (hostile or sparse level numbers must not make empty columns).
    const distinct = Array.from(new Set(nodes.map((n) => n.level))).sort((a, b) => a - b);
    const dense = new Map(distinct.map((l, i) => [l, i]));
    for (const node of nodes) node.level = dense.get(node.level);
    const levelCount = distinct.length;

    // Blocks: a plain node, or all legs of one matrix step in one level.
    const blocks = [];
    const nodeBlock = new Int32Array(nodes.length);
    const groupByKey = new Map();
    const columns = Array.from({ length: levelCount }, () => []);
    for (const idx of order) {
      const node = nodes[idx];
      if (node.matrixKeys.length) {
        const key = node.level + '\u0000' + node.step;
        let b = groupByKey.get(key);
        if (b === undefined) {
          b = blocks.length;
          groupByKey.set(key, b);
          blocks.push({ idx: b, kind: 'group', level: node.level, step: node.step, nodes: [], label: '', key });
          columns[node.level].push(b);
        }
        blocks[b].nodes.push(idx);
        nodeBlock[idx] = b;
      } else {
        const b = blocks.length;
        blocks.push({ idx: b, kind: 'node', level: node.level, step: node.step, nodes: [idx], key: node.id });
        columns[node.level].push(b);
        nodeBlock[idx] = b;
      }
    }
    for (const block of blocks) {
      if (block.kind !== 'group') continue;
      const first = nodes[block.nodes[0]].name;
      const same = first !== '' && block.nodes.every((i) => nodes[i].name === first);
      block.label = same ? first : block.step;
    }
    // Block adjacency (deduplicated).
    const nb = blocks.length;
    const predB = Array.from({ length: nb }, () => []);
    const succB = Array.from({ length: nb }, () => []);
    const seenPair = new Set();
    for (const node of nodes) {
      const t = nodeBlock[node.idx];
      for (const d of node.needs) {
        const s = nodeBlock[d];
        if (s === t) continue;
        const key = s * nb + t;
        if (seenPair.has(key)) continue;
        seenPair.add(key);
        predB[t].push(s);
        succB[s].push(t);
      }
    }
    // Critical path: consecutive ids (a step id stands for its legs).
    const resolve = (id) => {
      const n = byId.get(id);
      if (n) return [n.idx];
      return stepLegs.get(id) || [];
    };
    const criticalNodes = new Uint8Array(nodes.length);
    const criticalPairs = new Set();
    let previous = [];
    for (const id of criticalIds) {
      const current = resolve(id);
      for (const c of current) criticalNodes[c] = 1;
      for (const p of previous) for (const c of current) criticalPairs.add(p * nodes.length + c);
      previous = current;
    }
    // Long edges (spanning more than one level) get a chain of dummy points, one in each column they cross, so that
    // they are ordered like the boxes and drawn between them rather than under them. Items are the blocks, then
    // the dummies. Small graphs only.
    const itemLevel = blocks.map((b) => b.level);
    const predI = blocks.map(() => []);
    const succI = blocks.map(() => []);
    const chains = new Map(); // source block * nb + target block -> dummy item indices
    const withDummies = nb <= LARGE_UNITS;
    let dummies = 0;
    for (let sb = 0; sb < nb; sb++) {
      for (const tb of succB[sb]) {
        const span = blocks[tb].level - blocks[sb].level;
        if (!withDummies || span <= 1 || dummies + span > MAX_DUMMIES) {
          predI[tb].push(sb);
          succI[sb].push(tb);
          continue;
        }
        const chain = [];
        let prev = sb;
        for (let L = blocks[sb].level + 1; L < blocks[tb].level; L++) {
          const d = itemLevel.length;
          itemLevel.push(L);
          predI.push([prev]);
          succI.push([]);
          succI[prev].push(d);
          columns[L].push(d);
          chain.push(d);
          prev = d;
          dummies++;
        }
        succI[prev].push(tb);
        predI[tb].push(prev);
        chains.set(sb * nb + tb, chain);
      }
    }
    const signature = nodes.map((n) => n.id + '\u0001' + n.level + '\u0001' + n.needs.join(',')).join('\u0002') +
      '\u0003' + JSON.stringify(criticalIds);
    return { nodes, byId, blocks, nodeBlock, columns, predB, succB, levelCount, criticalNodes, criticalPairs,
      itemLevel, predI, succI, chains, signature, name: str(graph.name) };
  }

  // Barycentric ordering of the blocks within each column, a few down and up sweeps; keeps the order with the
  // fewest crossings between adjacent columns.
  function orderColumns(model) {
    const { blocks, columns, itemLevel, predI, succI } = model;
    const nb = blocks.length;
    const ni = itemLevel.length;
    const center = new Float64Array(ni);
    const posInCol = new Int32Array(ni);
    const height = new Float64Array(ni);
    for (let b = 0; b < ni; b++) height[b] = b >= nb ? DUMMY_H : blocks[b].kind === 'group' ? GROUP_H : NODE_H;
    const key = new Float64Array(ni);
    const place = (col) => {
      let total = -V_GAP;
      for (let i = 0; i < col.length; i++) total += height[col[i]] + V_GAP;
      let y = -total / 2;
      for (let i = 0; i < col.length; i++) {
        const b = col[i];
        center[b] = y + height[b] / 2;
        posInCol[b] = i;
        y += height[b] + V_GAP;
      }
    };
    const crossings = () => {
      let count = 0;
      for (let L = 0; L + 1 < columns.length; L++) {
        const pairs = [];
        for (const b of columns[L]) {
          for (const s of succI[b]) if (itemLevel[s] === L + 1) pairs.push(posInCol[b] * 1048576 + posInCol[s]);
        }
        if (pairs.length < 2) continue;
        pairs.sort((a, b) => a - b);
        // Inversions of the target positions, with a Fenwick tree.
        const size = columns[L + 1].length;
        const tree = new Int32Array(size + 1);
        let seen = 0;
        for (const p of pairs) {
          const t = (p % 1048576) + 1;
          let le = 0;
          for (let i = t; i > 0; i -= i & -i) le += tree[i];
          count += seen - le;
          for (let i = t; i <= size; i += i & -i) tree[i]++;
          seen++;
        }
      }
      return count;
    };
    const byKey = (a, b) => key[a] - key[b] || posInCol[a] - posInCol[b];
    const sortBy = (col, adj) => {
      for (let i = 0; i < col.length; i++) {
        const b = col[i];
        const list = adj[b];
        if (list.length === 0) { key[b] = center[b]; continue; }
        let sum = 0;
        for (let j = 0; j < list.length; j++) sum += center[list[j]];
        key[b] = sum / list.length;
      }
      col.sort(byKey);
      place(col);
    };
    columns.forEach(place);
    let best = columns.map((c) => c.slice());
    let bestCrossings = crossings();
    const initialCrossings = bestCrossings;
    for (let it = 0; it < SWEEPS && bestCrossings > 0; it++) {
      for (let L = 1; L < columns.length; L++) sortBy(columns[L], predI);
      for (let L = columns.length - 2; L >= 0; L--) sortBy(columns[L], succI);
      const c = crossings();
      if (c < bestCrossings) {
        bestCrossings = c;
        best = columns.map((col) => col.slice());
      }
    }
    model.columns = best;
    model.crossings = { initial: initialCrossings, final: bestCrossings };
  }

  // ----------------------------------------------------------------------------------------------- the component

  class RunGraph {
    constructor(el) {
      this.el = el;
      this.uid = ++instanceCounter;
      this.view = { k: 1, tx: 0, ty: 0 };
      this.expanded = new Set(); // block keys of expanded groups
      this.model = null;
      this.units = [];
      this.edges = [];
      this.rendered = new Map(); // unit index -> record of its elements
      this.large = false;
      this.overview = false;
      this.hovered = -1;
      this.focused = -1;
      this.selectedNode = null; // node id
      this.loadSeq = 0;
      this.frame = 0;
      this.tickTimer = 0;
      this.suppressClick = false;
      this.pointers = new Map();
      this.stats = {};
      this.mountStart = performance.now();
      this.firstRender = true;
      this.criticalIds = parseCriticalPath(el.getAttribute('data-critical-path'));
      this.readyPromise = new Promise((resolve) => { this.resolveReady = resolve; });
      this.buildShell();
      this.bindEvents();
    }

    // ------------------------------------------------------------------ shell

    buildShell() {
      const el = this.el;
      while (el.firstChild) el.removeChild(el.firstChild);
      el.classList.add('rg-mounted');
      const bar = html('div', { class: 'rg-toolbar', role: 'toolbar', 'aria-label': 'Run graph view' }, el);
      this.zoomInButton = html('button', { type: 'button', class: 'rg-button rg-zoom-in', 'aria-label': 'Zoom in',
        title: 'Zoom in' }, bar, '+');
      this.zoomOutButton = html('button', { type: 'button', class: 'rg-button rg-zoom-out', 'aria-label': 'Zoom out',
        title: 'Zoom out' }, bar, '−');
      this.fitButton = html('button', { type: 'button', class: 'rg-button rg-fit',
        'aria-label': 'Fit the whole graph in view', title: 'Fit the whole graph in view' }, bar, 'fit');
      this.summary = html('span', { class: 'rg-summary' }, bar);

      this.viewport = html('div', { class: 'rg-viewport', tabindex: '0', role: 'group',
        'aria-label': 'Run graph. Arrow keys pan, plus and minus zoom, Enter moves to the steps.' }, el);
      const root = svg('svg', { class: 'rg-svg', width: '100%', height: '100%' }, this.viewport);
      this.svg = root;
      const defs = svg('defs', null, root);
      this.markerIds = {};
      for (const kind of ['normal', 'critical', 'active']) {
        const id = `rg-${this.uid}-arrow-${kind}`;
        this.markerIds[kind] = id;
        const marker = svg('marker', { id, class: `rg-marker rg-marker-${kind}`, viewBox: '0 0 10 10', refX: '9',
          refY: '5', markerWidth: '8', markerHeight: '8', markerUnits: 'userSpaceOnUse', orient: 'auto' }, defs);
        svg('path', { d: 'M0 0L10 5L0 10z', class: 'rg-arrowhead' }, marker);
      }
      this.scene = svg('g', { class: 'rg-scene' }, root);
      this.framesLayer = svg('g', { class: 'rg-frames' }, this.scene);
      this.edgesLayer = svg('g', { class: 'rg-edges' }, this.scene);
      this.overviewLayer = svg('g', { class: 'rg-overview' }, this.scene);
      this.nodesLayer = svg('g', { class: 'rg-nodes' }, this.scene);
      this.focusRing = svg('rect', { class: 'rg-focus-ring', rx: '9', visibility: 'hidden' }, this.scene);

      this.message = html('p', { class: 'rg-message', role: 'status', 'aria-live': 'polite' }, el);
      this.legend = html('ul', { class: 'rg-legend', 'aria-label': 'Legend' }, el);
      this.legendCounts = new Map();
      for (const s of STATES) {
        if (s === 'unknown') continue;
        const li = html('li', { class: `rg-legend-item rg-s-${s}` }, this.legend);
        html('span', { class: 'rg-legend-glyph', 'aria-hidden': 'true' }, li, STATE_INFO[s].glyph);
        html('span', { class: 'rg-legend-label' }, li, STATE_INFO[s].label);
        this.legendCounts.set(s, html('span', { class: 'rg-legend-count' }, li, ''));
      }
      const crit = html('li', { class: 'rg-legend-item rg-legend-critical' }, this.legend);
      html('span', { class: 'rg-legend-line', 'aria-hidden': 'true' }, crit);
      html('span', { class: 'rg-legend-label' }, crit, 'critical path');
      this.setMessage('loading the run…');
    }

    setMessage(text) {
      this.message.textContent = text;
      this.message.hidden = text === '';
    }

    // ------------------------------------------------------------------ loading

    async load() {
      const seq = ++this.loadSeq;
      const url = this.el.getAttribute('data-run-url');
      this.criticalIds = parseCriticalPath(this.el.getAttribute('data-critical-path'));
      const fetchStart = performance.now();
      let run;
      try {
        if (!url) throw new Error('no data-run-url');
        const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        run = await response.json();
      } catch (error) {
        if (seq !== this.loadSeq) return;
        const reason = error && error.message ? error.message : String(error);
        if (this.model) {
          // A failed reload keeps the graph drawn (its states may be stale: say so).
          this.setMessage(`could not reload the run: ${reason}`);
        } else {
          this.clearScene();
          this.setMessage(`could not load the run: ${reason}`);
        }
        this.finishLoad({ error: true });
        return;
      }
      if (seq !== this.loadSeq) return;
      const fetchMs = performance.now() - fetchStart;
      this.applyRun(run, fetchMs);
    }

    finishLoad(extra) {
      const stats = Object.assign({}, this.stats, extra || {});
      if (this.firstRender) {
        stats.totalMs = r1(performance.now() - this.mountStart);
        stats.drawnAt = r1(performance.now()); // since the navigation started: the run page's time to interactive
        this.firstRender = false;
      }
      this.stats = stats;
      window.__graphStats = Object.assign({}, stats);
      this.el.dispatchEvent(new CustomEvent('devflow:graph-rendered', { detail: Object.assign({}, stats),
        bubbles: true }));
      this.resolveReady(this.handle);
    }

    clearScene() {
      this.model = null;
      this.units = [];
      this.edges = [];
      this.rendered.clear();
      for (const layer of [this.framesLayer, this.edgesLayer, this.overviewLayer, this.nodesLayer]) {
        while (layer.firstChild) layer.removeChild(layer.firstChild);
      }
      this.focusRing.setAttribute('visibility', 'hidden');
      this.large = false;
      this.overview = false;
      this.overviewPaths = null;
      this.lastVisible = null;
      this.resetLayer();
      this.el.classList.remove('rg-large', 'rg-overview-mode');
      this.el.classList.add('rg-empty');
      this.summary.textContent = '';
      this.updateLegend();
      this.stopTicking();
    }

    applyRun(run, fetchMs) {
      const graph = run && typeof run === 'object' ? run.graph : null;
      if (!graph || typeof graph !== 'object' || !Array.isArray(graph.nodes)) {
        this.clearScene();
        this.setMessage('no graph: the configuration did not compile');
        this.stats = { nodes: 0, renderedElements: this.el.querySelectorAll('*').length, layoutMs: 0, renderMs: 0,
          fetchMs: r1(fetchMs || 0) };
        this.finishLoad();
        return;
      }
      const t0 = performance.now();
      const model = buildModel(graph, this.criticalIds);
      const tModel = performance.now();
      const sameShape = this.model && this.model.signature === model.signature;
      if (sameShape) {
        this.readStatuses(this.model, run.nodes);
        if (this.large) {
          this.firstLargeMessage = undefined; // renderLarge puts its own message back
          this.scheduleRender();
        } else {
          this.setMessage('');
        }
        this.refreshAll();
        this.stats.fetchMs = r1(fetchMs || 0);
        this.finishLoad();
        return;
      }
      orderColumns(model);
      const tOrder = performance.now();
      this.readStatuses(model, run.nodes);
      const previousModel = this.model;
      this.model = model;
      if (previousModel) {
        const keys = new Set(model.blocks.map((b) => b.key));
        for (const k of Array.from(this.expanded)) if (!keys.has(k)) this.expanded.delete(k);
      }
      this.layout();
      const t1 = performance.now();
      this.el.classList.remove('rg-empty');
      this.setMessage('');
      this.firstLargeMessage = undefined;
      this.summary.textContent = `${model.name ? model.name + ' · ' : ''}${plural(model.nodes.length, 'step')}`;
      if (!previousModel) this.initialView(); else this.clampView();
      this.renderFull();
      const t2 = performance.now();
      this.updateLegend();
      this.updateTicking();
      this.stats = {
        nodes: model.nodes.length,
        units: this.units.length,
        edges: this.edges.length,
        renderedElements: this.el.querySelectorAll('*').length,
        layoutMs: r1(t1 - t0),
        layoutParts: { modelMs: r1(tModel - t0), orderMs: r1(tOrder - tModel), placeMs: r1(t1 - tOrder) },
        renderMs: r1(t2 - t1),
        fetchMs: r1(fetchMs || 0),
        crossings: model.crossings,
        mode: this.overview ? 'overview' : this.large ? 'culled' : 'full',
      };
      this.finishLoad();
    }

    readStatuses(model, list) {
      const n = model.nodes.length;
      const status = new Uint8Array(n).fill(S_PENDING);
      const attempts = new Uint32Array(n);
      const start = new Float64Array(n).fill(NaN);
      const end = new Float64Array(n).fill(NaN);
      if (Array.isArray(list)) {
        for (const entry of list) {
          if (!entry || typeof entry !== 'object') continue;
          const node = model.byId.get(str(entry.id));
          if (!node) continue;
          status[node.idx] = stateIndex(entry.status);
          attempts[node.idx] = Number.isInteger(entry.attempts) && entry.attempts > 0 ? Math.min(entry.attempts, 1e6) : 0;
          start[node.idx] = parseTime(entry.started_at);
          end[node.idx] = parseTime(entry.finished_at);
        }
      }
      model.status = status;
      model.attempts = attempts;
      model.start = start;
      model.end = end;
      // Per-block state counts, kept up to date by setNodeStatus.
      const ns = STATES.length;
      const counts = new Uint32Array(model.blocks.length * ns);
      for (let i = 0; i < n; i++) counts[model.nodeBlock[i] * ns + status[i]]++;
      model.counts = counts;
      model.totals = new Uint32Array(STATES.length);
      for (let i = 0; i < n; i++) model.totals[status[i]]++;
    }

    // ------------------------------------------------------------------ layout

    layout() {
      const model = this.model;
      const { blocks, columns, nodes } = model;
      const units = [];
      const nodeUnit = new Int32Array(nodes.length).fill(-1);
      const colUnits = [];
      const nb = blocks.length;
      const dummyY = new Float64Array(model.itemLevel.length);
      const heights = columns.map((col) => {
        let h = -V_GAP;
        for (const b of col) h += (b >= nb ? DUMMY_H : this.blockHeight(blocks[b])) + V_GAP;
        return Math.max(h, 0);
      });
      const maxH = heights.reduce((a, b) => Math.max(a, b), 0);
      const frames = [];
      columns.forEach((col, L) => {
        const list = [];
        colUnits.push(list);
        const x = PAD + L * (NODE_W + H_GAP);
        let y = PAD + (maxH - heights[L]) / 2;
        const push = (unit) => {
          unit.idx = units.length;
          unit.col = list.length;
          unit.ins = [];
          unit.outs = [];
          units.push(unit);
          list.push(unit);
          return unit;
        };
        for (const b of col) {
          if (b >= nb) {
            dummyY[b] = y + DUMMY_H / 2;
            y += DUMMY_H + V_GAP;
            continue;
          }
          const block = blocks[b];
          if (block.kind === 'node') {
            const u = push({ kind: 'node', block: b, node: block.nodes[0], level: L, x, y, w: NODE_W, h: NODE_H });
            nodeUnit[block.nodes[0]] = u.idx;
            y += NODE_H + V_GAP;
          } else if (!this.expanded.has(block.key)) {
            const u = push({ kind: 'group', block: b, node: -1, level: L, x, y, w: NODE_W, h: GROUP_H });
            for (const i of block.nodes) nodeUnit[i] = u.idx;
            y += GROUP_H + V_GAP;
          } else {
            const top = y;
            push({ kind: 'header', block: b, node: -1, level: L, x, y, w: NODE_W, h: HEADER_H });
            y += HEADER_H + LEG_GAP;
            for (const i of block.nodes) {
              const u = push({ kind: 'leg', block: b, node: i, level: L, x, y, w: NODE_W, h: NODE_H });
              nodeUnit[i] = u.idx;
              y += NODE_H + LEG_GAP;
            }
            y += V_GAP - LEG_GAP;
            frames.push({ block: b, x: x - 8, y: top - 8, w: NODE_W + 16, h: y - V_GAP - top + 16 });
          }
        }
      });
      // Edges between drawn units: one per need when expanded, deduplicated into a group.
      const edges = [];
      const n = nodes.length;
      const edgeOf = new Map();
      const nu = units.length;
      for (const node of nodes) {
        const t = nodeUnit[node.idx];
        for (const d of node.needs) {
          const s = nodeUnit[d];
          if (s === t || s < 0 || t < 0) continue;
          const critical = model.criticalPairs.size > 0 && model.criticalPairs.has(d * n + node.idx);
          // Needs are unique per node, so only an edge to or from a collapsed group can repeat.
          if (units[s].kind === 'group' || units[t].kind === 'group') {
            const key = s * nu + t;
            const existing = edgeOf.get(key);
            if (existing !== undefined) {
              if (critical) edges[existing].critical = true;
              continue;
            }
            edgeOf.set(key, edges.length);
          }
          units[s].outs.push(edges.length);
          units[t].ins.push(edges.length);
          const chain = model.chains.size ? model.chains.get(units[s].block * nb + units[t].block) || null : null;
          edges.push({ idx: edges.length, s, t, critical, chain, sy: 0, ty: 0 });
        }
      }
      // Ports: the edges leaving (entering) a box are spread over its right (left) side in the order of where
      // they go to (come from), so that they do not cross at the box and their arrow heads do not overlap.
      const columnX = (d) => PAD + model.itemLevel[d] * (NODE_W + H_GAP);
      const spread = (u, list, side) => {
        const mid = u.y + u.h / 2;
        if (list.length === 1) {
          edges[list[0]][side] = mid;
          return;
        }
        const other = (e) => {
          const edge = edges[e];
          if (side === 'sy') return edge.chain && edge.chain.length ? dummyY[edge.chain[0]] : units[edge.t].y + units[edge.t].h / 2;
          return edge.chain && edge.chain.length ? dummyY[edge.chain[edge.chain.length - 1]] : units[edge.s].y + units[edge.s].h / 2;
        };
        const sorted = list.slice().sort((a, b) => other(a) - other(b) || a - b);
        const gap = Math.min(8, (u.h * 0.6) / (sorted.length - 1));
        sorted.forEach((e, i) => { edges[e][side] = mid + (i - (sorted.length - 1) / 2) * gap; });
      };
      for (const u of units) {
        if (u.outs.length) spread(u, u.outs, 'sy');
        if (u.ins.length) spread(u, u.ins, 'ty');
      }
      this.dummyY = dummyY;
      this.columnX = columnX;
      for (const u of units) {
        const block = blocks[u.block];
        // A collapsed group holding a critical leg is outlined; an expanded one outlines the leg itself.
        u.critical = u.node >= 0 ? model.criticalNodes[u.node] === 1
          : u.kind === 'group' && block.nodes.some((i) => model.criticalNodes[i] === 1);
      }
      this.units = units;
      this.edges = edges;
      this.criticalEdges = edges.filter((e) => e.critical);
      this.nodeUnit = nodeUnit;
      this.colUnits = colUnits;
      this.frames = frames;
      this.worldW = PAD * 2 + Math.max(columns.length, 1) * NODE_W + Math.max(columns.length - 1, 0) * H_GAP;
      this.worldH = PAD * 2 + maxH;
      this.large = units.length > LARGE_UNITS;
      this.el.classList.toggle('rg-large', this.large);
      if (this.focused >= units.length) this.focused = -1;
      this.hovered = -1;
    }

    blockHeight(block) {
      if (block.kind === 'node') return NODE_H;
      if (!this.expanded.has(block.key)) return GROUP_H;
      return HEADER_H + LEG_GAP + block.nodes.length * (NODE_H + LEG_GAP) - LEG_GAP;
    }

    // ------------------------------------------------------------------ view

    viewportSize() {
      return { w: this.viewport.clientWidth || 1, h: this.viewport.clientHeight || 1 };
    }

    minK() {
      const { w, h } = this.viewportSize();
      return Math.max(0.0005, Math.min(0.05, (w / this.worldW) * 0.9, (h / this.worldH) * 0.9));
    }

    // The box takes the graph's height at zoom k, between its CSS min-height and max-height.
    fitBoxHeight(k) {
      const style = getComputedStyle(this.viewport);
      const maxH = parseFloat(style.maxHeight) || 640;
      const minH = parseFloat(style.minHeight) || 120;
      const wanted = Math.max(minH, Math.min(maxH, Math.ceil(this.worldH * k)));
      this.viewport.style.height = `${wanted}px`;
      return this.viewport.clientHeight || wanted;
    }

    initialView() {
      // Mounted while hidden (no width yet): the initial view is computed when the box first gets a size.
      this.pendingInitialView = this.viewport.clientWidth === 0;
      const w = this.viewport.clientWidth || 600;
      const k = Math.min(1, Math.max(READABLE_K, w / this.worldW));
      const h = this.fitBoxHeight(k);
      const tx = this.worldW * k <= w ? (w - this.worldW * k) / 2 : 0;
      const ty = this.worldH * k <= h ? (h - this.worldH * k) / 2 : 0;
      this.view = { k, tx, ty };
      this.applyTransform();
    }

    fit() {
      if (!this.model) return;
      const { w, h } = this.viewportSize();
      const k = Math.max(this.minK(), Math.min(1, w / this.worldW, h / this.worldH));
      this.view = { k, tx: (w - this.worldW * k) / 2, ty: (h - this.worldH * k) / 2 };
      this.viewChanged();
    }

    zoomAt(px, py, factor) {
      if (!this.model) return;
      const v = this.view;
      const k = Math.min(MAX_K, Math.max(this.minK(), v.k * factor));
      if (k === v.k) return;
      const wx = (px - v.tx) / v.k;
      const wy = (py - v.ty) / v.k;
      this.view = { k, tx: px - wx * k, ty: py - wy * k };
      this.viewChanged();
    }

    zoomBy(factor) {
      const { w, h } = this.viewportSize();
      this.zoomAt(w / 2, h / 2, factor);
    }

    panBy(dx, dy) {
      if (!this.model) return;
      this.view = { k: this.view.k, tx: this.view.tx + dx, ty: this.view.ty + dy };
      this.viewChanged();
    }

    clampView() {
      // Keep some of the graph in view.
      const { w, h } = this.viewportSize();
      const v = this.view;
      const gw = this.worldW * v.k;
      const gh = this.worldH * v.k;
      const m = 40;
      v.tx = Math.min(w - Math.min(m, gw), Math.max(Math.min(m, gw) - gw, v.tx));
      v.ty = Math.min(h - Math.min(m, gh), Math.max(Math.min(m, gh) - gh, v.ty));
    }

    // A small graph moves by the scene's transform. A large one is drawn once into a layer larger than the box
    // (OVERSCAN on each side) that a CSS transform moves and scales, so that panning only composites; it is drawn
    // again when the view nears the layer's edge or the zoom changes (see needsRender).
    applyTransform() {
      const v = this.view;
      const b = this.base;
      if (!this.large || !b) {
        this.scene.setAttribute('transform', `translate(${r1(v.tx)} ${r1(v.ty)}) scale(${v.k})`);
        return;
      }
      const s = v.k / b.k;
      const tx = v.tx - s * (b.tx + b.ox);
      const ty = v.ty - s * (b.ty + b.oy);
      this.svg.style.transform = `translate(${r1(tx)}px, ${r1(ty)}px) scale(${s})`;
    }

    needsRender() {
      const b = this.base;
      const v = this.view;
      if (!b || v.k !== b.k) return true;
      const { w, h } = this.viewportSize();
      if (Math.round(b.ox) !== Math.round(w * OVERSCAN) || Math.round(b.oy) !== Math.round(h * OVERSCAN)) return true;
      return Math.abs(v.tx - b.tx) > b.ox * 0.8 || Math.abs(v.ty - b.ty) > b.oy * 0.8;
    }

    // The layer of a large graph, placed for the current view.
    placeLayer() {
      const { w, h } = this.viewportSize();
      const v = this.view;
      const ox = w * OVERSCAN;
      const oy = h * OVERSCAN;
      this.base = { k: v.k, tx: v.tx, ty: v.ty, ox, oy };
      this.svg.style.width = `${Math.ceil(w + 2 * ox)}px`;
      this.svg.style.height = `${Math.ceil(h + 2 * oy)}px`;
      this.scene.setAttribute('transform', `translate(${r1(v.tx + ox)} ${r1(v.ty + oy)}) scale(${v.k})`);
      this.applyTransform();
    }

    // Back to a plain box-sized SVG (a large graph became small).
    resetLayer() {
      this.base = null;
      this.svg.style.width = '';
      this.svg.style.height = '';
      this.svg.style.transform = '';
    }

    viewChanged() {
      this.clampView();
      this.applyTransform();
      if (this.large && this.needsRender()) this.scheduleRender();
    }

    scheduleRender() {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.renderLarge();
      });
    }

    // Units intersecting the viewport plus OVERSCAN, in unit order (columns, then top to bottom).
    visibleUnits(overscan) {
      const { w, h } = this.viewportSize();
      const v = this.view;
      const ox = w * overscan;
      const oy = h * overscan;
      const x0 = (-ox - v.tx) / v.k;
      const x1 = (w + ox - v.tx) / v.k;
      const y0 = (-oy - v.ty) / v.k;
      const y1 = (h + oy - v.ty) / v.k;
      const out = [];
      const step = NODE_W + H_GAP;
      const c0 = Math.max(0, Math.floor((x0 - PAD - NODE_W) / step));
      const c1 = Math.min(this.colUnits.length - 1, Math.floor((x1 - PAD) / step) + 1);
      for (let c = c0; c <= c1; c++) {
        const list = this.colUnits[c];
        if (!list.length || list[0].x > x1 || list[0].x + NODE_W < x0) continue;
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (list[mid].y + list[mid].h < y0) lo = mid + 1; else hi = mid;
        }
        for (let i = lo; i < list.length && list[i].y <= y1; i++) out.push(list[i].idx);
      }
      return out;
    }

    // ------------------------------------------------------------------ rendering

    renderFull() {
      for (const layer of [this.framesLayer, this.edgesLayer, this.overviewLayer, this.nodesLayer]) {
        while (layer.firstChild) layer.removeChild(layer.firstChild);
      }
      this.rendered.clear();
      this.overview = false;
      this.overviewPaths = null;
      this.focusRing.setAttribute('visibility', 'hidden');
      this.renderFrames();
      if (this.large) {
        this.edgeEls = null;
        this.renderLarge();
        return;
      }
      this.resetLayer();
      this.applyTransform();
      // Small graph: everything, each edge its own path.
      this.edgeEls = this.edges.map((e) => this.edgeElement(e, this.edgesLayer));
      for (const e of this.criticalEdges) this.edgesLayer.appendChild(this.edgeEls[e.idx]); // on top
      const fragment = document.createDocumentFragment();
      for (const u of this.units) {
        const rec = this.createUnit(u);
        this.rendered.set(u.idx, rec);
        fragment.appendChild(rec.g);
      }
      this.nodesLayer.appendChild(fragment);
      this.updateActiveEdges();
      this.restoreFocus();
    }

    renderFrames() {
      while (this.framesLayer.firstChild) this.framesLayer.removeChild(this.framesLayer.firstChild);
      for (const f of this.frames) {
        svg('rect', { class: 'rg-group-frame', x: f.x, y: f.y, width: f.w, height: f.h, rx: '10' }, this.framesLayer);
      }
    }

    renderLarge() {
      if (!this.model || !this.large) return;
      const t0 = performance.now();
      this.placeLayer();
      const visible = this.visibleUnits(OVERSCAN);
      let cost = 0;
      for (const ui of visible) cost += this.unitCost(this.units[ui]);
      const overview = this.view.k < OVERVIEW_K || cost > ELEMENT_BUDGET;
      this.renderCount = (this.renderCount || 0) + 1;
      if (overview) {
        this.renderOverview(visible);
      } else {
        this.renderDetail(visible);
      }
      if (overview !== this.overview || this.firstLargeMessage === undefined) {
        this.firstLargeMessage = false;
        this.overview = overview;
        this.el.classList.toggle('rg-overview-mode', overview);
        this.setMessage(overview
          ? `${plural(this.units.length, 'box', 'boxes')} drawn as blocks at this zoom: zoom in (or click a block) to see names.`
          : `large graph (${plural(this.model.nodes.length, 'step')}): only the steps in view are drawn; edges in full for the critical path and the step under the pointer or focus.`);
      }
      this.lastRenderMs = performance.now() - t0;
      this.lastRendered = visible.length;
    }

    unitCost(u) {
      if (u.kind === 'group') return 9 + Math.min(this.model.blocks[u.block].nodes.length, MAX_CELLS);
      return 7;
    }

    renderDetail(visible) {
      if (this.overviewPaths) {
        while (this.overviewLayer.firstChild) this.overviewLayer.removeChild(this.overviewLayer.firstChild);
        this.overviewPaths = null;
      }
      const keep = new Set(visible);
      const active = document.activeElement;
      for (const [ui, rec] of this.rendered) {
        if (keep.has(ui)) continue;
        if (rec.g === active) continue; // never pull the focused step out from under the keyboard
        rec.g.remove();
        this.rendered.delete(ui);
      }
      // Insert the new ones in unit order, so that Tab follows the columns.
      let child = this.nodesLayer.firstChild;
      for (const ui of visible) {
        while (child && child.__rgUnit < ui) child = child.nextSibling;
        if (this.rendered.has(ui)) {
          if (child && child.__rgUnit === ui) child = child.nextSibling;
          continue;
        }
        const rec = this.createUnit(this.units[ui]);
        this.rendered.set(ui, rec);
        this.nodesLayer.insertBefore(rec.g, child);
      }
      this.lastVisible = visible;
      this.renderLargeEdges(visible);
    }

    renderLargeEdges(visible) {
      const layer = this.edgesLayer;
      while (layer.firstChild) layer.removeChild(layer.firstChild);
      const activeUnits = this.activeUnits();
      const activeEdges = new Set();
      for (const ui of activeUnits) {
        const u = this.units[ui];
        for (const e of u.ins) activeEdges.add(e);
        for (const e of u.outs) activeEdges.add(e);
      }
      // Faint context: the edges of the units in view, batched into one path.
      const seen = new Set();
      let d = '';
      let count = 0;
      outer: for (const ui of visible) {
        const u = this.units[ui];
        for (const list of [u.ins, u.outs]) {
          for (const e of list) {
            if (seen.has(e)) continue;
            seen.add(e);
            const edge = this.edges[e];
            if (edge.critical || activeEdges.has(e)) continue;
            d += this.edgeD(edge);
            if (++count >= CONTEXT_EDGE_CAP) break outer;
          }
        }
      }
      if (d) svg('path', { class: 'rg-edge rg-edge-context', d }, layer);
      // An edge that is critical and active (the focused or hovered node's) is drawn once, as active and critical.
      const active = Array.from(activeEdges, (e) => this.edges[e]);
      const activeSet = new Set(active);
      this.edgeSet(this.criticalEdges.filter((e) => !activeSet.has(e)), 'rg-edge rg-edge-critical', 'critical', layer);
      this.edgeSet(active, 'rg-edge rg-edge-active', 'active', layer);
    }

    // A set of edges, each its own path with an arrow head, or batched into one path when there are many.
    edgeSet(edges, cls, marker, layer) {
      if (!edges.length) return;
      if (edges.length <= INDIVIDUAL_EDGE_CAP) {
        for (const e of edges) {
          const p = this.edgeElement(e, layer);
          p.setAttribute('class', cls + (e.critical ? ' rg-edge-critical' : ''));
          p.setAttribute('marker-end', `url(#${this.markerIds[e.critical && marker !== 'active' ? 'critical' : marker]})`);
        }
      } else {
        let d = '';
        for (const e of edges) d += this.edgeD(e);
        svg('path', { class: cls + ' rg-edge-batch', d }, layer);
      }
    }

    renderOverview(visible) {
      this.lastVisible = null;
      // Detailed units go (the focused one moves its focus to the viewport first).
      if (this.rendered.size) {
        if (this.el.contains(document.activeElement) && document.activeElement !== this.viewport &&
            this.nodesLayer.contains(document.activeElement)) {
          this.viewport.focus({ preventScroll: true });
        }
        for (const rec of this.rendered.values()) rec.g.remove();
        this.rendered.clear();
        this.focusRing.setAttribute('visibility', 'hidden');
      }
      if (!this.overviewPaths) {
        this.overviewPaths = {};
        for (const s of STATES) {
          this.overviewPaths[s] = svg('path', { class: `rg-block rg-s-${s}`, d: '' }, this.overviewLayer);
        }
        this.overviewPaths.critical = svg('path', { class: 'rg-block-critical', d: '' }, this.overviewLayer);
      }
      const parts = STATES.map(() => []);
      const critical = [];
      for (const ui of visible) {
        const u = this.units[ui];
        const rect = `M${r1(u.x)} ${r1(u.y)}h${u.w}v${u.h}h${-u.w}z`;
        parts[this.unitState(u)].push(rect);
        if (u.critical) critical.push(rect);
      }
      STATES.forEach((s, i) => this.overviewPaths[s].setAttribute('d', parts[i].join('')));
      this.overviewPaths.critical.setAttribute('d', critical.join(''));
      const layer = this.edgesLayer;
      while (layer.firstChild) layer.removeChild(layer.firstChild);
      let d = '';
      for (const e of this.criticalEdges) d += this.edgeD(e);
      if (d) svg('path', { class: 'rg-edge rg-edge-critical rg-edge-batch', d }, layer);
    }

    // A smooth path from the source's right side to the target's left side, straight through the slots of its
    // dummy points (long edges of small graphs).
    edgeD(e) {
      const a = this.units[e.s];
      const b = this.units[e.t];
      let x = a.x + a.w + (a.critical ? 4 : 0); // outside the critical halo
      let y = e.sy;
      let d = `M${r1(x)} ${r1(y)}`;
      const curve = (x2, y2) => {
        const dx = Math.max(30, (x2 - x) / 2);
        d += `C${r1(x + dx)} ${r1(y)} ${r1(x2 - dx)} ${r1(y2)} ${r1(x2)} ${r1(y2)}`;
        x = x2;
        y = y2;
      };
      if (e.chain) {
        for (const dummy of e.chain) {
          const cx = this.columnX(dummy);
          curve(cx, this.dummyY[dummy]);
          d += `H${r1(cx + NODE_W)}`;
          x = cx + NODE_W;
        }
      }
      curve(b.x - (b.critical ? 5 : 1), e.ty);
      return d;
    }

    edgeElement(e, layer) {
      const from = this.units[e.s];
      const to = this.units[e.t];
      const p = svg('path', {
        class: 'rg-edge' + (e.critical ? ' rg-edge-critical' : ''),
        d: this.edgeD(e),
        'marker-end': `url(#${this.markerIds[e.critical ? 'critical' : 'normal']})`,
        'data-from': this.unitKey(from),
        'data-to': this.unitKey(to),
      }, layer);
      return p;
    }

    unitKey(u) {
      if (u.node >= 0) return this.model.nodes[u.node].id;
      return this.model.blocks[u.block].step;
    }

    unitState(u) {
      if (u.node >= 0) return this.model.status[u.node];
      return this.aggregateState(u.block);
    }

    aggregateState(b) {
      const c = this.blockCounts(b);
      let done = 0;
      for (const s of FINISHED) done += c[s];
      for (const s of AGGREGATE_ORDER) {
        if (!c[s]) continue;
        // Some legs done and the rest waiting: the matrix is in progress.
        if (s === S_PENDING && done > 0) return S_RUNNING;
        return s;
      }
      return S_PENDING;
    }

    // ------------------------------------------------------------------ one unit's elements

    createUnit(u) {
      const model = this.model;
      const block = model.blocks[u.block];
      const g = svg('g', { transform: `translate(${r1(u.x)} ${r1(u.y)})`, tabindex: '0', role: 'button',
        'data-unit': String(u.idx) });
      g.__rgUnit = u.idx;
      const rec = { g, u };
      if (u.critical) svg('rect', { class: 'rg-critical-halo', x: '-4', y: '-4', width: u.w + 8, height: u.h + 8,
        rx: '10' }, g);
      rec.box = svg('rect', { class: 'rg-box', width: u.w, height: u.h, rx: '6' }, g);
      rec.title = svg('title', null, g);
      if (u.kind === 'node' || u.kind === 'leg') {
        const node = model.nodes[u.node];
        g.setAttribute('data-node', node.id);
        rec.glyph = svg('text', { class: 'rg-glyph', x: '14', y: '20', 'text-anchor': 'middle' }, g);
        rec.label = svg('text', { class: 'rg-label', x: '28', y: '19' }, g);
        rec.meta = svg('text', { class: 'rg-meta', x: '28', y: '36' }, g);
        rec.fullLabel = u.kind === 'leg' ? this.legLabel(node) : node.name || node.id;
      } else if (u.kind === 'group') {
        g.setAttribute('data-step', block.step);
        g.setAttribute('data-legs', String(block.nodes.length));
        g.setAttribute('aria-expanded', 'false');
        rec.glyph = svg('text', { class: 'rg-glyph', x: '14', y: '20', 'text-anchor': 'middle' }, g);
        rec.label = svg('text', { class: 'rg-label', x: '28', y: '19' }, g);
        svg('text', { class: 'rg-toggle', x: String(u.w - 12), y: '19', 'text-anchor': 'middle' }, g).textContent = '▸';
        rec.strip = svg('g', { class: 'rg-strip', transform: 'translate(12 28)' }, g);
        rec.meta = svg('text', { class: 'rg-meta', x: '12', y: '60' }, g);
        rec.fullLabel = block.label;
      } else {
        g.setAttribute('data-step', block.step);
        g.setAttribute('data-legs', String(block.nodes.length));
        g.setAttribute('aria-expanded', 'true');
        rec.glyph = svg('text', { class: 'rg-glyph', x: '14', y: '18', 'text-anchor': 'middle' }, g);
        rec.label = svg('text', { class: 'rg-label rg-header-label', x: '28', y: '18' }, g);
        svg('text', { class: 'rg-toggle', x: String(u.w - 12), y: '18', 'text-anchor': 'middle' }, g).textContent = '▾';
        rec.fullLabel = block.label;
      }
      this.fillUnit(rec);
      return rec;
    }

    legLabel(node) {
      const keys = node.matrixKeys;
      return keys.map((k) => `${k}=${str(node.matrix[k])}`).join(', ');
    }

    // The parts of a unit that change with its state.
    fillUnit(rec) {
      const u = rec.u;
      const model = this.model;
      const block = model.blocks[u.block];
      const state = this.unitState(u);
      const info = STATE_INFO[STATES[state]];
      const node = u.node >= 0 ? model.nodes[u.node] : null;
      let cls = `rg-unit rg-kind-${u.kind} rg-s-${STATES[state]}`;
      if (u.critical) cls += ' rg-critical';
      if (node && node.id === this.selectedNode) cls += ' rg-selected';
      rec.g.setAttribute('class', cls);
      rec.glyph.textContent = info.glyph;
      const labelFont = `600 ${LABEL_FONT}px ${this.fontFamily()}`;
      if (node) {
        const attempts = model.attempts[u.node];
        const duration = this.durationText(u.node);
        const labelWidth = u.w - 28 - 8 - (attempts > 1 ? 30 : 0);
        rec.label.textContent = ellipsize(rec.fullLabel, labelWidth, labelFont);
        const meta = info.label + (duration ? ` · ${duration}` : '');
        rec.meta.textContent = meta;
        rec.duration = duration;
        if (attempts > 1) {
          if (!rec.badge) {
            rec.badge = svg('text', { class: 'rg-badge', x: String(u.w - 8), y: '19', 'text-anchor': 'end' }, rec.g);
          }
          rec.badge.textContent = `×${attempts}`;
        } else if (rec.badge) {
          rec.badge.remove();
          rec.badge = null;
        }
        const full = u.kind === 'leg'
          ? `${node.id}${node.name ? ` (${node.name})` : ''}`
          : `${node.name || node.id}${node.name && node.name !== node.id ? ` (${node.id})` : ''}`;
        const tail = `${info.label}${duration ? `, ${duration}` : ''}${attempts > 1 ? `, ${attempts} attempts` : ''}` +
          `${u.critical ? ', on the critical path' : ''}`;
        rec.title.textContent = `${full}: ${tail}`;
        rec.g.setAttribute('aria-label', `${u.kind === 'leg' ? `${block.label} ${rec.fullLabel}` : rec.fullLabel}: ${tail}`);
      } else {
        const counts = this.blockCounts(u.block);
        const n = block.nodes.length;
        const summary = this.countSummary(counts);
        const labelWidth = u.w - 28 - 24;
        const labelText = u.kind === 'header' ? `${block.label} · ${plural(n, 'leg')}` : block.label;
        rec.label.textContent = ellipsize(labelText, labelWidth, labelFont);
        if (rec.meta) rec.meta.textContent = `${plural(n, 'leg')} · ${summary.short}`;
        if (rec.strip) this.fillStrip(rec, block, counts);
        const critical = u.critical ? ', on the critical path' : '';
        rec.title.textContent = `${block.label}: matrix of ${plural(n, 'leg')}, ${info.label} (${summary.long})${critical}`;
        rec.g.setAttribute('aria-label', `${block.label}, matrix of ${plural(n, 'leg')}: ${info.label}; ${summary.long}` +
          `${critical}. ${u.kind === 'header' ? 'Press Enter to collapse.' : 'Press Enter to expand.'}`);
      }
    }

    blockCounts(b) {
      const ns = STATES.length;
      return this.model.counts.subarray(b * ns, b * ns + ns);
    }

    countSummary(counts) {
      const short = [];
      const long = [];
      for (const s of AGGREGATE_ORDER) {
        if (!counts[s]) continue;
        short.push(`${formatCount(counts[s])} ${STATE_INFO[STATES[s]].glyph}`);
        long.push(`${formatCount(counts[s])} ${STATE_INFO[STATES[s]].label}`);
      }
      return { short: short.slice(0, 3).join(' ') + (short.length > 3 ? ' …' : ''), long: long.join(', ') };
    }

    fillStrip(rec, block, counts) {
      const strip = rec.strip;
      const width = NODE_W - 24;
      const n = block.nodes.length;
      if (n <= MAX_CELLS) {
        if (!rec.cells) {
          rec.cells = [];
          const cw = Math.min(12, (width - (n - 1) * 2) / n);
          block.nodes.forEach((_, i) => {
            rec.cells.push(svg('rect', { x: r1(i * (cw + 2)), y: '0', width: r1(cw), height: '14', rx: '2' }, strip));
          });
        }
        block.nodes.forEach((nodeIdx, i) => {
          rec.cells[i].setAttribute('class', `rg-cell rg-s-${STATES[this.model.status[nodeIdx]]}`);
        });
        return;
      }
      // Too many legs for a cell each: one segment per state, in proportion.
      while (strip.firstChild) strip.removeChild(strip.firstChild);
      let x = 0;
      for (const s of AGGREGATE_ORDER) {
        if (!counts[s]) continue;
        const w = Math.max(2, (counts[s] / n) * width);
        svg('rect', { class: `rg-cell rg-segment rg-s-${STATES[s]}`, x: r1(x), y: '0', width: r1(w), height: '14' },
          strip);
        x += w;
      }
    }

    durationText(i) {
      const m = this.model;
      const start = m.start[i];
      if (!Number.isFinite(start)) return '';
      const end = m.end[i];
      if (Number.isFinite(end)) return formatDuration(end - start, false);
      if (m.status[i] === S_RUNNING) return formatDuration(Math.max(0, Date.now() - start), true);
      return '';
    }

    fontFamily() {
      if (!this.font) {
        const f = getComputedStyle(this.svg).fontFamily;
        this.font = f || 'sans-serif';
      }
      return this.font;
    }

    refreshAll() {
      for (const rec of this.rendered.values()) this.fillUnit(rec);
      if (this.overview) this.renderLarge();
      this.updateLegend();
      this.updateTicking();
    }

    updateLegend() {
      const totals = this.model ? this.model.totals : null;
      for (const [s, el] of this.legendCounts) {
        el.textContent = totals ? formatCount(totals[STATE_INDEX.get(s)]) : '';
      }
    }

    // ------------------------------------------------------------------ live updates

    setNodeStatus(nodeId, status) {
      const model = this.model;
      if (!model) return false;
      const node = model.byId.get(str(nodeId));
      if (!node) return false;
      const i = node.idx;
      const next = stateIndex(status);
      const prev = model.status[i];
      if (prev === next) return true;
      const now = Date.now();
      if (next === S_RUNNING && !Number.isFinite(model.start[i])) model.start[i] = now;
      if (next === S_RUNNING) model.end[i] = NaN;
      if (prev === S_RUNNING && FINISHED.has(next) && !Number.isFinite(model.end[i])) model.end[i] = now;
      model.status[i] = next;
      const b = model.nodeBlock[i];
      model.counts[b * STATES.length + prev]--;
      model.counts[b * STATES.length + next]++;
      model.totals[prev]--;
      model.totals[next]++;
      const ui = this.nodeUnit[i];
      const block = model.blocks[b];
      const touched = block.kind === 'group' && this.expanded.has(block.key)
        ? [ui, this.colUnits[this.units[ui].level].find((u) => u.block === b && u.kind === 'header')]
        : [ui];
      for (const t of touched) {
        const idx = typeof t === 'number' ? t : t ? t.idx : -1;
        const rec = this.rendered.get(idx);
        if (rec) this.fillUnit(rec);
      }
      if (this.overview) this.scheduleRender();
      this.updateLegend();
      this.updateTicking();
      return true;
    }

    updateTicking() {
      const running = this.model && this.model.totals[S_RUNNING] > 0;
      if (running && !this.tickTimer) {
        this.tickTimer = setInterval(() => this.tick(), 1000);
      } else if (!running) {
        this.stopTicking();
      }
    }

    stopTicking() {
      if (this.tickTimer) clearInterval(this.tickTimer);
      this.tickTimer = 0;
    }

    tick() {
      if (!this.el.isConnected) { this.stopTicking(); return; }
      const model = this.model;
      if (!model) return;
      for (const rec of this.rendered.values()) {
        const u = rec.u;
        if (u.node < 0 || model.status[u.node] !== S_RUNNING) continue;
        const duration = this.durationText(u.node);
        if (duration !== rec.duration) this.fillUnit(rec);
      }
    }

    // ------------------------------------------------------------------ expand, select, focus

    toggleGroup(blockIdx, focusAfter) {
      const model = this.model;
      const block = model.blocks[blockIdx];
      if (!block || block.kind !== 'group') return;
      const firstUnit = this.units.find((u) => u.block === blockIdx);
      const before = firstUnit ? { x: firstUnit.x, y: firstUnit.y } : null;
      if (this.expanded.has(block.key)) this.expanded.delete(block.key); else this.expanded.add(block.key);
      const wasLarge = this.large;
      this.layout();
      const after = this.units.find((u) => u.block === blockIdx);
      this.fitBoxHeight(this.view.k);
      if (before && after) {
        // Keep the group where it was on screen.
        this.view.tx -= (after.x - before.x) * this.view.k;
        this.view.ty -= (after.y - before.y) * this.view.k;
      }
      this.clampView();
      this.applyTransform();
      this.focused = after ? after.idx : -1;
      if (wasLarge !== this.large) this.firstLargeMessage = undefined;
      if (!this.large) this.setMessage('');
      this.renderFull();
      if (focusAfter && after) this.focusUnit(after.idx);
    }

    expandStep(step, expand) {
      if (!this.model) return false;
      const block = this.model.blocks.find((b) => b.kind === 'group' && (b.step === step || b.key === step));
      if (!block) return false;
      if (this.expanded.has(block.key) !== Boolean(expand)) this.toggleGroup(block.idx, false);
      return true;
    }

    select(nodeId) {
      const model = this.model;
      const node = model && model.byId.get(nodeId);
      if (!node) return;
      const prev = this.selectedNode;
      this.selectedNode = node.id;
      for (const id of [prev, node.id]) {
        const n = id !== null && model.byId.get(id);
        if (!n) continue;
        const rec = this.rendered.get(this.nodeUnit[n.idx]);
        if (rec) this.fillUnit(rec);
      }
      this.updateActiveEdges();
      this.el.dispatchEvent(new CustomEvent('devflow:node-selected', { detail: { node: node.id }, bubbles: true }));
    }

    focusNode(nodeId) {
      const model = this.model;
      const node = model && model.byId.get(str(nodeId));
      if (!node) return false;
      const block = model.blocks[model.nodeBlock[node.idx]];
      if (block.kind === 'group' && !this.expanded.has(block.key)) this.toggleGroup(block.idx, false);
      this.focusUnit(this.nodeUnit[node.idx]);
      return true;
    }

    activate(ui) {
      const u = this.units[ui];
      if (!u) return;
      if (u.kind === 'group' || u.kind === 'header') {
        this.toggleGroup(u.block, true);
      } else {
        this.select(this.model.nodes[u.node].id);
      }
    }

    activeUnits() {
      const out = new Set();
      if (this.hovered >= 0) out.add(this.hovered);
      if (this.focused >= 0) out.add(this.focused);
      if (this.selectedNode !== null && this.model) {
        const n = this.model.byId.get(this.selectedNode);
        if (n && this.nodeUnit[n.idx] >= 0) out.add(this.nodeUnit[n.idx]);
      }
      return out;
    }

    updateActiveEdges() {
      if (this.large) {
        // Only the edges change: redraw them in the next frame, unless the whole layer is drawn then anyway.
        if (this.overview || this.frame || this.edgeFrame || !this.lastVisible) return;
        this.edgeFrame = requestAnimationFrame(() => {
          this.edgeFrame = 0;
          if (this.large && !this.overview && this.lastVisible) this.renderLargeEdges(this.lastVisible);
        });
        return;
      }
      if (!this.edgeEls) return;
      const active = new Set();
      for (const ui of this.activeUnits()) {
        const u = this.units[ui];
        for (const e of u.ins) active.add(e);
        for (const e of u.outs) active.add(e);
      }
      this.edgeEls.forEach((p, i) => {
        const on = active.has(i);
        if (p.classList.contains('rg-edge-active') === on) return;
        p.classList.toggle('rg-edge-active', on);
        p.setAttribute('marker-end', `url(#${this.markerIds[on ? 'active' : this.edges[i].critical ? 'critical' : 'normal']})`);
        if (on) this.edgesLayer.appendChild(p); // on top of the others
      });
    }

    // Bring a unit into view (zooming in to a readable scale first if the graph is drawn as blocks).
    ensureVisible(ui) {
      const u = this.units[ui];
      const { w, h } = this.viewportSize();
      const v = this.view;
      if (this.large && (v.k < OVERVIEW_K || this.overview)) {
        const k = Math.max(READABLE_K, v.k);
        this.view = { k, tx: w / 2 - (u.x + u.w / 2) * k, ty: h / 2 - (u.y + u.h / 2) * k };
      } else {
        const m = 16;
        const sx0 = u.x * v.k + v.tx;
        const sy0 = u.y * v.k + v.ty;
        const sx1 = sx0 + u.w * v.k;
        const sy1 = sy0 + u.h * v.k;
        if (sx0 < m) v.tx += m - sx0; else if (sx1 > w - m) v.tx -= Math.min(sx1 - (w - m), sx0 - m);
        if (sy0 < m) v.ty += m - sy0; else if (sy1 > h - m) v.ty -= Math.min(sy1 - (h - m), sy0 - m);
      }
      this.clampView();
      this.applyTransform();
      if (this.large) {
        if (this.frame) { cancelAnimationFrame(this.frame); this.frame = 0; }
        this.renderLarge();
      }
    }

    focusUnit(ui) {
      if (ui < 0 || ui >= this.units.length) return;
      this.ensureVisible(ui);
      const rec = this.rendered.get(ui);
      if (rec) rec.g.focus({ preventScroll: true });
    }

    restoreFocus() {
      if (this.focused < 0) return;
      const rec = this.rendered.get(this.focused);
      if (rec && this.el.contains(document.activeElement) && document.activeElement !== rec.g) {
        rec.g.focus({ preventScroll: true });
      }
    }

    // The unit an arrow key moves to from `ui`.
    neighbour(ui, key) {
      const u = this.units[ui];
      const column = this.colUnits[u.level];
      const centre = u.y + u.h / 2;
      const nearest = (candidates) => {
        let best = -1;
        let bestD = Infinity;
        for (const c of candidates) {
          const d = Math.abs(c.y + c.h / 2 - centre);
          if (d < bestD) { bestD = d; best = c.idx; }
        }
        return best;
      };
      if (key === 'ArrowUp') return u.col > 0 ? column[u.col - 1].idx : -1;
      if (key === 'ArrowDown') return u.col + 1 < column.length ? column[u.col + 1].idx : -1;
      if (key === 'Home') return column[0].idx;
      if (key === 'End') return column[column.length - 1].idx;
      if (key === 'ArrowLeft' || key === 'ArrowRight') {
        const left = key === 'ArrowLeft';
        // A header stands for its legs.
        let from = [u];
        if (u.kind === 'header') from = column.filter((c) => c.block === u.block && c.kind === 'leg');
        const ids = new Set();
        for (const f of from) for (const e of left ? f.ins : f.outs) ids.add(left ? this.edges[e].s : this.edges[e].t);
        if (ids.size) return nearest(Array.from(ids, (i) => this.units[i]));
        // No dependency (dependent): the nearest unit in the column beside.
        const next = this.colUnits[u.level + (left ? -1 : 1)];
        return next && next.length ? nearest(next) : -1;
      }
      return -1;
    }

    // ------------------------------------------------------------------ events

    unitFromEvent(event) {
      const target = event.target;
      if (!target || typeof target.closest !== 'function') return -1;
      const g = target.closest('.rg-unit');
      if (!g || !this.nodesLayer.contains(g)) return -1;
      return g.__rgUnit;
    }

    bindEvents() {
      const vp = this.viewport;
      this.zoomInButton.addEventListener('click', () => this.zoomBy(1.25));
      this.zoomOutButton.addEventListener('click', () => this.zoomBy(0.8));
      this.fitButton.addEventListener('click', () => this.fit());

      vp.addEventListener('wheel', (event) => {
        if (!this.model) return;
        event.preventDefault();
        const rect = vp.getBoundingClientRect();
        const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? rect.height : 1;
        const rate = event.ctrlKey ? 0.01 : 0.0015;
        this.zoomAt(event.clientX - rect.left, event.clientY - rect.top, Math.exp(-event.deltaY * unit * rate));
      }, { passive: false });

      vp.addEventListener('pointerdown', (event) => {
        if (!this.model || (event.pointerType === 'mouse' && event.button !== 0)) return;
        this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY, startX: event.clientX,
          startY: event.clientY });
        if (this.pointers.size === 1) this.dragging = false;
      });
      vp.addEventListener('pointermove', (event) => {
        const p = this.pointers.get(event.pointerId);
        if (!p) {
          return;
        }
        if (this.pointers.size >= 2) {
          // Pinch: zoom by the change of distance around the midpoint, pan by the midpoint's move.
          const [a, b] = Array.from(this.pointers.values());
          const before = Math.hypot(a.x - b.x, a.y - b.y);
          const midBefore = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
          p.x = event.clientX;
          p.y = event.clientY;
          const after = Math.hypot(a.x - b.x, a.y - b.y);
          const midAfter = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
          const rect = vp.getBoundingClientRect();
          this.dragging = true;
          if (before > 0) this.zoomAt(midAfter.x - rect.left, midAfter.y - rect.top, after / before);
          this.panBy(midAfter.x - midBefore.x, midAfter.y - midBefore.y);
          return;
        }
        const dx = event.clientX - p.x;
        const dy = event.clientY - p.y;
        if (!this.dragging && Math.hypot(event.clientX - p.startX, event.clientY - p.startY) < 5) return;
        if (!this.dragging) {
          this.dragging = true;
          vp.classList.add('rg-dragging');
          try { vp.setPointerCapture(event.pointerId); } catch (_) { /* not capturable */ }
        }
        p.x = event.clientX;
        p.y = event.clientY;
        this.panBy(dx, dy);
      });
      const end = (event) => {
        if (!this.pointers.has(event.pointerId)) return;
        this.pointers.delete(event.pointerId);
        if (this.pointers.size === 0) {
          if (this.dragging) {
            this.suppressClick = true;
            setTimeout(() => { this.suppressClick = false; }, 0);
          }
          this.dragging = false;
          vp.classList.remove('rg-dragging');
        }
      };
      vp.addEventListener('pointerup', end);
      vp.addEventListener('pointercancel', end);

      vp.addEventListener('click', (event) => {
        if (this.suppressClick) { this.suppressClick = false; return; }
        if (!this.model) return;
        const ui = this.unitFromEvent(event);
        if (ui >= 0) {
          this.focused = ui;
          this.activate(ui);
          return;
        }
        if (this.overview) {
          // A click on the blocks zooms in there.
          const rect = vp.getBoundingClientRect();
          this.zoomAt(event.clientX - rect.left, event.clientY - rect.top, READABLE_K / this.view.k);
        }
      });

      vp.addEventListener('pointerover', (event) => {
        const ui = this.unitFromEvent(event);
        if (ui === this.hovered || this.dragging) return;
        this.hovered = ui;
        this.updateActiveEdges();
      });
      vp.addEventListener('pointerleave', () => {
        if (this.hovered < 0) return;
        this.hovered = -1;
        this.updateActiveEdges();
      });

      vp.addEventListener('focusin', (event) => {
        // Focus must never scroll the box itself: the view is the transform.
        vp.scrollTop = 0;
        vp.scrollLeft = 0;
        const ui = this.unitFromEvent(event);
        if (ui < 0) {
          this.focusRing.setAttribute('visibility', 'hidden');
          return;
        }
        this.focused = ui;
        const u = this.units[ui];
        this.ensureVisibleSoft(ui);
        const ring = this.focusRing;
        ring.setAttribute('x', r1(u.x - 6));
        ring.setAttribute('y', r1(u.y - 6));
        ring.setAttribute('width', u.w + 12);
        ring.setAttribute('height', u.h + 12);
        let visible = true;
        try { visible = event.target.matches(':focus-visible'); } catch (_) { /* old engine */ }
        ring.setAttribute('visibility', visible ? 'visible' : 'hidden');
        this.scene.appendChild(ring);
        this.updateActiveEdges();
      });
      vp.addEventListener('focusout', (event) => {
        if (this.unitFromEvent(event) < 0) return;
        if (event.relatedTarget && this.nodesLayer.contains(event.relatedTarget)) return;
        this.focused = -1;
        this.focusRing.setAttribute('visibility', 'hidden');
        this.updateActiveEdges();
      });

      vp.addEventListener('keydown', (event) => {
        if (!this.model || event.altKey || event.metaKey) return;
        const ui = this.unitFromEvent(event);
        const key = event.key;
        if (ui >= 0) {
          if (key === 'Enter' || key === ' ' || key === 'Spacebar') {
            event.preventDefault();
            this.activate(ui);
            return;
          }
          const next = this.neighbour(ui, key);
          if (key.startsWith('Arrow') || key === 'Home' || key === 'End') {
            event.preventDefault();
            if (next >= 0) this.focusUnit(next);
            return;
          }
        }
        if (event.target !== vp) {
          if (key === '+' || key === '=') { event.preventDefault(); this.zoomBy(1.25); }
          if (key === '-' || key === '_') { event.preventDefault(); this.zoomBy(0.8); }
          return;
        }
        // The box itself: pan, zoom, and Enter into the steps.
        const step = 60;
        const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
        if (moves[key]) { event.preventDefault(); this.panBy(moves[key][0], moves[key][1]); return; }
        if (key === '+' || key === '=') { event.preventDefault(); this.zoomBy(1.25); return; }
        if (key === '-' || key === '_') { event.preventDefault(); this.zoomBy(0.8); return; }
        if (key === '0') { event.preventDefault(); this.fit(); return; }
        if (key === 'Enter' || key === ' ') {
          event.preventDefault();
          this.focusUnit(this.firstUnitInView());
        }
      });

      if (typeof ResizeObserver === 'function') {
        this.resizeObserver = new ResizeObserver(() => {
          if (!this.model) return;
          if (this.pendingInitialView && this.viewport.clientWidth > 0) {
            this.initialView();
            if (this.large) this.renderLarge();
            return;
          }
          this.clampView();
          this.applyTransform();
          if (this.large && this.needsRender()) this.scheduleRender();
        });
        this.resizeObserver.observe(vp);
      }
    }

    // On focus by Tab: pan so the unit is in view, without zooming.
    ensureVisibleSoft(ui) {
      const u = this.units[ui];
      const v = this.view;
      const { w, h } = this.viewportSize();
      const sx0 = u.x * v.k + v.tx;
      const sy0 = u.y * v.k + v.ty;
      if (sx0 >= 0 && sy0 >= 0 && sx0 + u.w * v.k <= w && sy0 + u.h * v.k <= h) return;
      this.ensureVisible(ui);
    }

    firstUnitInView() {
      if (this.selectedNode !== null) {
        const n = this.model.byId.get(this.selectedNode);
        if (n) return this.nodeUnit[n.idx];
      }
      const visible = this.visibleUnits(0);
      return visible.length ? visible[0] : 0;
    }

    destroy() {
      this.loadSeq++;
      this.stopTicking();
      if (this.frame) cancelAnimationFrame(this.frame);
      if (this.edgeFrame) cancelAnimationFrame(this.edgeFrame);
      if (this.resizeObserver) this.resizeObserver.disconnect();
      while (this.el.firstChild) this.el.removeChild(this.el.firstChild);
      this.el.classList.remove('rg-mounted', 'rg-large', 'rg-empty', 'rg-overview-mode');
      handles.delete(this.el);
    }
  }

  function makeHandle(graph) {
    return {
      element: graph.el,
      /** Resolves once the run has been fetched and drawn (or its error shown). */
      ready: graph.readyPromise,
      /** Updates one node's state in place; false for an unknown node id. */
      setNodeStatus: (nodeId, status) => graph.setNodeStatus(nodeId, status),
      /** Fetches the run again; keeps the view and expanded groups when the graph is unchanged. */
      reload: () => graph.load(),
      expand: (step) => graph.expandStep(step, true),
      collapse: (step) => graph.expandStep(step, false),
      select: (nodeId) => graph.select(nodeId),
      /** Brings a node into view (expanding its group) and focuses it; false for an unknown node id. */
      focus: (nodeId) => graph.focusNode(nodeId),
      zoomIn: () => graph.zoomBy(1.25),
      zoomOut: () => graph.zoomBy(0.8),
      zoomBy: (factor) => graph.zoomBy(factor),
      panBy: (dx, dy) => graph.panBy(dx, dy),
      fit: () => graph.fit(),
      getView: () => Object.assign({}, graph.view),
      /** Draws pending culling now (tests; normally once per animation frame). */
      flush: () => {
        if (graph.frame) { cancelAnimationFrame(graph.frame); graph.frame = 0; graph.renderLarge(); }
        if (graph.edgeFrame) {
          cancelAnimationFrame(graph.edgeFrame);
          graph.edgeFrame = 0;
          if (graph.lastVisible && !graph.overview) graph.renderLargeEdges(graph.lastVisible);
        }
      },
      stats: () => Object.assign({}, graph.stats, {
        renderedElements: graph.el.querySelectorAll('*').length,
        renderedUnits: graph.rendered.size,
        lastRenderMs: graph.lastRenderMs === undefined ? null : r1(graph.lastRenderMs),
        renderCount: graph.renderCount || 0,
        mode: !graph.model ? 'empty' : graph.overview ? 'overview' : graph.large ? 'culled' : 'full',
        view: Object.assign({}, graph.view),
      }),
      destroy: () => graph.destroy(),
    };
  }

  function mount(element) {
    if (!element || element.nodeType !== 1) throw new TypeError('DevFlowRunGraph.mount needs an element');
    const existing = handles.get(element);
    if (existing) return existing;
    const graph = new RunGraph(element);
    const handle = makeHandle(graph);
    graph.handle = handle;
    handles.set(element, handle);
    graph.load();
    return handle;
  }

  window.DevFlowRunGraph = Object.freeze({ mount, version: 1 });

  const mountAll = () => {
    for (const el of document.querySelectorAll('.run-graph')) {
      try { mount(el); } catch (error) { console.error('run graph:', error); }
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
  else mountAll();
})();
