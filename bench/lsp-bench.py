#!/usr/bin/env python3
"""Editor latency of `devflow lsp`, side by side with its peer in one run.

What an editor user feels is the time from a keystroke to the diagnostics for it. This drives a language server over
stdio as an editor does: open a pipeline, then N one-character edits, each sent as an incremental change and timed
until the `publishDiagnostics` for it arrives (the server's debounce set to 0, so the number is the server's own
work). Then N completions at the end of a `steps.` expression.

The peer is the way a command-line linter reaches editors without a language server of its own, and the way
actionlint is used in them: efm-langserver (Debian) running the linter on the buffer at every change. It runs
`devflow-lint --format github -` (the same rules, one process per change) and, when an actionlint binary is given
(ACTIONLINT=path, build recipe in ../shared/bench/actionlint.md), actionlint on the equivalent GitHub Actions file.
efm-langserver has no completion, so completion has no peer.

Usage: python3 bench/lsp-bench.py [--server devflow|efm-devflow|efm-actionlint|all] [--corpus small|large] [--edits N]
Environment: DEVFLOW=.build/release/devflow DEVFLOW_LINT=.build/release/devflow-lint ACTIONLINT=… BENCH_OUT=bench-out
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

# The problem appended to the DevFlow file (a need of a step that does not exist) and to the GitHub Actions file.
BROKEN = {False: "  zz-broken:\n    run: make\n    needs: [no-such-step]\n",
          True: "  zz-broken:\n    runs-on: ubuntu-latest\n    needs: [no-such-job]\n    steps:\n      - run: make\n"}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.abspath(os.environ.get("BENCH_OUT", os.path.join(ROOT, "bench-out")))


class Server:
    """A language server process and a reader thread that records each message's arrival time."""

    def __init__(self, command):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages = []
        self.condition = threading.Condition()
        self.next_id = 1
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            body = json.loads(stream.read(length))
            with self.condition:
                self.messages.append((time.perf_counter(), body))
                self.condition.notify_all()

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method, params, timeout=30):
        identifier = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": identifier, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == identifier, timeout)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, predicate, timeout=30):
        deadline = time.perf_counter() + timeout
        with self.condition:
            while True:
                for index, (arrived, message) in enumerate(self.messages):
                    if predicate(message):
                        del self.messages[: index + 1]
                        return arrived, message
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise TimeoutError("no answer from the server")
                self.condition.wait(remaining)

    def close(self):
        try:
            # efm-langserver does not answer `shutdown`; it is killed after a moment.
            self.request("shutdown", None, timeout=2)
            self.notify("exit", None)
            self.process.wait(5)
        except Exception:
            self.process.kill()


