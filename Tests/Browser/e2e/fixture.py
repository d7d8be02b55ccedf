"""The end-to-end fixture: a real `devflow serve` on loopback, fed by a local bare repository.

A post-receive hook in the bare repository sends GitHub's push webhook, signed with the repository's secret, for
every pushed ref (as scripts/demo-server.sh does, in Python instead of openssl and curl), and writes the server's
answer to `answers/<commit>.json`, so a push knows the run it queued.

Each kind of run the tests need is one branch whose `.devflow.yml` holds that run's pipeline (see PIPELINES): a
push of the branch queues the run, and the worker runs the pipeline found at that commit.

Everything lives in one temporary directory, removed by stop(); stop() always ends the server (SIGTERM, then
SIGKILL) and the step processes it started (found as its descendants, by pid), so a failed test never leaves
`devflow serve` or a sleeping step behind.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

REPOSITORY = "acme/e2e"
FINISHED = ("succeeded", "failed", "cancelled", "config_error", "skipped", "interrupted")

# ------------------------------------------------------------------------------------------------ the pipelines

# Lines of the big log: "e2e line N: …"; every 10th line is coloured (SGR green/bold), and one line holds the
# needle the search looks for. The step prints nothing else, so log line N is "e2e line N: …".
BIG_LINES = 1_000_000
NEEDLE_LINE = 876_543
NEEDLE = "needle-in-the-e2e-haystack"
PERMALINK_LINE = 123_456
BIG_LOG_AWK = (
    "awk 'BEGIN { for (i = 1; i <= %d; i++) {"
    " if (i == %d) printf \"e2e line %%d: %s\\n\", i;"
    " else if (i %% 10 == 0) printf \"e2e line %%d: \\033[1;32mok\\033[0m module M%%d\\n\", i, i %% 997;"
    " else printf \"e2e line %%d: compiling module M%%d\\n\", i, i %% 997 } }'"
) % (BIG_LINES, NEEDLE_LINE, NEEDLE)


def big_log_line(n):
    """Log line n (1-based) as the viewer shows it (escapes removed)."""
    if n == NEEDLE_LINE:
        return f"e2e line {n}: {NEEDLE}"
    if n % 10 == 0:
        return f"e2e line {n}: ok module M{n % 997}"
    return f"e2e line {n}: compiling module M{n % 997}"


# A step that lives until it is cancelled, but never outlives the server: it polls its parent (the runner that
# spawned the shell) and stops when that is gone, and gives up after 4 minutes in any case.
LONG_SCRIPT = (
    'echo "waiting to be cancelled"\n'
    'for i in $(seq 1200); do kill -0 "$PPID" 2>/dev/null || exit 1; sleep 0.2; done\n'
    'exit 1\n'
)

# Markup in every piece of data a page shows. Nothing of it may run or become an element: the tests look for
# window.__xss and for elements with the class "xss" (and img/svg/script elements that are not the page's own).
XSS_PIPELINE_NAME = 'inject <img src=x onerror="window.__xss=1"> <b class="xss">name</b>'
XSS_STEP_NAME = '<script>window.__xss=1</script><b class="xss">step</b>'
XSS_OUTPUT = '<img src=x onerror="window.__xss=1"><b class="xss">out</b>'
XSS_LOG_LINES = ['<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=1">',
                 '<b class="xss">bold?</b> & &amp; "quoted" \'single\'']
# git allows < > " ' & = ( ) ; in branch names (not spaces, ~ ^ : ? * [ \): '/' splits it into components.
XSS_BRANCH = 'inject-<b/class="xss">br</b>&amp;"q"\'s\'<script>window.__xss=1</script>'
XSS_PUSHER = '<img src=x onerror="window.__xss=1"><b class="xss">pusher</b>'
XSS_COMMIT_MESSAGE = '<svg onload="window.__xss=1"><b class="xss">message</b> & "quotes"'
XSS_MATRIX = ['<b class="xss">m</b>', 'q"&amp;\'']
# An unknown key with markup: the compiler's diagnostic quotes it on the config_error run's page.
XSS_CONFIG_KEY = '<b class="xss">bad</b>'


def pipelines():
    """branch -> (.devflow.yml, commit message, pusher name)."""
    q = json.dumps  # YAML double-quoted scalars are JSON strings for what we write here
    return {
        # A quick success, deployed to production (DORA has something), guarded by a breaker (the breakers page
        # has one).
        "main": (f"""version: 1
name: quick
on: push
policies:
  circuit_breakers:
    e2e-breaker: {{failure_rate: 50%, minimum_calls: 10, open_for: 5m}}
steps:
  build:
    run: echo "building $DEVFLOW_GIT_SHA" && echo "version=1.2.3" >> "$DEVFLOW_OUTPUT"
    outputs: [version]
    circuit_breaker: e2e-breaker
  test:
    needs: build
    run: echo "tests pass"
  deploy:
    needs: test
    run: echo "deployed"
    deployment: production
