#!/usr/bin/env python3
"""A stand-in for `devflow serve`, for the browser tests of dashboard.js and dashboard.css (stdlib only).

Serves /assets/* from Sources/DevFlowDashboard/Assets/ and static pages that follow the page contract
(/work/notes/dashboard-contract.md) exactly, with the contract's Content-Security-Policy:

  /                         the runs list, data-live="true" (seven runs, one per status); any filter in the query
                            (repository, branch, status, event, before) makes it data-live="false";
                            with no runs (after POST /control/reset {"empty": true}) it is the empty live list
  /runs/12                  a running run (operator: with #cancel-run), its graph, steps, attempts, outputs, findings;
                            <main data-last-event-id> is the feed's end when rendered;
                            /runs/12?variant=bare has neither data-last-event-id nor #reload-details
  /runs/11                  a finished run (viewer)        /runs/9   a config_error run with diagnostics
  /runs/12/nodes/build/log  the log page                   /breakers /dora /insights /sign-in
  /api/v1/runs/ID           the run's JSON (listing fields, graph and node states); counts the fetches
  /api/v1/events            the change feed as Server-Sent Events (`id:`, `event: run|node`, JSON data, `retry: 300`):
                            after the Last-Event-ID header, else after ?last_event_id=, else the whole feed (as the
                            real server does); every connection and the ids it asked for are recorded

The API answers 401 without the session cookie the pages set.

Control (tests; JSON bodies): POST /control/reset {"empty": bool} (empty: no runs, no feed); POST /control/event {"event": "run"|"node", "data": {...}} or
{"event": ..., "raw": "text"} (malformed data as is) -> {"id": N}; POST /control/run {run JSON} (a run the API then
serves); POST /control/drop {"hold": bool, "refuse": N}: closes every open stream; with hold, new connections wait
(no answer yet) until POST /control/release; the next `refuse` connections get a 503; GET /control/state:
connections, fetches, last event id.

Run it by hand with `python3 Tests/Browser/components/fake_dashboard_server.py [port]` and open /.
"""

import copy
import html
import json
import os
import re
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ASSETS = os.path.join(ROOT, "Sources", "DevFlowDashboard", "Assets")
SESSION_COOKIE = "devflow_session=fake-dashboard-session"
CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
CSRF = "fake-csrf-token"

XSS_SCRIPT = "<script>window.__pwned=1</script>"
XSS_IMG = "<img src=x onerror=window.__pwned=2>"


