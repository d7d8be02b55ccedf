#!/usr/bin/env python3
"""End-to-end tests of the DevFlow dashboard: a real `devflow serve`, real pushes, a real browser.

Run: python3 Tests/Browser/e2e/dashboard_e2e.py PATH/TO/devflow [test-name-substring ...]
     (CI: python3 Tests/Browser/e2e/dashboard_e2e.py .build/debug/devflow)

The fixture (fixture.py) starts `devflow serve` on a free loopback port with a temporary data directory and a
local bare repository whose post-receive hook sends signed GitHub push webhooks; each branch pushed holds the
pipeline of one kind of run (quick success, failure, 1,000,000-line log, markup everywhere, config error, runs
that wait to be cancelled; the live tests push short sleeping runs while a page is open). Tokens: one viewer, one
operator (and an admin for the harness's own API checks). The server, its steps and the directory are always
removed at exit, whatever happened.

Tests named test_api_* check the fixture against the API only; they pass with a binary that has no dashboard.
Every other test drives headless Chromium through the pages described by the dashboard page contract (sign-in
form, runs list, run page with graph, log viewer, breakers, DORA, insights); while the binary serves no
dashboard they FAIL (never skip) with a message saying so.

Needs /usr/bin/chromium, /usr/bin/chromedriver (Debian: chromium, chromium-driver) and selenium (pip install
selenium, or Debian python3-selenium). Screenshots (every page, desktop 1280x800 and phone 390x844) go to
$SCREENSHOT_DIR (default /tmp/devflow-dashboard-shots). E2E_TIMEOUT (default 600 s) bounds the whole run;
E2E_KEEP=1 keeps the fixture's directory (server log, database) for a post-mortem. Exits non-zero when a test
fails.
"""

import json
import os
import re
import signal
import sys
import threading
import time
import traceback
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fixture  # noqa: E402
from fixture import (  # noqa: E402
    BIG_LINES, NEEDLE, NEEDLE_LINE, PERMALINK_LINE, XSS_BRANCH, XSS_CONFIG_KEY, XSS_LOG_LINES,
    XSS_MATRIX, XSS_OUTPUT, XSS_PIPELINE_NAME, XSS_PUSHER, XSS_STEP_NAME, Fixture, big_log_line)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "/tmp/devflow-dashboard-shots")
TIMEOUT = float(os.environ.get("E2E_TIMEOUT", "600"))
DESKTOP = (1280, 800)
PHONE = (390, 844)
ASSETS = ("/assets/run-graph.js", "/assets/log-viewer.js", "/assets/dashboard.js")
STYLES = ("/assets/dashboard.css", "/assets/run-graph.css", "/assets/log-viewer.css")
FINISHED_RUN = ("succeeded", "failed", "cancelled", "config_error", "skipped")

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
except ImportError:
    sys.exit("selenium is missing: pip install selenium (or apt-get install python3-selenium)")

MEASURED = []  # (what, value), printed at the end


class Failure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def equal(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}")


def measure(what, value, unit="s"):
    MEASURED.append((what, f"{value:.2f} {unit}" if isinstance(value, float) else f"{value} {unit}"))
    print(f"    {what}: {MEASURED[-1][1]}", flush=True)


def wait_until(predicate, timeout, what, interval=0.1):
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise Failure(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# ------------------------------------------------------------------------------------------------------ the browser

class Browser:
    def __init__(self, base):
        self.base = base
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    f"--window-size={DESKTOP[0]},{DESKTOP[1]}", "--lang=en-US", "--force-color-profile=srgb",
                    "--hide-scrollbars"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # chromedriver (and so its Chromium) goes when the harness goes, even when it is killed.
        service = Service(CHROMEDRIVER, popen_kw={"preexec_fn": lambda: fixture.die_with_parent(signal.SIGTERM)})
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_script_timeout(60)
        self.driver.set_page_load_timeout(60)
        self.viewport(*DESKTOP)

    def viewport(self, width, height, mobile=False):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def get(self, path):
        self.driver.get(self.base + path)
        self.wait("return document.readyState === 'complete'", 30, f"{path} to load")

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def js_async(self, script, *args):
        return self.driver.execute_async_script(script, *args)

    def wait(self, script, timeout, what, *args):
        return wait_until(lambda: self.js(script, *args), timeout, what, 0.05)

    def path(self):
        u = urllib.parse.urlsplit(self.driver.current_url)
        return u.path + ("?" + u.query if u.query else "")

    def page(self):
        return self.js("return document.body ? document.body.getAttribute('data-page') : null")

    def text(self, selector):
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null",
                       selector)

    def attr(self, selector, name):
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null",
                       selector, name)

    def count(self, selector):
        return self.js("return document.querySelectorAll(arguments[0]).length", selector)

    def errors(self, allowed=()):
        """SEVERE console messages since the last call, but for a missing favicon and the allowed ones."""
        out = []
        for e in self.driver.get_log("browser"):
            if e["level"] != "SEVERE" or "favicon.ico" in e["message"]:
                continue
            if any(a in e["message"] for a in allowed):
                continue
            out.append(e["message"])
        return out

    def screenshot(self, name):
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        path = os.path.join(SCREENSHOT_DIR, name)
        self.driver.save_screenshot(path)
        return path

    def quit(self):
        self.driver.quit()


# ---------------------------------------------------------------------------------------------- dashboard helpers

_DASHBOARD = {}


def require_dashboard(fx):
    """Fails the calling test at once, with the reason, when the binary serves no dashboard (yet)."""
    if "problem" not in _DASHBOARD:
        problem = None
        try:
            a = fx.page("GET", "/sign-in")
            if a.status != 200 or 'id="sign-in"' not in a.text:
                problem = (f"GET /sign-in answered {a.status} {a.headers.get('Content-Type', '')!s} "
                           f"{a.text[:120]!r}" + (" (no form#sign-in)" if a.status == 200 else ""))
            else:
                a = fx.page("GET", "/assets/dashboard.js")
                if a.status != 200:
                    problem = f"GET /assets/dashboard.js answered {a.status}"
        except OSError as error:
            problem = f"GET /sign-in failed: {error}"
        _DASHBOARD["problem"] = problem
    if _DASHBOARD["problem"]:
        raise Failure("the dashboard pages are missing from this binary (" + _DASHBOARD["problem"] +
                      "): this test checks the dashboard page contract and fails until `devflow serve` serves it")


def sign_in(b, fx, role, next_path=None):
    """Signs in through the form (clearing any session first); returns the token's name."""
    name, token = fx.tokens[role]
    b.get("/sign-in" + ("?next=" + urllib.parse.quote(next_path, safe="") if next_path else ""))
    b.driver.delete_all_cookies()
    b.get("/sign-in" + ("?next=" + urllib.parse.quote(next_path, safe="") if next_path else ""))
    check(b.count("form#sign-in") == 1, f"no form#sign-in on {b.path()}")
    field = b.driver.find_element(By.CSS_SELECTOR, "form#sign-in #token")
    equal(field.get_attribute("type"), "password", "#token type")
    field.send_keys(token)
    b.driver.find_element(By.CSS_SELECTOR, "form#sign-in button[type=submit]").click()
    b.wait("return document.readyState === 'complete' && document.body &&"
           " document.body.getAttribute('data-page') !== 'sign-in' && location.pathname !== '/sign-in'",
           15, f"the {role} sign-in to leave /sign-in")
    equal(b.js("return document.body.getAttribute('data-role')"), role, "body[data-role] after sign-in")
    return name


