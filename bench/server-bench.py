#!/usr/bin/env python3
"""devflow serve, measured (a benchmark, not a test): delivery acceptance under a steady load from wrk, webhook to
first step started on a warm mirror of a 1,000-commit repository, and the server's memory idle and with a burst of
100 queued runs. Everything talks to 127.0.0.1 only.

    python3 bench/server-bench.py [--devflow .build/release/devflow] [--rate 500] [--seconds 20] [--pushes 200]

Needs git and wrk (Debian). Prints one table; the numbers go to BENCHMARKS.md with this command line.
"""
import argparse, hashlib, hmac, json, os, shutil, socket, sqlite3, statistics, subprocess, sys, tempfile, time
import urllib.request

SECRET = "bench-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git(repo, *args, env=None):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


def make_repository(path, commits):
    os.makedirs(path)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Bench")
    git(path, "config", "user.email", "bench@example.com")
    # 1,000 commits through fast-import (seconds instead of minutes).
    stream = []
    for i in range(commits):
        content = f"line {i}\n"
        stream.append(f"commit refs/heads/main\ncommitter Bench <bench@example.com> {1700000000 + i} +0000\n"
                      f"data {len(f'c{i}')}\nc{i}\nM 644 inline src/file{i % 400}.txt\ndata {len(content)}\n{content}\n")
    subprocess.run(["git", "-C", path, "fast-import", "--quiet"], input="".join(stream), text=True, check=True)
    git(path, "checkout", "-q", "-f", "main")
    with open(os.path.join(path, ".devflow.yml"), "w") as f:
        f.write("""version: 1
name: bench
on:
  push: {branches: [main]}
steps:
  first:
    run: date +%s.%N > "$MARKS/$DEVFLOW_RUN_ID"
""")
    git(path, "add", ".devflow.yml")
    git(path, "commit", "-q", "-m", "pipeline")


def payload(ref, before, after):
    return json.dumps({
        "ref": ref, "before": before, "after": after, "created": False, "deleted": False, "forced": False,
        "repository": {"full_name": "acme/bench", "name": "bench", "clone_url": "https://example.invalid/acme/bench.git",
                       "default_branch": "main", "owner": {"login": "acme"}},
        "pusher": {"name": "bench", "email": "bench@example.com"}, "sender": {"login": "bench"},
        "head_commit": {"id": after, "message": "bench", "timestamp": "2026-12-01T12:00:00Z"}, "commits": [],
    }, separators=(",", ":"))


def signature(body):
    return "sha256=" + hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()


def post(port, body, delivery):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/hooks/github", data=body.encode(), method="POST",
        headers={"Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": delivery,
                 "X-Hub-Signature-256": signature(body)})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_server(devflow, config, env, work, port, extra, log):
    server = subprocess.Popen([devflow, "serve", "--config", config, *extra], env=env,
                              stdout=open(os.path.join(work, log), "w"), stderr=subprocess.STDOUT)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").read()
            break
        except OSError:
            time.sleep(0.05)
    time.sleep(1)
    return server