def corpus(name):
    """The DevFlow file and the equivalent GitHub Actions file of a corpus (generated as bench/lint-bench.sh does)."""
    gen = next(
        (p for p in [os.path.join(ROOT, "bench/gen_gha_corpus.py"), os.path.join(ROOT, "../shared/bench/gen_gha_corpus.py"),
                     "/work/shared/bench/gen_gha_corpus.py"] if os.path.exists(p)), None)
    if gen is None:
        sys.exit("lsp-bench: gen_gha_corpus.py not found")
    gha = os.path.join(OUT, f"lsp-gha-{name}")
    devflow = os.path.join(OUT, f"lsp-devflow-{name}")
    shutil.rmtree(gha, ignore_errors=True)
    shutil.rmtree(devflow, ignore_errors=True)
    arguments = ["--jobs", "3", "--steps", "10"] if name == "small" else ["--size", "large"]
    subprocess.run([sys.executable, gen, *arguments, "--count", "1", "--prefix", name, "--out", gha], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench/gha_to_devflow.py"), gha, devflow], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pick = lambda d: os.path.join(d, sorted(f for f in os.listdir(d) if f.endswith(".yml"))[0])
    return pick(devflow), pick(gha)


def efm_config(lint_command, path):
    with open(path, "w") as handle:
        handle.write(
            "version: 2\nlint-debounce: 0s\nlanguages:\n  yaml:\n"
            f"    - lint-command: '{lint_command}'\n      lint-stdin: true\n      lint-formats:\n"
            "        - '::%trror file=%f,line=%l,col=%c,endLine=%e,endColumn=%k,title=%m'\n"
            "        - '::%tarning file=%f,line=%l,col=%c,endLine=%e,endColumn=%k,title=%m'\n"
            "        - '%f:%l:%c: %m'\n")
    return path


def measure(label, command, path, edits, complete, shellcheck=False):
    with open(path) as handle:
        text = handle.read()
    # One known problem, so that both servers have a diagnostic to publish every time.
    text += BROKEN[os.path.basename(os.path.dirname(path)).startswith("lsp-gha")]
    uri = "file://" + os.path.abspath(path)
    server = Server(command)
    _, answer = server.request("initialize", {"processId": os.getpid(), "rootUri": "file://" + os.path.dirname(os.path.abspath(path)),
                                  "capabilities": {}, "initializationOptions": {"debounceMilliseconds": 0, "shellcheck": shellcheck}})
    server.notify("initialized", {})
    sync = answer["result"]["capabilities"].get("textDocumentSync", 1)
    # A server without incremental sync (efm-langserver) gets the whole text at every change, as editors send it.
    incremental = (sync.get("change") if isinstance(sync, dict) else sync) == 2
    started = time.perf_counter()
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
    arrived, message = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    opened = arrived - started
    found = len(message["params"]["diagnostics"])
    # Each edit appends a character to the first comment-free line's end and takes it away again: the document
    # alternates between two texts, so every change needs a new lint.
    lines = text.split("\n")
    line = next(i for i, l in enumerate(lines) if l.startswith("name:"))
    end = len(lines[line])
    latencies = []
    for edit in range(edits):
        change = ({"range": {"start": {"line": line, "character": end}, "end": {"line": line, "character": end}}, "text": "x"}
                  if edit % 2 == 0 else
                  {"range": {"start": {"line": line, "character": end}, "end": {"line": line, "character": end + 1}}, "text": ""})
        if not incremental:
            lines[line] = lines[line] + "x" if edit % 2 == 0 else lines[line][:-1]
            change = {"text": "\n".join(lines)}
        sent = time.perf_counter()
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": edit + 2}, "contentChanges": [change]})
        arrived, message = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        latencies.append(arrived - sent)
        found = min(found, len(message["params"]["diagnostics"]))
    completions = []
    if complete:
        step_line = next(i for i, l in enumerate(lines) if l.startswith("    run:") and i > 10)
        expression = "    run: echo ${{ steps."
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": edits + 2}, "contentChanges": [
            {"range": {"start": {"line": step_line, "character": 0}, "end": {"line": step_line, "character": len(lines[step_line])}},
             "text": expression + " }}"}]})
        for _ in range(edits):
            sent = time.perf_counter()
            arrived, _ = server.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                                     "position": {"line": step_line, "character": len(expression)}})
            completions.append(arrived - sent)
    server.close()
    return {"label": label, "open": opened, "edits": latencies, "completions": completions, "found": found}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default="all")
    parser.add_argument("--corpus", default="small")
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--shellcheck", action="store_true", help="also with shellcheck on (both servers)")
    arguments = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    devflow = os.path.abspath(os.environ.get("DEVFLOW", os.path.join(ROOT, ".build/release/devflow")))
    lint = os.path.abspath(os.environ.get("DEVFLOW_LINT", os.path.join(ROOT, ".build/release/devflow-lint")))
    actionlint = os.environ.get("ACTIONLINT", "")
    efm = shutil.which("efm-langserver")
    devflow_file, gha_file = corpus(arguments.corpus)
    runs = []
    wanted = lambda name: arguments.server in ("all", name)
    for shellcheck in [False, True] if arguments.shellcheck else [False]:
        suffix = " (shellcheck on)" if shellcheck else ""
        if wanted("devflow"):
            runs.append(measure("devflow lsp" + suffix, [devflow, "lsp"], devflow_file, arguments.edits, not shellcheck,
                                shellcheck))
        if wanted("efm-devflow"):
            if efm:
                flag = "" if shellcheck else " --no-shellcheck"
                config = efm_config(f"{lint}{flag} --format github -", os.path.join(OUT, f"efm-devflow{suffix and '-sc'}.yaml"))
                runs.append(measure("efm-langserver + devflow-lint" + suffix, [efm, "-c", config], devflow_file,
                                    arguments.edits, False))
            else:
                print("lsp-bench: efm-langserver not installed (apt-get install efm-langserver); its row is skipped",
                      file=sys.stderr)
    if wanted("efm-actionlint"):
        if efm and actionlint and os.path.exists(actionlint):
            config = efm_config(f"{actionlint} -shellcheck= -pyflakes= -", os.path.join(OUT, "efm-actionlint.yaml"))
            runs.append(measure("efm-langserver + actionlint", [efm, "-c", config], gha_file, arguments.edits, False))
        else:
            print("lsp-bench: no actionlint binary (ACTIONLINT=path); its row is skipped", file=sys.stderr)
    size = os.path.getsize(devflow_file)
    print(f"corpus {arguments.corpus}: {size} bytes, {arguments.edits} edits\n")
    print("| server | open → diagnostics | edit → diagnostics, median | p90 | completion, median | diagnostics | edit median ÷ devflow lsp's |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        same = [r for r in runs if r["label"].startswith("devflow lsp")
                and r["label"].endswith("(shellcheck on)") == run["label"].endswith("(shellcheck on)")]
        base = statistics.median((same or [run])[0]["edits"])
        edits = sorted(run["edits"])
        median = statistics.median(edits)
        p90 = edits[int(len(edits) * 0.9) - 1]
        completion = f"{statistics.median(run['completions']) * 1000:.2f} ms" if run["completions"] else "—"
        print(f"| {run['label']} | {run['open'] * 1000:.1f} ms | {median * 1000:.2f} ms | {p90 * 1000:.2f} ms | {completion} | "
              f"{run['found']} | {median / base:.2f}× |")


main()