def open_page(b, path, page):
    b.get(path)
    equal(b.page(), page, f"body[data-page] of {path} (now at {b.path()})")


def layout_problems(b):
    """What the common layout of the contract misses on the current page."""
    missing = []
    for sel in ('meta[name="csrf-token"][content]', 'meta[name="viewport"]', "a.skip[href='#main']",
                "header.top a.brand[href='/']", "main#main", "header.top nav a[href='/']",
                "header.top nav a[href='/breakers']", "header.top nav a[href='/dora']",
                "header.top nav a[href='/insights']", "header.top .who",
                "form.sign-out[method=post][action='/sign-out'] input[type=hidden][name=_csrf]"):
        if b.count(sel) == 0:
            missing.append(sel)
    # A cache-busting query (`?v=…`) on the assets is fine.
    scripts = b.js("return [...document.scripts].map(s => s.getAttribute('src'))")
    if [asset_path(s) for s in scripts] != list(ASSETS):
        missing.append(f"scripts {ASSETS} in this order, nothing inline (found {scripts})")
    styles = b.js("return [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.getAttribute('href'))")
    if [asset_path(s) for s in styles] != list(STYLES):
        missing.append(f"stylesheets {STYLES} in this order (found {styles})")
    return missing


def asset_path(src):
    return src.split("?", 1)[0] if isinstance(src, str) else src


def status_label_ok(text, status):
    """A badge says its status, as is or with spaces for underscores (`config error`)."""
    return text in (status, status.replace("_", " "))


def csrf(b):
    return b.attr('meta[name="csrf-token"]', "content")


def page_fetch(b, method, path, headers=None, body=None):
    """fetch() from the page (the session cookie goes along); returns [status, text]."""
    return b.js_async("""
      const [method, path, headers, body, done] = arguments;
      fetch(path, {method, headers, body, credentials: 'same-origin', redirect: 'manual'})
        .then(async r => done([r.status, await r.text()]), e => done([-1, String(e)]));""",
                      method, path, headers or {}, body)


def run_row(run_id):
    return f'#runs tbody tr[data-run-id="{run_id}"]'


MARK_PAGE = """window.__e2eMarker = arguments[0];
  return performance.getEntriesByType('navigation').length;"""


def still_same_page(b, marker):
    equal(b.js("return window.__e2eMarker || null"), marker, "window marker (the page must not reload)")


# ------------------------------------------------------------------------------- API tests: the fixture itself

def test_api_fixture_runs(b, fx):
    """Every pushed branch queued a run, and each reached the state the tests rely on."""
    r = fx.runs
    expected = {"main": "succeeded", "fails": "failed", "big-log": "succeeded", XSS_BRANCH: "succeeded",
                "broken": "config_error", "long-ui": "running", "long-viewer": "running"}
    listed = {run["id"]: run for run in fx.api("GET", "/runs?limit=200").json()["runs"]}
    for branch, status in expected.items():
        check(r[branch] in listed, f"run {r[branch]} ({branch!r}) missing from GET /api/v1/runs")
        equal(listed[r[branch]]["status"], status, f"status of run {r[branch]} ({branch!r})")
        equal(listed[r[branch]]["branch"], branch, f"branch of run {r[branch]}")
        equal(listed[r[branch]]["repository"], fixture.REPOSITORY, f"repository of run {r[branch]}")

    main = fx.run(r["main"])
    equal(sorted((n["id"], n["status"]) for n in main["nodes"]),
          [("build", "succeeded"), ("deploy", "succeeded"), ("test", "succeeded")], "nodes of the main run")
    equal(next(n for n in main["nodes"] if n["id"] == "build")["outputs"], {"version": "1.2.3"}, "build outputs")

    fails = fx.run(r["fails"])
    equal(sorted((n["id"], n["status"]) for n in fails["nodes"]), [("after", "skipped"), ("build", "failed")],
          "nodes of the failing run")
    equal([a["exit_code"] for a in fails["attempts"] if a["node"] == "build"], [3], "exit code of the failing step")

    broken = fx.run(r["broken"])
    check(broken["diagnostics"], "the config_error run has no diagnostics")
    check(XSS_CONFIG_KEY in broken["status_reason"], f"config_error reason: {broken['status_reason']!r}")

    for branch in ("long-ui", "long-viewer"):
        run = fx.run(r[branch])
        equal({n["id"]: n["status"] for n in run["nodes"]}["prepare"], "succeeded", f"{branch}: prepare")

    # The viewer reads; it may not cancel (bearer token).
    equal(fx.api("GET", f"/runs/{r['main']}", role="viewer").status, 200, "viewer GET /api/v1/runs/ID")
    a = fx.api("POST", f"/runs/{r['long-viewer']}/cancel", role="viewer", body={})
    equal(a.status, 403, f"viewer POST /api/v1/runs/ID/cancel ({a.text[:200]})")
    equal(fx.run(r["long-viewer"])["status"], "running", "long-viewer after the viewer's refused cancel")


def test_api_markup_is_stored_verbatim(b, fx):
    """The markup reaches the store (and so the pages) as it was written: the pages have something to escape."""
    run = fx.run(fx.runs[XSS_BRANCH])
    equal(run["branch"], XSS_BRANCH, "branch")
    equal(run["pipeline"], XSS_PIPELINE_NAME, "pipeline name")
    summary = (run["event"] or {}).get("summary") or ""
    check(XSS_PUSHER in summary, f"the pusher in the event summary: {summary!r}")
    nodes = {n["id"]: n for n in run["nodes"]}
    legs = [f"legs[v={v}]" for v in XSS_MATRIX]
    equal(sorted(nodes), sorted(["markup"] + legs), "node ids (matrix legs carry the markup)")
    equal(nodes["markup"]["outputs"], {"title": XSS_OUTPUT}, "markup output")
    graph_names = json.dumps(run["graph"])
    check(json.dumps(XSS_STEP_NAME)[1:-1] in graph_names, "the step name with markup is in the graph")
    log = fx.api("GET", f"/runs/{run['id']}/nodes/markup/log", role="viewer")
    equal(log.status, 200, "markup log")
    equal(log.text.splitlines(), XSS_LOG_LINES, "the markup log lines")
    for leg in legs:
        a = fx.api("GET", f"/runs/{run['id']}/nodes/{urllib.parse.quote(leg, safe='')}/log", role="viewer")
        equal((a.status, a.text.strip()), (200, "leg " + leg[len("legs[v="):-1]), f"log of {leg!r} (percent-encoded)")


