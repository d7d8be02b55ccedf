#!/usr/bin/env python3
"""10,000 workflow executions in flight at once, a kill -9 at the peak, and nothing lost (a benchmark, not a test).

    python3 bench/load-bench.py [--runs 10000] [--store sqlite|postgres|both] [--answer-after 30]
                                [--devflow .build/release/devflow] [--postgres URL]

Each run is queued through a signed GitHub push webhook (one new commit per push) and has three steps: a hook step,
an `llm` agent step answered by a local chat-completions server (started here, on 127.0.0.1) no sooner than
--answer-after seconds after its request arrived, the clock starting for no one before every run's request has
arrived, so all runs are in flight together for that long; and a last hook step. When every run waits on the model, the server is killed with SIGKILL (SQLite:
the one `devflow serve`) or one of two `devflow worker` processes is (PostgreSQL: one `serve --workers 0` takes the
webhooks), then restarted. The script then waits for the queue to drain and checks, from the store, the step marks
and the chat server's own counts, that:
  - every pushed commit has exactly one succeeded run, and no run is left unfinished;
  - each hook step ran exactly once per commit (a resumed run reuses the first step, it does not run it again);
  - every attempt is recorded: the store's attempts equal the hook processes that ran plus the model's answers;
  - the chat server answered each commit's review exactly once (an answer to a killed process is not delivered).
It prints peak memory of each devflow process, claims per second and the time to drain. Needs git; PostgreSQL 15
(started on a private port and directory unless --postgres is given) for the PostgreSQL part.
"""
import argparse, asyncio, hashlib, hmac, http.client, json, os, resource, shutil, signal, socket, sqlite3
import subprocess, sys, tempfile, threading, time

SECRET = "load-secret"
HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# ---------------------------------------------------------------- the chat-completions server (a subprocess)

