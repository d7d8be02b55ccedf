#!/usr/bin/env python3
"""A stand-in for `devflow serve`, for the browser tests of dashboard.js and dashboard.css (stdlib only).

Serves /assets/* from Sources/DevFlowDashboard/Assets/ and static pages that follow the page contract
(/work/notes/dashboard-contract.md) as Sources/DevFlowDashboard/Templates/*.mustache render them, with the
contract's Content-Security-Policy:

  /                         the runs list, data-live="true" (seven runs, one per status); any filter in the query
                            (repository, branch, status, event, before) makes it data-live="false";
                            with no runs (after POST /control/reset {"empty": true}) it is the empty live list
  /runs/12                  a running run (operator: with #cancel-run), its graph, steps, attempts, outputs, findings;
                            <main data-last-event-id> is the feed's end when rendered;
                            /runs/12?variant=bare has neither data-last-event-id nor #reload-details
  /runs/11                  a finished run (viewer)        /runs/9   a config_error run with diagnostics
  /runs/12/nodes/build/log  the log page                   /breakers /dora /insights /sign-in /error
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
# DashboardPages.securityHeaders (the contract's policy plus script-src, connect-src and the rest).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
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
# Rendered as Sources/DevFlowDashboard/Templates/*.mustache render them (same elements, ids, classes, attributes
# and order), with the server's formats (DisplayFormat: `config error` labels, `2026-12-02 14:05 UTC` times).

NAV = [("/", "Runs", "runs"), ("/breakers", "Breakers", "breakers"), ("/dora", "DORA", "dora"),
       ("/insights", "Insights", "insights")]


def label(state):
    return state.replace("_", " ")


def time_text(iso):
    return f"{iso[:10]} {iso[11:16]} UTC" if iso and len(iso) >= 16 else (iso or "")


def layout(page, title, body, role="operator", main_attrs=""):
    """head.mustache + a page's <main> + foot.mustache."""
    if page == "sign-in":
        header = ""
        role = ""
    else:
        current = ' aria-current="page"'
        links = "\n".join(f'<a href="{href}"{current if key == page or (key == "runs" and page in ("run", "log")) else ""}>'
                          f'{label_}</a>' for href, label_, key in NAV)
        header = (f'<header class="top">\n<a class="brand" href="/">DevFlow</a>\n<nav aria-label="Pages">\n{links}\n'
                  f'</nav>\n<span class="who">ci-bot ({esc(role)})</span>\n'
                  f'<form method="post" action="/sign-out" class="sign-out"><input type="hidden" name="_csrf" '
                  f'value="{CSRF}"><button type="submit">Sign out</button></form>\n</header>\n')
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="csrf-token" content="{CSRF}">
<title>{esc(title)} · DevFlow</title>
<link rel="stylesheet" href="/assets/dashboard.css?v=test">
<link rel="stylesheet" href="/assets/run-graph.css?v=test">
<link rel="stylesheet" href="/assets/log-viewer.css?v=test">
</head>
<body data-role="{esc(role)}" data-page="{page}">
<a class="skip" href="#main">Skip to content</a>
{header}<main id="main"{main_attrs}>
{body}
</main>
<script src="/assets/run-graph.js?v=test"></script>
<script src="/assets/log-viewer.js?v=test"></script>
<script src="/assets/dashboard.js?v=test"></script>
</body>
</html>
"""


def time_el(iso):
    return f'<time datetime="{esc(iso)}">{esc(time_text(iso))}</time>'


def parse(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def duration_of(r):
    """The duration text the server renders: finished - started, else empty (the script ticks a running one)."""
    if r["started_at"] and r["finished_at"]:
        return duration_text((parse(r["finished_at"]) - parse(r["started_at"])).total_seconds())
    return ""


def run_row(r):
    commit = f'<code title="{esc(r["commit"])}">{esc(r["commit"][:7])}</code>' if r["commit"] else ""
    return f"""<tr data-run-id="{r['id']}" data-status="{esc(r['status'])}">
