#!/usr/bin/env python3
"""A stand-in for the dashboard server, for the run graph's browser tests.

Serves /assets/* from Sources/DevFlowDashboard/Assets/, test pages (/page/NAME) that use exactly the page contract
the Swift server renders, and the runs behind them as /api/v1/runs/NAME. The runs are generated, deterministically:

  small       checkout -> build, lint -> test[os=linux], test[os=mac] -> deploy (a matrix, a fan-in, a critical path)
  crossing    two levels whose given order crosses its edges
  inject      step names, ids and matrix values that are markup
  matrix10k   one matrix step with 10,000 legs
  distinct10k 100 levels x 100 distinct steps, each needing 1-3 random steps of the level before
  nograph     a run whose configuration did not compile (graph: null)
  broken      the run URL answers 500

`/page/NAME?csp=1` adds a strict Content-Security-Policy (no inline script, no inline style attribute). The API
answers 401 without the session cookie the page sets, so a fetch without same-origin credentials fails.
POST /control/status with {"run": NAME, "node": ID, "status": S} changes a node of a run on the server (for
reload()); POST /control/fail with {"run": NAME, "fail": true|false} makes its URL answer 503 for a while. GET /control/requests/NAME says how often a run was fetched.

Run it by hand with `python3 Tests/Browser/components/fake_graph_server.py [port]` and open /page/small.
"""

import html
import json
import os
import random
import re
import sys
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ASSETS = os.path.join(ROOT, "Sources", "DevFlowDashboard", "Assets")
SESSION_COOKIE = "devflow_session=fake-graph-session"
BASE_TIME = datetime(2026, 12, 2, 10, 0, 0, tzinfo=timezone.utc)

XSS_SCRIPT = "<script>window.__pwned=1</script>"
XSS_IMG = "<img src=x onerror=window.__pwned=1>"


