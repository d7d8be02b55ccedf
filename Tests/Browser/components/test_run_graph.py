#!/usr/bin/env python3
"""Browser tests of the dashboard's run graph (Sources/DevFlowDashboard/Assets/run-graph.js and .css).

Run: python3 Tests/Browser/components/test_run_graph.py [test-name-substring ...]

Headless Chromium (/usr/bin/chromium, /usr/bin/chromedriver) against fake_graph_server.py. Exits non-zero when a
test fails. Screenshots go to $SCREENSHOT_DIR (default /tmp/devflow-screenshots/components). The measured times
are printed at the end; RUN_GRAPH_BUDGET_MS (default 2000) is the limit from mount to first render of the
10,000-node runs.
"""

import json
import os
import sys
import time
import traceback
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from fake_graph_server import (  # noqa: E402
    INJECT_IDS, LONG_LINT_NAME, MATRIX_CRITICAL, SMALL_CRITICAL, XSS_IMG, XSS_SCRIPT, GraphServer)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "/tmp/devflow-screenshots/components")
BUDGET_MS = float(os.environ.get("RUN_GRAPH_BUDGET_MS", "2000"))
ELEMENT_BOUND = 5000

MEASURED = []  # (what, value) printed at the end


def wait_for_browser():
    """Chromium and chromedriver may still be being installed: poll every 30 s for up to 15 minutes."""
    deadline = time.time() + 15 * 60
    while not (os.path.exists(CHROMEDRIVER) and os.path.exists(CHROMIUM)):
        if time.time() > deadline:
            sys.exit(f"{CHROMEDRIVER} or {CHROMIUM} missing after 15 minutes")
        print(f"waiting for {CHROMEDRIVER} and {CHROMIUM} …", flush=True)
        time.sleep(30)


try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    sys.exit("selenium is missing: pip install selenium")


class Failure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def equal(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}")


# ------------------------------------------------------------------------------------------------------ harness

WAIT_READY = """
const done = arguments[arguments.length - 1];
const started = Date.now();
(function poll() {
  const el = document.getElementById('graph');
  if (window.DevFlowRunGraph && el) {
    const handle = DevFlowRunGraph.mount(el);
    handle.ready.then(() => done(handle.stats()), (e) => done({error: String(e)}));
    return;
  }
  if (Date.now() - started > 20000) return done({error: 'DevFlowRunGraph never appeared'});
  setTimeout(poll, 10);
})();
"""

# Resolves after the next two animation frames (culling runs in one).
NEXT_FRAME = """
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
"""

RENDERED_NODES = """
return Array.from(document.querySelectorAll('#graph .rg-nodes [data-node]'), (g) => g.getAttribute('data-node'));
"""


class Browser:
    def __init__(self, base):
        self.base = base
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                    "--force-color-profile=srgb", "--hide-scrollbars", "--font-render-hinting=none"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_script_timeout(60)
        self.driver.set_page_load_timeout(60)

    def viewport(self, width, height, mobile=False):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def color_scheme(self, scheme):
        features = [{"name": "prefers-color-scheme", "value": scheme}] if scheme else []
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": features})

    def open(self, page, width=1280, height=900, mobile=False, query=""):
        self.viewport(width, height, mobile)
        self.driver.get(f"{self.base}/page/{page}{query}")
        stats = self.driver.execute_async_script(WAIT_READY)
        check("error" not in stats or stats.get("error") is True, f"graph did not mount: {stats}")
        return stats

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def js_async(self, script, *args):
        return self.driver.execute_async_script(script, *args)

    def frame(self):
        self.js_async(NEXT_FRAME)

    def stats(self):
        return self.js("return DevFlowRunGraph.mount(document.getElementById('graph')).stats();")

    def handle_call(self, expression):
        return self.js(f"const h = DevFlowRunGraph.mount(document.getElementById('graph')); return {expression};")

    def rendered_nodes(self):
        return self.js(RENDERED_NODES)

    def errors(self):
        """Console errors since the last call (a 500 the test asked for is expected by that test)."""
        return [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]

    def screenshot(self, name):
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        path = os.path.join(SCREENSHOT_DIR, name)
        self.driver.save_screenshot(path)
        return path

    def quit(self):
        self.driver.quit()


def requests_of(base, run):
    with urllib.request.urlopen(f"{base}/control/requests/{run}") as r:
        return json.load(r)["requests"]