<td class="run-id"><a href="/runs/{r['id']}">#{r['id']}</a></td>
<td class="status"><span class="badge status-{esc(r['status'])}">{esc(label(r['status']))}</span></td>
<td class="pipeline">{esc(r['pipeline'])}</td>
<td class="repository">{esc(r['repository'])}</td>
<td class="branch">{esc(r['branch'])}</td>
<td class="commit">{commit}</td>
<td class="trigger">{esc(r['event'].get('summary') or r['event_kind'])}</td>
<td class="queued">{time_el(r['queued_at'])}</td>
<td class="duration" data-started-at="{esc(r['started_at'] or '')}" data-finished-at="{esc(r['finished_at'] or '')}">{duration_of(r)}</td>
</tr>"""


FILTERS = ("repository", "branch", "status", "event")
RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted", "config_error", "skipped")


def runs_page(runs, query):
    value = lambda k: query.get(k, [""])[0]  # noqa: E731
    filtered = any(value(k) for k in FILTERS)
    first_page = not value("before")
    listed = [r for r in sorted(runs.values(), key=lambda r: -r["id"]) if r["id"] <= 13]
    if value("status"):
        listed = [r for r in listed if r["status"] == value("status")]
    rows = "\n".join(run_row(r) for r in listed)
    options = "".join(f'<option value="{s}"{" selected" if value("status") == s else ""}>{label(s) if s else "any"}'
                      f"</option>" for s in ("",) + RUN_STATUSES)
    empty = ("No runs yet. Push to a configured repository, or trigger one with `devflow trigger`." if not filtered
             else "No run matches these filters.")
    body = f"""<h1>Runs</h1>
