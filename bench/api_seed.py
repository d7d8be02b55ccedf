#!/usr/bin/env python3
"""Seeds a DevFlow store (already migrated) with RUNS runs of 5 nodes, ATTEMPTS_PER_RUN attempts each spread over
the nodes, and their outputs: the store the API benchmark reads. Rows go in through SQLite directly, in one
transaction, with the columns the store's migrations created."""
import random
import sqlite3
import sys

db, runs, attempts_per_run = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(7)
connection = sqlite3.connect(db)
connection.execute("PRAGMA journal_mode=WAL")
connection.execute("PRAGMA synchronous=OFF")
graph = '{"nodes":[' + ",".join('{"id":"step-%d"}' % n for n in range(5)) + "]}"
statuses = ["succeeded"] * 8 + ["failed", "cancelled"]
branches = ["main", "dev", "release"]
kinds = ["push", "pull_request", "manual", "schedule"]


def stamp(seconds):
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    return "2026-%02d-%02d %02d:%02d:%02d.000" % (1 + days // 28 % 12, 1 + days % 28, hour, minute, second)


with connection:
    run_rows, node_rows, attempt_rows, output_rows = [], [], [], []
    for run in range(1, runs + 1):
        start = run * 60
        status = random.choice(statuses)
        branch = random.choice(branches)
        run_rows.append((
            run, "ci", ".devflow.yml", "h%d" % (run % 97), graph,
            '{"kind":"%s","branch":"%s"}' % (random.choice(kinds), branch), "%040x" % run, branch, None, status,
            stamp(start), stamp(start + 1), stamp(start + 40), 1, "bench", stamp(start + 40), None,
            "acme/app" if run % 3 else "acme/other", "refs/heads/" + branch, None, None, 1, None, 0, None, None, 0, None))
        for node in range(5):
            node_rows.append((run, "step-%d" % node, status if node == 4 else "succeeded", None, 2, stamp(start + node),
                              stamp(start + node + 5), None, 0, None))
            output_rows.append((run, "step-%d" % node, "version", "1.%d.%d" % (run, node)))
        for number in range(attempts_per_run):
            node = number % 5
            attempt_rows.append((run, "step-%d" % node, number // 5 + 1, "succeeded", 0, None, stamp(start + number),
                                 stamp(start + number + 1), 1000 + number, None, None))
        if len(attempt_rows) >= 200_000 or run == runs:
            connection.executemany("INSERT INTO run VALUES (%s)" % ",".join("?" * 28), run_rows)
            connection.executemany("INSERT INTO node VALUES (%s)" % ",".join("?" * 10), node_rows)
            connection.executemany(
                "INSERT INTO attempt (runId, nodeId, number, status, exitCode, signal, startedAt, finishedAt, "
                "durationMs, retryReason, error) VALUES (%s)" % ",".join("?" * 11), attempt_rows)
            connection.executemany("INSERT INTO output VALUES (?, ?, ?, ?)", output_rows)
            run_rows, node_rows, attempt_rows, output_rows = [], [], [], []
connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
counts = [connection.execute("SELECT count(*) FROM %s" % table).fetchone()[0] for table in ("run", "attempt")]
print("seeded %d runs, %d attempts" % tuple(counts))