""", "a quick pipeline", "ada"),
        # A failing step (exit 3) and a step skipped because of it.
        "fails": (f"""version: 1
name: fails
on: push
policies:
  circuit_breakers:
    e2e-breaker: {{failure_rate: 50%, minimum_calls: 10, open_for: 5m}}
steps:
  build:
    run: {q('echo "about to fail" && echo "error: something broke" >&2 && exit 3')}
    circuit_breaker: e2e-breaker
  after:
    needs: build
    run: echo "never runs"
""", "a failing pipeline", "ada"),
        # 1,000,000 numbered lines, some with ANSI colours, one with the needle.
        "big-log": (f"""version: 1
name: big-log
on: push
steps:
  big:
    run: {q(BIG_LOG_AWK)}
""", "a million lines", "ada"),
        # Markup in the pipeline name, a step name, a log, an output, matrix legs (so node ids), the branch,
        # the pusher and the commit message.
        XSS_BRANCH: (f"""version: 1
name: {q(XSS_PIPELINE_NAME)}
on: push
steps:
  markup:
    name: {q(XSS_STEP_NAME)}
    run: |
{chr(10).join("      echo " + shell_quote(line) for line in XSS_LOG_LINES)}
      echo {shell_quote("title=" + XSS_OUTPUT)} >> "$DEVFLOW_OUTPUT"
    outputs: [title]
  legs:
    needs: markup
    matrix:
      v: [{", ".join(q(v) for v in XSS_MATRIX)}]
    run: echo "leg $LEG"
    env: {{LEG: "${{{{ matrix.v }}}}"}}
""", XSS_COMMIT_MESSAGE, XSS_PUSHER),
        # Does not compile: an unknown key (with markup) -> config_error with diagnostics.
        "broken": (f"""version: 1
name: broken
on: push
steps:
  build:
    run: echo hi
    {q(XSS_CONFIG_KEY)}: 1
""", "a broken pipeline", "ada"),
        # Long runs that end only when cancelled: one through the API (fixture check), one through the page.
        "long-api": (long_pipeline("long-api"), "cancel me through the API", "ada"),
        "long-ui": (long_pipeline("long-ui"), "cancel me with the button", "ada"),
        "long-viewer": (long_pipeline("long-viewer"), "a viewer cannot cancel me", "ada"),
    }


def long_pipeline(name):
    return f"""version: 1
name: {name}
on: push
steps:
  prepare:
    run: echo "preparing"
  wait:
    needs: prepare
    run: |
{indent(LONG_SCRIPT, 6)}"""


def slow_pipeline(name, seconds):
    """A run that is running for `seconds`, then succeeds (the live tests push it while a page is open)."""
    return f"""version: 1
name: {name}
on: push
steps:
  first:
    run: echo "first"
  sleep:
    needs: first
    run: echo "sleeping {seconds} s" && sleep {seconds} && echo "awake"
"""


def indent(text, n):
    return "".join(" " * n + line + "\n" for line in text.splitlines())


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


# --------------------------------------------------------------------------------------------------- the hook

HOOK = r'''#!/usr/bin/env python3
# post-receive: GitHub's push webhook for each ref, signed with the repository's secret; the answer is written to
# ANSWERS/<new commit>.json. The pusher's name comes from $E2E_PUSHER (git passes the pusher's environment).
import hashlib, hmac, json, os, subprocess, sys, urllib.error, urllib.request
URL, SECRET, REPO, CLONE, ANSWERS = %(url)r, %(secret)r, %(repo)r, %(clone)r, %(answers)r
for line in sys.stdin:
    before, after, ref = line.split()
    zero = set(after) == {"0"}
    info = ["", ""] if zero else subprocess.run(["git", "log", "-1", "--format=%%cI%%x00%%B", after],
                                                 capture_output=True, text=True, check=True).stdout.split("\0", 1)
    body = json.dumps({"ref": ref, "before": before, "after": after, "created": set(before) == {"0"},
                       "deleted": zero, "forced": False,
                       "repository": {"full_name": REPO, "name": REPO.split("/")[1], "clone_url": CLONE},
                       "pusher": {"name": os.environ.get("E2E_PUSHER", "ada")},
                       "head_commit": {"id": after, "timestamp": info[0], "message": info[1].strip()}}).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(URL, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": "e2e-" + after,
        "X-Hub-Signature-256": "sha256=" + signature})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read().decode()
    with open(os.path.join(ANSWERS, after + ".json"), "w") as f:
        json.dump({"status": status, "answer": answer}, f)
    print(f"webhook {ref}: {status} {answer}")
'''


def die_with_parent(sig):
    """Asks the kernel to send `sig` to this process when its parent (the harness) dies (Linux PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, int(sig))
    except (OSError, AttributeError):
        pass