def set_server_status(base, run, node, status):
    body = json.dumps({"run": run, "node": node, "status": status}).encode()
    req = urllib.request.Request(f"{base}/control/status", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["ok"]


def set_server_failing(base, run, fail):
    body = json.dumps({"run": run, "fail": fail}).encode()
    req = urllib.request.Request(f"{base}/control/fail", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["ok"]


RELOAD = ("const done = arguments[arguments.length - 1];"
          "DevFlowRunGraph.mount(document.getElementById('graph')).reload().then(() => done(true));")


def unit_classes(b, selector):
    return b.js("const g = document.querySelector(arguments[0]); return g ? g.getAttribute('class') : null;",
                selector)


def node_sel(node_id):
    return '#graph [data-node="%s"]' % node_id.replace("\\", "\\\\").replace('"', '\\"')


# ------------------------------------------------------------------------------------------------------- tests

def test_small_run(b, base):
    stats = b.open("small")
    equal(stats["nodes"], 6, "graph nodes")
    equal(stats["mode"], "full", "mode of a small graph")
    # Every node is drawn: four boxes and the matrix group standing for its two legs.
    equal(sorted(b.rendered_nodes()), ["build", "checkout", "deploy", "lint"], "node boxes while collapsed")
    group = b.js("""const g = document.querySelector('#graph .rg-kind-group');
      return g && {step: g.dataset.step, legs: g.dataset.legs, expanded: g.getAttribute('aria-expanded'),
        cells: g.querySelectorAll('.rg-cell').length, meta: g.querySelector('.rg-meta').textContent,
        label: g.querySelector('.rg-label').textContent, cls: g.getAttribute('class')};""")
    check(group is not None, "no matrix group drawn")
    equal((group["step"], group["legs"], group["expanded"], group["cells"]), ("test", "2", "false", 2),
          "matrix group (step, legs, expanded, cells)")
    check(group["meta"].startswith("2 legs"), f"group meta shows the leg count: {group['meta']!r}")
    check("rg-critical" in group["cls"], "a group holding a critical leg has the critical outline")
    check("rg-s-pending" in group["cls"], f"aggregate state of two pending legs: {group['cls']}")
    # Collapsed: one edge per pair of boxes (deploy's two test needs are one edge from the group).
    edges = b.js("""return Array.from(document.querySelectorAll('#graph .rg-edges path.rg-edge'), (p) => [
      p.dataset.from, p.dataset.to, p.classList.contains('rg-edge-critical')]);""")
    equal(len(edges), 5, "edges while collapsed")
    equal(sorted((f, t) for f, t, c in edges if c), [("build", "test"), ("checkout", "build"), ("test", "deploy")],
          "critical edges while collapsed")
    # States, glyphs, durations, attempts.
    check("rg-s-succeeded" in unit_classes(b, node_sel("checkout")), "checkout succeeded")
    check("rg-s-running" in unit_classes(b, node_sel("build")), "build running")
    check("rg-s-failed" in unit_classes(b, node_sel("lint")), "lint failed")
    check("rg-s-pending" in unit_classes(b, node_sel("deploy")), "deploy (absent from nodes) pending")
    texts = b.js("""const t = {};
      for (const g of document.querySelectorAll('#graph [data-node]')) t[g.dataset.node] = {
        glyph: g.querySelector('.rg-glyph').textContent, label: g.querySelector('.rg-label').textContent,
        meta: g.querySelector('.rg-meta').textContent, title: g.querySelector('title').textContent,
        badge: g.querySelector('.rg-badge') && g.querySelector('.rg-badge').textContent,
        aria: g.getAttribute('aria-label'), role: g.getAttribute('role'), tab: g.getAttribute('tabindex')};
      return t;""")
    equal(texts["checkout"]["glyph"], "✓", "succeeded glyph")
    equal(texts["lint"]["glyph"], "✗", "failed glyph")
    equal(texts["deploy"]["glyph"], "○", "pending glyph")
    equal(texts["checkout"]["meta"], "succeeded · 3.5s", "finished duration")
    check(texts["build"]["meta"].startswith("running · 1m 0"), f"running elapsed: {texts['build']['meta']!r}")
    equal(texts["build"]["badge"], "×2", "attempts badge")
    check(texts["checkout"]["badge"] is None, "no attempts badge for one attempt")
    check(texts["lint"]["label"].endswith("…") and len(texts["lint"]["label"]) < len(LONG_LINT_NAME),
          f"long name ellipsized: {texts['lint']['label']!r}")
    check(LONG_LINT_NAME in texts["lint"]["title"], "full long name in the <title>")
    check(LONG_LINT_NAME in texts["lint"]["aria"] and "failed" in texts["lint"]["aria"], "aria-label: name and state")
    equal((texts["build"]["role"], texts["build"]["tab"]), ("button", "0"), "node role and tabindex")
    # The label fits its box.
    widths = b.js("""const g = document.querySelector('#graph [data-node="lint"]');
      return [g.querySelector('.rg-label').getBBox().width + 28, g.querySelector('.rg-box').getBBox().width];""")
    check(widths[0] <= widths[1], f"ellipsized label overflows its box: {widths}")
    # The running duration ticks.
    before = texts["build"]["meta"]
    WebDriverWait(b.driver, 5).until(
        lambda d: b.js("return document.querySelector('#graph [data-node=\"build\"] .rg-meta').textContent") != before)
    # Legend: states and the critical path.
    legend = b.js("return Array.from(document.querySelectorAll('#graph .rg-legend-label'), (e) => e.textContent);")
    for word in ("pending", "running", "succeeded", "failed", "skipped", "cancelled", "up to date", "reused",
                 "interrupted", "critical path"):
        check(word in legend, f"legend lacks {word!r}: {legend}")
    critical_nodes = b.js("""return Array.from(document.querySelectorAll('#graph .rg-unit.rg-critical'),
      (g) => g.dataset.node || g.dataset.step).sort();""")
    equal(critical_nodes, ["build", "checkout", "deploy", "test"], "critical outlines")

    # Expanding the group (a click) shows its legs, labelled by their matrix values.
    b.driver.find_element(By.CSS_SELECTOR, "#graph .rg-kind-group").click()
    legs = b.js("""return Array.from(document.querySelectorAll('#graph .rg-kind-leg'), (g) => [g.dataset.node,
      g.querySelector('.rg-label').textContent, g.getAttribute('class')]);""")
    equal([(n, l) for n, l, _ in legs], [("test[os=linux]", "os=linux"), ("test[os=mac]", "os=mac")], "legs")
    check("rg-critical" in legs[0][2] and "rg-critical" not in legs[1][2], "only the critical leg is outlined")
    header = b.js("""const h = document.querySelector('#graph .rg-kind-header');
      return h && [h.getAttribute('aria-expanded'), h.querySelector('.rg-label').textContent];""")
    equal(header, ["true", "test · 2 legs"], "expanded group header")
    edges = b.js("""return Array.from(document.querySelectorAll('#graph .rg-edges path.rg-edge'), (p) => [
      p.dataset.from, p.dataset.to, p.classList.contains('rg-edge-critical'), p.getAttribute('marker-end')]);""")
    needs = 1 + 1 + 1 + 1 + 3  # build, lint, the two legs, deploy
    equal(len(edges), needs, "edges when expanded = number of needs")
    expected_critical = list(zip(SMALL_CRITICAL, SMALL_CRITICAL[1:]))
    equal(sorted((f, t) for f, t, c, _ in edges if c), sorted(expected_critical), "critical edges when expanded")
    check(all(m and m.startswith("url(#") for *_, m in edges), "every edge has an arrow head")
    equal(sorted(b.rendered_nodes()),
          sorted(["checkout", "build", "lint", "test[os=linux]", "test[os=mac]", "deploy"]), "all nodes when expanded")
    # Hovering a node highlights its edges.
    b.js("""document.querySelector('#graph [data-node="deploy"]').dispatchEvent(
      new PointerEvent('pointerover', {bubbles: true}));""")
    active = b.js("""return Array.from(document.querySelectorAll('#graph path.rg-edge-active'),
      (p) => p.dataset.from + '>' + p.dataset.to).sort();""")
    equal(active, ["lint>deploy", "test[os=linux]>deploy", "test[os=mac]>deploy"], "edges highlighted on hover")
    # Collapse again from the header.
    b.driver.find_element(By.CSS_SELECTOR, "#graph .rg-kind-header").click()
    equal(b.js("return document.querySelectorAll('#graph .rg-kind-leg').length"), 0, "legs after collapsing")
    equal(b.js("return document.querySelectorAll('#graph .rg-edges path.rg-edge').length"), 5, "edges after collapsing")
    # A click on a node selects it.
    b.js("""window.__selected = [];
      document.addEventListener('devflow:node-selected', (e) => window.__selected.push(e.detail.node));""")
    b.driver.find_element(By.CSS_SELECTOR, node_sel("lint")).click()
    equal(b.js("return window.__selected"), ["lint"], "click fires devflow:node-selected")
    check("rg-selected" in unit_classes(b, node_sel("lint")), "clicked node is selected")
    equal(b.errors(), [], "console errors")


def test_set_node_status_and_reload(b, base):
    b.open("small")
    fetched = requests_of(base, "small")
    b.js("window.__build = document.querySelector(arguments[0]);", node_sel("build"))
    equal(b.handle_call("h.setNodeStatus('build', 'succeeded')"), True, "setNodeStatus of a known node")
    cls = unit_classes(b, node_sel("build"))
    check("rg-s-succeeded" in cls and "rg-s-running" not in cls, f"build's state class after setNodeStatus: {cls}")
    equal(b.js("return document.querySelector(arguments[0]) === window.__build", node_sel("build")), True,
          "the box is updated in place")
    meta = b.js("return document.querySelector(arguments[0] + ' .rg-meta').textContent", node_sel("build"))
    check(meta.startswith("succeeded · "), f"meta after setNodeStatus: {meta!r}")
    equal(b.js("return document.querySelector(arguments[0] + ' .rg-glyph').textContent", node_sel("build")), "✓",
          "glyph after setNodeStatus")
    equal(requests_of(base, "small"), fetched, "setNodeStatus does not refetch")
    # A leg of the collapsed group: the group's aggregate and its cell follow.
    b.handle_call("h.setNodeStatus('test[os=linux]', 'running')")
    check("rg-s-running" in unit_classes(b, "#graph .rg-kind-group"), "group aggregate running")
    b.handle_call("h.setNodeStatus('test[os=mac]', 'failed')")
    check("rg-s-failed" in unit_classes(b, "#graph .rg-kind-group"), "group aggregate failed if any failed")
    cells = b.js("return Array.from(document.querySelectorAll('#graph .rg-kind-group .rg-cell'), (c) => c.getAttribute('class'))")
    equal(cells, ["rg-cell rg-s-running", "rg-cell rg-s-failed"], "strip cells")
    equal(b.handle_call("h.setNodeStatus('no-such-node', 'failed')"), False, "setNodeStatus of an unknown node")
    equal(b.js("return document.querySelector('#graph .rg-legend-item.rg-s-failed .rg-legend-count').textContent"),
          "2", "legend count")
    # reload() refetches and keeps the view.
    b.handle_call("h.panBy(-30, 0)")
    view = b.handle_call("h.getView()")
    check(set_server_status(base, "small", "lint", "succeeded"), "control endpoint")
    b.js_async(RELOAD)
    equal(requests_of(base, "small"), fetched + 1, "reload fetched the run once")
    check("rg-s-succeeded" in unit_classes(b, node_sel("lint")), "reload shows the server's new state")
    # The server still says build is running: reload replaces the local state.
    check("rg-s-running" in unit_classes(b, node_sel("build")), "reload takes the server's state")
    equal(b.handle_call("h.getView()"), view, "reload keeps the view")
    set_server_status(base, "small", "lint", "failed")
    # A reload that fails keeps the graph and says so; the next good one clears the message.
    set_server_failing(base, "small", True)
    try:
        b.js_async(RELOAD)
    finally:
        set_server_failing(base, "small", False)
    equal(b.js("return document.querySelector('#graph .rg-message').textContent"),
          "could not reload the run: HTTP 503", "message after a failed reload")
    equal(len(b.rendered_nodes()), 4, "the graph stays drawn after a failed reload")
    b.js_async(RELOAD)
    equal(b.js("const m = document.querySelector('#graph .rg-message'); return [m.hidden, m.textContent]"),
          [True, ""], "message after the next reload")
    check("rg-s-failed" in unit_classes(b, node_sel("lint")), "the next reload's states")
    errors = [e for e in b.errors() if "/api/v1/runs/small" not in e["message"]]
    equal(errors, [], "console errors besides the 503")


def test_injection(b, base):
    stats = b.open("inject")
    equal(stats["nodes"], 6, "nodes of the injection run")
    b.handle_call("h.expand('m')")
    b.frame()
    equal(b.js("return typeof window.__pwned"), "undefined", "window.__pwned after rendering")
    dangerous = b.js("""return Array.from(document.querySelectorAll(
      '#graph script, #graph img, #graph foreignObject, #graph iframe, #graph object, #graph embed, #graph a'),
      (e) => e.tagName);""")
    equal(dangerous, [], "script/img/foreignObject elements inside the container")
    handlers = b.js("""const out = [];
      for (const e of document.querySelectorAll('#graph *'))
        for (const a of e.attributes) if (/^on/i.test(a.name) || /javascript:/i.test(a.value)) out.push(e.tagName + ' ' + a.name);
      return out;""")
    equal(handlers, [], "event handler attributes inside the container")
    texts = b.js("""return Array.from(document.querySelectorAll('#graph svg text, #graph svg title'), (t) => t.textContent);""")
    joined = "\n".join(texts)
    for payload in (XSS_SCRIPT, XSS_IMG):
        check(payload in joined, f"payload not shown literally: {payload!r}")
    labels = b.js("""const out = {};
      for (const g of document.querySelectorAll('#graph [data-node]')) {
        const label = g.querySelector('.rg-label');
        const box = label.getBBox();
        out[g.dataset.node] = [label.textContent, box.width > 0 && box.height > 0, g.getAttribute('aria-label')];
      }
      return out;""")
    script_label, visible, aria = labels[INJECT_IDS["script"]]
    check(script_label.startswith("<script>") and visible, f"script name drawn literally: {script_label!r}")
    check(XSS_SCRIPT in aria, "script name in the aria-label literally")
    check("rg-s-unknown" in unit_classes(b, node_sel(INJECT_IDS["script"])),
          "a status that is markup becomes the unknown state (no class injection)")
    img_label, visible, _ = labels[INJECT_IDS["img"]]
    check(img_label.startswith("<img src=x") and visible, f"img name drawn literally: {img_label!r}")
    quote_label, visible, _ = labels[INJECT_IDS["quote"]]
    equal(quote_label, INJECT_IDS["quote"], "an id with quotes and markup drawn literally")
    leg = labels[f"m[v={XSS_IMG}]"][0]
    check(leg.startswith("v=<img src=x"), f"matrix value drawn literally: {leg!r}")
    summary = b.js("return document.querySelector('#graph .rg-summary').textContent")
    check(summary.startswith(XSS_SCRIPT), f"graph name drawn literally: {summary!r}")
    # The critical path (ids that are markup) is highlighted.
    crit = b.js("""return Array.from(document.querySelectorAll('#graph path.rg-edge-critical'),
      (p) => [p.dataset.from, p.dataset.to]);""")
    equal(sorted(map(tuple, crit)), sorted([("checkout", INJECT_IDS["script"]), (INJECT_IDS["script"], f"m[v={XSS_IMG}]")]),
          "critical edges between markup ids")
    # Selecting one reports its id verbatim.
    b.js("""window.__selected = [];
      document.addEventListener('devflow:node-selected', (e) => window.__selected.push(e.detail.node));""")
    b.driver.find_element(By.CSS_SELECTOR, node_sel(INJECT_IDS["script"])).click()
    equal(b.js("return window.__selected"), [INJECT_IDS["script"]], "selected id")
    time.sleep(0.2)
    equal(b.js("return typeof window.__pwned"), "undefined", "window.__pwned after interacting")
    equal(b.errors(), [], "console errors")
    # Control: the same payload through innerHTML does run here, so the assertions above would catch a regression.
    b.js("const d = document.createElement('div'); document.body.appendChild(d); d.innerHTML = arguments[0];", XSS_IMG)
    WebDriverWait(b.driver, 5).until(lambda d: b.js("return window.__pwned") == 1)


def wait_stats_timed(b, page):
    """Opens a 10,000-node page; returns the component's stats and the page-side navigation-to-render time."""
    stats = b.open(page)
    nav = b.js("""const n = performance.getEntriesByType('navigation')[0];
      return {domContentLoaded: n.domContentLoadedEventStart, now: performance.now()};""")
    return stats, nav


def check_budget(stats, what):
    MEASURED.append((f"{what}: mount → rendered (ms)", stats["totalMs"]))
    MEASURED.append((f"{what}: fetch + JSON (ms)", stats["fetchMs"]))
    parts = stats.get("layoutParts") or {}
    MEASURED.append((f"{what}: layout (ms)", f"{stats['layoutMs']} (model {parts.get('modelMs')}, "
                     f"ordering {parts.get('orderMs')}, placing {parts.get('placeMs')})"))
    MEASURED.append((f"{what}: first render (ms)", stats["renderMs"]))
    MEASURED.append((f"{what}: DOM elements in the container", stats["renderedElements"]))
    check(stats["totalMs"] < BUDGET_MS, f"{what}: mount to rendered took {stats['totalMs']} ms (budget {BUDGET_MS})")


def global_stats(b):
    return b.js("return window.__graphStats")


def test_matrix_10k(b, base):
    stats, _ = wait_stats_timed(b, "matrix10k")
    equal(stats["nodes"], 10002, "nodes")
    gs = global_stats(b)
    for key in ("nodes", "renderedElements", "layoutMs", "renderMs"):
        check(key in gs, f"window.__graphStats lacks {key}")
    check_budget(stats, "10,000-leg matrix")
    groups = b.js("""return Array.from(document.querySelectorAll('#graph .rg-kind-group'), (g) => [g.dataset.step,
      g.dataset.legs, g.querySelector('.rg-meta').textContent, g.querySelectorAll('.rg-cell').length,
      g.getAttribute('class')]);""")
    equal(len(groups), 1, "one group box for the 10,000 legs")
    step, legs, meta, cells, cls = groups[0]
    equal((step, legs), ("test", "10000"), "group step and legs")
    check(meta.startswith("10,000 legs"), f"group meta: {meta!r}")
    check(0 < cells <= 10, f"a 10,000-leg strip is drawn as per-state segments, not cells: {cells}")
    check("rg-s-failed" in cls, f"aggregate: failed if any leg failed: {cls}")
    equal(sorted(b.rendered_nodes()), ["checkout", "report"], "the other nodes")
    check(stats["renderedElements"] < 200, f"collapsed 10,000-leg run elements: {stats['renderedElements']}")
    # A live update of one leg reaches the collapsed group and the legend.
    running = lambda: b.js("return document.querySelector('#graph .rg-legend-item.rg-s-running .rg-legend-count').textContent")
    before_running = running()
    b.handle_call("h.setNodeStatus('test[shard=9999]', 'running')")
    equal(int(running().replace(",", "")), int(before_running.replace(",", "")) + 1, "legend after a leg starts")
    check("50 ●" in b.js("return document.querySelector('#graph .rg-kind-group .rg-meta').textContent")
          or "running" in b.js("return document.querySelector('#graph .rg-kind-group').getAttribute('aria-label')"),
          "the group's summary follows the leg")
    # Expanding: 10,000 legs, culled.
    t = b.js("""const h = DevFlowRunGraph.mount(document.getElementById('graph'));
      const t0 = performance.now(); h.expand('test'); return performance.now() - t0;""")
    MEASURED.append(("10,000-leg matrix: expand to 10,000 boxes (ms)", round(t, 1)))
    check(t < BUDGET_MS, f"expanding took {t:.0f} ms")
    s = b.stats()
    equal(s["mode"], "culled", "mode after expanding")
    check(s["renderedElements"] < ELEMENT_BOUND, f"elements after expanding: {s['renderedElements']}")
    before = set(b.rendered_nodes())
    check(10 <= len(before) < 1000, f"legs drawn after expanding: {len(before)}")
    check("test[shard=0]" in before or "checkout" in before, "the view starts near the top of the legs")
    b.handle_call("h.panBy(0, -6000)")
    b.frame()
    after = set(b.rendered_nodes())
    check(after and after != before, "panning changes which legs are drawn")
    check(b.stats()["renderedElements"] < ELEMENT_BOUND, "elements after panning")
    # The critical leg, far down the column: focus() brings it into view, outlined, with its critical edges.
    leg = MATRIX_CRITICAL[1]
    equal(b.handle_call(f"h.focus({json.dumps(leg)})"), True, "focus() of a leg")
    equal(b.js("return document.activeElement.getAttribute('data-node')"), leg, "the focused leg")
    check("rg-critical" in unit_classes(b, node_sel(leg)), "the critical leg is outlined")
    crit = b.js("""return Array.from(document.querySelectorAll('#graph path.rg-edge-critical'),
      (p) => [p.dataset.from, p.dataset.to]);""")
    equal(sorted(map(tuple, crit)), sorted(zip(MATRIX_CRITICAL, MATRIX_CRITICAL[1:])), "critical edges of the matrix run")
    # fit: the whole 10,000-leg column in view → blocks, a handful of paths.
    b.driver.find_element(By.CSS_SELECTOR, "#graph .rg-fit").click()
    b.frame()
    s = b.stats()
    equal(s["mode"], "overview", "mode after fit")
    check(s["renderedElements"] < 150, f"elements in the overview: {s['renderedElements']}")
    drawn = b.js("return Array.from(document.querySelectorAll('#graph .rg-block'), (p) => (p.getAttribute('d') || '').length)")
    check(sum(drawn) > 0, "overview blocks drawn")
    # A click on the blocks zooms back in.
    vp = b.driver.find_element(By.CSS_SELECTOR, "#graph .rg-viewport")
    ActionChains(b.driver).move_to_element(vp).click().perform()
    b.frame()
    s = b.stats()
    check(s["mode"] == "culled" and s["view"]["k"] >= 0.69, f"a click on the overview zooms in: {s['mode']} {s['view']}")
    equal(b.errors(), [], "console errors")
    b.screenshot("desktop-matrix10k-expanded.png")


def test_distinct_10k(b, base):
    stats, _ = wait_stats_timed(b, "distinct10k")
    equal(stats["nodes"], 10000, "nodes")
    equal(stats["mode"], "culled", "mode of 10,000 distinct steps")
    check_budget(stats, "10,000 distinct steps")
    MEASURED.append(("10,000 distinct steps: edge crossings before → after ordering",
                     f"{stats['crossings']['initial']} → {stats['crossings']['final']}"))
    check(stats["crossings"]["final"] < stats["crossings"]["initial"], "barycentric ordering reduces crossings")
    check(stats["renderedElements"] < ELEMENT_BOUND, f"elements: {stats['renderedElements']}")
    before = b.rendered_nodes()
    check(50 <= len(before) < 1000, f"boxes drawn: {len(before)}")
    check(len(before) == len(set(before)), "no box drawn twice")
    # Critical path edges are drawn one by one, highlighted.
    crit = b.js("return document.querySelectorAll('#graph path.rg-edge-critical').length")
    path = json.loads(b.js("return document.getElementById('graph').dataset.criticalPath"))
    equal(crit, len(path) - 1, "critical edges of a 100-step critical path")
    # The zoom buttons work, and change what is drawn.
    k0 = b.stats()["view"]["k"]
    b.driver.find_element(By.CSS_SELECTOR, "#graph .rg-zoom-in").click()
    b.frame()
    k1 = b.stats()["view"]["k"]
    check(abs(k1 / k0 - 1.25) < 1e-6, f"zoom in: {k0} → {k1}")
    zoomed_in = set(b.rendered_nodes())
    check(zoomed_in != set(before) and len(zoomed_in) < len(before), "zooming in draws fewer boxes")
    for _ in range(2):
        b.driver.find_element(By.CSS_SELECTOR, "#graph .rg-zoom-out").click()
    b.frame()
    zoomed_out = b.stats()
    k2 = zoomed_out["view"]["k"]
    check(abs(k2 / k1 - 0.8 ** 2) < 1e-6, f"zoom out: {k1} → {k2}")
    equal(zoomed_out["mode"], "culled", f"boxes still drawn one by one at zoom {k2}")
    check(len(b.rendered_nodes()) > len(before), "zooming out draws more boxes")
    check(zoomed_out["renderedElements"] < ELEMENT_BOUND, f"elements zoomed out: {zoomed_out['renderedElements']}")
    MEASURED.append((f"10,000 distinct steps: DOM elements at zoom {k2:.2f}", zoomed_out["renderedElements"]))
    # A programmatic pan changes what is drawn; the elements stay bounded.
    start = set(b.rendered_nodes())
    b.handle_call("h.panBy(-2500, -1500)")
    b.frame()
    panned = set(b.rendered_nodes())
    check(panned and panned != start, "a pan changes which boxes are drawn")
    check(all(int(n[1:3]) > 2 for n in panned - start), "the new boxes are to the right")
    # Panning stays responsive: 90 pans, one per frame, as a drag makes them. Most frames only move the layer;
    # the ones that come near its edge draw it again.
    timing = b.js_async("""const done = arguments[arguments.length - 1];
      const h = DevFlowRunGraph.mount(document.getElementById('graph'));
      const renders = []; const frames = []; let i = 0; let last = 0; let count = h.stats().renderCount;
      function step() {
        if (i++ >= 90) return done({renders, frames});
        h.panBy(-31, -17);
        requestAnimationFrame(() => {
          const now = performance.now();
          frames.push(now - last);
          last = now;
          const s = h.stats();
          if (s.renderCount !== count) { count = s.renderCount; renders.push(s.lastRenderMs); }
          step();
        });
      }
      requestAnimationFrame(() => { last = performance.now(); step(); });""")
    renders = sorted(timing["renders"])
    frames = sorted(timing["frames"])
    check(renders, "panning 2,800 px never drew the layer again")
    median_frame = frames[len(frames) // 2]
    p90_frame = frames[len(frames) * 9 // 10]
    MEASURED.append(("10,000 distinct steps: frame interval while panning, median / p90 / worst (ms)",
                     f"{median_frame:.1f} / {p90_frame:.1f} / {frames[-1]:.1f}"))
    MEASURED.append(("10,000 distinct steps: layer re-renders during 90 pans, count; median / worst (ms)",
                     f"{len(renders)}; {renders[len(renders) // 2]} / {renders[-1]}"))
    check(renders[-1] < 150, f"a re-render while panning took {renders[-1]} ms")
    check(median_frame < 50, f"median frame while panning: {median_frame:.1f} ms")
    check(b.stats()["renderedElements"] < ELEMENT_BOUND, "elements after panning")
    # A live update of a drawn box in the culled graph.
    drawn = b.rendered_nodes()[0]
    b.handle_call(f"h.setNodeStatus({json.dumps(drawn)}, 'cancelled')")
    check("rg-s-cancelled" in unit_classes(b, node_sel(drawn)), "setNodeStatus on a culled graph's box")
    # Hovering a box draws its edges in full.
    target = b.rendered_nodes()[len(b.rendered_nodes()) // 2]
    b.js("""const g = document.querySelector(arguments[0]);
      g.dispatchEvent(new PointerEvent('pointerover', {bubbles: true}));""", node_sel(target))
    b.frame()
    active = b.js("return document.querySelectorAll('#graph path.rg-edge-active').length")
    check(active >= 1, f"hover draws the box's edges ({active})")
    # fit → blocks.
    b.driver.find_element(By.CSS_SELECTOR, "#graph .rg-fit").click()
    b.frame()
    s = b.stats()
    equal(s["mode"], "overview", "fit shows 10,000 boxes as blocks")
    check(s["renderedElements"] < 150, f"elements in the overview: {s['renderedElements']}")
    b.screenshot("desktop-distinct10k-fit.png")
    equal(b.errors(), [], "console errors")


def active_info(b):
    return b.js("""const a = document.activeElement;
      return a && {node: a.getAttribute('data-node'), step: a.getAttribute('data-step'),
        cls: a.getAttribute('class'), expanded: a.getAttribute('aria-expanded')};""")


def test_keyboard(b, base):
    b.open("small")
    # Start from the page heading, before the graph: Tab goes through the toolbar and the box to the first step.
    b.js("""window.__selected = [];
      document.addEventListener('devflow:node-selected', (e) => window.__selected.push(e.detail.node));
      const h1 = document.querySelector('h1'); h1.tabIndex = -1; h1.focus();""")
    reached = None
    for presses in range(1, 12):
        ActionChains(b.driver).send_keys(Keys.TAB).perform()
        info = active_info(b)
        if info and info["cls"] and "rg-unit" in info["cls"]:
            reached = info
            break
    check(reached is not None, "Tab never reached a node")
    equal(reached["node"], "checkout", "the first node Tab reaches")
    equal(presses, 5, "Tab presses from the heading to the first node (+, −, fit, the box, the node)")
    check(b.js("return document.querySelector('#graph .rg-focus-ring').getAttribute('visibility')") == "visible",
          "keyboard focus shows the focus ring")
    keys = ActionChains(b.driver)
    keys.send_keys(Keys.ARROW_RIGHT).perform()
    first_dependent = active_info(b)["node"]
    check(first_dependent in ("build", "lint"), f"ArrowRight moves to a dependent: {first_dependent}")
    ActionChains(b.driver).send_keys(Keys.ARROW_DOWN if first_dependent == "build" else Keys.ARROW_UP).perform()
    equal(active_info(b)["node"], "lint" if first_dependent == "build" else "build", "ArrowUp/Down within the column")
    ActionChains(b.driver).send_keys(Keys.ARROW_LEFT).perform()
    equal(active_info(b)["node"], "checkout", "ArrowLeft moves to the dependency")
    # checkout → build (ArrowRight, then Up/Down to build).
    ActionChains(b.driver).send_keys(Keys.ARROW_RIGHT).perform()
    if active_info(b)["node"] != "build":
        ActionChains(b.driver).send_keys(Keys.ARROW_UP).perform()
    equal(active_info(b)["node"], "build", "on build")
    ActionChains(b.driver).send_keys(Keys.ENTER).perform()
    equal(b.js("return window.__selected"), ["build"], "Enter fires devflow:node-selected")
    ActionChains(b.driver).send_keys(Keys.ARROW_RIGHT).perform()
    info = active_info(b)
    equal((info["step"], info["expanded"]), ("test", "false"), "ArrowRight from build reaches the matrix group")
    ActionChains(b.driver).send_keys(Keys.ENTER).perform()
    info = active_info(b)
    equal((info["step"], info["expanded"]), ("test", "true"), "Enter on the group expands it; focus on its header")
    equal(b.js("return document.querySelectorAll('#graph .rg-kind-leg').length"), 2, "legs after Enter")
    ActionChains(b.driver).send_keys(Keys.ARROW_DOWN).perform()
    equal(active_info(b)["node"], "test[os=linux]", "ArrowDown from the header to the first leg")
    ActionChains(b.driver).send_keys(" ").perform()
    equal(b.js("return window.__selected"), ["build", "test[os=linux]"], "Space fires devflow:node-selected")
    ActionChains(b.driver).send_keys(Keys.ARROW_RIGHT).perform()
    equal(active_info(b)["node"], "deploy", "ArrowRight from a leg to its dependent")
    ActionChains(b.driver).send_keys(Keys.ARROW_LEFT).perform()
    check(active_info(b)["node"] in ("test[os=linux]", "test[os=mac]", "lint"), "ArrowLeft from deploy")
    # Back on the header: Enter collapses.
    b.js("document.querySelector('#graph .rg-kind-header').focus()")
    ActionChains(b.driver).send_keys(Keys.ENTER).perform()
    info = active_info(b)
    equal((info["step"], info["expanded"]), ("test", "false"), "Enter on the header collapses the group")
    # The toolbar buttons are reachable and labelled.
    labels = b.js("return Array.from(document.querySelectorAll('#graph .rg-toolbar button'), (e) => e.getAttribute('aria-label'))")
    equal(labels, ["Zoom in", "Zoom out", "Fit the whole graph in view"], "button labels")
    b.driver.find_element(By.CSS_SELECTOR, "#graph .rg-zoom-in").send_keys(Keys.ENTER)
    check(abs(b.stats()["view"]["k"] - 1.25) < 1e-6, f"Enter on + zooms in: {b.stats()['view']}")
    # Keyboard on the graph box itself: '-' zooms out, arrows pan.
    b.js("document.querySelector('#graph .rg-viewport').focus()")
    view = b.stats()["view"]
    ActionChains(b.driver).send_keys("-").perform()
    check(b.stats()["view"]["k"] < view["k"], "'-' on the graph box zooms out")
    view = b.stats()["view"]
    ActionChains(b.driver).send_keys(Keys.ARROW_RIGHT).perform()
    check(b.stats()["view"]["tx"] != view["tx"], "an arrow key on the graph box pans")
    equal(b.errors(), [], "console errors")


def test_keyboard_large(b, base):
    b.open("distinct10k")
    b.js("document.querySelector('#graph .rg-fit').click()")
    b.frame()
    equal(b.stats()["mode"], "overview", "fit on the large graph")
    # Enter on the graph box zooms in and focuses a step; arrows follow it through culling.
    b.js("document.querySelector('#graph .rg-viewport').focus()")
    ActionChains(b.driver).send_keys(Keys.ENTER).perform()
    info = active_info(b)
    check(info["node"] is not None, f"Enter on the zoomed-out graph focuses a step: {info}")
    equal(b.stats()["mode"], "culled", "zoomed in to the focused step")
    for _ in range(25):
        ActionChains(b.driver).send_keys(Keys.ARROW_RIGHT).perform()
    info = active_info(b)
    check(info["node"] is not None and int(info["node"][1:3]) == 25, f"25 × ArrowRight: {info}")
    for _ in range(30):
        ActionChains(b.driver).send_keys(Keys.ARROW_DOWN).perform()
    info2 = active_info(b)
    check(info2["node"] is not None and info2["node"] != info["node"] and info2["node"][:3] == info["node"][:3],
          f"ArrowDown within the column: {info} → {info2}")
    check(b.stats()["renderedElements"] < ELEMENT_BOUND, "elements after walking")
    equal(b.errors(), [], "console errors")


def test_no_graph(b, base):
    stats = b.open("nograph")
    equal(stats["nodes"], 0, "nodes of a run without a graph")
    message = b.js("return document.querySelector('#graph .rg-message').textContent")
    equal(message, "no graph: the configuration did not compile", "message")
    check(b.js("return document.querySelector('#graph .rg-message').getBoundingClientRect().height > 0"),
          "the message is shown")
    equal(b.js("return document.querySelectorAll('#graph .rg-unit').length"), 0, "no nodes drawn")
    # The controls do nothing harmful on an empty graph.
    b.js("const h = DevFlowRunGraph.mount(document.getElementById('graph')); h.fit(); h.zoomIn(); h.panBy(5, 5);"
         "h.setNodeStatus('x', 'failed');")
    equal(b.errors(), [], "console errors")
    # A run URL that fails says so.
    b.open("broken")
    message = b.js("return document.querySelector('#graph .rg-message').textContent")
    equal(message, "could not load the run: HTTP 500", "message for a failed fetch")
    errors = [e for e in b.errors() if "/api/v1/runs/broken" not in e["message"]]
    equal(errors, [], "console errors besides the 500")


def test_second_graph_mounted_hidden(b, base):
    """A second graph on the page, mounted by hand while hidden (as in a closed tab), gets its view when shown."""
    b.open("small")
    view = b.js_async("""const done = arguments[arguments.length - 1];
      const el = document.createElement('div');
      el.className = 'run-graph'; el.id = 'second'; el.hidden = true;
      el.setAttribute('data-run-url', '/api/v1/runs/crossing');
      document.querySelector('main').appendChild(el);
      const h = DevFlowRunGraph.mount(el);
      h.ready.then(() => {
        const hiddenWidth = el.querySelector('.rg-viewport').clientWidth;
        if (hiddenWidth !== 0) return done({error: 'not hidden', hiddenWidth});
        el.hidden = false;
        requestAnimationFrame(() => requestAnimationFrame(() => done({view: h.getView(),
          width: el.querySelector('.rg-viewport').clientWidth, units: el.querySelectorAll('.rg-unit').length,
          markers: Array.from(el.querySelectorAll('marker'), (m) => m.id)})));
      });""")
    check("error" not in view, f"the second graph was not hidden: {view}")
    equal(view["units"], 4, "boxes of the second graph")
    graph_width = 2 * 24 + 2 * 200 + 90
    expected_tx = (view["width"] - graph_width) / 2
    check(abs(view["view"]["tx"] - expected_tx) < 1.5, f"the shown graph is centred: {view}")
    first = b.js("return Array.from(document.querySelectorAll('#graph marker'), (m) => m.id)")
    check(not set(first) & set(view["markers"]), "each graph has its own marker ids")
    equal(b.errors(), [], "console errors")


def test_crossing_order(b, base):
    stats = b.open("crossing")
    equal(stats["crossings"], {"initial": 1, "final": 0}, "crossings before and after ordering")
    ys = b.js("""const y = {};
      for (const g of document.querySelectorAll('#graph [data-node]')) y[g.dataset.node] = g.getBoundingClientRect().top;
      return y;""")
    check(ys["a"] < ys["b"], "the first level keeps its order")
    check(ys["y"] < ys["x"], f"y (needs a) is drawn above x (needs b): {ys}")


def test_pointer_zoom_and_pan(b, base):
    b.open("small")
    vp = b.driver.find_element(By.CSS_SELECTOR, "#graph .rg-viewport")
    rect = b.js("return document.querySelector('#graph .rg-viewport').getBoundingClientRect().toJSON()")
    view = b.stats()["view"]
    # Wheel over a point: zoom in around it (the world point under the pointer stays put).
    ox, oy = 300, 60
    world = ((ox - view["tx"]) / view["k"], (oy - view["ty"]) / view["k"])
    ActionChains(b.driver).scroll_from_origin(
        ScrollOrigin.from_element(vp, int(ox - rect["width"] / 2), int(oy - rect["height"] / 2)), 0, -100).perform()
    after = b.stats()["view"]
    check(after["k"] > view["k"], f"wheel up zooms in: {view} → {after}")
    wx, wy = (ox - after["tx"]) / after["k"], (oy - after["ty"]) / after["k"]
    check(abs(wx - world[0]) < 2 and abs(wy - world[1]) < 2, f"zoom is around the pointer: {world} → {(wx, wy)}")
    # Drag on the background pans.
    before = b.stats()["view"]
    ActionChains(b.driver).move_to_element_with_offset(vp, int(-rect["width"] / 2 + 20), int(rect["height"] / 2 - 15)) \
        .click_and_hold().move_by_offset(40, -10).move_by_offset(40, -10).release().perform()
    moved = b.stats()["view"]
    check(abs(moved["tx"] - before["tx"] - 80) < 2, f"drag pans horizontally: {before} → {moved}")
    # A drag that starts on a node does not select it.
    b.js("""window.__selected = [];
      document.addEventListener('devflow:node-selected', (e) => window.__selected.push(e.detail.node));""")
    node = b.driver.find_element(By.CSS_SELECTOR, node_sel("checkout"))
    ActionChains(b.driver).move_to_element(node).click_and_hold().move_by_offset(30, 0).move_by_offset(30, 0) \
        .release().perform()
    equal(b.js("return window.__selected"), [], "a drag over a node is not a click")
    # ctrl+wheel (a trackpad pinch) zooms faster than a plain wheel, around the pointer.
    factors = b.js("""const v = document.querySelector('#graph .rg-viewport'); const r = v.getBoundingClientRect();
      const h = DevFlowRunGraph.mount(document.getElementById('graph')); const out = [];
      for (const ctrlKey of [false, true]) {
        const k0 = h.getView().k;
        v.dispatchEvent(new WheelEvent('wheel', {deltaY: -20, ctrlKey, clientX: r.left + 200, clientY: r.top + 50,
          bubbles: true, cancelable: true}));
        out.push(h.getView().k / k0);
      }
      return out;""")
    check(1 < factors[0] < factors[1], f"ctrl+wheel zooms more than a wheel: {factors}")
    # A two-finger pinch on a touch screen zooms.
    b.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 2})
    try:
        k0 = b.stats()["view"]["k"]
        cx, cy = rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2
        touch = lambda kind, d: b.driver.execute_cdp_cmd("Input.dispatchTouchEvent", {  # noqa: E731
            "type": kind, "touchPoints": [] if kind == "touchEnd" else [
                {"x": cx - d, "y": cy, "id": 1}, {"x": cx + d, "y": cy, "id": 2}]})
        touch("touchStart", 30)
        for d in range(35, 95, 5):
            touch("touchMove", d)
        touch("touchEnd", 0)
        k1 = b.stats()["view"]["k"]
        check(k1 > k0 * 2, f"pinching the fingers apart 30 → 90 px zooms in: {k0} → {k1}")
    finally:
        b.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
    # fit.
    b.driver.find_element(By.CSS_SELECTOR, "#graph .rg-fit").click()
    fitted = b.stats()["view"]
    check(fitted["k"] <= 1, f"fit: {fitted}")
    scrolled = b.js("const v = document.querySelector('#graph .rg-viewport'); return [v.scrollLeft, v.scrollTop];")
    equal(scrolled, [0, 0], "the box itself never scrolls")
    equal(b.errors(), [], "console errors")


def test_strict_csp(b, base):
    b.open("small", query="?csp=1")
    equal(b.js("return window.__csp"), [], "Content-Security-Policy violations")
    equal(len(b.rendered_nodes()), 4, "boxes under a strict CSP")
    b.handle_call("h.expand('test')")
    equal(b.js("return window.__csp"), [], "CSP violations after expanding")
    equal(b.errors(), [], "console errors")


STATE_NAMES = ["pending", "running", "succeeded", "failed", "skipped", "cancelled", "up_to_date", "reused",
               "interrupted"]

PALETTE = """const el = document.getElementById('graph');
const probe = document.createElement('span'); el.appendChild(probe); const out = {};
for (const n of arguments[0]) { probe.style.color = 'var(--rg-' + n + ')'; out[n] = getComputedStyle(probe).color; }
probe.remove(); return out;"""


def rgb_of(css):
    return tuple(float(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])


def relative_luminance(rgb):
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def lab(rgb):
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = lambda t: t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116  # noqa: E731
    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def delta_e(a, b):
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b))) ** 0.5


