#!/usr/bin/env python3
"""The dashboard's speed in Debian's headless Chromium, from the browser's own Performance API (a benchmark, not a test).

  python3 bench/dashboard-bench.py [BINARY] [--rounds 7]

A real `devflow serve` on loopback over a throwaway store holding 90 days of demo history (`devflow demo-data`), a
local run of a 1,000-step layered graph (50 layers of 20, `bench/gen_devflow_dag.py`) and a local run whose one step
prints 1,000,000 numbered lines. For each page, ROUNDS fresh navigations (the assets cached, as a person who uses
the dashboard has them), and the median of:

  - ttfb: the answer's first byte (navigation timing responseStart);
  - fcp: first contentful paint;
  - interactive: the page's script ready (DOMContentLoaded); on a run page, the graph drawn (`__graphStats`);
  - log first lines / all lines / search: the log viewer's own marks, and a search for a line near the end.

Targets (issue 10): runs list and 1,000-node run page first render and interactive < 300 ms; a 1,000,000-line log's
first lines < 500 ms and a search < 1 s. There is no peer to run beside it here (GitLab's, Woodpecker's and
Jenkins' dashboards need their own servers and a network), so the figures are absolute; BENCHMARKS.md says so.
"""
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    args = sys.argv[1:]
    rounds = 7
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i:i + 2]
    binary = os.path.abspath(args[0] if args else ".build/release/devflow")
    work = tempfile.mkdtemp(prefix="devflow-dashboard-bench.")
    db = os.path.join(work, "devflow.sqlite")
    server = None
    driver = None
    try:
        t = time.monotonic()
        subprocess.run([binary, "demo-data", "--db", db], check=True, stdout=subprocess.DEVNULL)
        print(f"demo history: {time.monotonic() - t:.1f} s")
        layered = os.path.join(work, "layered.yml")
        lines = os.path.join(work, "lines.yml")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_devflow_dag.py"), "--shape", "layered", "--layers",
                        "50", "--width", "20", "--cmd", "/bin/true", "-o", layered], check=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_devflow_dag.py"), "--shape", "lines", "--lines",
                        "1000000", "-o", lines], check=True)
        for pipeline in (layered, lines):
            t = time.monotonic()
            subprocess.run([binary, "run", pipeline, "--db", db, "-j", "2"], check=True, cwd=work,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(f"{os.path.basename(pipeline)}: run in {time.monotonic() - t:.1f} s")
        listing = subprocess.run([binary, "runs", "list", "--db", db, "--limit", "2"], check=True,
                                 capture_output=True, text=True).stdout.splitlines()[1:]
        log_run, graph_run = (int(line.split()[0]) for line in listing)
        port = free_port()
        config = os.path.join(work, "server.yml")
        with open(config, "w") as f:
            f.write(f"listen: 127.0.0.1:{port}\ndata: {work}/data\ndb: {db}\nworkers: 0\nrepositories:\n"
                    "  - name: acme/app\n    forge: github\n    clone_url: file:///nonexistent\n"
                    "    webhook_secret: {env: BENCH_SECRET}\n")
        token = subprocess.run([binary, "tokens", "create", "bench", "--role", "viewer", "--db", db], check=True,
                               capture_output=True, text=True).stdout.split()[0]
        server = subprocess.Popen([binary, "serve", "--config", config], env=dict(os.environ, BENCH_SECRET="x"),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        options = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
            options.add_argument(a)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.get(base + "/sign-in")
        driver.find_element(By.ID, "token").send_keys(token)
        driver.find_element(By.CSS_SELECTOR, "#sign-in button").click()
        time.sleep(0.5)

        def navigation(path, graph=False):
            driver.get(base + path)
            for _ in range(300):
                ready = driver.execute_script(
                    "return document.readyState === 'complete' && (!arguments[0] || !!window.__graphStats)", graph)
                if ready:
                    break
                time.sleep(0.02)
            return driver.execute_script("""
                const n = performance.getEntriesByType('navigation')[0];
                const p = performance.getEntriesByName('first-contentful-paint')[0];
                const g = window.__graphStats;
                const gs = document.querySelector('.run-graph');
                return {ttfb: n.responseStart, fcp: p ? p.startTime : null, dcl: n.domContentLoadedEventEnd,
                        graph: g ? g.drawnAt : null};""")

        def report(name, samples, keys):
            row = [name]
            for key in keys:
                values = [s[key] for s in samples if s.get(key) is not None]
                row.append(f"{key} {statistics.median(values):.0f} ms" if values else f"{key} –")
            print("  ".join(row))

        pages = [("runs list (/)", "/", False), (f"run page, 1,001 nodes (/runs/{graph_run})", f"/runs/{graph_run}", True)]
        for name, path, graph in pages:
            navigation(path, graph)  # warm the assets
            samples = []
            for _ in range(rounds):
                s = navigation(path, graph)
                if graph:
                    s["interactive"] = max(s["dcl"], s["graph"] or 0)
                else:
                    s["interactive"] = s["dcl"]
                samples.append(s)
            report(name, samples, ["ttfb", "fcp", "interactive"])

        log_path = f"/runs/{log_run}/nodes/root/log"
        samples = []
        for _ in range(max(3, rounds // 2)):
            driver.get(base + log_path)
            for _ in range(600):
                if driver.execute_script("return window.__logViewerStats && window.__logViewerStats.loadedAt"):
                    break
                time.sleep(0.02)
            stats = driver.execute_script("return window.__logViewerStats")
            box = driver.find_element(By.CSS_SELECTOR, ".log-viewer .lv-search-input")
            box.send_keys("999990")
            box.send_keys(Keys.ENTER)
            for _ in range(500):
                done = driver.execute_script(
                    "const s = window.__logViewerStats.search; return s && s.doneAt ? s.doneAt - s.startedAt : null")
                if done is not None:
                    break
                time.sleep(0.02)
            samples.append({"first lines": stats["firstRowsAt"], "all lines": stats["loadedAt"], "search": done})
        report("log page, 1,000,000 lines", samples, ["first lines", "all lines", "search"])
    finally:
        if driver:
            driver.quit()
        if server:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