def stamp(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ago(seconds):
    return stamp(datetime.now(timezone.utc) - timedelta(seconds=seconds))


def esc(v):
    return html.escape("" if v is None else str(v), quote=True)


def duration_text(seconds):
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    m = s // 60
    if m < 60:
        return f"{m}m {s % 60}s"
    return f"{m // 60}h {m % 60}m"


# ------------------------------------------------------------------------------------------------------- the data

def listing(id, status, pipeline, branch, commit, trigger, queued, started=None, finished=None,
            repository="acme/demo"):
    """A run as both the runs list and /api/v1/runs/ID show it (times: seconds ago, or None)."""
    return {"id": id, "pipeline": pipeline, "file": ".devflow/pipeline.yml", "repository": repository,
            "ref": f"refs/heads/{branch}", "branch": branch, "commit": commit, "status": status,
            "status_reason": None, "event_kind": "push", "event": {"kind": "push", "summary": trigger},
            "queued_at": ago(queued), "started_at": ago(started) if started is not None else None,
            "finished_at": ago(finished) if finished is not None else None, "graph": None, "nodes": [],
            "attempts": []}


GRAPH_NODES = [("checkout", [], 0, "Check out"), ("build", ["checkout"], 1, "Build"),
               ("lint", ["checkout"], 1, "Lint"), ("test", ["build"], 2, "Test"),
               ("deploy", ["test", "lint"], 3, "Deploy")]
CRITICAL = ["checkout", "build", "test", "deploy"]


def initial_runs():
    long_trigger = "pull request #4711 'Make the queue fair across repositories and branches' by grace"
    runs = [
        listing(13, "queued", "demo", "main", "f00dfeed1234", "push to branch 'main' by ada", 5),
        listing(12, "running", "demo", "main", "abc1234def56", "push to branch 'main' by ada", 80, 65),
        listing(11, "succeeded", "demo", "feature/search", "0123456789ab", long_trigger, 400, 390, 327),
        listing(10, "failed", "release", "main", "9876543210fe", "manual by lin", 900, 880, 700),
        listing(9, "config_error", "demo", "broken-yaml", "badc0ffee000", "push to branch 'broken-yaml' by ada",
                3600, None, 3599),
        listing(8, "cancelled", "nightly", "main", "c0c0c0c0c0c0", "schedule 'nightly'", 7300, 7290, 7000),
        listing(7, "skipped", "docs", "gh-pages", "5151515151ab", "push to branch 'gh-pages' by ci", 8000, None,
                8000),
    ]
    run12 = runs[1]
    run12["graph"] = {"name": "demo", "levels": [["checkout"], ["build", "lint"], ["test"], ["deploy"]],
                      "nodes": [{"id": i, "step": i, "name": n, "matrix": {}, "needs": needs, "level": lvl}
                                for i, needs, lvl, n in GRAPH_NODES]}
    run12["nodes"] = [
        {"id": "checkout", "status": "succeeded", "attempts": 1, "started_at": ago(64), "finished_at": ago(61)},
        {"id": "build", "status": "running", "attempts": 1, "started_at": ago(60), "finished_at": None},
        {"id": "lint", "status": "succeeded", "attempts": 1, "started_at": ago(60), "finished_at": ago(52)},
    ]
    return {r["id"]: r for r in runs}


def initial_events():
    """The feed before the tests start: history of runs on the page, and of run 3 (older than the page)."""
    changes = [("run", 3, None, "queued"), ("run", 3, None, "running"), ("run", 3, None, "succeeded"),
               ("run", 11, None, "queued"), ("run", 11, None, "running"), ("run", 11, None, "succeeded"),
               ("run", 12, None, "queued"), ("run", 12, None, "running"), ("node", 12, "checkout", "succeeded"),
               ("node", 12, "lint", "succeeded"), ("run", 13, None, "queued")]
    events = []
    for i, (kind, run, node, status) in enumerate(changes, 1):
        data = {"at": ago(500 - i), "run": run, "status": status}
        if node:
            data["node"] = node
        events.append((i, kind, json.dumps(data)))
    return events


# ------------------------------------------------------------------------------------------------------ the pages

NAV = [("/", "Runs", "runs"), ("/breakers", "Breakers", "breakers"), ("/dora", "DORA", "dora"),
       ("/insights", "Insights", "insights")]


def layout(page, title, body, role="operator", main_attrs=""):
    if page == "sign-in":
        header = '<header class="top"><a class="brand" href="/">DevFlow</a></header>'
        role = ""
    else:
        current = ' aria-current="page"'
        links = " ".join(f'<a href="{href}"{current if key == page or (key == "runs" and page in ("run", "log")) else ""}>'
                         f'{label}</a>' for href, label, key in NAV)
        header = (f'<header class="top"><a class="brand" href="/">DevFlow</a>\n  <nav>{links}</nav>\n'
                  f'  <span class="who">ci-bot ({esc(role)})</span>\n'
                  f'  <form method="post" action="/sign-out" class="sign-out"><input type="hidden" name="_csrf" '
                  f'value="{CSRF}"><button>Sign out</button></form>\n</header>')
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="csrf-token" content="{CSRF}"> <meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · DevFlow</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<link rel="stylesheet" href="/assets/run-graph.css">
<link rel="stylesheet" href="/assets/log-viewer.css">
</head>
<body data-role="{esc(role)}" data-page="{page}">
<a class="skip" href="#main">Skip to content</a>
{header}
<main id="main"{main_attrs}>
{body}
</main>
<script src="/assets/run-graph.js"></script>
<script src="/assets/log-viewer.js"></script>
<script src="/assets/dashboard.js"></script>
</body></html>
"""


def time_el(iso, text=None):
    return f'<time datetime="{esc(iso)}">{esc(text or iso)}</time>' if iso else ""


def parse(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def duration_of(r):
    """The duration text the server renders: finished - started, now - started while running, else empty."""
    if r["started_at"] and r["finished_at"]:
        return duration_text((parse(r["finished_at"]) - parse(r["started_at"])).total_seconds())
    if r["started_at"]:
        return duration_text((datetime.now(timezone.utc) - parse(r["started_at"])).total_seconds())
    return ""


def run_row(r):
    started, finished = r["started_at"] or "", r["finished_at"] or ""
    dur = duration_of(r)
    return f"""  <tr data-run-id="{r['id']}" data-status="{esc(r['status'])}">
    <td class="run-id"><a href="/runs/{r['id']}">#{r['id']}</a></td>
    <td class="status"><span class="badge status-{esc(r['status'])}">{esc(r['status'])}</span></td>
    <td class="pipeline">{esc(r['pipeline'])}</td> <td class="repository">{esc(r['repository'])}</td> <td class="branch">{esc(r['branch'])}</td>
    <td class="commit"><code>{esc(r['commit'][:7])}</code></td>
    <td class="trigger">{esc(r['event']['summary'])}</td>
    <td class="queued">{time_el(r['queued_at'], 'a while ago')}</td>
    <td class="duration" data-started-at="{esc(started)}" data-finished-at="{esc(finished)}">{dur}</td>
  </tr>"""


FILTERS = ("repository", "branch", "status", "event", "before")


def runs_page(runs, query):
    live = not any(query.get(k, [""])[0] for k in FILTERS)
    rows = [run_row(r) for r in sorted(runs.values(), key=lambda r: -r["id"]) if r["id"] <= 13]
    if query.get("status", [""])[0]:
        rows = [run_row(r) for r in sorted(runs.values(), key=lambda r: -r["id"])
                if r["id"] <= 13 and r["status"] == query["status"][0]]
    options = "".join(f'<option value="{s}"{" selected" if query.get("status") == [s] else ""}>{s or "any"}</option>'
                      for s in ("", "queued", "running", "succeeded", "failed", "cancelled", "config_error",
                                "skipped"))
    value = lambda k: esc(query.get(k, [""])[0])  # noqa: E731
    body = f"""<h1>Runs</h1>
<form id="run-filters" method="get" action="/">
  <label>Repository <input name="repository" value="{value('repository')}"></label>
  <label>Branch <input name="branch" value="{value('branch')}"></label>
  <label>Event <input name="event" value="{value('event')}"></label>
  <label>Status <select name="status">{options}</select></label>
  <button>Filter</button></form>
<div class="table-wrap"><table id="runs" data-live="{'true' if live else 'false'}">
 <thead><tr><th>Run</th><th>Status</th><th>Pipeline</th><th>Repository</th><th>Branch</th><th>Commit</th><th>Trigger</th><th>Queued</th><th>Duration</th></tr></thead>
 <tbody>
{chr(10).join(rows)}
 </tbody></table></div>
{'<p class="empty">No runs yet. Push to a repository with a pipeline to start one.</p>' if not rows else '<a class="next" href="/?before=7">Older runs</a>'}
<div id="live-status" role="status"></div>"""
    return layout("runs", "Runs", body)


def node_row(id, status, attempts, duration, reason=""):
    return (f'<tr data-node-id="{esc(id)}" data-status="{esc(status)}"><td class="node"><a href="/runs/12/nodes/'
            f'{esc(id)}/log">{esc(id)}</a></td><td class="status"><span class="badge status-{esc(status)}">'
            f'{esc(status)}</span></td><td class="attempts">{attempts}</td><td class="duration">{duration}</td>'
            f'<td class="reason">{esc(reason)}</td></tr>')


def run_page(runs, id, variant, last_event_id):
    r = runs[id]
    status = r["status"]
    finished = r["finished_at"] is not None
    role = "operator" if id == 12 else "viewer"
    facts = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in [
        ("Repository", esc(r["repository"])), ("Branch", esc(r["branch"])),
        ("Commit", f"<code>{esc(r['commit'])}</code>"), ("Trigger", esc(r["event"]["summary"])),
        ("Queued", time_el(r["queued_at"], "a minute ago")), ("Started", time_el(r["started_at"], "a minute ago")),
        ("Finished", time_el(r["finished_at"], "—") or "—")])
    facts += (f'<dt>Duration</dt><dd class="duration" data-started-at="{esc(r["started_at"] or "")}" '
              f'data-finished-at="{esc(r["finished_at"] or "")}">{duration_of(r)}</dd>')
    cancel = "" if finished or role == "viewer" else (
        f'<form id="cancel-run" method="post" action="/runs/{id}/cancel"><input type="hidden" name="_csrf" '
        f'value="{CSRF}"><button type="submit" class="danger">Cancel run</button></form>')
    reload_link = "" if variant == "bare" else '<a id="reload-details" href="" hidden>Reload for details</a>'
    graph = ""
    steps = ""
    if r["graph"]:
        graph = (f'<section id="graph"><h2>Graph</h2><div class="run-graph" data-run-url="/api/v1/runs/{id}" '
                 f"data-critical-path='{esc(json.dumps(CRITICAL))}'></div></section>")
        steps = ('<section id="steps"><h2>Steps</h2><div class="table-wrap"><table id="nodes">'
                 '<thead><tr><th>Step</th><th>Status</th><th>Attempts</th><th>Duration</th><th>Reason</th></tr></thead><tbody>'
                 + node_row("checkout", "succeeded", 1, "3s") + node_row("build", "running", 1, "")
                 + node_row("lint", "succeeded", 1, "8s") + node_row("test", "pending", 0, "")
                 + node_row("deploy", "pending", 0, "", "waits for test and lint")
                 + "</tbody></table></div></section>"
                 '<section id="attempts"><h2>Attempts</h2><div class="table-wrap"><table><thead><tr><th>Step</th>'
                 '<th>#</th><th>Status</th><th>Exit code</th><th>Duration</th><th>Retry reason</th><th>Error</th>'
                 '</tr></thead><tbody><tr><td>checkout</td><td>1</td><td><span class="badge status-succeeded">'
                 'succeeded</span></td><td>0</td><td>3s</td><td></td><td></td></tr><tr><td>lint</td><td>1</td><td>'
                 '<span class="badge status-timed_out">timed_out</span></td><td></td><td>8s</td><td>timeout</td>'
                 '<td>killed after 8 s</td></tr></tbody></table></div></section>'
                 '<section id="outputs"><h2>Outputs</h2><div class="table-wrap"><table><thead><tr><th>Step</th>'
                 '<th>Name</th><th>Value</th></tr></thead><tbody><tr><td>build</td><td>artifact</td><td><code>'
                 'demo-abc1234.tar.gz</code></td></tr></tbody></table></div></section>'
                 '<section id="findings"><h2>Findings</h2><div class="table-wrap"><table><thead><tr><th>Severity'
                 '</th><th>Rule</th><th>Location</th><th>Message</th></tr></thead><tbody><tr><td><span class="badge '
                 'severity-warning">warning</span></td><td>swiftlint.line_length</td><td class="location">'
                 'Sources/App/Queue.swift:120</td><td>Line should be 120 characters or less</td></tr><tr><td><span '
                 'class="badge severity-error">error</span></td><td>secrets.aws</td><td class="location">'
                 'deploy/env.sh:3</td><td>A credential-like string</td></tr></tbody></table></div></section>')
    diagnostics = ""
    if status == "config_error":
        diagnostics = ('<section id="diagnostics"><h2>Diagnostics</h2><ol><li class="diagnostic severity-error">'
                       '<code>.devflow/pipeline.yml:3:5</code> <span class="rule">unknown-key</span> unknown key '
                       "'stpes' (did you mean 'steps'?)</li><li class=\"diagnostic severity-warning\"><code>"
                       '.devflow/pipeline.yml:9:1</code> <span class="rule">unused-input</span> input "target" is '
                       'never used</li></ol></section>')
    body = f"""<h1>Run #{id} <span class="pipeline">{esc(r['pipeline'])}</span></h1>
<span id="run-status" class="badge status-{esc(status)}" data-status="{esc(status)}">{esc(status)}</span>
{reload_link}
{cancel}
<dl class="run-facts">{facts}</dl>
{graph}
{steps}
{diagnostics}
<div id="live-status" role="status"></div>"""
    attrs = f' data-run-id="{id}"'
    if variant != "bare":
        attrs += f' data-last-event-id="{last_event_id}"'
    return layout("run", f"Run #{id}", body, role, attrs)


def log_page():
    body = """<h1>Run #12 <span class="pipeline">demo</span> · build</h1>
<div class="log-viewer" data-log-url="/api/v1/runs/12/nodes/build/log" data-stream-url="/api/v1/runs/12/nodes/build/log/stream" data-running="false" data-download-url="/api/v1/runs/12/nodes/build/log?download=true"></div>"""
    return layout("log", "Log", body)


LOG_TEXT = "".join(f"2026-12-02T10:00:{i:02d}.000Z line {i} of the build: compiling module Foo{i}\n"
                   for i in range(1, 40)).encode()


def breakers_page():
    rows = []
    for name, state, mode, opened, rate, transitions in [
        ("deploy-prod", "open", "auto", "2026-12-02T09:58:00.000Z", "62% of 13", ["closed → open 09:58"]),
        ("registry", "half_open", "auto", "2026-12-02T09:40:00.000Z", "20% of 10",
         ["closed → open 09:40", "open → half_open 09:50"]),
        ("npm-mirror", "closed", "disabled", "", "0% of 40", []),
    ]:
        forms = "".join(f'<form method="post" action="/breakers/{name}/{a}" class="breaker-action"><input type="hidden" '
                        f'name="_csrf" value="{CSRF}"><button>{a.capitalize()}</button></form>'
                        for a in ("reset", "open", "disable"))
        items = "".join(f"<li>{esc(t)}</li>" for t in transitions)
        rows.append(f'<tr data-breaker="{name}" data-state="{state}" data-mode="{mode}"><td class="name">{name}</td>'
                    f'<td class="state"><span class="badge state-{state}">{state}</span></td><td class="mode">{mode}'
                    f'</td><td class="opened">{time_el(opened, "09:58")}</td><td class="failure-rate">{rate}</td>'
                    f'<td class="transitions"><ol>{items}</ol></td><td class="actions">{forms}</td></tr>')
    body = ('<h1>Circuit breakers</h1><div class="table-wrap"><table id="breakers"><thead><tr><th>Name</th><th>State'
            '</th><th>Mode</th><th>Opened</th><th>Failure rate</th><th>Recent transitions</th><th>Actions</th></tr>'
            '</thead><tbody>' + "".join(rows) + "</tbody></table></div>")
    return layout("breakers", "Breakers", body)


def chart(label, values, kind="bar"):
    w, h = 320, 120
    n = len(values)
    top = max(values) or 1
    marks = []
    if kind == "bar":
        bw = w / n
        for i, v in enumerate(values):
            bh = (h - 20) * v / top
            marks.append(f'<rect class="bar" x="{i * bw + 2:.1f}" y="{h - 16 - bh:.1f}" width="{bw - 4:.1f}" '
                         f'height="{bh:.1f}"></rect>')
    else:
        pts = " ".join(f"{i * w / (n - 1):.1f},{h - 16 - (h - 24) * v / top:.1f}" for i, v in enumerate(values))
        marks.append(f'<polyline class="line" points="{pts}"></polyline>')
    return (f'<svg class="chart" role="img" aria-label="{esc(label)}" viewBox="0 0 {w} {h}"><title>{esc(label)}'
            f'</title><line class="axis" x1="0" y1="{h - 16}" x2="{w}" y2="{h - 16}"></line>{"".join(marks)}'
            f'<text x="0" y="{h - 2}">Nov 4</text><text x="{w - 40}" y="{h - 2}">Dec 2</text></svg>')


def metrics_page(page, title, metrics, form_fields):
    fields = "".join(f'<label>{label} <input name="{name}" value=""></label>' for name, label in form_fields)
    sections = "".join(
        f'<section class="metric" data-metric="{m}"><h2>{esc(h)}</h2><p class="value">{esc(v)}</p>'
        f'<span class="level level-{lvl}">{lvl.capitalize()}</span>{chart(h + " per week", vals, kind)}</section>'
        for m, h, v, lvl, vals, kind in metrics)
    body = (f'<h1>{esc(title)}</h1><form method="get" action="/{page}">{fields}<button>Apply</button></form>'
            f"{sections}")
    return layout(page, title, body)


def dora_page():
    return metrics_page("dora", "DORA metrics", [
        ("deployment_frequency", "Deployment frequency", "4.2 per day", "elite", [3, 5, 4, 6, 2, 5, 4, 7], "bar"),
        ("lead_time", "Lead time for changes", "3h 10m", "high", [5, 4, 6, 3, 4, 3, 2, 3], "line"),
        ("change_failure_rate", "Change failure rate", "18%", "medium", [1, 2, 1, 3, 2, 2, 1, 2], "bar"),
        ("recovery_time", "Time to restore service", "2 days", "low", [8, 6, 9, 7, 10, 6, 8, 9], "line"),
    ], [("repository", "Repository"), ("environment", "Environment"), ("window", "Window"),
        ("fix_window", "Fix window")])


def insights_page():
    return metrics_page("insights", "Insights", [
        ("duration", "Median run duration", "4m 12s", "high", [5, 4, 4, 5, 3, 4, 4, 4], "line"),
        ("success_rate", "Success rate", "91%", "elite", [9, 9, 8, 9, 10, 9, 9, 9], "bar"),
        ("queue_time", "Median queue time", "42s", "medium", [2, 3, 2, 4, 3, 2, 3, 2], "bar"),
    ], [("pipeline", "Pipeline"), ("repository", "Repository"), ("window", "Window")])


def sign_in_page(error=False):
    err = '<p class="error" role="alert">That token is not valid.</p>' if error else ""
    body = (f'<h1>Sign in</h1>{err}<form id="sign-in" method="post" action="/sign-in"><label>API token '
            '<input id="token" name="token" type="password" autocomplete="current-password"></label><input '
            'type="hidden" name="next" value="/"><button type="submit">Sign in</button></form>')
    return layout("sign-in", "Sign in", body)


# ------------------------------------------------------------------------------------------------------ the server

CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class DashboardServer:
    """The fake server; `start()` binds 127.0.0.1 on a free port and returns the base URL."""

    def __init__(self):
        self.cond = threading.Condition()
        self.generation = 0
        self.stopped = False
        self.httpd = None
        self.reset()

    def reset(self, empty=False):
        """The initial runs and feed; `empty`: no runs and no changes at all (a new server)."""
        with self.cond:
            self.runs = {} if empty else initial_runs()
            self.events = [] if empty else initial_events()
            self.fetches = {}
            self.connections = []
            self.hold = False
            self.refuse = 0
            self.generation += 1
            self.cond.notify_all()

    def last_id(self):
        return self.events[-1][0] if self.events else 0

    def add_event(self, kind, data=None, raw=None):
        with self.cond:
            eid = self.last_id() + 1
            self.events.append((eid, kind, raw if raw is not None else json.dumps(data)))
            self.cond.notify_all()
            return eid

    def drop(self, hold=False, refuse=0):
        with self.cond:
            self.hold = hold
            self.refuse = refuse
            self.generation += 1
            self.cond.notify_all()

    def release(self):
        with self.cond:
            self.hold = False
            self.cond.notify_all()

    def state(self):
        with self.cond:
            return {"connections": list(self.connections), "fetches": dict(self.fetches), "last_id": self.last_id(),
                    "hold": self.hold}

    def start(self, port=0):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, code, body, content_type="text/plain; charset=utf-8", headers=()):
                if isinstance(body, str):
                    body = body.encode()
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

            def page(self, text):
                return self.send(200, text, "text/html; charset=utf-8", [
                    ("Content-Security-Policy", CSP),
                    ("Set-Cookie", f"{SESSION_COOKIE}; Path=/; HttpOnly; SameSite=Strict")])

            def authorised(self):
                return SESSION_COOKIE in (self.headers.get("Cookie") or "")

            def do_GET(self):
                url = urlsplit(self.path)
                path, query = url.path, parse_qs(url.query, keep_blank_values=True)
                if path == "/favicon.ico":
                    return self.send(204, b"")
                m = re.fullmatch(r"/assets/([A-Za-z0-9][A-Za-z0-9._-]*)", path)
                if m:
                    file = os.path.join(ASSETS, m.group(1))
                    ext = os.path.splitext(file)[1]
                    if not os.path.isfile(file) or ext not in CONTENT_TYPES:
                        return self.send(404, "not found")
                    with open(file, "rb") as f:
                        return self.send(200, f.read(), CONTENT_TYPES[ext])
                with server.cond:
                    runs = copy.deepcopy(server.runs)
                    last = server.last_id()
                if path == "/":
                    return self.page(runs_page(runs, query))
                m = re.fullmatch(r"/runs/([0-9]+)", path)
                if m and int(m.group(1)) in runs:
                    return self.page(run_page(runs, int(m.group(1)), query.get("variant", [""])[0], last))
                if path == "/runs/12/nodes/build/log":
                    return self.page(log_page())
                pages = {"/breakers": breakers_page, "/dora": dora_page, "/insights": insights_page}
                if path in pages:
                    return self.page(pages[path]())
                if path == "/sign-in":
                    return self.page(sign_in_page(query.get("error") == ["1"]))
                if path == "/control/state":
                    return self.send(200, json.dumps(server.state()), "application/json")
                if path.startswith("/api/") and not self.authorised():
                    return self.send(401, '{"error":"unauthorized"}', "application/json")
                if path == "/api/v1/runs/12/nodes/build/log":
                    return self.send(200, LOG_TEXT)
                m = re.fullmatch(r"/api/v1/runs/([0-9]+)", path)
                if m:
                    id = int(m.group(1))
                    with server.cond:
                        server.fetches[str(id)] = server.fetches.get(str(id), 0) + 1
                    if id not in runs:
                        return self.send(404, '{"error":"not_found"}', "application/json")
                    return self.send(200, json.dumps(runs[id]), "application/json")
                if path == "/api/v1/events":
                    return self.events(query)
                return self.send(404, "not found")

            def events(self, query):
                header = self.headers.get("Last-Event-ID")
                q = query.get("last_event_id", [None])[0]
                with server.cond:
                    server.connections.append({"header": header, "query": q, "time": time.time()})
                    while server.hold and not server.stopped:
                        server.cond.wait(0.5)
                    refused = server.refuse > 0
                    if refused:
                        server.refuse -= 1
                if refused:
                    return self.send(503, '{"error":"unavailable"}', "application/json")
                after = header if header else q
                if after and not re.fullmatch(r"[0-9]{1,18}", after):
                    return self.send(400, '{"error":"invalid_last_event_id"}', "application/json")
                position = int(after or 0)
                self.close_connection = True
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Connection", "close")
                self.end_headers()
                with server.cond:
                    generation = server.generation
                try:
                    self.wfile.write(b"retry: 300\n\n")
                    self.wfile.flush()
                    while True:
                        with server.cond:
                            if server.last_id() <= position and generation == server.generation:
                                server.cond.wait(5)
                            if generation != server.generation or server.stopped:
                                return
                            batch = [e for e in server.events if e[0] > position]
                        if not batch:
                            self.wfile.write(b": ping\n\n")
                        for eid, kind, data in batch:
                            lines = "".join(f"data: {line}\n" for line in data.split("\n"))
                            self.wfile.write(f"id: {eid}\nevent: {kind}\n{lines}\n".encode())
                            position = eid
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return

            def do_POST(self):
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return self.send(400, "bad json")
                if path == "/control/reset":
                    server.reset(bool(body.get("empty")))
                    return self.send(200, "{}", "application/json")
                if path == "/control/event":
                    eid = server.add_event(body["event"], body.get("data"), body.get("raw"))
                    return self.send(200, json.dumps({"id": eid}), "application/json")
                if path == "/control/run":
                    with server.cond:
                        server.runs[int(body["id"])] = body
                    return self.send(200, "{}", "application/json")
                if path == "/control/drop":
                    server.drop(bool(body.get("hold")), int(body.get("refuse") or 0))
                    return self.send(200, "{}", "application/json")
                if path == "/control/release":
                    server.release()
                    return self.send(200, "{}", "application/json")
                return self.send(404, "not found")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        with self.cond:
            self.stopped = True
            self.cond.notify_all()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()


if __name__ == "__main__":
    s = DashboardServer()
    base = s.start(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"serving on {base}/ (also /runs/12, /runs/11, /runs/9, /breakers, /dora, /insights, /sign-in)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        s.stop()