def check_palette(b, scheme):
    """State colours (and the critical accent) stay apart from each other and readable on both backgrounds."""
    colours = {k: rgb_of(v) for k, v in b.js(PALETTE, STATE_NAMES + ["critical", "node-bg", "bg"]).items()}
    marks = STATE_NAMES + ["critical"]
    closest = min((delta_e(colours[p], colours[q]), p, q) for i, p in enumerate(marks) for q in marks[i + 1:])
    check(closest[0] >= 20, f"{scheme}: {closest[1]} and {closest[2]} are too alike (ΔE {closest[0]:.1f})")
    weakest = min((contrast(colours[m], colours[bg]), m, bg) for m in marks for bg in ("node-bg", "bg"))
    check(weakest[0] >= 3, f"{scheme}: {weakest[1]} on {weakest[2]} has contrast {weakest[0]:.2f} < 3")
    MEASURED.append((f"{scheme} palette: closest pair ΔE76, weakest contrast",
                     f"{closest[0]:.1f} ({closest[1]}/{closest[2]}), {weakest[0]:.2f} ({weakest[1]} on {weakest[2]})"))
    # The non-colour cue: every state has its own glyph and its own border pattern.
    glyphs = b.js("""return Array.from(document.querySelectorAll('#graph .rg-legend-item .rg-legend-glyph'),
      (g) => g.textContent);""")
    equal(len(set(glyphs)), len(STATE_NAMES), f"{scheme}: distinct state glyphs {glyphs}")


