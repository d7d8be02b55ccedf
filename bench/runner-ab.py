#!/usr/bin/env python3
"""Two devflow builds side by side on the runner-bench graphs, interleaved run by run.

Usage: python3 bench/runner-ab.py BEFORE AFTER [ROUNDS=11]

Run bench/runner-bench.sh once first: it builds bench-out/spawn_floor and writes the graphs
(bench-out/runner/{chain,fanout,layered}/pipeline.devflow.yml). Each round times, as whole
processes: the floor (spawn_floor 1000 /bin/true), xargs -P 2 -n 1 over 1..1000 running /bin/true,
then each graph with BEFORE and with AFTER (`run FILE --db FRESH -j J --events json`, chain -j 1,
the others -j 2). Prints a markdown table of minimum and median wall times and min ÷ floor,
min ÷ xargs -P 2, and the 1-minute load average seen after the rounds: on a shared machine only
runs interleaved like this are comparable.
"""
import os, statistics, subprocess, sys, tempfile, time

if len(sys.argv) < 3:
    sys.exit(__doc__)
before, after = (os.path.abspath(p) for p in sys.argv[1:3])
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 11
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "bench-out")
graphs = os.path.join(out, "runner")
work = tempfile.mkdtemp(prefix="runner-ab-", dir=out)
db = os.path.join(work, "ab.sqlite")
numbers = os.path.join(work, "numbers.txt")
with open(numbers, "w") as f:
    f.write("".join(f"{i}\n" for i in range(1, 1001)))


def timed(argv):
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(db + suffix)
        except FileNotFoundError:
            pass
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True, cwd=work)
    return time.perf_counter() - start


runs = [("floor", [os.path.join(out, "spawn_floor"), "1000", "/bin/true"]),
        ("xargs -P 2", ["xargs", "-P", "2", "-n", "1", "-a", numbers, "/bin/true"])]
for shape, jobs in (("chain", "1"), ("fanout", "2"), ("layered", "2")):
    pipeline = os.path.join(graphs, shape, "pipeline.devflow.yml")
    for label, binary in (("before", before), ("after", after)):
        runs.append((f"{shape} {label}", [binary, "run", pipeline, "--db", db, "-j", jobs, "--events", "json"]))
times = {name: [] for name, _ in runs}
loads = []
for _ in range(rounds):
    for name, argv in runs:
        times[name].append(timed(argv))
    loads.append(os.getloadavg()[0])
floor, xargs = min(times["floor"]), min(times["xargs -P 2"])
print(f"{rounds} rounds; 1-minute load after each: min {min(loads):.2f}, median {statistics.median(loads):.2f}, "
      f"max {max(loads):.2f}\n")
print("| run | min | median | min ÷ floor | min ÷ xargs -P 2 |")
print("|---|---:|---:|---:|---:|")
for name, _ in runs:
    values = times[name]
    print(f"| {name} | {min(values) * 1000:.0f} ms | {statistics.median(values) * 1000:.0f} ms | "
          f"{min(values) / floor:.2f}x | {min(values) / xargs:.2f}x |")