def stamp(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def at(seconds):
    return stamp(BASE_TIME + timedelta(seconds=seconds))


def node(id, needs=(), level=0, step=None, name=None, matrix=None):
    return {"id": id, "step": step or id, "name": name, "matrix": matrix or {}, "needs": list(needs), "level": level,
            "action": {"type": "hook", "script": "true", "shell": "bash"}, "condition": "success()"}


def state(id, status, attempts=1, start=None, seconds=None):
    return {"id": id, "status": status, "attempts": attempts,
            "started_at": at(start) if start is not None else None,
            "finished_at": at(start + seconds) if start is not None and seconds is not None else None,
            "outputs": {}}


def run_of(id, nodes, states, name="ci", status="running"):
    levels = []
    for n in nodes:
        while len(levels) <= n["level"]:
            levels.append([])
        levels[n["level"]].append(n["id"])
    return {"id": id, "status": status, "repository": "acme/app", "event": {"type": "push"},
            "graph": {"name": name, "levels": levels, "nodes": nodes}, "nodes": states, "attempts": []}


# ------------------------------------------------------------------------------------------------------- the runs

SMALL_CRITICAL = ["checkout", "build", "test[os=linux]", "deploy"]
LONG_LINT_NAME = "Lint every source file with all the configured linters"


def small_run():
    nodes = [
        node("checkout", name="Check out"),
        node("build", ["checkout"], 1, name="Build"),
        node("lint", ["checkout"], 1, name=LONG_LINT_NAME),
        node("test[os=linux]", ["build"], 2, step="test", matrix={"os": "linux"}),
        node("test[os=mac]", ["build"], 2, step="test", matrix={"os": "mac"}),
        node("deploy", ["test[os=linux]", "test[os=mac]", "lint"], 3, name="Deploy"),
    ]
    states = [
        state("checkout", "succeeded", 1, 0, 3.5),
        state("build", "running", 2, 4),  # started_at is replaced with "65 s ago" when served
        state("lint", "failed", 1, 4, 12),
        state("test[os=linux]", "pending", 0),
        state("test[os=mac]", "pending", 0),
        # deploy is absent: pending
    ]
    return run_of(42, nodes, states)


def crossing_run():
    nodes = [node("a"), node("b"), node("x", ["b"], 1), node("y", ["a"], 1)]
    return run_of(43, nodes, [state("a", "succeeded", 1, 0, 1), state("b", "succeeded", 1, 0, 2)])


INJECT_IDS = {
    "script": "evil-script",
    "img": "evil-img",
    "quote": "q\"uote'<b>",
}


def inject_run():
    nodes = [
        node("checkout", name="Check out"),
        node(INJECT_IDS["script"], ["checkout"], 1, name=XSS_SCRIPT),
        node(INJECT_IDS["img"], ["checkout"], 1, name=XSS_IMG),
        node(INJECT_IDS["quote"], ["checkout"], 1, name=None),
        node(f"m[v={XSS_IMG}]", [INJECT_IDS["script"]], 2, step="m", matrix={"v": XSS_IMG}),
        node(f"m[v={XSS_SCRIPT}]", [INJECT_IDS["script"]], 2, step="m", matrix={"v": XSS_SCRIPT}),
    ]
    states = [state("checkout", "succeeded", 1, 0, 1), state(INJECT_IDS["script"], XSS_SCRIPT, 3, 1, 2),
              state(INJECT_IDS["img"], "failed", 1, 1, 2)]
    run = run_of(44, nodes, states, name=XSS_SCRIPT)
    return run


INJECT_CRITICAL = ["checkout", INJECT_IDS["script"], f"m[v={XSS_IMG}]"]


def matrix_run(legs=10000):
    nodes = [node("checkout", name="Check out")]
    states = [state("checkout", "succeeded", 1, 0, 2)]
    for i in range(legs):
        leg = f"test[shard={i}]"
        nodes.append(node(leg, ["checkout"], 1, step="test", matrix={"shard": i}))
        if i % 97 == 0:
            states.append(state(leg, "failed", 2, 2, 30 + i % 7))
        elif i < 6000:
            states.append(state(leg, "succeeded", 1, 2, 20 + i % 11))
        elif i < 6050:
            states.append(state(leg, "running", 1, 40))
        # the rest: pending (absent)
    nodes.append(node("report", [f"test[shard={i}]" for i in range(legs)], 2, name="Report"))
    return run_of(45, nodes, states, name="shards")


MATRIX_CRITICAL = ["checkout", "test[shard=4711]", "report"]


def distinct_run(levels=100, width=100, seed=20261202):
    rng = random.Random(seed)
    nodes = []
    states = []
    ids = [[f"s{L:02d}n{i:02d}" for i in range(width)] for L in range(levels)]
    for L in range(levels):
        for i in range(width):
            needs = [] if L == 0 else rng.sample(ids[L - 1], rng.randint(1, 3))
            name = None if i % 10 else f"Step {L}.{i} with a rather long descriptive name"
            nodes.append(node(ids[L][i], needs, L, name=name))
            if L < 30:
                status = "failed" if rng.random() < 0.01 else rng.choice(["succeeded"] * 8 + ["up_to_date", "reused"])
                states.append(state(ids[L][i], status, 1 + (rng.random() < 0.05), L * 10, 5 + rng.random() * 4))
            elif L == 30:
                states.append(state(ids[L][i], "running", 1, 300))
    run = run_of(46, nodes, states, name="wide")
    # The critical path: back from the last level along first needs.
    by_id = {n["id"]: n for n in nodes}
    path = [ids[levels - 1][width // 2]]
    while by_id[path[-1]]["needs"]:
        path.append(by_id[path[-1]]["needs"][0])
    return run, list(reversed(path))


def nograph_run():
    return {"id": 47, "status": "config_error", "graph": None, "nodes": [], "attempts": [],
            "diagnostics": [{"message": "unknown key 'stpes'"}]}


# ------------------------------------------------------------------------------------------------------ the server

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>run graph test: {name}</title>
<style nonce="{nonce}">
  :root {{ color-scheme: light dark; }}
  body {{ margin: 0; padding: 16px; font-family: system-ui, "DejaVu Sans", sans-serif; }}
  main {{ max-width: 1200px; margin: 0 auto; }}
  h1 {{ font-size: 18px; margin: 0 0 12px; overflow-wrap: anywhere; }}
</style>
{csp_listener}<link rel="stylesheet" href="/assets/run-graph.css">
</head>
<body>
<main>
<h1>Run {run_id} · {name}</h1>
<div class="run-graph" id="graph" data-run-url="/api/v1/runs/{name}" data-critical-path='{critical}'></div>
<script src="/assets/run-graph.js" defer></script>
</main>
</body>
</html>
"""

CSP_LISTENER_JS = b"""window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""

CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json"}


class GraphServer:
    """The fake server; `start()` binds 127.0.0.1 on a free port and returns the base URL."""

    def __init__(self):
        self.lock = threading.Lock()
        self.runs = {}  # name -> run dict (mutable ones) or None
        self.cached = {}  # name -> bytes (immutable big ones)
        self.critical = {}
        self.requests = {}
        self.failing = set()  # runs whose URL answers 503 for now
        self.httpd = None
        small = small_run()
        self.runs["small"] = small
        self.critical["small"] = SMALL_CRITICAL
        self.runs["crossing"] = crossing_run()
        self.critical["crossing"] = []
        self.runs["inject"] = inject_run()
        self.critical["inject"] = INJECT_CRITICAL
        self.cached["matrix10k"] = json.dumps(matrix_run(), separators=(",", ":")).encode()
        self.critical["matrix10k"] = MATRIX_CRITICAL
        distinct, path = distinct_run()
        self.cached["distinct10k"] = json.dumps(distinct, separators=(",", ":")).encode()
        self.critical["distinct10k"] = path
        self.runs["nograph"] = nograph_run()
        self.critical["nograph"] = []
        self.critical["broken"] = ["checkout"]

    def run_body(self, name):
        with self.lock:
            self.requests[name] = self.requests.get(name, 0) + 1
            if name in self.cached:
                return self.cached[name]
            run = self.runs.get(name)
            if run is None:
                return None
            run = json.loads(json.dumps(run))
        if name == "small":
            # The running build started 65 s ago (so its elapsed time ticks from there).
            for n in run["nodes"]:
                if n["status"] == "running":
                    n["started_at"] = stamp(datetime.now(timezone.utc) - timedelta(seconds=65))
        return json.dumps(run).encode()

    def set_status(self, run_name, node_id, status):
        with self.lock:
            run = self.runs.get(run_name)
            if run is None or run.get("graph") is None:
                return False
            for n in run["nodes"]:
                if n["id"] == node_id:
                    n["status"] = status
                    return True
            run["nodes"].append({"id": node_id, "status": status, "attempts": 1, "started_at": None,
                                 "finished_at": None})
            return True

    def page(self, name, csp):
        run = self.runs.get(name)
        run_id = run["id"] if run else {"matrix10k": 45, "distinct10k": 46}.get(name, 0)
        critical = json.dumps(self.critical.get(name, []))
        listener = '<script src="/test/csp-listener.js"></script>\n' if csp else ""
        return PAGE.format(name=html.escape(name), run_id=run_id, critical=html.escape(critical, quote=True),
                           nonce="page-style", csp_listener=listener).encode()

    def start(self, port=0):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, code, body, content_type="text/plain; charset=utf-8", headers=()):
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("X-Content-Type-Options", "nosniff")
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_HEAD(self):
                self.do_GET()

            def do_GET(self):
                url = urlsplit(self.path)
                path = url.path
                if path == "/favicon.ico":
                    return self.send(204, b"")
                m = re.fullmatch(r"/assets/([A-Za-z0-9][A-Za-z0-9._-]*)", path)
                if m:
                    file = os.path.join(ASSETS, m.group(1))
                    ext = os.path.splitext(file)[1]
                    if ".." in m.group(1) or not os.path.isfile(file) or ext not in CONTENT_TYPES:
                        return self.send(404, b"not found")
                    with open(file, "rb") as f:
                        return self.send(200, f.read(), CONTENT_TYPES[ext])
                if path == "/test/csp-listener.js":
                    return self.send(200, CSP_LISTENER_JS, CONTENT_TYPES[".js"])
                m = re.fullmatch(r"/page/([a-z0-9]+)", path)
                if m and m.group(1) in server.critical:
                    csp = parse_qs(url.query).get("csp") == ["1"]
                    headers = [("Set-Cookie", f"{SESSION_COOKIE}; Path=/; SameSite=Strict; HttpOnly")]
                    if csp:
                        headers.append(("Content-Security-Policy",
                                        "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-page-style'; "
                                        "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'"))
                    return self.send(200, server.page(m.group(1), csp), "text/html; charset=utf-8", headers)
                m = re.fullmatch(r"/api/v1/runs/([a-z0-9]+)", path)
                if m:
                    if SESSION_COOKIE not in (self.headers.get("Cookie") or ""):
                        return self.send(401, b'{"error":"unauthorized"}', "application/json")
                    if m.group(1) == "broken":
                        return self.send(500, b'{"error":"internal"}', "application/json")
                    with server.lock:
                        failing = m.group(1) in server.failing
                    if failing:
                        return self.send(503, b'{"error":"unavailable"}', "application/json")
                    body = server.run_body(m.group(1))
                    if body is None:
                        return self.send(404, b'{"error":"not_found"}', "application/json")
                    return self.send(200, body, "application/json")
                m = re.fullmatch(r"/control/requests/([a-z0-9]+)", path)
                if m:
                    with server.lock:
                        count = server.requests.get(m.group(1), 0)
                    return self.send(200, json.dumps({"requests": count}).encode(), "application/json")
                return self.send(404, b"not found")

            def do_POST(self):
                path = urlsplit(self.path).path
                if path not in ("/control/status", "/control/fail"):
                    return self.send(404, b"not found")
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                    if path == "/control/fail":
                        with server.lock:
                            (server.failing.add if body["fail"] else server.failing.discard)(body["run"])
                        ok = True
                    else:
                        ok = server.set_status(body["run"], body["node"], body["status"])
                except (ValueError, KeyError):
                    return self.send(400, b"bad request")
                return self.send(200 if ok else 404, json.dumps({"ok": ok}).encode(), "application/json")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()


if __name__ == "__main__":
    s = GraphServer()
    base = s.start(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"serving on {base}/page/small (also: {', '.join(sorted(s.critical))})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        s.stop()