def test_state_palette_light_and_dark(b, base):
    b.open("small")
    check_palette(b, "light")
    # Every state gets its own (colour, border pattern, width) on a box.
    styles = b.js("""const h = DevFlowRunGraph.mount(document.getElementById('graph')); const out = {};
      for (const s of arguments[0]) { h.setNodeStatus('deploy', s);
        const box = getComputedStyle(document.querySelector('#graph [data-node="deploy"] .rg-box'));
        out[s] = [box.stroke, box.strokeDasharray, box.strokeWidth].join(' | '); }
      return out;""", STATE_NAMES)
    equal(len(set(styles.values())), len(STATE_NAMES), f"box styles per state: {styles}")
    b.color_scheme("dark")
    try:
        b.open("small")
        check_palette(b, "dark")
    finally:
        b.color_scheme(None)
    equal(b.errors(), [], "console errors")


def luminance(rgb):
    parts = [float(x) for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    return sum(w * p for w, p in zip((0.2126, 0.7152, 0.0722), parts)) / 255


def test_screenshots_desktop_phone_dark(b, base):
    # Desktop, 1280 × 900.
    b.open("small")
    b.handle_call("h.expand('test')")
    shots = [b.screenshot("desktop-small.png")]
    b.open("distinct10k")
    shots.append(b.screenshot("desktop-distinct10k.png"))
    # Phone, 390 × 844: the graph scrolls inside its box, nothing overflows the page.
    for page in ("small", "distinct10k", "matrix10k"):
        b.open(page, 390, 844, mobile=True)
        sizes = b.js("""const g = document.getElementById('graph').getBoundingClientRect();
          const v = document.querySelector('#graph .rg-viewport').getBoundingClientRect();
          return {page: document.documentElement.scrollWidth, inner: window.innerWidth, graphRight: g.right,
            viewportRight: v.right, viewportWidth: v.width};""")
        check(sizes["inner"] == 390, f"phone viewport: {sizes}")
        check(sizes["page"] <= sizes["inner"], f"{page}: the page overflows horizontally at 390 px: {sizes}")
        check(sizes["viewportRight"] <= 390, f"{page}: the graph box overflows: {sizes}")
        view = b.stats()["view"]
        check(view["k"] >= 0.69, f"{page}: the initial zoom stays readable on a phone: {view}")
        if page == "small":
            shots.append(b.screenshot("phone-small.png"))
            # The rest of the graph is reachable by panning.
            b.handle_call("h.panBy(-400, 0)")
            check(b.stats()["view"]["tx"] < view["tx"], "panning on the phone")
            shots.append(b.screenshot("phone-small-panned.png"))
        elif page == "distinct10k":
            shots.append(b.screenshot("phone-distinct10k.png"))
    # Dark mode.
    b.color_scheme("dark")
    try:
        b.open("small")
        b.handle_call("h.expand('test')")
        colours = b.js("""const v = getComputedStyle(document.querySelector('#graph .rg-viewport')).backgroundColor;
          const label = getComputedStyle(document.querySelector('#graph .rg-label')).fill;
          const ok = getComputedStyle(document.querySelector('#graph [data-node="checkout"] .rg-glyph')).fill;
          const bad = getComputedStyle(document.querySelector('#graph [data-node="lint"] .rg-glyph')).fill;
          return {bg: v, label, ok, bad};""")
        check(luminance(colours["bg"]) < 0.2, f"dark background: {colours}")
        check(luminance(colours["label"]) > 0.7, f"light text in dark mode: {colours}")
        check(colours["ok"] != colours["bad"], "succeeded and failed differ in dark mode")
        shots.append(b.screenshot("dark-small.png"))
        b.open("matrix10k")
        shots.append(b.screenshot("dark-matrix10k.png"))
    finally:
        b.color_scheme(None)
    b.open("small")
    light = b.js("return getComputedStyle(document.querySelector('#graph .rg-viewport')).backgroundColor")
    check(luminance(light) > 0.8, f"light background: {light}")
    for s in shots:
        check(os.path.getsize(s) > 1000, f"screenshot {s} is empty")
    MEASURED.append(("screenshots", SCREENSHOT_DIR))
    equal(b.errors(), [], "console errors")


TESTS = [
    test_small_run,
    test_set_node_status_and_reload,
    test_injection,
    test_matrix_10k,
    test_distinct_10k,
    test_keyboard,
    test_keyboard_large,
    test_no_graph,
    test_crossing_order,
    test_second_graph_mounted_hidden,
    test_pointer_zoom_and_pan,
    test_strict_csp,
    test_state_palette_light_and_dark,
    test_screenshots_desktop_phone_dark,
]


def main():
    wanted = sys.argv[1:]
    tests = [t for t in TESTS if not wanted or any(w in t.__name__ for w in wanted)]
    wait_for_browser()
    server = GraphServer()
    base = server.start()
    browser = Browser(base)
    passed = failed = 0
    try:
        for test in tests:
            started = time.time()
            try:
                browser.driver.get("about:blank")
                browser.errors()
                test(browser, base)
            except Exception as error:  # noqa: BLE001 - every failure is reported, then the next test runs
                failed += 1
                print(f"FAIL {test.__name__} ({time.time() - started:.1f} s): {error}", flush=True)
                if not isinstance(error, Failure):
                    traceback.print_exc()
                try:
                    browser.screenshot(f"failure-{test.__name__}.png")
                except Exception:  # noqa: BLE001
                    pass
            else:
                passed += 1
                print(f"ok   {test.__name__} ({time.time() - started:.1f} s)", flush=True)
    finally:
        browser.quit()
        server.stop()
    print("\nmeasured:")
    for what, value in MEASURED:
        print(f"  {what}: {value}")
    print(f"\n{passed} passed, {failed} failed")
    return 1 if failed or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