def serve_chat(port, expected, answer_after, stats_path):
    """Answers POST /v1/chat/completions with an empty review, keyed by the commit named in the prompt."""
    raise_nofile()
    state = {"in_flight": 0, "peak_in_flight": 0, "requests": 0, "answered": {}, "abandoned": 0, "seen": set(),
             "all_arrived_at": None, "started": time.time()}
    arrived = asyncio.Event()
    content = json.dumps({"findings": [], "summary": "nothing to report"})
    body_template = json.dumps({"id": "chatcmpl-load", "object": "chat.completion", "model": "load",
                                "choices": [{"index": 0, "finish_reason": "stop",
                                             "message": {"role": "assistant", "content": content}}],
                                "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60}})

    def snapshot():
        answered = state["answered"]
        return {"in_flight": state["in_flight"], "peak_in_flight": state["peak_in_flight"],
                "requests": state["requests"], "distinct": len(state["seen"]),
                "answered": sum(answered.values()), "answered_commits": len(answered),
                "duplicates": sum(1 for count in answered.values() if count > 1), "abandoned": state["abandoned"],
                "all_arrived_after": (state["all_arrived_at"] - state["started"]) if state["all_arrived_at"] else None}

    async def respond(writer, status, body, keep=True):
        data = body.encode()
        writer.write(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                     f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n".encode() + data)
        await writer.drain()

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if method == "GET" and path == "/stats":
                    await respond(writer, "200 OK", json.dumps(snapshot()))
                    continue
                if method != "POST" or path != "/v1/chat/completions":
                    await respond(writer, "404 Not Found", json.dumps({"error": {"message": f"no {method} {path}"}}))
                    continue
                request = json.loads(body)
                prompt = request["messages"][-1]["content"]
                key = prompt.split("load-run ", 1)[1].split()[0] if "load-run " in prompt else None
                if key is None or request.get("model") != "load":
                    await respond(writer, "400 Bad Request", json.dumps({"error": {"message": "not a load request"}}))
                    continue
                state["requests"] += 1
                state["in_flight"] += 1
                state["peak_in_flight"] = max(state["peak_in_flight"], state["in_flight"])
                state["seen"].add(key)
                if len(state["seen"]) >= expected and not arrived.is_set():
                    state["all_arrived_at"] = time.time()
                    arrived.set()
                began = time.time()
                try:
                    await asyncio.wait_for(arrived.wait(), timeout=1800)
                except asyncio.TimeoutError:
                    pass
                # The clock of each answer starts when its request arrived, but for no one before every run's
                # request has: all runs are then in flight together for answer_after seconds.
                start_clock = max(began, state["all_arrived_at"] or began)
                await asyncio.sleep(max(0, start_clock + answer_after - time.time()))
                state["in_flight"] -= 1
                # The client's process was killed: its socket is closed, and the answer would reach no one.
                if reader.at_eof() or writer.is_closing():
                    state["abandoned"] += 1
                    return
                await respond(writer, "200 OK", body_template)
                state["answered"][key] = state["answered"].get(key, 0) + 1
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=16384, limit=1 << 20)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def chat_stats(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/stats")
    return json.loads(connection.getresponse().read())


# ---------------------------------------------------------------- the repository and the deliveries

def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout.strip()


def make_repository(path, commits, chat_port):
    os.makedirs(path)
    git(path, "init", "-q", "-b", "main")
    pipeline = f"""version: 1
name: load
on:
  push: {{branches: [main]}}
steps:
  build:
    run: echo "$DEVFLOW_RUN_ID" >> "$MARKS/build-${{{{ git.sha }}}}"
  review:
    needs: [build]
    agent: llm
    timeout: 30m
    with:
      endpoint: http://127.0.0.1:{chat_port}/v1
      model: load
      prompt: "load-run ${{{{ git.sha }}}}\\n{{{{diff}}}}"
      timeout: 1800
      max_retries: 0
  report:
    needs: [review]
    run: echo "$DEVFLOW_RUN_ID" >> "$MARKS/report-${{{{ git.sha }}}}"
"""
    stream = [f"commit refs/heads/main\ncommitter Load <load@example.com> 1700000000 +0000\ndata 8\npipeline\n"
              f"M 644 inline .devflow.yml\ndata {len(pipeline.encode())}\n{pipeline}\n"]
    for i in range(commits):
        content = f"change {i}\n"
        stream.append(f"commit refs/heads/main\ncommitter Load <load@example.com> {1700000001 + i} +0000\n"
                      f"data {len(f'c{i}')}\nc{i}\nM 644 inline src/file{i % 10}.txt\ndata {len(content)}\n"
                      f"{content}\n")
    subprocess.run(["git", "-C", path, "fast-import", "--quiet"], input="".join(stream), text=True, check=True)
    return git(path, "rev-list", "--reverse", "main").split("\n")


def payload(before, after):
    return json.dumps({
        "ref": "refs/heads/main", "before": before, "after": after, "created": False, "deleted": False,
        "forced": False,
        "repository": {"full_name": "acme/load", "name": "load", "clone_url": "https://example.invalid/acme/load.git",
                       "default_branch": "main", "owner": {"login": "acme"}},
        "pusher": {"name": "load", "email": "load@example.com"}, "sender": {"login": "load"},
        "head_commit": {"id": after, "message": "load", "timestamp": "2026-12-01T12:00:00Z"}, "commits": [],
    }, separators=(",", ":"))


def deliver(port, pushes, threads=4):
    """Posts every (before, after) push as a signed delivery over keep-alive connections; returns the failures."""
    failures = []
    lock = threading.Lock()

    def worker(part):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for index, (before, after) in part:
            body = payload(before, after)
            signature = "sha256=" + hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json", "X-GitHub-Event": "push",
                       "X-GitHub-Delivery": f"load-{index}", "X-Hub-Signature-256": signature}
            for attempt in range(5):
                try:
                    connection.request("POST", "/hooks/github", body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    if response.status != 202:
                        with lock:
                            failures.append((index, response.status))
                    break
                except (OSError, http.client.HTTPException):
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    time.sleep(0.2)
            else:
                with lock:
                    failures.append((index, "no answer"))

    items = list(enumerate(pushes))
    workers = [threading.Thread(target=worker, args=(items[i::threads],)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return failures


# ---------------------------------------------------------------- devflow processes and the store

def memory_kib(pid):
    values = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    values[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return values


class Store:
    def __init__(self, sqlite_path=None, postgres_url=None):
        self.sqlite_path, self.postgres_url = sqlite_path, postgres_url

    def rows(self, sql):
        if self.sqlite_path:
            connection = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, timeout=60)
            try:
                return [tuple(row) for row in connection.execute(sql).fetchall()]
            finally:
                connection.close()
        output = subprocess.run(["psql", "-X", "-At", "-F", "\t", self.postgres_url, "-c", sql], check=True,
                                capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in output.splitlines() if line]

    def scalar(self, sql):
        return int(self.rows(sql)[0][0])


def start(command, arguments, env, log):
    command = command if isinstance(command, list) else [command]
    return subprocess.Popen([*command, *arguments], env=env, stdout=open(log, "a"), stderr=subprocess.STDOUT,
                            preexec_fn=raise_nofile)


def wait_http(port, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not answer /healthz in {seconds}s")


def count_marks(marks, prefix):
    return sum(1 for name in os.listdir(marks) if name.startswith(prefix))


def run_mode(mode, args, devflow, work, postgres_url):
    print(f"\n== {mode}: {args.runs} runs, answers after {args.answer_after:g} s", flush=True)
    base = os.path.join(work, mode)
    os.makedirs(base)
    chat_port, port = free_port(), free_port()
    chat = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve-chat", str(chat_port),
                             str(args.runs), str(args.answer_after)], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(base, "chat.log"), "w"))
    repo = os.path.join(base, "repo")
    commits = make_repository(repo, args.runs, chat_port)
    pushes = list(zip(commits[:-1], commits[1:]))
    marks = os.path.join(base, "marks")
    os.makedirs(marks)
    database = postgres_url or os.path.join(base, "devflow.sqlite")
    config = os.path.join(base, "devflow-server.yml")
    with open(config, "w") as f:
        f.write(f"""listen: 127.0.0.1:{port}
data: {base}/data
db: {database}
workers: {args.runs}
processes: {args.processes}
lease: {args.lease}s
step_env: [MARKS]
repositories:
  - name: acme/load
    forge: github
    clone_url: {repo}
    webhook_secret: {{env: LOAD_SECRET}}
""")
    env = {"PATH": os.environ["PATH"], "LOAD_SECRET": SECRET, "MARKS": marks, "HOME": base,
           "DEVFLOW_LLM_MAX_CONNECTIONS": str(args.runs + 100)}
    # glibc's allocator knobs pass through, to compare their effect on memory.
    env.update({name: value for name, value in os.environ.items() if name.startswith("MALLOC_")})
    processes = {}  # name -> Popen
    peaks = {}  # name -> peak RSS KiB over its lifetimes

    def sample():
        for name, process in processes.items():
            if process.poll() is None:
                memory = memory_kib(process.pid)
                peaks[name] = max(peaks.get(name, 0), memory.get("VmHWM", 0), memory.get("VmRSS", 0))

    def launch(name):
        log = os.path.join(base, f"{name}.log")
        if name == "serve":
            extra = ["--workers", "0"] if postgres_url else []
            wrap = args.wrap.split() if args.wrap and name not in peaks else []
            processes[name] = start(wrap + [devflow], ["serve", "--config", config, *extra], env, log)
        else:
            # Each worker host has its own mirrors and workspaces (slot N's workspace is per process).
            processes[name] = start(devflow, ["worker", "--config", config, "--slots", str(args.runs), "--data",
                                              os.path.join(base, f"data-{name}")], env, log)

    try:
        for _ in range(100):
            try:
                chat_stats(chat_port)
                break
            except OSError:
                time.sleep(0.1)
        launch("serve")
        wait_http(port)
        if postgres_url:
            launch("worker-a")
            launch("worker-b")
        began = time.time()
        failures = []
        poster = threading.Thread(target=lambda: failures.extend(deliver(port, pushes)))
        poster.start()
        while poster.is_alive():
            sample()
            time.sleep(0.25)
        delivered = time.time() - began
        if failures:
            raise SystemExit(f"{len(failures)} deliveries failed, e.g. {failures[:5]}")
        print(f"   {len(pushes)} deliveries accepted in {delivered:.1f} s ({len(pushes) / delivered:.0f}/s)", flush=True)
        # The peak: every run's review is waiting on the model.
        while True:
            sample()
            stats = chat_stats(chat_port)
            # Every run's review has arrived and none has been answered: the peak.
            if stats["distinct"] >= args.runs and stats["in_flight"] >= args.runs:
                break
            if time.time() - began > args.ramp_limit:
                raise SystemExit(f"only {stats['in_flight']} of {args.runs} runs reached the model in "
                                 f"{args.ramp_limit} s; see {base}/*.log")
            time.sleep(0.25)
        peak_at = time.time() - began
        if stats["requests"] != args.runs:
            print(f"   note: {stats['requests']} requests for {args.runs} runs before the kill", flush=True)
        victim = "worker-a" if postgres_url else "serve"
        sample()
        memory_at_peak = {name: memory_kib(p.pid).get("VmRSS", 0) for name, p in processes.items()}
        store = Store(postgres_url=postgres_url) if postgres_url else Store(sqlite_path=database)
        claimed = store.rows("SELECT COUNT(*), MIN(startedAt), MAX(startedAt) FROM run WHERE resumedFrom IS NULL "
                             "AND startedAt IS NOT NULL")[0]
        held = {name: store.scalar(f"SELECT COUNT(*) FROM run WHERE status = 'running' AND workerId LIKE "
                                   f"'%:{p.pid}:%'") for name, p in processes.items()}
        print(f"   all {args.runs} runs in flight {peak_at:.1f} s after the first delivery; RSS then: "
              + ", ".join(f"{name} {kib / 1024:.0f} MiB ({held[name]} runs)" for name, kib in memory_at_peak.items()),
              flush=True)
        processes[victim].send_signal(signal.SIGKILL)
        processes[victim].wait()
        killed_at = time.time()
        launch(victim)
        if victim == "serve":
            wait_http(port)
        while count_marks(marks, "report-") < args.runs:
            sample()
            if time.time() - killed_at > args.drain_limit:
                raise SystemExit(f"only {count_marks(marks, 'report-')} of {args.runs} runs finished "
                                 f"{args.drain_limit} s after the kill; see {base}/*.log")
            time.sleep(0.5)
        # The last run's record is written after its last step's mark.
        deadline = time.time() + 120
        while store.scalar("SELECT COUNT(*) FROM run WHERE status IN ('queued', 'running')") and time.time() < deadline:
            time.sleep(0.5)
        drained = time.time() - killed_at
        total = time.time() - began
        sample()

        # ---- checks
        problems = []
        by_status = dict(store.rows("SELECT status, COUNT(*) FROM run GROUP BY status"))
        succeeded = store.rows("SELECT gitCommit, COUNT(*) FROM run WHERE status = 'succeeded' GROUP BY gitCommit")
        pushed = set(after for _, after in pushes)
        once = {commit for commit, count in succeeded if int(count) == 1}
        if set(c for c, _ in succeeded) != pushed or len(once) != len(pushed):
            problems.append(f"succeeded runs per commit: {len(once)} commits with exactly one of {len(pushed)}")
        unfinished = sum(int(by_status.get(s, 0)) for s in ("queued", "running"))
        if unfinished:
            problems.append(f"{unfinished} runs still queued or running")
        for step in ("build", "report"):
            lines = {}
            for name in os.listdir(marks):
                if name.startswith(step + "-"):
                    with open(os.path.join(marks, name)) as f:
                        lines[name[len(step) + 1:]] = len(f.read().split())
            twice = sum(1 for count in lines.values() if count != 1)
            if set(lines) != pushed or twice:
                problems.append(f"step {step}: ran for {len(lines)} of {len(pushed)} commits, {twice} not once")
        hook_attempts = store.scalar("SELECT COUNT(*) FROM attempt WHERE nodeId IN ('build', 'report')")
        review_attempts = store.scalar("SELECT COUNT(*) FROM attempt WHERE nodeId = 'review'")
        not_ok = store.scalar("SELECT COUNT(*) FROM attempt WHERE status <> 'succeeded'")
        stats = chat_stats(chat_port)
        if hook_attempts != 2 * len(pushed):
            problems.append(f"{hook_attempts} hook attempts recorded for {2 * len(pushed)} hook processes")
        if review_attempts != stats["answered"] or not_ok:
            problems.append(f"{review_attempts} review attempts recorded, {stats['answered']} answers given, "
                            f"{not_ok} attempts not succeeded")
        if stats["duplicates"] or stats["answered_commits"] != len(pushed):
            problems.append(f"chat server: {stats['duplicates']} commits answered twice, "
                            f"{stats['answered_commits']} of {len(pushed)} answered")
        interrupted = int(by_status.get("interrupted", 0))
        claims_per_second = 0.0
        if claimed[1] and claimed[2]:
            first, last = (parse_time(claimed[1]), parse_time(claimed[2]))
            claims_per_second = int(claimed[0]) / max(last - first, 1e-3)
        print(f"   kill -9 of {victim} at the peak; restarted; all {len(pushed)} runs finished {drained:.1f} s "
              f"after the kill ({total:.1f} s from the first delivery)")
        print(f"   runs: {', '.join(f'{k} {v}' for k, v in sorted(by_status.items()))} ({interrupted} interrupted "
              f"by the kill, each resumed as a new run)")
        print(f"   claims: {claimed[0]} first claims at {claims_per_second:.0f}/s (first to last claim); "
              f"store: {hook_attempts} hook + {review_attempts} review attempts; chat server: {stats['requests']} "
              f"requests, {stats['answered']} answered, {stats['abandoned']} abandoned by the kill, peak "
              f"{stats['peak_in_flight']} in flight")
        print("   peak RSS: " + ", ".join(f"{name} {kib / 1024:.0f} MiB" for name, kib in sorted(peaks.items())))
        print("   checks: " + ("all hold" if not problems else "FAILED\n     - " + "\n     - ".join(problems)),
              flush=True)
        return not problems
    finally:
        for process in list(processes.values()) + [chat]:
            if process.poll() is None:
                process.terminate()
        for process in list(processes.values()) + [chat]:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def parse_time(text):
    """A store timestamp (SQLite text, or PostgreSQL timestamptz) as seconds."""
    from datetime import datetime
    text = str(text).replace("T", " ")
    if "+" in text[10:]:
        text = text[:text.rindex("+")]
    return datetime.fromisoformat(text.strip()).timestamp()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-chat":
        serve_chat(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), None)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--answer-after", type=float, default=30)
    parser.add_argument("--processes", type=int, default=8, help="step processes at once per devflow process")
    parser.add_argument("--lease", type=int, default=30)
    parser.add_argument("--devflow", default=".build/release/devflow")
    parser.add_argument("--postgres", help="a postgres:// URL (default: a private PostgreSQL 15 started here)")
    parser.add_argument("--ramp-limit", type=float, default=900)
    parser.add_argument("--drain-limit", type=float, default=900)
    parser.add_argument("--wrap", help="a command to start the first serve under, e.g. 'heaptrack -o /tmp/ht'")
    args = parser.parse_args()
    raise_nofile()
    devflow = os.path.abspath(args.devflow)
    work = tempfile.mkdtemp(prefix="devflow-load-")
    cluster = None
    ok = True
    try:
        if args.store in ("sqlite", "both"):
            ok &= run_mode("sqlite", args, devflow, work, None)
        if args.store in ("postgres", "both"):
            url = args.postgres
            if not url:
                # PostgreSQL runs as its own user, which must reach its directory: not under the private work dir.
                cluster_root = tempfile.mkdtemp(prefix="devflow-load-pg-")
                os.chmod(cluster_root, 0o755)
                cluster = os.path.join(cluster_root, "pg")
                port = free_port()
                subprocess.run(["bash", os.path.join(HERE, "..", "scripts", "postgres.sh"), "start", cluster,
                                str(port)], check=True, stdout=subprocess.DEVNULL)
                url = f"postgres://postgres@127.0.0.1:{port}/postgres"
            ok &= run_mode("postgres", args, devflow, work, url)
    finally:
        if cluster:
            subprocess.run(["bash", os.path.join(HERE, "..", "scripts", "postgres.sh"), "stop", cluster],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(os.path.dirname(cluster), ignore_errors=True)
        if os.environ.get("KEEP"):
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