<form id="run-filters" class="filters" method="get" action="/">
<label>Repository <input name="repository" value="{esc(value('repository'))}" placeholder="acme/app"></label>
<label>Branch <input name="branch" value="{esc(value('branch'))}" placeholder="main"></label>
<label>Status <select name="status">{options}</select></label>
<label>Event <input name="event" value="{esc(value('event'))}" placeholder="push"></label>
<button type="submit">Filter</button>{' <a href="/">Clear</a>' if filtered else ''}
</form>
<div id="live-status" role="status" aria-live="polite"></div>
<div class="table-wrap">
<table id="runs" data-live="{'true' if not filtered and first_page else 'false'}">
<thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Pipeline</th><th scope="col">Repository</th><th scope="col">Branch</th><th scope="col">Commit</th><th scope="col">Trigger</th><th scope="col">Queued</th><th scope="col">Duration</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</div>
{'' if listed else f'<p class="empty">{esc(empty)}</p>'}
{'<p><a class="next" href="/?before=7">Older runs</a></p>' if listed else ''}"""
    return layout("runs", "Runs", body)


def node_row(id, status, attempts, duration, reason="", summary=None):
    details = f"<details><summary>Summary</summary><pre>{esc(summary)}</pre></details>" if summary else ""
    return (f'<tr data-node-id="{esc(id)}" data-status="{esc(status)}">\n<td class="node"><a href="/runs/12/nodes/'
            f'{esc(id)}/log">{esc(id)}</a></td>\n<td class="status"><span class="badge status-{esc(status)}">'
            f'{esc(label(status))}</span></td>\n<td class="attempts">{attempts}</td>\n<td class="duration">{duration}'
            f'</td>\n<td class="reason">{esc(reason)}{details}</td>\n</tr>\n')


def table(head, rows):
    ths = "".join(f'<th scope="col">{h}</th>' for h in head)
    return f'<div class="table-wrap">\n<table>\n<thead><tr>{ths}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</div>'


def run_page(runs, id, variant, last_event_id):
    r = runs[id]
    status = r["status"]
    finished = status in ("succeeded", "failed", "cancelled", "interrupted", "config_error", "skipped")
    role = "operator" if id == 12 else "viewer"
    facts = [f'<div><dt>Repository</dt><dd>{esc(r["repository"])}</dd></div>',
             f'<div><dt>Branch</dt><dd>{esc(r["branch"])}</dd></div>',
             f'<div><dt>Commit</dt><dd><code title="{esc(r["commit"])}">{esc(r["commit"][:7])}</code></dd></div>',
             f'<div><dt>Trigger</dt><dd>{esc(r["event"].get("summary") or r["event_kind"])}</dd></div>',
             f'<div><dt>Queued</dt><dd>{time_el(r["queued_at"])}</dd></div>']
    if r["started_at"]:
        facts.append(f'<div><dt>Started</dt><dd>{time_el(r["started_at"])}</dd></div>')
    if r["finished_at"]:
        facts.append(f'<div><dt>Finished</dt><dd>{time_el(r["finished_at"])}</dd></div>')
    facts.append(f'<div><dt>Duration</dt><dd class="duration" data-started-at="{esc(r["started_at"] or "")}" '
                 f'data-finished-at="{esc(r["finished_at"] or "")}">{duration_of(r)}</dd></div>')
    cancel = "" if finished or role == "viewer" else (
        f'<form id="cancel-run" method="post" action="/runs/{id}/cancel"><input type="hidden" name="_csrf" '
        f'value="{CSRF}"><button type="submit" class="danger">Cancel run</button></form>\n')
    reload_link = "" if variant == "bare" else (
        f'<p><a id="reload-details" href="/runs/{id}" hidden>The run has finished: reload for its details</a></p>\n')
    reason = f'<p class="reason">{esc(r["status_reason"])}</p>\n' if r.get("status_reason") else ""
    diagnostics = ""
    if status == "config_error":
        diagnostics = ('<section id="diagnostics">\n<h2>Configuration errors</h2>\n<ol>\n'
                       '<li class="diagnostic severity-error"><code>.devflow/pipeline.yml:3:5</code> <span class="rule">'
                       "DF001</span> unknown key 'stpes' (did you mean 'steps'?)</li>\n"
                       '<li class="diagnostic severity-warning"><code>.devflow/pipeline.yml:9:1</code> <span '
                       'class="rule">DF017</span> input "target" is never used</li>\n</ol>\n</section>\n')
    sections = ""
    if r["graph"]:
        sections = (
            f'<section id="graph">\n<h2>Graph</h2>\n<div class="run-graph" data-run-url="/api/v1/runs/{id}" '
            f'data-critical-path="{esc(json.dumps(CRITICAL))}"></div>\n'
            f'<p class="hint">Critical path: {esc(" → ".join(CRITICAL))}</p>\n</section>\n'
            '<section id="steps">\n<h2>Steps</h2>\n<div class="table-wrap">\n<table id="nodes">\n<thead><tr><th '
            'scope="col">Step</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Duration'
            '</th><th scope="col">Reason</th></tr></thead>\n<tbody>\n'
            + node_row("checkout", "succeeded", 1, "3s", summary="Checked out abc1234 (12 files changed)")
            + node_row("build", "running", 1, "") + node_row("lint", "succeeded", 1, "8s")
            + node_row("test", "pending", 0, "") + node_row("deploy", "pending", 0, "")
            + "</tbody>\n</table>\n</div>\n</section>\n"
            '<section id="attempts">\n<h2>Attempts</h2>\n'
            + table(["Step", "#", "Status", "Exit", "Duration", "Retry reason", "Error"],
                    '<tr><td>checkout</td><td>1</td><td><span class="badge status-succeeded">succeeded</span></td>'
                    '<td>0</td><td>3.5s</td><td></td><td></td></tr>\n<tr><td>lint</td><td>1</td><td><span '
                    'class="badge status-timed_out">timed_out</span></td><td>signal 9</td><td>8s</td><td>timeout</td>'
                    '<td>killed after 8 s</td></tr>\n')
            + "\n</section>\n"
            '<section id="outputs">\n<h2>Outputs</h2>\n'
            + table(["Step", "Name", "Value"],
                    "<tr><td>build</td><td><code>artifact</code></td><td><code>demo-abc1234.tar.gz</code></td></tr>\n")
            + "\n</section>\n"
            '<section id="findings">\n<h2>Findings</h2>\n'
            + table(["Severity", "Rule", "Where", "Message", "Step"],
                    '<tr><td><span class="badge severity-medium">medium</span></td><td><code>swiftlint.line_length'
                    '</code></td><td class="location"><code>Sources/App/Queue.swift:120</code></td><td>Line should be '
                    '120 characters or less</td><td>lint</td></tr>\n<tr><td><span class="badge severity-high">high'
                    '</span></td><td><code>secrets.aws</code></td><td class="location"><code>deploy/env.sh:3</code>'
                    '</td><td>A credential-like string</td><td>lint</td></tr>\n')
            + "\n</section>\n")
    body = f"""<p class="crumbs"><a href="/">Runs</a> / #{id}</p>