def test_api_big_log_stored(b, fx):
    """The 1,000,000-line log is stored whole and can be read back, all of it and by offset."""
    run = fx.run(fx.runs["big-log"])
    node = run["nodes"][0]
    equal((node["id"], node["status"]), ("big", "succeeded"), "the big node")
    measure("big log: the step, printing and storing 1,000,000 lines (node started -> finished)",
            iso_seconds(node["finished_at"]) - iso_seconds(node["started_at"]))
    measure("big log: push -> run succeeded (incl. fetch, checkout, compile)", fx.timings["big-log push -> succeeded"])
    t0 = time.monotonic()
    req = urllib.request.Request(f"{fx.base}/api/v1/runs/{run['id']}/nodes/big/log",
                                 headers={"Authorization": "Bearer " + fx.tokens["viewer"][1]})
    with urllib.request.urlopen(req, timeout=120) as r:
        equal(r.status, 200, "GET the big log")
        check(r.headers.get("Content-Type", "").startswith("text/plain"), f"content type {r.headers['Content-Type']}")
        body = r.read()
    measure("big log: GET /api/v1/runs/ID/nodes/big/log, whole body", time.monotonic() - t0)
    measure("big log: size", len(body) // 1024, "KiB")
    lines = body.decode().split("\n")
    equal(lines[-1], "", "the log ends with a newline")
    lines.pop()
    equal(len(lines), BIG_LINES, "lines in the big log")
    esc = re.compile(r"\x1b\[[0-9;]*m")
    bad = next((i + 1 for i, line in enumerate(lines) if esc.sub("", line) != big_log_line(i + 1)), None)
    check(bad is None, f"big log line {bad}: {lines[bad - 1]!r}, expected {big_log_line(bad)!r}" if bad else "")
    check("\x1b[1;32m" in lines[9], f"line 10 keeps its colour codes: {lines[9]!r}")
    a = fx.api("GET", f"/runs/{run['id']}/nodes/big/log?offset={PERMALINK_LINE - 1}&limit=2", role="viewer")
    equal(a.text.splitlines(), [big_log_line(PERMALINK_LINE), big_log_line(PERMALINK_LINE + 1)],
          f"offset={PERMALINK_LINE - 1}&limit=2")
    a = fx.api("GET", f"/runs/{run['id']}/nodes/big/log?offset={NEEDLE_LINE - 1}&limit=1", role="viewer")
    equal(a.text.strip(), big_log_line(NEEDLE_LINE), "the needle line by offset")


def test_api_events_and_live_run(b, fx):
    """A pushed run goes queued -> running -> succeeded, and /api/v1/events says so (what dashboard.js follows)."""
    events, stop = [], threading.Event()
    opened = threading.Event()

    def follow():
        req = urllib.request.Request(f"{fx.base}/api/v1/events",
                                     headers={"Authorization": "Bearer " + fx.tokens["viewer"][1],
                                              "Accept": "text/event-stream"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                opened.set()
                kind = None
                for raw in r:
                    line = raw.decode().rstrip("\n")
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        events.append((kind, json.loads(line[6:])))
                    if stop.is_set():
                        return
        except Exception as error:  # noqa: BLE001
            events.append(("error", str(error)))
        finally:
            opened.set()

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    opened.wait(10)
    run_id = fx.push("api-live", fixture.slow_pipeline("api-live", 3), "a short sleep")
    fx.wait_run(run_id, "running", 30)
    t0 = time.monotonic()
    fx.wait_run(run_id, "succeeded", 30)
    measure("api-live: running -> succeeded seen by polling (sleep 3)", time.monotonic() - t0)
    wait_until(lambda: ("run", "succeeded") in [(k, e.get("status")) for k, e in events if e.get("run") == run_id],
               10, "the run's succeeded event on /api/v1/events")
    stop.set()
    mine = [(k, e.get("node"), e["status"]) for k, e in events if isinstance(e, dict) and e.get("run") == run_id]
    runs_states = [s for k, _, s in mine if k == "run"]
    equal(runs_states[-2:], ["running", "succeeded"], "run events of the live run")
    # Each step is seen starting, then finishing, in that order.
    nodes = [(n, s) for k, n, s in mine if k == "node"]
    equal(sorted(nodes), [("first", "running"), ("first", "succeeded"), ("sleep", "running"), ("sleep", "succeeded")],
          "node events of the live run")
    for name in ("first", "sleep"):
        equal([s for n, s in nodes if n == name], ["running", "succeeded"], f"events of {name}, in order")
    check(all("at" in e for k, e in events if isinstance(e, dict)), "every event has 'at'")


def test_api_cancel(b, fx):
    """An operator's POST /api/v1/runs/ID/cancel stops a running run: it ends cancelled."""
    run_id = fx.runs["long-api"]
    equal(fx.run(run_id)["status"], "running", "long-api before the cancel")
    t0 = time.monotonic()
    a = fx.api("POST", f"/runs/{run_id}/cancel", role="operator", body={"reason": "e2e: cancelled through the API"})
    equal(a.status, 202, f"operator POST /api/v1/runs/ID/cancel ({a.text[:200]})")
    run = fx.wait_run(run_id, "cancelled", 30)
    measure("api cancel: POST -> run cancelled", time.monotonic() - t0)
    equal({n["id"]: n["status"] for n in run["nodes"]}, {"prepare": "succeeded", "wait": "cancelled"},
          "nodes of the cancelled run")
    a = fx.api("POST", f"/runs/{run_id}/cancel", role="operator", body={})
    equal(a.status, 409, "cancelling a finished run")
    audit = fx.api("GET", "/audit?limit=50").json()
    entries = audit.get("entries", audit) if isinstance(audit, dict) else audit
    check(any(e.get("action") == "run.cancel" and e.get("target") == f"run/{run_id}" and e.get("actor") == "e2e-operator"
              for e in entries), f"audit entry run.cancel run/{run_id} by e2e-operator: {json.dumps(audit)[:400]}")


def iso_seconds(ts):
    from datetime import datetime
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


# ----------------------------------------------------------------------------------------------- dashboard tests

def test_sign_in_required(b, fx):
    """Unauthenticated pages redirect to the sign-in form, which refuses a bad token with a 401."""
    require_dashboard(fx)
    for path in ("/", f"/runs/{fx.runs['main']}", f"/runs/{fx.runs['big-log']}/nodes/big/log", "/breakers",
                 "/dora", "/insights"):
        a = fx.page("GET", path)
        equal(a.status, 303, f"unauthenticated GET {path}")
        loc = urllib.parse.urlsplit(a.headers.get("Location", ""))
        equal(loc.path, "/sign-in", f"Location of GET {path}")
        equal(urllib.parse.parse_qs(loc.query).get("next"), [path], f"next= of GET {path}")
    a = fx.page("GET", "/sign-in")
    csp = a.headers.get("Content-Security-Policy", "")
    check("default-src 'self'" in csp, f"Content-Security-Policy of /sign-in: {csp!r}")
    bad = fx.page("POST", "/sign-in", body="token=dft_not-a-token&next=%2F",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    equal(bad.status, 401, "POST /sign-in with a bad token")
    check('class="error"' in bad.text and 'role="alert"' in bad.text, "the sign-in error <p class=error role=alert>")

    b.driver.delete_all_cookies()
    target = f"/runs/{fx.runs['main']}"
    b.get(target)
    equal(urllib.parse.urlsplit(b.driver.current_url).path, "/sign-in", f"the browser sent from {target}")
    equal(b.page(), "sign-in", "body[data-page]")
    equal(b.attr("body", "data-role"), "", "body[data-role] of the sign-in page")
    equal(b.attr("form#sign-in input[name=next]", "value"), target, "the form's next")
    equal(b.count("header.top nav, .who, form.sign-out"), 0, "nav / who / sign-out on the sign-in page")
    b.driver.find_element(By.CSS_SELECTOR, "#token").send_keys("dft_wrong")
    b.driver.find_element(By.CSS_SELECTOR, "form#sign-in button[type=submit]").click()
    b.wait("return !!document.querySelector('p.error[role=alert]')", 10, "the sign-in error")
    equal(b.page(), "sign-in", "still on the sign-in page after a bad token")
    equal(b.errors(allowed=("401",)), [], "console errors")


def test_sign_in_viewer(b, fx):
    """A viewer signs in through the form, lands on `next`, sees the layout, and signs out."""
    require_dashboard(fx)
    target = f"/runs/{fx.runs['main']}"
    name = sign_in(b, fx, "viewer", next_path=target)
    equal(b.path(), target, "where the sign-in lands (next)")
    equal(b.page(), "run", "body[data-page]")
    who = b.text("header.top .who")
    check(name in who and "viewer" in who, f".who: {who!r}")
    equal(layout_problems(b), [], "layout of the contract")
    cookie = b.driver.get_cookie("devflow_session")
    check(cookie is not None, "no devflow_session cookie")
    check(cookie.get("httpOnly") and cookie.get("sameSite") == "Strict" and cookie.get("path") == "/",
          f"cookie flags: {cookie}")
    check(b.js("return !document.cookie.includes('devflow_session')"), "the session cookie is readable from JS")
    b.driver.find_element(By.CSS_SELECTOR, "form.sign-out button").click()
    b.wait("return location.pathname === '/sign-in'", 10, "sign-out to land on /sign-in")
    b.get("/")
    equal(urllib.parse.urlsplit(b.driver.current_url).path, "/sign-in", "GET / after sign-out")
    equal(b.errors(), [], "console errors")


def test_sign_in_operator(b, fx):
    require_dashboard(fx)
    name = sign_in(b, fx, "operator")
    equal(b.path(), "/", "where a sign-in without next lands")
    equal(b.page(), "runs", "body[data-page]")
    who = b.text("header.top .who")
    check(name in who and "operator" in who, f".who: {who!r}")
    equal(b.attr("header.top nav a[href='/']", "aria-current"), "page", "aria-current of Runs on /")
    equal(b.errors(), [], "console errors")


def test_runs_list(b, fx):
    """The runs list shows every run with the contract's cells; the status filter filters."""
    require_dashboard(fx)
    sign_in(b, fx, "viewer")
    open_page(b, "/", "runs")
    equal(b.attr("#runs", "data-live"), "true", "#runs[data-live] of the unfiltered first page")
    check(b.count("#live-status[role=status]") == 1, "no #live-status[role=status]")
    check(b.count("form#run-filters[method=get] select[name=status]") == 1, "no form#run-filters with a status select")
    api = {run["id"]: run for run in fx.api("GET", "/runs?limit=200", role="viewer").json()["runs"]}
    rows = b.js("""return [...document.querySelectorAll('#runs tbody tr[data-run-id]')].map(tr => {
        const q = (s) => tr.querySelector(s);
        return {id: +tr.dataset.runId, status: tr.dataset.status,
                link: q('td.run-id a') && q('td.run-id a').getAttribute('href'), linkText: q('td.run-id a') && q('td.run-id a').textContent.trim(),
                badge: q('td.status .badge') && [q('td.status .badge').textContent.trim(), q('td.status .badge').className],
                pipeline: q('td.pipeline') && q('td.pipeline').textContent.trim(),
                repository: q('td.repository') && q('td.repository').textContent.trim(),
                branch: q('td.branch') && q('td.branch').textContent.trim(),
                commit: q('td.commit code') && q('td.commit code').textContent.trim(),
                trigger: q('td.trigger') && q('td.trigger').textContent.trim(),
                queued: q('td.queued time') && q('td.queued time').getAttribute('datetime'),
                duration: !!q('td.duration[data-started-at][data-finished-at]')};
      });""")
    by_id = {row["id"]: row for row in rows}
    equal([row["id"] for row in rows], sorted(by_id, reverse=True), "rows newest first")
    for branch in ("main", "fails", "big-log", XSS_BRANCH, "broken", "long-ui", "long-viewer"):
        run_id = fx.runs[branch]
        check(run_id in by_id, f"run {run_id} ({branch!r}) is not in the runs list")
        row, run = by_id[run_id], api[run_id]
        equal(row["status"], run["status"], f"data-status of run {run_id}")
        equal(row["link"], f"/runs/{run_id}", f"link of run {run_id}")
        equal(row["linkText"], f"#{run_id}", f"link text of run {run_id}")
        check(row["badge"] and status_label_ok(row["badge"][0], run["status"]) and "badge" in row["badge"][1].split()
              and f"status-{run['status']}" in row["badge"][1].split(), f"badge of run {run_id}: {row['badge']}")
        equal(row["repository"], fixture.REPOSITORY, f"repository of run {run_id}")
        equal(row["branch"], branch, f"branch of run {run_id}")
        equal(row["commit"], run["commit"][:7], f"commit of run {run_id}")
        check(row["queued"], f"queued <time datetime> of run {run_id}")
        check(row["duration"], f"td.duration[data-started-at][data-finished-at] of run {run_id}")
        if run["pipeline"]:
            equal(row["pipeline"], run["pipeline"], f"pipeline of run {run_id}")
    check("push to new branch 'main' by ada" in by_id[fx.runs["main"]]["trigger"],
          f"trigger of the main run: {by_id[fx.runs['main']]['trigger']!r}")

    # The status filter: a GET form, only failed runs, not live.
    b.js("document.querySelector('#run-filters select[name=status]').value = 'failed'")
    b.driver.find_element(By.CSS_SELECTOR, "#run-filters button").click()
    b.wait("return location.search.includes('status=failed') && document.readyState === 'complete'", 10,
           "the filtered list")
    statuses = b.js("return [...document.querySelectorAll('#runs tbody tr[data-run-id]')].map(tr => tr.dataset.status)")
    check(statuses and set(statuses) == {"failed"}, f"statuses with status=failed: {statuses}")
    equal(b.attr("#runs", "data-live"), "false", "#runs[data-live] of a filtered list")
    equal(b.errors(), [], "console errors")


def test_live_status_on_runs_list(b, fx):
    """A run goes running -> succeeded on the open runs list, without a reload."""
    require_dashboard(fx)
    sign_in(b, fx, "viewer")
    run_id = fx.push("live-status", fixture.slow_pipeline("live-status", 8), "running, then succeeded")
    fx.wait_run(run_id, "running", 30)
    open_page(b, "/", "runs")
    row = run_row(run_id)
    equal(b.attr(row, "data-status"), "running", f"data-status of run {run_id} when the page loaded")
    marker = os.urandom(6).hex()
    navigations = b.js(MARK_PAGE, marker)
    b.wait("return !!document.querySelector('#live-status') && document.querySelector('#live-status').textContent.trim() === 'Live'",
           10, "#live-status to say Live")
    # The duration of a running row ticks every second.
    first = b.text(f"{row} td.duration")
    b.wait("return document.querySelector(arguments[0] + ' td.duration').textContent.trim() !== arguments[1]"
           " || document.querySelector(arguments[0]).dataset.status !== 'running'", 5,
           "the running row's duration to tick", row, first)
    t0 = time.monotonic()
    b.wait("return document.querySelector(arguments[0]).dataset.status === 'succeeded'", 30,
           f"run {run_id}'s row to turn succeeded", row)
    measure("live runs list: running -> succeeded on the page, after load", time.monotonic() - t0)
    still_same_page(b, marker)
    equal(b.js("return performance.getEntriesByType('navigation').length"), navigations, "navigations")
    badge = b.js("const s = document.querySelector(arguments[0] + ' td.status .badge'); return [s.textContent.trim(), s.className]", row)
    equal(badge[0], "succeeded", "badge text")
    check("status-succeeded" in badge[1].split() and "status-running" not in badge[1].split(), f"badge class {badge[1]!r}")
    check(b.attr(f"{row} td.duration", "data-finished-at"), "data-finished-at set when the run finished")
    equal(fx.run(run_id)["status"], "succeeded", "the API agrees")
    equal(b.errors(), [], "console errors")


def test_live_new_row(b, fx):
    """A run queued while the unfiltered list is open is inserted at the top, then follows its states."""
    require_dashboard(fx)
    sign_in(b, fx, "viewer")
    open_page(b, "/", "runs")
    marker = os.urandom(6).hex()
    b.js(MARK_PAGE, marker)
    b.wait("return document.querySelector('#live-status').textContent.trim() === 'Live'", 10, "#live-status Live")
    run_id = fx.push("live-new", fixture.slow_pipeline("live-new", 2), "inserted live")
    b.wait("return !!document.querySelector(arguments[0])", 15, f"run {run_id}'s row to be inserted", run_row(run_id))
    equal(b.js("return +document.querySelector('#runs tbody tr[data-run-id]').dataset.runId"), run_id,
          "the new row is the first")
    b.wait("return document.querySelector(arguments[0]).dataset.status === 'succeeded'", 30,
           f"run {run_id}'s new row to turn succeeded", run_row(run_id))
    still_same_page(b, marker)
    equal(b.text(f"{run_row(run_id)} td.branch"), "live-new", "branch cell of the inserted row")
    equal(b.text(f"{run_row(run_id)} td.run-id a"), f"#{run_id}", "link of the inserted row")
    equal(b.errors(), [], "console errors")


def test_run_page_and_graph(b, fx):
    """The run page: status, facts, the nodes table, the graph drawn from the API, node selection."""
    require_dashboard(fx)
    sign_in(b, fx, "viewer")
    run_id = fx.runs["main"]
    open_page(b, f"/runs/{run_id}", "run")
    equal(layout_problems(b), [], "layout of the contract")
    equal(b.attr("main", "data-run-id"), str(run_id), "main[data-run-id]")
    check(f"Run #{run_id}" in (b.text("h1") or ""), f"h1: {b.text('h1')!r}")
    equal(b.text("h1 .pipeline"), "quick", "h1 .pipeline")
    equal((b.attr("#run-status", "data-status"), b.text("#run-status")), ("succeeded", "succeeded"), "#run-status")
    check("status-succeeded" in b.attr("#run-status", "class").split(), "#run-status class")
    check(b.count("dl.run-facts time[datetime]") >= 1, "dl.run-facts with <time datetime>")
    equal(b.count("#cancel-run"), 0, "#cancel-run on a finished run")
    equal(b.attr("#graph .run-graph", "data-run-url"), f"/api/v1/runs/{run_id}", ".run-graph[data-run-url]")
    crit = json.loads(b.attr("#graph .run-graph", "data-critical-path") or "null")
    check(isinstance(crit, list), f".run-graph[data-critical-path] is a JSON array: {crit!r}")
    b.wait("return document.querySelectorAll('#graph .run-graph .rg-nodes [data-node]').length === 3", 15,
           "the graph's three nodes")
    drawn = b.js("return [...document.querySelectorAll('#graph .run-graph .rg-nodes [data-node]')].map(g => g.getAttribute('data-node'))")
    equal(sorted(drawn), ["build", "deploy", "test"], "graph nodes")
    nodes = b.js("""return [...document.querySelectorAll('#nodes tr[data-node-id]')].map(tr => [tr.dataset.nodeId, tr.dataset.status,
        tr.querySelector('td.node a') && tr.querySelector('td.node a').getAttribute('href'),
        tr.querySelector('td.status .badge') && tr.querySelector('td.status .badge').textContent.trim()])""")
    equal(sorted(nodes), sorted([n, "succeeded", f"/runs/{run_id}/nodes/{n}/log", "succeeded"]
                                for n in ("build", "test", "deploy")), "#nodes rows")
    check("1.2.3" in (b.text("#outputs") or ""), "the build's output in #outputs")
    # #findings (and #diagnostics) only when the run has some; this run has attempts and outputs.
    for sel in ("#steps", "#attempts", "#outputs", "#live-status[role=status]"):
        check(b.count(sel) == 1, f"no {sel}")
    equal(b.count("#findings, #diagnostics"), 0, "#findings / #diagnostics of a run without any")

    # A click on a graph node selects its row.
    b.driver.find_element(By.CSS_SELECTOR, '#graph .rg-nodes [data-node="test"]').click()
    b.wait("const tr = document.querySelector('#nodes tr[data-node-id=\"test\"]'); return tr && tr.classList.contains('selected')",
           5, "the test row to be selected after a click on its graph node")

    # The failing run: its statuses and its graph.
    run_id = fx.runs["fails"]
    open_page(b, f"/runs/{run_id}", "run")
    equal(b.attr("#run-status", "data-status"), "failed", "#run-status of the failing run")
    b.wait("return document.querySelectorAll('#graph .rg-nodes [data-node]').length === 2", 15, "the failing run's graph")
    equal(dict(b.js("return [...document.querySelectorAll('#nodes tr[data-node-id]')].map(tr => [tr.dataset.nodeId, tr.dataset.status])")),
          {"build": "failed", "after": "skipped"}, "#nodes of the failing run")

    # The config_error run: diagnostics, no graph nodes.
    open_page(b, f"/runs/{fx.runs['broken']}", "run")
    equal(b.attr("#run-status", "data-status"), "config_error", "#run-status of the broken run")
    check(b.count("#diagnostics li.diagnostic.severity-error code") >= 1, "#diagnostics li.diagnostic.severity-error")
    equal(b.errors(), [], "console errors")


def test_big_log_page(b, fx):
    """The 1,000,000-line log: rows show, search finds the needle, a permalink shows its line."""
    require_dashboard(fx)
    sign_in(b, fx, "viewer")
    run_id = fx.runs["big-log"]
    open_page(b, f"/runs/{run_id}", "run")
    href = b.attr('#nodes tr[data-node-id="big"] td.node a', "href")
    equal(href, f"/runs/{run_id}/nodes/big/log", "the big node's log link")
    t0 = time.monotonic()
    b.driver.find_element(By.CSS_SELECTOR, '#nodes tr[data-node-id="big"] td.node a').click()
    b.wait("return location.pathname === arguments[0]", 10, "the log page", href)
    equal(b.page(), "log", "body[data-page]")
    api = f"/api/v1/runs/{run_id}/nodes/big/log"
    equal([b.attr(".log-viewer", a) for a in ("data-log-url", "data-stream-url", "data-running", "data-download-url")],
          [api, api + "/stream", "false", api + "?download=true"], ".log-viewer data attributes")
    b.wait("return !!document.querySelector('.log-viewer .lv-row')", 15, "the first log rows")
    measure("log page: click -> first rows", time.monotonic() - t0)
    stats = b.wait("const s = window.__logViewerStats; return s && s.loadedAt !== null && s", 120, "the log to load")
    measure("log page: click -> 1,000,000 lines loaded", time.monotonic() - t0)
    equal(stats["lines"], BIG_LINES, "lines loaded")
    equal(b.text(".log-viewer .lv-count"), "1,000,000 lines", ".lv-count")
    equal(b.text('.log-viewer .lv-row[data-line="1"] .lv-text'), big_log_line(1), "line 1")
    check(b.count('.log-viewer .lv-row[data-line="10"] .lv-text .lv-b.lv-fg-2') == 1, "line 10's colours (bold green)")

    box = b.driver.find_element(By.CSS_SELECTOR, ".log-viewer .lv-search-input")
    t0 = time.monotonic()
    box.send_keys(NEEDLE + Keys.ENTER)
    b.wait("return document.querySelector('.log-viewer .lv-search-count').textContent === '1 of 1'", 30,
           "the search to find the needle ('1 of 1')")
    measure("log page: search the needle over 1,000,000 lines", time.monotonic() - t0)
    b.wait("return !!document.querySelector(`.log-viewer .lv-row[data-line=\"${arguments[0]}\"] mark.lv-match-current`)",
           5, "the needle's row with its mark", NEEDLE_LINE)
    check(row_in_view(b, NEEDLE_LINE), f"line {NEEDLE_LINE} scrolled into view")
    equal(b.text(f'.log-viewer .lv-row[data-line="{NEEDLE_LINE}"] mark.lv-match-current'), NEEDLE, "the mark")

    # Permalink: a fresh load of #L123456.
    b.get(f"{href}#L{PERMALINK_LINE}")
    b.wait(f"const r = document.querySelector('.log-viewer .lv-row[data-line=\"{PERMALINK_LINE}\"]');"
           "return r && r.classList.contains('lv-selected')", 120, f"line {PERMALINK_LINE} highlighted")
    b.wait("const s = window.__logViewerStats; return s && s.loadedAt !== null", 120, "the log to load")
    check(row_in_view(b, PERMALINK_LINE), f"line {PERMALINK_LINE} in view")
    equal(b.text(f'.log-viewer .lv-row[data-line="{PERMALINK_LINE}"] .lv-text'), big_log_line(PERMALINK_LINE),
          "the permalinked line")
    equal(b.count(".log-viewer .lv-selected"), 1, "selected rows")
    equal(b.errors(), [], "console errors")


def row_in_view(b, line):
    return b.js("""const row = document.querySelector(`.log-viewer .lv-row[data-line="${arguments[0]}"]`);
      if (!row) return false;
      const r = row.getBoundingClientRect(), c = document.querySelector('.log-viewer .lv-scroll').getBoundingClientRect();
      return r.top >= c.top - 1 && r.bottom <= c.bottom + 1 && r.height > 0;""", line)


def test_viewer_cannot_cancel(b, fx):
    """A viewer sees no Cancel button, and the API refuses the viewer's session a cancel with 403."""
    require_dashboard(fx)
    sign_in(b, fx, "viewer")
    run_id = fx.runs["long-viewer"]
    open_page(b, f"/runs/{run_id}", "run")
    equal(b.attr("#run-status", "data-status"), "running", "#run-status")
    equal(b.count("#cancel-run"), 0, "#cancel-run for a viewer")
    token = csrf(b)
    check(token, "meta[name=csrf-token] content")
    status, text = page_fetch(b, "POST", f"/api/v1/runs/{run_id}/cancel",
                              {"Content-Type": "application/json", "X-CSRF-Token": token}, "{}")
    equal(status, 403, f"viewer's fetch POST /api/v1/runs/{run_id}/cancel ({text[:200]})")
    # Even the page's own form action, posted by hand, does not cancel for a viewer.
    page_fetch(b, "POST", f"/runs/{run_id}/cancel", {"Content-Type": "application/x-www-form-urlencoded"},
               "_csrf=" + urllib.parse.quote(token))
    time.sleep(1.5)
    equal(fx.run(run_id)["status"], "running", "the run after the viewer's attempts")
    equal(b.errors(allowed=("403",)), [], "console errors")


def test_cancel_as_operator(b, fx):
    """An operator cancels a running run with the Cancel button; the page shows it cancelled."""
    require_dashboard(fx)
    sign_in(b, fx, "operator")
    run_id = fx.runs["long-ui"]
    open_page(b, f"/runs/{run_id}", "run")
    equal(b.attr("#run-status", "data-status"), "running", "#run-status before the cancel")
    check(b.count(f'form#cancel-run[method=post][action="/runs/{run_id}/cancel"] input[type=hidden][name=_csrf]') == 1,
          "form#cancel-run with its action and _csrf")
    button = b.driver.find_element(By.CSS_SELECTOR, "#cancel-run button[type=submit]")
    check("danger" in (button.get_attribute("class") or "").split(), "the Cancel button's class danger")
    t0 = time.monotonic()
    button.click()
    try:  # a confirm() is allowed
        b.driver.switch_to.alert.accept()
    except NoAlertPresentException:
        pass
    b.wait("return document.readyState === 'complete' && !!document.querySelector('#run-status') &&"
           " document.querySelector('#run-status').dataset.status === 'cancelled'", 30,
           "#run-status to become cancelled")
    measure("cancel button: click -> #run-status cancelled", time.monotonic() - t0)
    equal(b.path(), f"/runs/{run_id}", "the page after the cancel")
    equal(b.text("#run-status"), "cancelled", "#run-status text")
    check(b.js("const f = document.querySelector('#cancel-run'); return !f || f.hidden || getComputedStyle(f).display === 'none'"),
          "#cancel-run is gone once the run finished")
    equal(fx.run(run_id)["status"], "cancelled", "the API agrees")
    audit = json.dumps(fx.api("GET", "/audit?limit=50").json())
    check(f"run/{run_id}" in audit and "e2e-operator" in audit, "the cancel is in the audit log as e2e-operator's")
    equal(b.errors(), [], "console errors")


INJECTION_PROBE = """
  const own = new Set(arguments[0]);
  const bad = [];
  if (window.__xss !== undefined) bad.push('window.__xss is set');
  for (const e of document.querySelectorAll('.xss')) bad.push('element made from data: ' + e.outerHTML.slice(0, 120));
  for (const e of document.querySelectorAll('img[src="x"], [onerror], [onload], iframe, object, embed'))
    bad.push('injected element: ' + e.outerHTML.slice(0, 120));
  for (const s of document.scripts) if (!own.has((s.getAttribute('src') || '').split('?')[0])) bad.push('script: ' + s.outerHTML.slice(0, 120));
  for (const s of document.querySelectorAll('svg')) if (!s.closest('.run-graph, .chart') && !s.classList.contains('chart'))
    bad.push('svg outside the graph and charts: ' + s.outerHTML.slice(0, 120));
  return bad;
"""


def injection_problems(b):
    time.sleep(0.3)  # let the page's scripts run (graph, log viewer, live updates)
    return b.js(INJECTION_PROBE, list(ASSETS))


def test_html_injection(b, fx):
    """Markup in branch, pusher, commit message, pipeline and step names, outputs, node ids, logs and diagnostics
    is shown as text: nothing runs, no element is made from it."""
    require_dashboard(fx)
    sign_in(b, fx, "operator")
    run_id, broken = fx.runs[XSS_BRANCH], fx.runs["broken"]
    open_page(b, "/", "runs")
    equal(injection_problems(b), [], "injection on the runs list")
    row = run_row(run_id)
    equal(b.text(f"{row} td.branch"), XSS_BRANCH, "branch cell, as text")
    equal(b.text(f"{row} td.pipeline"), XSS_PIPELINE_NAME, "pipeline cell, as text")
    check(XSS_PUSHER in (b.text(f"{row} td.trigger") or ""), f"trigger cell: {b.text(f'{row} td.trigger')!r}")

    open_page(b, f"/runs/{run_id}", "run")
    # The two legs are drawn as one collapsed group: the step `markup` is the one node box.
    b.wait("return document.querySelectorAll('#graph .rg-nodes [data-node]').length >= 1", 15, "the graph")
    equal(injection_problems(b), [], "injection on the run page")
    body = b.js("return document.body.textContent")
    for text in (XSS_PIPELINE_NAME, XSS_BRANCH, XSS_OUTPUT):
        check(text in body, f"{text!r} shown as text on the run page")
    legs = [f"legs[v={v}]" for v in XSS_MATRIX]
    ids = b.js("return [...document.querySelectorAll('#nodes tr[data-node-id]')].map(tr => tr.dataset.nodeId)")
    equal(sorted(ids), sorted(["markup"] + legs), "node rows with markup ids")
    # Each node's log link is one percent-encoded path segment that decodes to the node id (how much is
    # encoded is the server's choice: `=`, `&` and `'` may stay).
    links = dict(b.js("return [...document.querySelectorAll('#nodes tr[data-node-id]')].map(tr =>"
                      " [tr.dataset.nodeId, tr.querySelector('td.node a').getAttribute('href')])"))
    for node, href in links.items():
        m = re.fullmatch(rf"/runs/{run_id}/nodes/([^/?#]+)/log", href or "")
        check(m and urllib.parse.unquote(m.group(1)) == node, f"log link of {node!r}: {href!r}")

    open_page(b, f"/runs/{run_id}/nodes/markup/log", "log")
    b.wait("const s = window.__logViewerStats; return s && s.loadedAt !== null", 15, "the markup log")
    equal(injection_problems(b), [], "injection on the log page")
    shown = b.js("const v = DevFlowLogViewer.get(document.querySelector('.log-viewer'));"
                 "return Array.from({length: v.lineCount()}, (_, i) => v.plainLine(i))")
    equal(shown, XSS_LOG_LINES, "log lines as text")

    # A leg's log page, through the run page's own link.
    open_page(b, links[legs[0]], "log")
    b.wait("const s = window.__logViewerStats; return s && s.loadedAt !== null", 15, "the leg's log")
    equal(injection_problems(b), [], "injection on a matrix leg's log page")
    equal(b.text('.log-viewer .lv-row[data-line="1"] .lv-text'), "leg " + XSS_MATRIX[0], "the leg's log line")

    open_page(b, f"/runs/{broken}", "run")
    equal(injection_problems(b), [], "injection on the config_error run page")
    check(XSS_CONFIG_KEY in (b.text("#diagnostics") or ""), f"the diagnostic quotes the key as text: {b.text('#diagnostics')!r}")
    equal(b.errors(), [], "console errors")
    # The commit message (XSS_COMMIT_MESSAGE) is pushed too, but no page of the contract shows it.


def test_breakers_dora_insights(b, fx):
    """The breakers, DORA and insights pages render the server's data; breaker actions only for operators."""
    require_dashboard(fx)
    breakers = [br["name"] for br in fx.api("GET", "/breakers", role="viewer").json().get("breakers", [])]
    check("e2e-breaker" in breakers, f"the fixture's breaker in GET /api/v1/breakers: {breakers}")
    sign_in(b, fx, "viewer")
    open_page(b, "/breakers", "breakers")
    equal(layout_problems(b), [], "layout of the breakers page")
    rows = b.js("return [...document.querySelectorAll('#breakers tr[data-breaker]')].map(tr => [tr.dataset.breaker, tr.dataset.state])")
    equal(sorted(name for name, _ in rows), sorted(breakers), "breaker rows")
    check(all(state in ("closed", "open", "half_open") for _, state in rows), f"data-state: {rows}")
    check(b.count('#breakers tr[data-breaker="e2e-breaker"] td.failure-rate') == 1, "td.failure-rate")
    equal(b.count("form.breaker-action"), 0, "breaker actions for a viewer")
    open_page(b, "/dora", "dora")
    metrics = b.js("return [...document.querySelectorAll('section.metric[data-metric]')].map(s => s.dataset.metric)")
    equal(sorted(metrics), sorted(["deployment_frequency", "lead_time", "change_failure_rate", "recovery_time"]),
          "DORA metrics (the main run deployed to production)")
    check(b.count("section.metric .level[class*='level-']") >= 1, "a DORA level badge")
    open_page(b, "/insights?pipeline=quick", "insights")
    check(b.count("main#main") == 1, "main#main on insights")
    sign_in(b, fx, "operator")
    open_page(b, "/breakers", "breakers")
    for op in ("reset", "open", "disable"):
        check(b.count(f'form.breaker-action[method=post][action="/breakers/e2e-breaker/{op}"] input[name=_csrf]') == 1,
              f"operator's form /breakers/e2e-breaker/{op}")
    equal(b.errors(), [], "console errors")


def test_screenshots(b, fx):
    """Every page at desktop 1280x800 and phone 390x844; no page-level sideways scroll on the phone."""
    require_dashboard(fx)
    pages = [("runs", "/"), ("run", f"/runs/{fx.runs['main']}"), ("log", f"/runs/{fx.runs['fails']}/nodes/build/log"),
             ("breakers", "/breakers"), ("dora", "/dora"), ("insights", "/insights?pipeline=quick")]
    shots, wide = [], []
    try:
        sign_in(b, fx, "operator")
        for label, (w, h), mobile in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
            b.viewport(w, h, mobile)
            for page, path in pages:
                open_page(b, path, page)
                if page == "run":
                    b.wait("return document.querySelectorAll('#graph .rg-nodes [data-node]').length > 0", 15, "graph")
                if page == "log":
                    b.wait("const s = window.__logViewerStats; return s && s.loadedAt !== null", 15, "log")
                time.sleep(0.3)
                shots.append(b.screenshot(f"{label}-{page}.png"))
                if mobile and b.js("return document.documentElement.scrollWidth") > w:
                    wide.append(page)
        b.driver.delete_all_cookies()
        for label, (w, h), mobile in (("desktop", DESKTOP, False), ("phone", PHONE, True)):
            b.viewport(w, h, mobile)
            open_page(b, "/sign-in", "sign-in")
            shots.append(b.screenshot(f"{label}-sign-in.png"))
    finally:
        b.viewport(*DESKTOP)
    for s in shots:
        check(os.path.getsize(s) > 2000, f"screenshot {s} is empty")
    MEASURED.append(("screenshots", f"{len(shots)} in {SCREENSHOT_DIR}"))
    equal(wide, [], "pages wider than the 390 px phone (tables must scroll inside div.table-wrap)")
    equal(b.errors(), [], "console errors")


TESTS = [
    test_api_fixture_runs,
    test_api_markup_is_stored_verbatim,
    test_api_big_log_stored,
    test_api_events_and_live_run,
    test_api_cancel,
    test_sign_in_required,
    test_sign_in_viewer,
    test_sign_in_operator,
    test_runs_list,
    test_live_status_on_runs_list,
    test_live_new_row,
    test_run_page_and_graph,
    test_big_log_page,
    test_viewer_cannot_cancel,   # before test_cancel_as_operator, on another run: long-viewer stays running
    test_cancel_as_operator,
    test_html_injection,
    test_breakers_dora_insights,
    test_screenshots,
]


# ---------------------------------------------------------------------------------------------------- the runner

class HarnessTimeout(BaseException):
    pass


def prepare(fx):
    """Pushes every fixture branch and waits for the runs to reach the states the tests start from."""
    t0 = time.monotonic()
    fx.push_all()
    measure("fixture: push of all branches", time.monotonic() - t0)
    for branch in ("main", "fails", "big-log", XSS_BRANCH, "broken"):
        run = fx.wait_run(fx.runs[branch], FINISHED_RUN, 120)
        if branch == "big-log":
            fx.timings["big-log push -> succeeded"] = time.monotonic() - fx.pushed_at[run["id"]]
    for branch in ("long-api", "long-ui", "long-viewer"):
        fx.wait_run(fx.runs[branch], "succeeded", 60, node="prepare")
    measure("fixture: push -> every run in its starting state", time.monotonic() - t0)
    print("    runs: " + ", ".join(f"{branch if len(branch) < 20 else 'inject-…'}=#{run}"
                                   for branch, run in fx.runs.items()), flush=True)


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    binary, wanted = sys.argv[1], sys.argv[2:]
    tests = [t for t in TESTS if not wanted or any(w in t.__name__ for w in wanted)]
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            sys.exit(f"{path} is missing (Debian: apt-get install chromium chromium-driver)")

    def on_signal(signum, _frame):
        if signum == signal.SIGALRM:
            raise HarnessTimeout(f"the harness ran longer than E2E_TIMEOUT={TIMEOUT:.0f} s")
        raise HarnessTimeout(f"stopped by signal {signum}")

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(s, on_signal)
    signal.alarm(int(TIMEOUT))

    started = time.monotonic()
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    for name in os.listdir(SCREENSHOT_DIR):  # the last run's failure shots would mislead
        if name.startswith("failure-") and name.endswith(".png"):
            os.remove(os.path.join(SCREENSHOT_DIR, name))
    passed = failed = 0
    fx = browser = None
    try:
        fx = Fixture(binary)
        print(f"devflow serve: {fx.binary}, data in {fx.work}", flush=True)
        fx.start()
        print(f"devflow serve is up on {fx.base} ({fx.timings['server start (s)']:.2f} s)", flush=True)
        prepare(fx)
        browser = Browser(fx.pages)
        for test in tests:
            t0 = time.monotonic()
            try:
                browser.driver.get("about:blank")
                browser.errors()
                test(browser, fx)
            except (Exception, Failure) as error:  # noqa: BLE001 - every failure is reported, the next test runs
                failed += 1
                print(f"FAIL {test.__name__} ({time.monotonic() - t0:.1f} s): {error}", flush=True)
                if not isinstance(error, Failure):
                    traceback.print_exc()
                try:
                    if not test.__name__.startswith("test_api_"):
                        browser.screenshot(f"failure-{test.__name__}.png")
                except Exception:  # noqa: BLE001
                    pass
            else:
                passed += 1
                print(f"ok   {test.__name__} ({time.monotonic() - t0:.1f} s)", flush=True)
    except HarnessTimeout as error:
        failed += 1
        print(f"FAIL harness: {error}", flush=True)
    except Exception as error:  # noqa: BLE001 - the fixture could not be set up
        failed += 1
        print(f"FAIL fixture: {error}", flush=True)
        traceback.print_exc()
        if fx:
            print("server log (tail):\n" + fx.tail_log(), flush=True)
    finally:
        signal.alarm(0)
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)  # the clean-up below is not interrupted
        if browser:
            try:
                browser.quit()
            except Exception:  # noqa: BLE001
                pass
        if fx:
            if failed:
                print("server log (tail):\n" + fx.tail_log(15), flush=True)
            fx.stop(keep=os.environ.get("E2E_KEEP") == "1")
    measure("whole harness", time.monotonic() - started)
    print("\nmeasured:")
    for what, value in MEASURED:
        print(f"  {what}: {value}")
    print(f"\nscreenshots: {SCREENSHOT_DIR}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
