#!/usr/bin/env python3
"""Fake DevFlow log API for the log viewer's browser tests (stdlib only).

Serves the dashboard assets, a test page in the server's page contract, and:

  /page?log=URL&stream=URL&running=true|false&download=URL   the test page
  /api/v1/runs/1/nodes/big/log      1,000,000 lines (~75 MB), ANSI every 10th line,
                                     `needle-in-the-haystack` on line NEEDLE_LINE;
                                     pace=SEC sleeps between 256 KB chunks (a slow stream)
  /api/v1/runs/2/nodes/small/log    hostile lines: markup, OSC/CSI, C0, bad UTF-8, a 1 MB line
  /api/v1/runs/3/nodes/build/log/stream?session=S&total=N&drop=K&overlap=O&delay=SEC
                                     SSE: lines 1..K, connection dropped; the reconnect
                                     (Last-Event-ID) resumes at id+1-O, then `event: end`
  (SSE also takes retry=MS, the reconnect delay it announces; default 250)
  /__state?session=S                 what the server saw (connections, Last-Event-ID, requests)

Run it by hand with `python3 fake_log_server.py [port]` and open /page?log=... in a browser.
"""

import html
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ASSETS = os.path.join(ROOT, "Sources", "DevFlowDashboard", "Assets")

BIG_LINES = 1_000_000
NEEDLE_LINE = 987_655          # 1-based line number of the needle
LONG_LINE_CHARS = 1_048_576    # characters of the long line in the small log