def accept(port, body, prefix, args, work, db):
    """wrk at about args.rate deliveries/s for args.seconds; returns the summary line."""
    connections = 25
    delay_ms = max(1, int(1000 * connections / args.rate) - 1)
    lua = os.path.join(work, f"{prefix}.lua")
    with open(lua, "w") as f:
        f.write(f"""
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
local counter = 0
local body = {json.dumps(body)}
function request()
  counter = counter + 1
  return wrk.format("POST", "/hooks/github", {{["Content-Type"] = "application/json", ["X-GitHub-Event"] = "push",
    ["X-GitHub-Delivery"] = "{prefix}-" .. tid .. "-" .. counter, ["X-Hub-Signature-256"] = "{signature(body)}"}}, body)
end
function delay() return {delay_ms} end
function done(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %d %d %d %d %d\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
""")
    output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{args.seconds}s", "-s", lua,
                             f"http://127.0.0.1:{port}/hooks/github"], capture_output=True, text=True).stdout
    line = next(l for l in output.splitlines() if l.startswith("WRK "))
    requests, status_errors, socket_errors, p50, p90, p99, p999, worst = map(int, line.split()[1:])
    stored, distinct = db.execute(
        f"SELECT COUNT(*), COUNT(DISTINCT deliveryKey) FROM delivery WHERE deliveryKey LIKE '{prefix}-%'").fetchone()
    return (f"{requests} requests in {args.seconds}s ({requests / args.seconds:.0f}/s), "
            f"{status_errors} non-2xx, {socket_errors} socket errors; latency p50 {p50 / 1000:.2f} ms, "
            f"p90 {p90 / 1000:.2f} ms, p99 {p99 / 1000:.2f} ms, p99.9 {p999 / 1000:.2f} ms, max {worst / 1000:.2f} ms; "
            f"stored {stored} deliveries ({distinct} distinct keys)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devflow", default=".build/release/devflow")
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--pushes", type=int, default=200)
    parser.add_argument("--commits", type=int, default=1000)
    args = parser.parse_args()
    devflow = os.path.abspath(args.devflow)
    work = tempfile.mkdtemp(prefix="devflow-server-bench-")
    server = None
    try:
        repo = os.path.join(work, "repo")
        make_repository(repo, args.commits)
        marks = os.path.join(work, "marks")
        os.makedirs(marks)
        port = free_port()
        config = os.path.join(work, "devflow-server.yml")
        with open(config, "w") as f:
            f.write(f"""listen: 127.0.0.1:{port}
data: {work}/data
db: {work}/devflow.sqlite
workers: 2
step_env: [MARKS]
repositories:
  - name: acme/bench
    forge: github
    clone_url: {repo}
    webhook_secret: {{env: BENCH_SECRET}}
""")
        env = {"PATH": os.environ["PATH"], "BENCH_SECRET": SECRET, "MARKS": marks, "HOME": work}
        if os.environ.get("DEVFLOW_SERVER_TIMING"): env["DEVFLOW_SERVER_TIMING"] = "1"
        server = start_server(devflow, config, env, work, port, [], "server.log")
        idle = rss_kib(server.pid)

        # 1. Webhook to first step started, warm mirror: one new commit per push, pushes one at a time.
        head = git(repo, "rev-parse", "HEAD")
        post(port, payload("refs/heads/main", "0" * 40, head), "warm-up")  # clones the mirror
        first = None
        for _ in range(600):
            if os.listdir(marks):
                break
            time.sleep(0.05)
        latencies = []
        for i in range(args.pushes):
            with open(os.path.join(repo, f"src/file{i % 400}.txt"), "a") as f:
                f.write(f"push {i}\n")
            git(repo, "commit", "-q", "-am", f"push {i}")
            after = git(repo, "rev-parse", "HEAD")
            body = payload("refs/heads/main", head, after)
            head = after
            started = time.time()
            run = post(port, body, f"push-{i}")["run"]
            mark = os.path.join(marks, str(run))
            deadline = time.time() + 30
            while not os.path.exists(mark) and time.time() < deadline:
                time.sleep(0.0005)
            with open(mark) as f:
                text = f.read().strip()
            while not text:  # the step is still writing
                time.sleep(0.0005)
                text = open(mark).read().strip()
            latencies.append((float(text) - started) * 1000)
        latencies.sort()

        # 2. Memory with a burst of 100 queued runs (pushes to a branch the pipeline does not run on).
        db = sqlite3.connect(os.path.join(work, "devflow.sqlite"), timeout=30)
        peak, deepest = 0, 0
        for i in range(100):
            post(port, payload("refs/heads/bench-elsewhere", head, head), f"burst-{i}")
        for _ in range(400):
            depth = db.execute("SELECT COUNT(*) FROM run WHERE status = 'queued'").fetchone()[0]
            deepest = max(deepest, depth)
            peak = max(peak, rss_kib(server.pid))
            if depth == 0:
                break
            time.sleep(0.05)

        # 3. Delivery acceptance at a steady rate: wrk, each request a new delivery id (the body's signature holds,
        #    GitHub signs the body only) for a push to a branch the pipeline does not run on. Twice: with the two
        #    workers deciding every queued run on the same two cores, and on an accept-only server (`--workers 0`,
        #    the shape of a webhook front end whose workers run elsewhere).
        body = payload("refs/heads/bench-elsewhere", head, head)
        busy = accept(port, body, "wrk", args, work, db)
        server.terminate()
        server.wait(timeout=60)
        server = start_server(devflow, config, env, work, port, ["--workers", "0"], "server-accept.log")
        alone = accept(port, body, "solo", args, work, db)

        print(f"devflow serve ({os.path.relpath(devflow)}), 2 workers, {args.commits}-commit repository")
        print("delivery acceptance, 2 workers deciding each queued run: " + busy)
        print("delivery acceptance, accept-only server (--workers 0): " + alone)
        print(f"webhook to first step started ({args.pushes} pushes, warm mirror): "
              f"p50 {statistics.median(latencies):.1f} ms, p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms, "
              f"max {latencies[-1]:.1f} ms")
        print(f"memory: idle {idle / 1024:.1f} MiB RSS; burst of 100 deliveries: peak {peak / 1024:.1f} MiB "
              f"with up to {deepest} runs queued")
    finally:
        if server:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if not os.environ.get("KEEP"): shutil.rmtree(work, ignore_errors=True)
        else: print("kept", work)


if __name__ == "__main__":
    main()