<h1>Run #{id} <span class="pipeline">{esc(r['pipeline'])}</span>
<span id="run-status" class="badge status-{esc(status)}" data-status="{esc(status)}">{esc(label(status))}</span></h1>
{reason}<dl class="run-facts">
{chr(10).join(facts)}
</dl>
{cancel}<div id="live-status" role="status" aria-live="polite"></div>
{reload_link}{diagnostics}{sections}"""
    attrs = f' data-run-id="{id}"'
    if variant != "bare":
        attrs += f' data-last-event-id="{last_event_id}"'
    return layout("run", f"Run #{id} {r['pipeline']}", body, role, attrs)


def log_page():
    body = """<p class="crumbs"><a href="/">Runs</a> / <a href="/runs/12">#12</a> / build</p>
<h1>Log of <code>build</code> <span class="badge status-running">running</span></h1>
<div class="log-viewer" data-log-url="/api/v1/runs/12/nodes/build/log" data-stream-url="/api/v1/runs/12/nodes/build/log/stream" data-running="false" data-download-url="/api/v1/runs/12/nodes/build/log?download=true"></div>"""
    return layout("log", "build · run #12", body, main_attrs=' class="wide" data-run-id="12"')


LOG_TEXT = "".join(f"2026-12-02T10:00:{i:02d}.000Z line {i} of the build: compiling module Foo{i}\n"
                   for i in range(1, 40)).encode()


def breakers_page():
    rows = []
    for name, state, mode, opened, rate, transitions in [
        ("deploy-prod", "open", "auto", "2026-12-02T09:58:00.000Z", "62%",
         [("2026-12-02T09:58:00.000Z", "closed", "open", "8 of 13 calls failed", 10)]),
        ("registry", "half_open", "auto", "2026-12-02T09:40:00.000Z", "20%",
         [("2026-12-02T09:40:00.000Z", "closed", "open", "5 of 10 calls failed", None),
          ("2026-12-02T09:50:00.000Z", "open", "half_open", "cool-down over", None)]),
        ("npm-mirror", "closed", "disabled", "", "0%", []),
    ]:
        forms = "\n".join(f'<form method="post" action="/breakers/{name}/{a}" class="breaker-action"><input '
                          f'type="hidden" name="_csrf" value="{CSRF}"><button type="submit"'
                          f'{" class=" + chr(34) + "danger" + chr(34) if a == "open" else ""}>{a.capitalize()}</button>'
                          f'</form>' for a in ("reset", "open", "disable"))
        items = "".join(f'<li>{time_el(at)} {frm} → {to}: {esc(why)}'
                        f'{f" (<a href={chr(34)}/runs/{run}{chr(34)}>#{run}</a>)" if run else ""}</li>'
                        for at, frm, to, why, run in transitions)
        rows.append(f'<tr data-breaker="{name}" data-state="{state}" data-mode="{mode}">\n<td class="name"><code>'
                    f'{name}</code></td>\n<td class="state"><span class="badge state-{state}">{label(state)}</span>'
                    f'</td>\n<td class="mode">{mode}</td>\n<td class="opened">{time_el(opened) if opened else ""}</td>\n'
                    f'<td class="failure-rate">{rate}</td>\n<td class="transitions">{f"<ol>{items}</ol>" if items else ""}'
                    f'</td>\n<td class="actions">\n{forms}\n</td>\n</tr>')
    body = ('<h1>Circuit breakers</h1>\n<div class="table-wrap">\n<table id="breakers">\n<thead><tr><th scope="col">'
            'Breaker</th><th scope="col">State</th><th scope="col">Mode</th><th scope="col">Opened</th><th scope="col">'
            'Failure rate</th><th scope="col">Recent transitions</th><th scope="col">Actions</th></tr></thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody>\n</table>\n</div>")
    return layout("breakers", "Breakers", body)


def chart(description, values, bad=()):
    """As SVGChart.bars draws one."""
    width, height, top, bottom = 320.0, 120.0, 14.0, 18.0
    plot = height - top - bottom
    largest = max(values) if values else 0
    scale = plot / largest if largest > 0 else 0
    svg = (f'<svg class="chart" viewBox="0 0 320 120" role="img" aria-label="{esc(description)}" '
           f'preserveAspectRatio="none"><title>{esc(description)}</title>'
           f'<line class="axis" x1="0" y1="{top + plot:.1f}" x2="320" y2="{top + plot:.1f}"/>'
           f'<text class="max" x="2" y="10">{largest:g}</text>')
    slot = width / len(values)
    gap = min(4, slot * 0.2)
    every = max(1, -(-len(values) // 8))
    for i, v in enumerate(values):
        h = v * scale
        x = i * slot + gap / 2
        tone = " bad" if i in bad else ""
        svg += (f'<rect class="bar{tone}" x="{x:.1f}" y="{top + plot - h:.1f}" width="{slot - gap:.1f}" '
                f'height="{h:.1f}"><title>week {i + 1}: {v:g}</title></rect>')
        if i % every == 0:
            svg += f'<text class="label" x="{x:.1f}" y="{height - 4:.1f}">11-{i + 4:02d}</text>'
    return svg + "</svg>"


def dora_page():
    metrics = [
        ("deployment_frequency", "Deployment frequency", "4.2 per day", "elite", [3, 5, 4, 6, 2, 5, 4, 7], ()),
        ("lead_time", "Lead time for changes", "3h 10m", "high", [5, 4, 6, 3, 4, 3, 2, 3], ()),
        ("change_failure_rate", "Change failure rate", "18%", "medium", [1, 2, 1, 3, 2, 2, 1, 2], (3,)),
        ("recovery_time", "Time to restore service", "2d", "low", [8, 6, 9, 7, 10, 6, 8, 9], ()),
    ]
    cards = "\n".join(
        f'<section class="metric" data-metric="{k}">\n<h3>{esc(n)}</h3>\n<p class="value">{esc(v)}</p>\n'
        f'<span class="level level-{lvl}">{lvl.capitalize()}</span>\n<p class="detail">over the last 8 weeks</p>\n'
        f'{chart(n + " per week", vals, bad)}\n</section>' for k, n, v, lvl, vals, bad in metrics)
    body = f"""<h1>DORA metrics</h1>