def _server_preexec():
    """In the server's process before exec: a session of its own (Ctrl-C of the harness reaches only the harness,
    whose stop() then ends the server), and SIGKILL from the kernel if the harness itself is killed before stop()
    runs (SIGTERM would wait out the 30 s grace of the running steps). Its steps end by themselves once it is gone
    (LONG_SCRIPT polls its parent)."""
    os.setsid()
    die_with_parent(signal.SIGKILL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HTTPAnswer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Fixture:
    def __init__(self, binary, workers=6):
        self.binary = os.path.abspath(binary)
        if not os.access(self.binary, os.X_OK):
            raise SystemExit(f"{binary}: not an executable devflow binary")
        self.work = tempfile.mkdtemp(prefix="devflow-e2e.")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.pages = self.base  # where the browser and page requests go
        self.secret = "e2e-" + os.urandom(8).hex()
        self.server = None
        self.server_log = os.path.join(self.work, "server.log")
        self.origin = os.path.join(self.work, "origin.git")
        self.clone = os.path.join(self.work, "app")
        self.answers = os.path.join(self.work, "answers")
        self.db = os.path.join(self.work, "server", "devflow.sqlite")
        self.config = os.path.join(self.work, "devflow-server.yml")
        self.workers = workers
        self.runs = {}      # branch -> run id
        self.pushed_at = {}  # run id -> time.monotonic() of the push
        self.tokens = {}    # role -> (name, token)
        self.timings = {}

    # ---- set-up

    def git(self, *args, cwd=None, env=None):
        e = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=self.work, GIT_TERMINAL_PROMPT="0")
        e.update(env or {})
        return subprocess.run(["git", *args], cwd=cwd or self.clone, env=e, check=True,
                              capture_output=True, text=True).stdout.strip()

    def start(self):
        os.makedirs(self.answers)
        self.git("init", "-q", "--bare", "-b", "main", self.origin, cwd=self.work)
        hook = os.path.join(self.origin, "hooks", "post-receive")
        with open(hook, "w") as f:
            f.write(HOOK % {"url": f"{self.base}/hooks/github", "secret": self.secret, "repo": REPOSITORY,
                            "clone": "file://" + self.origin, "answers": self.answers})
        os.chmod(hook, 0o755)
        self.git("init", "-q", "-b", "main", self.clone, cwd=self.work)
        self.git("config", "user.name", "Ada Lovelace")
        self.git("config", "user.email", "ada@example.com")
        self.git("remote", "add", "origin", self.origin)
        with open(os.path.join(self.clone, "README.md"), "w") as f:
            f.write("# e2e fixture\n")
        self.git("add", "README.md")
        self.git("commit", "-q", "-m", "root")
        self.root_commit = self.git("rev-parse", "HEAD")

        with open(self.config, "w") as f:
            f.write(f"""listen: 127.0.0.1:{self.port}
public_url: {self.base}
data: {self.work}/server
db: {self.db}
workers: {self.workers}
repositories:
  - name: {REPOSITORY}
    forge: github
    clone_url: file://{self.origin}
    default_branch: main
    webhook_secret: {{env: E2E_HOOK_SECRET}}
api:
  rate_limit: 1000
  burst: 2000
  anonymous_rate_limit: 200
  anonymous_burst: 400
""")
        env = dict(os.environ, E2E_HOOK_SECRET=self.secret)
        check = subprocess.run([self.binary, "serve", "--check", "--config", self.config], env=env,
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"devflow serve --check failed:\n{check.stdout}{check.stderr}")
        t0 = time.monotonic()
        log = open(self.server_log, "wb")
        self.server = subprocess.Popen([self.binary, "serve", "--config", self.config], env=env, stdout=log,
                                       stderr=subprocess.STDOUT, preexec_fn=_server_preexec)
        log.close()
        while True:
            if self.server.poll() is not None:
                raise RuntimeError(f"devflow serve exited with {self.server.returncode}:\n{self.tail_log()}")
            try:
                if self.request("GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() - t0 > 30:
                raise RuntimeError("devflow serve did not answer /healthz within 30 s:\n" + self.tail_log())
            time.sleep(0.05)
        self.timings["server start (s)"] = time.monotonic() - t0
        for role in ("viewer", "operator", "admin"):
            name = f"e2e-{role}"
            token = subprocess.run([self.binary, "tokens", "create", name, "--role", role, "--db", self.db],
                                   check=True, capture_output=True, text=True).stdout.strip()
            self.tokens[role] = (name, token)
        return self

    def push(self, branch, pipeline, message="e2e", pusher="ada"):
        """Commits `pipeline` as .devflow.yml on a new branch from the root commit, pushes it (the hook sends the
        webhook) and returns the run the server queued."""
        self.git("checkout", "-q", "-B", branch, self.root_commit)
        with open(os.path.join(self.clone, ".devflow.yml"), "w") as f:
            f.write(pipeline)
        self.git("add", ".devflow.yml")
        self.git("commit", "-q", "-m", message)
        sha = self.git("rev-parse", "HEAD")
        self.git("push", "-q", "origin", f"HEAD:refs/heads/{branch}", env={"E2E_PUSHER": pusher})
        path = os.path.join(self.answers, sha + ".json")
        if not os.path.exists(path):
            raise RuntimeError(f"push of {branch!r}: the post-receive hook wrote no answer")
        with open(path) as f:
            answer = json.load(f)
        if answer["status"] != 202:
            raise RuntimeError(f"push of {branch!r}: the webhook answered {answer['status']} {answer['answer']}")
        run = json.loads(answer["answer"]).get("run")
        if not isinstance(run, int):
            raise RuntimeError(f"push of {branch!r} queued no run: {answer['answer']}")
        self.runs[branch] = run
        self.pushed_at[run] = time.monotonic()
        return run

    def push_all(self):
        for branch, (pipeline, message, pusher) in pipelines().items():
            self.push(branch, pipeline, message, pusher)
        return self.runs

    # ---- the API

    def page(self, method, path, body=None, headers=None):
        """A request to the pages (no token, no cookie, redirects not followed)."""
        return self.request(method, path, body=body, headers=headers, base=self.pages)

    def request(self, method, path, token=None, body=None, headers=None, timeout=60, base=None):
        data = None
        h = dict(headers or {})
        if body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
                h.setdefault("Content-Type", "application/json")
            elif isinstance(body, str):
                data = body.encode()
            else:
                data = body
        if token:
            h["Authorization"] = "Bearer " + token
        req = urllib.request.Request((base or self.base) + path, data=data, method=method, headers=h)
        try:
            with OPENER.open(req, timeout=timeout) as r:
                return HTTPAnswer(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return HTTPAnswer(e.code, e.headers, e.read())

    def api(self, method, path, role="admin", body=None):
        answer = self.request(method, "/api/v1" + path, token=self.tokens[role][1], body=body)
        return answer

    def run(self, run_id):
        answer = self.api("GET", f"/runs/{run_id}")
        if answer.status != 200:
            raise RuntimeError(f"GET /api/v1/runs/{run_id}: {answer.status} {answer.text[:300]}")
        return answer.json()

    def wait_run(self, run_id, statuses, timeout=60, node=None):
        """Polls the API until the run (or one of its nodes) has one of `statuses`; returns the run."""
        statuses = (statuses,) if isinstance(statuses, str) else tuple(statuses)
        end = time.monotonic() + timeout
        while True:
            run = self.run(run_id)
            status = run["status"]
            if node is not None:
                status = next((n["status"] for n in run["nodes"] if n["id"] == node), None)
            if status in statuses:
                return run
            if node is None and status in FINISHED:
                raise RuntimeError(f"run {run_id} ended {status} ({run.get('status_reason')}), "
                                   f"expected {'/'.join(statuses)}")
            if time.monotonic() > end:
                raise RuntimeError(f"run {run_id}{' node ' + node if node else ''} is {status} after {timeout} s, "
                                   f"expected {'/'.join(statuses)}")
            time.sleep(0.1)

    def tail_log(self, lines=40):
        try:
            with open(self.server_log, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    # ---- tear-down

    def descendants(self):
        """Pids of every process below the server (its step shells and their children), from /proc."""
        if not self.server:
            return []
        children = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
                ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
        out, todo = [], [self.server.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                out.append(child)
                todo.append(child)
        return out

    def stop(self, keep=False):
        """Ends the server (and its steps) and removes the temporary directory. Safe to call twice."""
        if self.server and self.server.poll() is None:
            # Cancel what still runs, so SIGTERM does not wait out the 30 s grace of running steps.
            try:
                if "admin" in self.tokens:
                    for run in self.api("GET", "/runs?limit=200").json().get("runs", []):
                        if run["status"] in ("queued", "running"):
                            self.api("POST", f"/runs/{run['id']}/cancel", body={"reason": "e2e harness exit"})
            except Exception:  # noqa: BLE001 - best effort; the signals below end it anyway
                pass
            steps = self.descendants()
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(15)
            except subprocess.TimeoutExpired:
                print("devflow serve still up 15 s after SIGTERM: SIGKILL", file=sys.stderr)
                self.server.kill()
                self.server.wait()
            for pid in steps + self.descendants():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if keep:
            print(f"kept the fixture's files in {self.work}", file=sys.stderr)
        elif os.path.isdir(self.work):
            shutil.rmtree(self.work, ignore_errors=True)
