#!/usr/bin/env python3
"""SSE fan-out of the API (issue: API): CLIENTS clients follow one node's live log
(`GET /api/v1/runs/{run}/nodes/build/log/stream`) while a writer appends RATE lines per second to the store, as a
runner does (a chunk every 10 ms, each line stamped with its write time). Then the node finishes; every client must
get every line, once, in order, and `event: end`. Prints delivery lag percentiles (receive time minus write time,
one sample per client per read) and lines lost or repeated.

    sse-fanout.py DB URL TOKEN RUN CLIENTS RATE SECONDS
"""
import re
import selectors
import socket
import sqlite3
import sys
import threading
import time

db, url, token, run = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
clients, rate, seconds = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
host, port = url.split("//")[1].split(":")
port = int(port)
total = int(rate * seconds)
stamp_pattern = re.compile(rb'"line":"t=([0-9.]+) n=([0-9]+)"')


def writer(done):
    connection = sqlite3.connect(db, timeout=30)
    per_chunk = max(1, rate // 100)
    written = 0
    start = time.time()
    while written < total:
        target = min(total, int((time.time() - start) * rate) + per_chunk)
        if target > written:
            now = time.time()
            lines = "\n".join("t=%.6f n=%d" % (now, n) for n in range(written, target))
            with connection:
                connection.execute(
                    "INSERT INTO logChunk (runId, nodeId, attempt, stream, text) VALUES (?, 'build', 1, 'stdout', ?)",
                    (run, lines))
            written = target
        time.sleep(0.01)
    with connection:
        connection.execute(
            "UPDATE node SET status = 'succeeded', finishedAt = '2026-12-02 00:00:00.000' WHERE runId = ? "
            "AND nodeId = 'build'", (run,))
    done.append(time.time())


selector = selectors.DefaultSelector()
states = []
request = ("GET /api/v1/runs/%d/nodes/build/log/stream HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n"
           % (run, host, token)).encode()
for index in range(clients):
    sock = socket.create_connection((host, port))
    sock.sendall(request)
    sock.setblocking(False)
    state = {"sock": sock, "tail": b"", "count": 0, "last": -1, "bad": 0, "ended": False}
    states.append(state)
    selector.register(sock, selectors.EVENT_READ, state)
time.sleep(1.0)  # every client connected and subscribed before the first line

lags = []
done = []
thread = threading.Thread(target=writer, args=(done,))
thread.start()
open_clients = clients
deadline = time.time() + seconds + 60
while open_clients and time.time() < deadline:
    for key, _ in selector.select(timeout=1):
        state = key.data
        try:
            data = state["sock"].recv(1 << 20)
        except BlockingIOError:
            continue
        now = time.time()
        if not data:
            selector.unregister(state["sock"])
            open_clients -= 1
            continue
        text = state["tail"] + data
        cut = text.rfind(b"\n\n")
        complete, state["tail"] = (text[: cut + 2], text[cut + 2:]) if cut >= 0 else (b"", text)
        matches = stamp_pattern.findall(complete)
        for _, number in matches:
            n = int(number)
            if n != state["last"] + 1:
                state["bad"] += 1
            state["last"] = n
        state["count"] += len(matches)
        if matches:
            lags.append(now - float(matches[-1][0]))
        if b"event: end" in complete:
            state["ended"] = True
            selector.unregister(state["sock"])
            state["sock"].close()
            open_clients -= 1
thread.join()
lags.sort()


def percentile(p):
    return lags[min(len(lags) - 1, int(len(lags) * p))] * 1000 if lags else float("nan")


complete = sum(1 for s in states if s["count"] == total and s["bad"] == 0 and s["ended"])
print("clients %d, lines %d at %d/s: %d clients got every line once and in order with event: end; "
      "%d lines out of order or repeated; %d clients still behind at the deadline (%d lines not yet received)" % (
          clients, total, rate, complete, sum(s["bad"] for s in states),
          sum(1 for s in states if s["count"] < total), sum(total - s["count"] for s in states)))
print("delivery lag: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)" % (
    percentile(0.5), percentile(0.99), percentile(1.0) if lags else float("nan"), len(lags)))
sys.exit(0 if complete == clients else 1)