<form id="dora-filters" class="filters" method="get" action="/dora">
<label>Repository <input name="repository" value="" placeholder="any"></label>
<label>Environment <input name="environment" value="" placeholder="any"></label>
<label>Window <input name="window" value="" placeholder="90d" pattern="[1-9][0-9]{{0,3}}[mhdw]" title="a number and m, h, d or w: 90d, 12w"></label>
<label>Fix window <input name="fix_window" value="" placeholder="1d" pattern="[1-9][0-9]{{0,3}}[mhdw]"></label>
<button type="submit">Show</button>
</form>
<p class="hint">The last 90 days. Levels: the 2024 clusters (DORA State of DevOps). How each figure is counted: docs/analytics.md.</p>
<section class="environment" data-environment="production">
<h2>acme/demo → production</h2>
<div class="metrics">
{cards}
</div>
<details class="failures"><summary>1 failed changes</summary>
{table(["Run", "Step", "When", "Why", "Recovered by"], f'<tr><td><a href="/runs/10">#10</a></td><td>deploy</td><td>{time_el("2026-11-25T10:00:00.000Z")}</td><td>exit 1</td><td><a href="/runs/11">#11</a> after 2d</td></tr>' + chr(10))}
</details>
<p class="note">Deployments are runs of steps with an environment.</p>
</section>"""
    return layout("dora", "DORA", body)


def insights_page():
    cards = "\n".join(
        f'<section class="metric" data-metric="{k}"><h3>{esc(n)}</h3><p class="value">{esc(v)}</p><p class="detail">'
        f'{esc(d)}</p>{chart(n, vals)}</section>' for k, n, v, d, vals in [
            ("success_rate", "Success rate", "91%", "of 120 runs", [9, 9, 8, 9, 10, 9, 9, 9]),
            ("queue_time", "Queue time", "42s", "p50; p95 2m 10s", [2, 3, 2, 4, 3, 2, 3, 2]),
            ("duration", "Duration", "4m 12s", "p50; p95 7m", [5, 4, 4, 5, 3, 4, 4, 4])])
    steps = "".join(f'<tr data-node-id="{n}"><td><code>{n}</code></td><td>120</td><td>{ok}</td><td>{p50}</td><td>'
                    f'{p95}</td><td>{mx}</td><td class="trend trend-{tc}">{t}</td><td>{r}</td></tr>\n'
                    for n, ok, p50, p95, mx, tc, t, r in [
                        ("build", "99%", "2m", "3m 5s", "4m", "slower", "+14%", "1"),
                        ("test", "92%", "1m 40s", "2m 30s", "6m", "flat", "+2%", "9"),
                        ("lint", "100%", "8s", "12s", "20s", "faster", "-30%", "0")])
    body = f"""<h1>Insights: demo</h1>
