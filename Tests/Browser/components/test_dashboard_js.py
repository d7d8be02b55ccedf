#!/usr/bin/env python3
"""Browser tests of the dashboard pages' script and style (Sources/DevFlowDashboard/Assets/dashboard.js and .css).

Run: python3 Tests/Browser/components/test_dashboard_js.py [test-name-substring ...]

Headless Chromium (/usr/bin/chromium, /usr/bin/chromedriver) against fake_dashboard_server.py, whose pages follow
the page contract and carry its Content-Security-Policy. Exits non-zero when a test fails. Screenshots go to
$SCREENSHOT_DIR (default /tmp/devflow-dashboard-js-shots).
"""

import json
import os
import re
import sys
import time
import traceback
import urllib.request
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from fake_dashboard_server import XSS_IMG, XSS_SCRIPT, DashboardServer, ago  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "/tmp/devflow-dashboard-js-shots")

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
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


def wait(predicate, what, timeout=10.0, interval=0.05):
    """Polls until predicate() is truthy; returns its value."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


def now_iso():
    t = datetime.now(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def seconds_of(text):
    """`45s`, `1m 3s`, `2h 5m` -> seconds."""
    m = re.fullmatch(r"(?:(\d+)h )?(?:(\d+)m ?)?(?:(\d+)s)?", text)
    check(m and text, f"not a duration: {text!r}")
    h, mi, s = (int(g) if g else 0 for g in m.groups())
    return h * 3600 + mi * 60 + s


# ------------------------------------------------------------------------------------------------------ harness

class Browser:
    def __init__(self, base):
        self.base = base
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800",
                    "--force-color-profile=srgb", "--hide-scrollbars", "--font-render-hinting=none"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_script_timeout(30)
        self.driver.set_page_load_timeout(30)

    def viewport(self, width, height, mobile=False):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def color_scheme(self, scheme):
        features = [{"name": "prefers-color-scheme", "value": scheme}] if scheme else []
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": features})

    def open(self, path, width=1280, height=800, mobile=False, live=True):
        self.viewport(width, height, mobile)
        self.driver.get(self.base + path)
        wait(lambda: self.js("return !!window.DevFlowDashboard && document.readyState === 'complete'"),
             "dashboard.js")
        if live:
            self.wait_live()

    def wait_live(self):
        wait(lambda: self.js("const s = document.getElementById('live-status'); return s && s.textContent") == "Live",
             "#live-status to say Live")

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def js_async(self, script, *args):
        return self.driver.execute_async_script(script, *args)

    def keys(self, *keys):
        chain = ActionChains(self.driver)
        for k in keys:
            chain.send_keys(k)
        chain.perform()

    def errors(self, allow=()):
        """SEVERE console entries since the last call (CSP violations land here), minus the allowed patterns."""
        return [e for e in self.driver.get_log("browser")
                if e["level"] == "SEVERE" and not any(a in e["message"] for a in allow)]

    def screenshot(self, name):
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        path = os.path.join(SCREENSHOT_DIR, name)
        self.driver.save_screenshot(path)
        return path

    def quit(self):
        self.driver.quit()


class Control:
    """The fake server's control endpoints."""

    def __init__(self, base):
        self.base = base

    def post(self, path, body=None):
        req = urllib.request.Request(self.base + path, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            return json.load(r)

    def reset(self, empty=False):
        self.post("/control/reset", {"empty": empty})

    def run_event(self, run, status, at=None):
        return self.post("/control/event", {"event": "run", "data": {"at": at or now_iso(), "run": run,
                                                                     "status": status}})["id"]

    def node_event(self, run, node, status):
        return self.post("/control/event", {"event": "node", "data": {"at": now_iso(), "node": node, "run": run,
                                                                      "status": status}})["id"]

    def raw_event(self, kind, raw):
        return self.post("/control/event", {"event": kind, "raw": raw})["id"]

    def add_run(self, run):
        self.post("/control/run", run)

    def drop(self, hold=False, refuse=0):
        self.post("/control/drop", {"hold": hold, "refuse": refuse})

    def release(self):
        self.post("/control/release")

    def state(self):
        with urllib.request.urlopen(self.base + "/control/state") as r:
            return json.load(r)

    def fetches(self, run):
        return self.state()["fetches"].get(str(run), 0)


def new_run(id, status="queued", pipeline="demo", branch="main", repository="acme/demo", commit="1234567abcdef",
            summary="push to branch 'main' by ada", started=None, finished=None):
    return {"id": id, "pipeline": pipeline, "file": ".devflow/pipeline.yml", "repository": repository,
            "ref": f"refs/heads/{branch}", "branch": branch, "commit": commit, "status": status,
            "status_reason": None, "event_kind": "push", "event": {"kind": "push", "summary": summary},
            "queued_at": ago(2), "started_at": started, "finished_at": finished, "graph": None, "nodes": [],
            "attempts": []}


ROW = """const tr = document.querySelector('#runs tr[data-run-id="' + arguments[0] + '"]');
if (!tr) return null;
const b = tr.querySelector('td.status .badge'), d = tr.querySelector('td.duration');
return {status: tr.dataset.status, badge: b && b.textContent, cls: b && b.className,
  started: d && d.dataset.startedAt, finished: d && d.dataset.finishedAt, duration: d && d.textContent};"""

ROW_IDS = "return Array.from(document.querySelectorAll('#runs tbody tr[data-run-id]'), (r) => r.dataset.runId);"


def row(b, id):
    return b.js(ROW, str(id))


def graph_classes(b, node):
    return b.js("const g = document.querySelector('#graph .run-graph [data-node=\"' + arguments[0] + '\"]');"
                "return g ? g.getAttribute('class') : null;", node)


GRAPH_READY = """const done = arguments[arguments.length - 1];
const el = document.querySelector('#graph .run-graph');
DevFlowRunGraph.mount(el).ready.then(() => done(true), (e) => done(String(e)));"""


# ------------------------------------------------------------------------------------------------------- tests

def test_row_badge_changes_on_run_event(b, ctl):
    b.open("/")
    b.js("window.__marker = 'not reloaded'")
    at = now_iso()
    ctl.run_event(12, "succeeded", at)
    r = wait(lambda: (row(b, 12) or {}).get("status") == "succeeded" and row(b, 12), "row 12 to succeed")
    equal(r["badge"], "succeeded", "badge text")
    check("status-succeeded" in r["cls"] and "status-running" not in r["cls"] and "badge" in r["cls"],
          f"badge class: {r['cls']}")
    equal(r["finished"], at, "data-finished-at is the event's time")
    final = r["duration"]
    check(60 <= seconds_of(final) <= 90, f"final duration {final!r}")
    time.sleep(1.3)
    equal(row(b, 12)["duration"], final, "a finished run's duration no longer ticks")
    # A queued run starts: data-started-at is the event's time and its duration ticks from there.
    at = now_iso()
    ctl.run_event(13, "running", at)
    r = wait(lambda: (row(b, 13) or {}).get("status") == "running" and row(b, 13), "row 13 to run")
    equal(r["started"], at, "data-started-at is the event's time")
    check("status-running" in r["cls"], f"badge class {r['cls']}")
    equal(b.js("return window.__marker"), "not reloaded", "the page was not reloaded")
    equal(b.errors(), [], "console errors")


def test_replayed_feed_changes_nothing(b, ctl):
    # The page has no data-last-event-id: the feed is replayed from its start, with the history of its runs and
    # of run 3, which is older than every row.
    b.open("/")
    ctl.run_event(13, "running")  # a sentinel: once it is applied, the replay before it has been too
    wait(lambda: (row(b, 13) or {}).get("status") == "running", "the sentinel event")
    equal(b.js(ROW_IDS), ["13", "12", "11", "10", "9", "8", "7"], "rows (run 3 is not inserted)")
    equal(ctl.fetches(3), 0, "fetches of run 3")
    equal(row(b, 11)["status"], "succeeded", "a finished run does not go back to queued or running")
    equal(row(b, 11)["badge"], "succeeded", "its badge")
    equal(row(b, 12)["status"], "running", "run 12 after replaying queued, running")
    check(row(b, 12)["started"], "run 12 keeps its start")
    state = ctl.state()
    equal([(c["header"], c["query"]) for c in state["connections"]], [(None, None)],
          "one connection, from the start")
    equal(b.errors(), [], "console errors")


def test_new_run_inserted_on_live_page(b, ctl):
    b.open("/")
    ctl.add_run(new_run(20, pipeline="api", branch="feature/x", commit="feedface0000111"))
    ctl.run_event(20, "queued")
    wait(lambda: row(b, 20), "row 20")
    equal(b.js(ROW_IDS)[:2], ["20", "13"], "the new run is the first row")
    cells = b.js("""const tr = document.querySelector('#runs tr[data-run-id="20"]');
      return Array.from(tr.cells, (td) => [td.className, td.textContent]);""")
    equal([c[0] for c in cells], ["run-id", "status", "pipeline", "repository", "branch", "commit", "trigger",
                                  "queued", "duration"], "cell classes")
    equal(cells[0][1], "#20", "id cell")
    equal(cells[1][1], "queued", "status cell")
    equal(cells[2][1], "api", "pipeline cell")
    equal(cells[4][1], "feature/x", "branch cell")
    equal(cells[5][1], "feedfac", "commit cell (7 characters)")
    equal(cells[6][1], "push to branch 'main' by ada", "trigger cell (event.summary)")
    link = b.js("return document.querySelector('#runs tr[data-run-id=\"20\"] td.run-id a').getAttribute('href')")
    equal(link, "/runs/20", "link")
    t = b.js("const t = document.querySelector('#runs tr[data-run-id=\"20\"] time');"
             "return t && {dt: t.getAttribute('datetime'), title: t.title, text: t.textContent};")
    check(t and t["title"], f"queued time's title: {t}")
    equal(t["text"], f"{t['dt'][:10]} {t['dt'][11:16]} UTC", "queued time's text (as the server writes it)")
    equal(ctl.fetches(20), 1, "fetches of run 20")
    # Later events apply to the inserted row; two more runs land in id order whatever order they come in.
    ctl.run_event(20, "running")
    wait(lambda: row(b, 20)["status"] == "running", "row 20 running")
    ctl.add_run(new_run(21))
    ctl.add_run(new_run(22, status="running", started=ago(5)))
    ctl.run_event(22, "running")
    # Run 21 is heard of only once 22 is on the page: it is still new (newer than the page's newest row).
    wait(lambda: row(b, 22), "row 22")
    ctl.run_event(21, "queued")
    wait(lambda: row(b, 21) and row(b, 22), "rows 21 and 22")
    equal(b.js(ROW_IDS)[:4], ["22", "21", "20", "13"], "rows in id order")
    check(5 <= seconds_of(row(b, 22)["duration"]) <= 15, f"row 22 duration {row(b, 22)['duration']!r}")
    equal(ctl.fetches(21), 1, "one fetch per run")
    equal(b.errors(), [], "console errors")


def test_new_run_inserted_into_empty_list(b, ctl):
    ctl.reset(empty=True)  # a new server: no runs, an empty feed
    b.open("/")
    equal(b.js(ROW_IDS), [], "rows")
    check(b.js("return document.querySelector('p.empty').getClientRects().length > 0"), "empty text shown")
    ctl.add_run(new_run(30))
    ctl.run_event(30, "queued")
    wait(lambda: row(b, 30), "row 30")
    check(not b.js("return document.querySelector('p.empty').getClientRects().length > 0"),
          "the empty text is hidden once a run is in")
    equal(b.errors(), [], "console errors")


def test_new_run_not_inserted_on_filtered_page(b, ctl):
    b.open("/?status=running")
    equal(b.js("return document.getElementById('runs').dataset.live"), "false", "data-live")
    ctl.add_run(new_run(23))
    ctl.run_event(23, "queued")
    ctl.run_event(12, "failed")  # rows on the page still change
    wait(lambda: row(b, 12)["status"] == "failed", "row 12 to fail")
    time.sleep(0.3)
    equal(row(b, 23), None, "run 23 on a filtered page")
    equal(ctl.fetches(23), 0, "fetches of run 23")
    equal(b.errors(), [], "console errors")


def test_markup_in_a_new_run_is_text(b, ctl):
    b.open("/")
    evil_repo = '"><svg onload="window.__pwned=3"></svg>'
    evil_summary = "<b>bold</b><iframe src=\"javascript:window.__pwned=4\"></iframe>"
    ctl.add_run(new_run(24, pipeline=XSS_SCRIPT, branch=XSS_IMG, repository=evil_repo,
                        commit=XSS_IMG, summary=evil_summary))
    ctl.run_event(24, "queued")
    wait(lambda: row(b, 24), "row 24")
    dom = b.js("""const tr = document.querySelector('#runs tr[data-run-id="24"]');
      return {elements: Array.from(tr.querySelectorAll('*'), (e) => e.tagName.toLowerCase()),
        pipeline: tr.querySelector('td.pipeline').textContent, branch: tr.querySelector('td.branch').textContent,
        repository: tr.querySelector('td.repository').textContent, trigger: tr.querySelector('td.trigger').textContent,
        commit: tr.querySelector('td.commit').textContent, commitTitle: tr.querySelector('td.commit code').title,
        pageScripts: document.querySelectorAll('script').length, imgs: document.querySelectorAll('img').length,
        pwned: window.__pwned === undefined ? null : window.__pwned};""")
    equal(sorted(set(dom["elements"])), ["a", "code", "span", "td", "time"], "elements in the row")
    equal(dom["pipeline"], XSS_SCRIPT, "pipeline text")
    equal(dom["branch"], XSS_IMG, "branch text")
    equal(dom["repository"], evil_repo, "repository text")
    equal(dom["trigger"], evil_summary, "trigger text")
    equal(dom["commit"], XSS_IMG[:7], "commit text (7 characters)")
    equal(dom["commitTitle"], XSS_IMG, "the whole commit in the title")
    equal(dom["pageScripts"], 3, "script elements in the page")
    equal(dom["imgs"], 0, "img elements in the page")
    time.sleep(0.3)
    equal(b.js("return window.__pwned === undefined ? null : window.__pwned"), None, "no injected code ran")
    # A status that is markup is text too, with a neutral badge.
    ctl.run_event(24, XSS_IMG)
    r = wait(lambda: row(b, 24)["status"] == XSS_IMG and row(b, 24), "the markup status")
    equal(r["badge"], XSS_IMG.replace("_", " "), "badge text (the status's label)")
    equal(r["cls"], "badge status-unknown", "badge class")
    equal(b.js("return document.querySelectorAll('img').length"), 0, "img elements")
    equal(b.errors(), [], "console errors")


def test_malformed_events_are_ignored_and_unknown_status_is_neutral(b, ctl):
    b.open("/")
    for raw in ["not json", "[12, \"failed\"]", '{"run": "12", "status": "failed"}', '{"run": 12}',
                '{"run": -4, "status": "failed"}', '{"run": 12, "status": ""}', '{"run": 12, "status": 42}',
                '{"run": 1.5, "status": "failed"}', "null", '"failed"', '{"run": 12, "status": "failed"']:
        ctl.raw_event("run", raw)
    ctl.raw_event("node", '{"run": 12, "status": "failed"}')  # a node event without a node
    ctl.post("/control/event", {"event": "bogus", "data": {"at": now_iso(), "run": 12, "status": "failed"}})
    ctl.run_event(12, "frobnicated")
    r = wait(lambda: row(b, 12)["status"] == "frobnicated" and row(b, 12), "the unknown status")
    equal(r["badge"], "frobnicated", "badge text")
    check("status-frobnicated" in r["cls"], f"badge class {r['cls']}")
    colours = b.js("""const get = (el) => getComputedStyle(el).borderTopColor;
      const probe = (cls) => { const s = document.createElement('span'); s.className = cls; document.body.append(s);
        const c = get(s); s.remove(); return c; };
      return {unknown: get(document.querySelector('#runs tr[data-run-id="12"] .badge')), neutral: probe('badge'),
        running: probe('badge status-running'), failed: probe('badge status-failed')};""")
    equal(colours["unknown"], colours["neutral"], "an unknown status has the neutral colour")
    check(colours["neutral"] not in (colours["running"], colours["failed"]), f"neutral is not a state: {colours}")
    ctl.run_event(12, "failed")
    wait(lambda: row(b, 12)["status"] == "failed", "a valid event after the bad ones")
    equal(b.errors(), [], "console errors")


def test_durations_tick_and_format(b, ctl):
    b.open("/")
    # The server's DisplayFormat.duration: 45s, 1m 3s, 1m, 2h 5m, 2h, 1d 1h; one decimal under 10 s when finished.
    cases = b.js("""const f = DevFlowDashboard.formatDuration;
      return [[0, 999, 45000, 59999, 60000, 63000, 3599000, 3600000, 7500000, 90061000, 86400000, -5000, NaN]
        .map((ms) => f(ms)), [400, 3500, 9000, 12300, 63000].map((ms) => f(ms, true))];""")
    equal(cases[0], ["0s", "1s", "45s", "1m", "1m", "1m 3s", "59m 59s", "1h", "2h 5m", "1d 1h", "1d", "0s", ""],
          "formatDuration")
    equal(cases[1], ["0.4s", "3.5s", "9s", "12s", "1m 3s"], "formatDuration of a finished duration")
    # The shown duration follows the clock (within the one-second tick, and a slow, loaded machine's delays).
    elapsed = ("const d = document.querySelector('#runs tr[data-run-id=\"12\"] td.duration');"
               "return [d.textContent, (Date.now() - Date.parse(d.dataset.startedAt)) / 1000];")

    def shown_and_real():
        text, real = b.js(elapsed)
        shown = seconds_of(text)
        check(abs(shown - real) <= 1.6, f"run 12's duration {text!r} after {real:.1f} s")
        return shown

    first = shown_and_real()
    check(64 <= first <= 75, f"run 12 started 65 s ago: {first}")
    finished = row(b, 11)["duration"]
    equal(finished, "1m 3s", "a finished run's duration")
    time.sleep(2.2)
    later = shown_and_real()
    check(later > first, f"ticked from {first} to {later} in 2.2 s")
    equal(row(b, 11)["duration"], finished, "the finished run does not tick")
    equal(row(b, 13)["duration"], "", "a queued run has no duration")
    equal(b.errors(), [], "console errors")


def test_time_elements_get_local_titles(b, ctl):
    for path in ("/", "/runs/12", "/breakers"):
        b.open(path, live=path != "/breakers")
        times = b.js("""const f = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'long'});
          return Array.from(document.querySelectorAll('time[datetime]'), (t) =>
            [t.title, f.format(new Date(t.getAttribute('datetime')))]);""")
        check(len(times) >= 2, f"{path}: time elements {times}")
        for title, expected in times:
            equal(title, expected, f"{path}: a time's title")
    equal(b.errors(), [], "console errors")


def test_run_page_status_nodes_graph_and_cancel(b, ctl):
    b.open("/runs/12")
    equal(b.js_async(GRAPH_READY), True, "graph ready")
    equal(b.js("return document.querySelectorAll('#graph .run-graph .rg-viewport').length"), 1,
          "one graph (not mounted twice)")
    equal(ctl.fetches(12), 1, "the graph fetched its run once")
    state = ctl.state()
    equal(state["connections"][-1]["query"], "11", "the stream starts after data-last-event-id")
    check("rg-s-running" in graph_classes(b, "build"), "build runs in the graph")
    # A node event: its row and its graph node.
    ctl.node_event(12, "build", "succeeded")
    wait(lambda: b.js("return document.querySelector('#nodes tr[data-node-id=\"build\"]').dataset.status")
         == "succeeded", "build's row")
    badge = b.js("const s = document.querySelector('#nodes tr[data-node-id=\"build\"] td.status .badge');"
                 "return [s.textContent, s.className];")
    equal(badge, ["succeeded", "badge status-succeeded"], "build's badge")
    wait(lambda: "rg-s-succeeded" in graph_classes(b, "build"), "build succeeded in the graph")
    check("rg-s-running" not in graph_classes(b, "build"), "build no longer running in the graph")
    ctl.node_event(12, "test", "running")
    wait(lambda: "rg-s-running" in graph_classes(b, "test"), "test running in the graph")
    # Another run's events change nothing here.
    ctl.node_event(11, "deploy", "failed")
    ctl.run_event(11, "failed")
    ctl.node_event(12, "deploy", "running")  # sentinel
    wait(lambda: "rg-s-running" in graph_classes(b, "deploy"), "the sentinel")
    equal(b.js("return document.getElementById('run-status').dataset.status"), "running", "run status")
    check(b.js("return document.getElementById('cancel-run').getClientRects().length > 0"), "cancel shown")
    check(not b.js("return document.getElementById('reload-details').getClientRects().length > 0"),
          "reload link hidden while running")
    # The run finishes.
    ctl.node_event(12, "deploy", "failed")
    ctl.run_event(12, "failed")
    wait(lambda: b.js("return document.getElementById('run-status').dataset.status") == "failed", "run failed")
    status = b.js("const s = document.getElementById('run-status'); return [s.textContent, s.className];")
    equal(status, ["failed", "badge status-failed"], "#run-status")
    check(not b.driver.find_element(By.ID, "cancel-run").is_displayed(), "#cancel-run is gone")
    link = b.driver.find_element(By.ID, "reload-details")
    check(link.is_displayed(), "#reload-details is shown")
    equal(b.js("return document.getElementById('reload-details').getAttribute('href')"), "/runs/12",
          "the page's own reload link")
    wait(lambda: ctl.fetches(12) == 2, "the graph to reload once")
    equal(b.js_async(GRAPH_READY), True, "graph ready after reload")
    equal(b.errors(), [], "console errors")


def test_run_page_without_feed_position_and_node_selection(b, ctl):
    # No data-last-event-id (a replayed feed) and no #reload-details in the page: the link is made.
    b.open("/runs/12?variant=bare")
    equal(b.js_async(GRAPH_READY), True, "graph ready")
    equal(ctl.state()["connections"][-1], {**ctl.state()["connections"][-1], "header": None, "query": None},
          "the stream starts at the beginning")
    ctl.node_event(12, "build", "succeeded")
    wait(lambda: "rg-s-succeeded" in graph_classes(b, "build"), "build in the graph")
    equal(b.js("return document.getElementById('run-status').dataset.status"), "running",
          "run status after the replay")
    equal(b.js("return document.getElementById('reload-details')"), None, "no reload link yet")
    # A step selected in the graph highlights its row.
    b.js("DevFlowRunGraph.mount(document.querySelector('#graph .run-graph')).select('lint')")
    equal(b.js("return Array.from(document.querySelectorAll('#nodes tr.selected'), (t) => t.dataset.nodeId)"),
          ["lint"], "selected rows")
    b.js("DevFlowRunGraph.mount(document.querySelector('#graph .run-graph')).select('deploy')")
    equal(b.js("return Array.from(document.querySelectorAll('#nodes tr.selected'), (t) => t.dataset.nodeId)"),
          ["deploy"], "selected rows after another click")
    ctl.run_event(12, "cancelled")
    wait(lambda: b.js("return document.getElementById('run-status').dataset.status") == "cancelled", "cancelled")
    made = b.js("const a = document.getElementById('reload-details');"
                "return a && [a.textContent, a.getAttribute('href'), a.href === location.href.split('#')[0],"
                "a.previousElementSibling.contains(document.getElementById('run-status')), a.hidden];")
    equal(made, ["Reload for details", "", True, True, False], "the reload link made after #run-status's heading")
    check(not b.driver.find_element(By.ID, "cancel-run").is_displayed(), "#cancel-run is gone")
    equal(b.errors(), [], "console errors")


def test_reconnect_resumes_with_last_event_id(b, ctl):
    b.open("/")
    last = ctl.run_event(13, "running")
    wait(lambda: row(b, 13)["status"] == "running", "run 13 running")
    ctl.drop(hold=True)  # the stream ends; the reconnect waits for an answer
    wait(lambda: b.js("return document.getElementById('live-status').textContent") == "Reconnecting…",
         "Reconnecting…")
    equal(b.js("return document.getElementById('live-status').dataset.state"), "reconnecting", "data-state")
    b.screenshot("reconnecting.png")
    during = ctl.run_event(13, "succeeded")  # written while the page is not connected
    wait(lambda: len(ctl.state()["connections"]) >= 2, "the browser to reconnect")
    ctl.release()
    b.wait_live()
    conns = ctl.state()["connections"]
    equal(conns[-1]["header"], str(last), "Last-Event-ID of the reconnect")
    wait(lambda: row(b, 13)["status"] == "succeeded", "the change made during the outage")
    ctl.run_event(12, "failed")
    wait(lambda: row(b, 12)["status"] == "failed", "a change after the reconnect")
    check(during > last, "ids grow")
    equal(b.js(ROW_IDS), ["13", "12", "11", "10", "9", "8", "7"], "no duplicate or extra rows")
    equal(b.errors(allow=("ERR_INCOMPLETE_CHUNKED_ENCODING", "api/v1/events")), [], "console errors")


def test_refused_reconnect_reopens_after_last_id(b, ctl):
    b.open("/")
    last = ctl.run_event(13, "running")
    wait(lambda: row(b, 13)["status"] == "running", "run 13 running")
    ctl.drop(refuse=1)  # the browser's own reconnect gets a 503 and gives up; the script opens a new stream
    wait(lambda: len(ctl.state()["connections"]) >= 3, "the script's new connection", timeout=15)
    b.wait_live()
    conns = ctl.state()["connections"]
    equal(conns[1]["header"], str(last), "the refused reconnect had Last-Event-ID")
    equal(conns[2]["query"], str(last), "the script's reconnect has last_event_id")
    ctl.run_event(13, "succeeded")
    wait(lambda: row(b, 13)["status"] == "succeeded", "a change after the new stream")
    equal(b.errors(allow=("api/v1/events", "503")), [], "console errors")


def test_keyboard_shortcuts(b, ctl):
    b.open("/")
    body = b.driver.find_element(By.TAG_NAME, "body")
    for keys, path, page in [("gb", "/breakers", "breakers"), ("gd", "/dora", "dora"), ("gi", "/insights", "insights"),
                             ("gr", "/", "runs")]:
        b.keys(*keys)
        wait(lambda: b.js("return location.pathname") == path and b.js("return document.body.dataset.page") == page,
             f"`{keys[0]} {keys[1]}` to open {path}")
        wait(lambda: b.js("return document.readyState") == "complete", "the page")
    # `/` focuses the first filter input (and is not typed into it); typing there is not a shortcut.
    b.keys("/")
    equal(b.js("return document.activeElement.name"), "repository", "focused by /")
    b.keys("g", "b", "/")
    equal(b.js("return document.activeElement.value"), "gb/", "typed into the input")
    equal(b.js("return location.pathname"), "/", "no navigation while typing")
    # A `g` too long before the second key is no chord.
    b.js("document.activeElement.blur()")
    b.keys("g")
    time.sleep(1.7)
    b.keys("b")
    time.sleep(0.3)
    equal(b.js("return location.pathname"), "/", "no navigation after a slow chord")
    # `/` on another page with a filter form.
    b.open("/dora", live=False)
    b.keys("/")
    equal(b.js("return [document.activeElement.form.id, document.activeElement.name]"), ["dora-filters", "repository"],
          "focused by / on the DORA page")
    # On the log page (<main data-run-id> but no #run-status: nothing live, no stream) `g` is also the log
    # viewer's "to top"; `g r` still navigates.
    connections = len(ctl.state()["connections"])
    b.open("/runs/12/nodes/build/log", live=False)
    wait(lambda: b.js("return !!document.querySelector('.log-viewer.lv-mounted')"), "the log viewer")
    time.sleep(0.3)
    equal(len(ctl.state()["connections"]), connections, "event streams opened by the log page")
    b.keys("g", "r")
    wait(lambda: b.js("return location.pathname") == "/", "`g r` from the log page")
    # Tab reaches the skip link first, with a visible focus ring.
    b.open("/", live=False)
    body = b.driver.find_element(By.TAG_NAME, "body")
    b.keys(Keys.TAB)
    focus = b.js("""const a = document.activeElement, s = getComputedStyle(a), r = a.getBoundingClientRect();
      return {cls: a.className, outline: s.outlineStyle, width: s.outlineWidth, top: r.top};""")
    equal(focus["cls"], "skip", "the first Tab stop")
    check(focus["outline"] == "solid" and focus["width"] == "2px" and focus["top"] >= 0, f"focus ring: {focus}")
    check(body is not None, "body")
    equal(b.errors(), [], "console errors")


PAGES = [("runs", "/"), ("run", "/runs/12"), ("run-config-error", "/runs/9"), ("run-finished", "/runs/11"),
         ("breakers", "/breakers"), ("dora", "/dora"), ("insights", "/insights"), ("sign-in", "/sign-in?error=1"),
         ("log", "/runs/12/nodes/build/log"), ("error", "/error")]
LIVE = {"runs", "run", "run-config-error", "run-finished"}


def test_phone_360_no_horizontal_scroll(b, ctl):
    for name, path in PAGES:
        b.open(path, 360, 740, mobile=True, live=name in LIVE)
        sizes = b.js("""const d = document.documentElement;
          const wraps = Array.from(document.querySelectorAll('.table-wrap'), (w) =>
            ({scroll: w.scrollWidth, client: w.clientWidth, right: w.getBoundingClientRect().right}));
          const nav = Array.from(document.querySelectorAll('header.top nav a, header.top .sign-out button'),
            (a) => a.getBoundingClientRect().right);
          return {inner: innerWidth, page: d.scrollWidth, body: document.body.scrollWidth, wraps, nav};""")
        equal(sizes["inner"], 360, f"{name}: viewport width")
        check(sizes["page"] <= 360 and sizes["body"] <= 360, f"{name}: the page scrolls horizontally: {sizes}")
        for w in sizes["wraps"]:
            check(w["right"] <= 360.5, f"{name}: a table wrap overflows: {sizes}")
        for right in sizes["nav"]:
            check(right <= 360.5, f"{name}: the header does not wrap: {sizes}")
        if name == "runs":
            runs = sizes["wraps"][0]
            check(runs["scroll"] > runs["client"], f"the runs table scrolls inside its wrap: {runs}")
            moved = b.js("const w = document.querySelector('.table-wrap'); w.scrollLeft = 200; return w.scrollLeft;")
            check(moved > 0, "the wrap scrolls")
    equal(b.errors(), [], "console errors")


STATUSES = ["queued", "running", "succeeded", "failed", "cancelled", "config_error", "skipped", "paused"]


def luminance(rgb):
    parts = [float(x) for x in re.findall(r"[\d.]+", rgb)[:3]]
    return sum(w * p for w, p in zip((0.2126, 0.7152, 0.0722), parts)) / 255


def test_screenshots_light_and_dark(b, ctl):
    shots = []
    try:
        for scheme in ("light", "dark"):
            b.color_scheme(scheme)
            for name, path in PAGES:
                for size, (w, h, mobile) in (("desktop", (1280, 800, False)), ("phone", (390, 844, True))):
                    b.open(path, w, h, mobile=mobile, live=name in LIVE)
                    if name == "run":
                        b.js_async(GRAPH_READY)
                    shots.append(b.screenshot(f"{size}-{scheme}-{name}.png"))
            look = b.js("""const probe = (cls) => { const s = document.createElement('span'); s.className = cls;
                s.textContent = 'x'; document.body.append(s); const c = getComputedStyle(s).borderTopColor; s.remove();
                return c; };
              return {bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color,
                badges: arguments[0].map((s) => probe('badge status-' + s)),
                breakers: ['closed', 'open', 'half_open'].map((s) => probe('badge state-' + s)),
                levels: ['elite', 'high', 'medium', 'low'].map((s) => probe('level level-' + s))};""", STATUSES)
            if scheme == "dark":
                check(luminance(look["bg"]) < 0.15 and luminance(look["fg"]) > 0.8, f"dark colours: {look}")
            else:
                check(luminance(look["bg"]) > 0.9 and luminance(look["fg"]) < 0.2, f"light colours: {look}")
            equal(len(set(look["badges"])), len(STATUSES), f"{scheme}: one colour per status {look['badges']}")
            equal(len(set(look["breakers"])), 3, f"{scheme}: breaker state colours")
            equal(len(set(look["levels"])), 4, f"{scheme}: level colours")
    finally:
        b.color_scheme(None)
    for s in shots:
        check(os.path.getsize(s) > 2000, f"screenshot {s} is empty")
    print(f"     {len(shots)} screenshots in {SCREENSHOT_DIR}", flush=True)
    equal(b.errors(), [], "console errors (CSP violations included)")


TESTS = [
    test_row_badge_changes_on_run_event,
    test_replayed_feed_changes_nothing,
    test_new_run_inserted_on_live_page,
    test_new_run_inserted_into_empty_list,
    test_new_run_not_inserted_on_filtered_page,
    test_markup_in_a_new_run_is_text,
    test_malformed_events_are_ignored_and_unknown_status_is_neutral,
    test_durations_tick_and_format,
    test_time_elements_get_local_titles,
    test_run_page_status_nodes_graph_and_cancel,
    test_run_page_without_feed_position_and_node_selection,
    test_reconnect_resumes_with_last_event_id,
    test_refused_reconnect_reopens_after_last_id,
    test_keyboard_shortcuts,
    test_phone_360_no_horizontal_scroll,
    test_screenshots_light_and_dark,
]


def main():
    wanted = sys.argv[1:]
    tests = [t for t in TESTS if not wanted or any(w in t.__name__ for w in wanted)]
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            sys.exit(f"{path} is missing")
    began = time.time()
    server = DashboardServer()
    base = server.start()
    ctl = Control(base)
    browser = Browser(base)
    passed = failed = 0
    try:
        for test in tests:
            started = time.time()
            try:
                browser.driver.get("about:blank")
                ctl.reset()
                browser.errors()
                test(browser, ctl)
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
    print(f"\n{passed} passed, {failed} failed in {time.time() - began:.1f} s")
    return 1 if failed or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