# The page contract, as the Swift server renders it.
PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>DevFlow log viewer test</title>
<style>body {{ margin: 12px; font-family: system-ui, sans-serif; }} @media (max-width: 600px) {{ body {{ margin: 0; }} }}
@media (prefers-color-scheme: dark) {{ body {{ background: #010409; color: #e6edf3; }} }}</style></head>
<body>
<link rel="stylesheet" href="/assets/log-viewer.css">
<div class="log-viewer" id="log"
     data-log-url="{log}"
     data-stream-url="{stream}"
     data-running="{running}"
     data-download-url="{download}"></div>
<script src="/assets/log-viewer.js" defer></script>
</body>
</html>
"""


def timestamp(ms):
    """RFC 3339 UTC timestamp `ms` milliseconds after 2026-12-02T11:14:26.000Z."""
    t = 40466000 + ms
    h, t = divmod(t, 3600000)
    m, t = divmod(t, 60000)
    s, t = divmod(t, 1000)
    return f"2026-12-02T{h:02d}:{m:02d}:{s:02d}.{t:03d}Z"


def big_log():
    lines = []
    for i in range(1, BIG_LINES + 1):
        if i == NEEDLE_LINE:
            text = f"line {i} of the build: found the needle-in-the-haystack here"
        elif i % 10 == 0:
            colour = 31 + (i // 10) % 6
            text = f"\x1b[1;{colour}mline {i}\x1b[0m of the build: \x1b[2mlinking\x1b[22m module Foo{i % 997}"
        else:
            text = f"line {i} of the build: compiling module Foo{i % 997}"
        lines.append(f"{timestamp(i)} {text}\n")
    return "".join(lines).encode()


SMALL_LINES = [
    b"first line: plain text",
    b"<script>window.__pwned=1</script>",
    b'<img src=x onerror="window.__pwned=1">',
    b"\x1b]0;PWNED TITLE\x07after an OSC title",
    b"\x1b]8;;https://evil.example/\x1b\\hyperlink text\x1b]8;;\x1b\\ after an OSC 8 link",
    b"cursor\x1b[2J\x1b[H\x1b[1A\x1b[10;20H moves\x1b[?25l and \x1b[K erase",
    b"\x1b[31mred\x1b[0m \x1b[1;32mbold green\x1b[22;39m \x1b[4munder\x1b[24m \x1b[3mitalic\x1b[23m \x1b[2mdim\x1b[22m \x1b[95mbright\x1b[39m",
    b"\x1b[38;5;208m256 orange\x1b[0m \x1b[48;5;21mbg blue\x1b[49m \x1b[38;2;10;200;30mtruecolor\x1b[39m \x1b[41mred bg\x1b[0m \x1b[104mbright bg\x1b[0m",
    b"controls: bell \x07, backspace \x08, vt \x0b, ff \x0c, C1 CSI \xc2\x9b2J, cr \r, ESC 7 \x1b7, del \x7f done",
    b"tab\tseparated\tcolumns",
    b"split WAR\x1b[0mNING word",
    b"bad bytes \xff\xfe here",
    b"emoji \xf0\x9f\x9a\x80 and CJK \xe6\xbc\xa2\xe5\xad\x97",
    b"DCS \x1bP1$r0m\x1b\\ done",
    b"LONG:" + b"x" * (LONG_LINE_CHARS - 20) + b"END-OF-LONG-LINE",
    b"after the long line",
    b"\x1b[38;5;300mbad 256\x1b[0m \x1b[38;2;999;0;0mclamped\x1b[0m \x1b[38;5mtruncated sgr",
    b"javascript:window.__pwned=1",
    b"lone escape at the end \x1b",
]


def small_log():
    out = [timestamp(i).encode() + b" " + line + b"\n" for i, line in enumerate(SMALL_LINES)]
    out.append(b"a line without a timestamp prefix\n")
    return b"".join(out)


def sse_event(i):
    data = {"node": "build", "attempt": 1, "stream": "stderr" if i % 7 == 0 else "stdout",
            "line": f"sse line {i}: \x1b[3{i % 7 + 1}mstep {i}\x1b[0m done"}
    if i % 5:
        data["at"] = timestamp(i * 10)
    return f"id: {i}\ndata: {json.dumps(data)}\n\n".encode()


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.sessions = {}   # session -> list of {"last_event_id": str|None, "sent": [ids]}
        self.requests = {}   # path -> count
        self.api = []        # every /api/ request as path?query, in order

    def count(self, path, full):
        with self.lock:
            self.requests[path] = self.requests.get(path, 0) + 1
            if path.startswith("/api/"):
                self.api.append(full)

    def connection(self, session, last_id):
        with self.lock:
            conn = {"last_event_id": last_id, "sent": [], "ended": False}
            self.sessions.setdefault(session, []).append(conn)
            return conn


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeDevFlow/1"

    def log_message(self, *args):  # quiet
        pass

    def send(self, code, ctype, body, extra=None, pace=0.0):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.write_all(body, pace=pace)

    def write_all(self, body, chunk=256 * 1024, pace=0.0):
        view = memoryview(body)
        try:
            for i in range(0, len(view), chunk):
                self.wfile.write(view[i:i + chunk])
                if pace:
                    time.sleep(pace)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path
        state = self.server.state
        state.count(path, self.path)
        if path.startswith("/assets/"):
            name = path[len("/assets/"):]
            full = os.path.join(ASSETS, name)
            if "/" in name or name.startswith(".") or not os.path.isfile(full):
                return self.send(404, "text/plain", b"not found")
            ctype = {"js": "text/javascript", "css": "text/css"}.get(name.rsplit(".", 1)[-1], "application/octet-stream")
            with open(full, "rb") as f:
                return self.send(200, ctype + "; charset=utf-8", f.read())
        if path == "/page":
            page = PAGE.format(**{k: html.escape(q.get(k, d), quote=True) for k, d in
                                  (("log", ""), ("stream", ""), ("running", "false"), ("download", ""))})
            return self.send(200, "text/html; charset=utf-8", page.encode())
        if path == "/favicon.ico":
            return self.send(204, "image/x-icon", b"")
        if path == "/__state":
            with state.lock:
                body = {"sessions": state.sessions.get(q.get("session", "default"), []),
                        "requests": dict(state.requests), "api": list(state.api)}
                return self.send(200, "application/json", json.dumps(body).encode())
        logs = {"/api/v1/runs/1/nodes/big/log": self.server.big,
                "/api/v1/runs/2/nodes/small/log": self.server.small}
        if path in logs:
            extra = {"Content-Disposition": "attachment; filename=log.txt"} if q.get("download") == "true" else {}
            pace = float(q.get("pace", 0))  # seconds between 256 KB chunks: a slow log
            return self.send(200, "text/plain; charset=utf-8", logs[path], extra, pace)
        if path == "/api/v1/runs/3/nodes/build/log/stream":
            return self.sse(q)
        return self.send(404, "text/plain", b"not found")

    def sse(self, q):
        session = q.get("session", "default")
        total, drop = int(q.get("total", 120)), int(q.get("drop", 50))
        overlap, delay = int(q.get("overlap", 0)), float(q.get("delay", 0))
        retry = int(q.get("retry", 250))
        last = self.headers.get("Last-Event-ID")
        conn = self.server.state.connection(session, last)
        if last is None:
            first, final, end = 1, min(drop, total), drop >= total
        else:
            first, final, end = max(1, int(last) + 1 - overlap), total, True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(f"retry: {retry}\n\n".encode())
            for i in range(first, final + 1):
                self.wfile.write(sse_event(i))
                self.wfile.flush()
                conn["sent"].append(i)
                if delay:
                    time.sleep(delay)
            if end:
                self.wfile.write(b'event: end\ndata: {"status":"succeeded"}\n\n')
                conn["ended"] = True
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        # Returning closes the connection (HTTP/1.0): before `end` that is the "drop".


def start_server(port=0):
    """Starts the server on 127.0.0.1 in a daemon thread; returns (server, base_url)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.state = State()
    server.big = big_log()
    server.small = small_log()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


if __name__ == "__main__":
    srv, base = start_server(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"serving on {base}")
    print(f"  {base}/page?log=/api/v1/runs/1/nodes/big/log")
    print(f"  {base}/page?log=/api/v1/runs/2/nodes/small/log")
    print(f"  {base}/page?running=true&stream=/api/v1/runs/3/nodes/build/log/stream%3Fdelay%3D0.05")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.shutdown()