<form id="insights-filters" class="filters" method="get" action="/insights">
<label>Pipeline <select name="pipeline"><option value="demo" selected>demo</option><option value="release">release</option></select></label>
<label>Repository <input name="repository" value="" placeholder="any"></label>
<label>Window <input name="window" value="" placeholder="30d" pattern="[1-9][0-9]{{0,3}}[mhdw]"></label>
<button type="submit">Show</button>
</form>
<div class="metrics">
{cards}
</div>
<section id="step-insights"><h2>Steps</h2>
{table(["Step", "Ran", "Success", "p50", "p95", "Max", "Trend", "Retried"], steps)}
</section>
<section id="flaky"><h2>Flaky steps</h2><ul>
<li><code>test</code>: passed after a retry 6 times, failed then passed on the same commit 3 times, of 120 runs (<a href="/runs/10">#10</a> <a href="/runs/8">#8</a> )</li>
</ul></section>
<section id="critical-path"><h2>Critical path</h2><p>checkout → build → test → deploy</p></section>"""
    return layout("insights", "Insights", body)


def sign_in_page(error=False):
    err = '<p class="error" role="alert">That token is not valid.</p>\n' if error else ""
    body = f"""<h1>Sign in to DevFlow</h1>
<p>Paste an API token. An admin makes one on the server's machine with <code>devflow tokens create NAME --role viewer</code>.</p>
{err}<form id="sign-in" method="post" action="/sign-in">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus spellcheck="false">
<input type="hidden" name="next" value="/">
<button type="submit">Sign in</button>
</form>"""
    return layout("sign-in", "Sign in", body, main_attrs=' class="narrow"')


def error_page():
    body = """<h1>Not found</h1>
<p class="error" role="alert">There is no run #404.</p>
<p><a href="/">Back</a></p>"""
    return layout("error", "Not found", body, main_attrs=' class="narrow"')


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
                if path == "/error":
                    return self.page(error_page())
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
