#!/usr/bin/env python3
"""Generate runner-overhead DAGs as a DevFlow pipeline (.devflow.yml).

The same three graphs as /work/shared/bench/gen_taskfile.py, with the same step
names, so `devflow run` does the same work as `task root` and `just root`:

  chain   : t0000 <- t0001 <- ... <- t{N-1};  root needs the last one
            (N steps run strictly one after another)
  fanout  : N independent steps, all needed by root
  layered : L layers x W steps; every step of layer i needs every step of
            layer i-1 (full bipartite); root needs the last layer

Every step, root included, is a hook step running one command (`true` by
default; the benchmark passes `/bin/true`, as it does to go-task and just).
`defaults: {shell: sh, retry: none}`: the runner executes `sh -c '<script>'`,
the cheapest shell, and records exactly one attempt per step.

Other shapes for the store-throughput measurement:

  lines   : one step printing --lines lines (`seq N`), for log lines/s

Usage:
  gen_devflow_dag.py --shape chain   --n 1000 --cmd /bin/true -o chain.devflow.yml
  gen_devflow_dag.py --shape layered --layers 50 --width 20
  gen_devflow_dag.py --shape lines   --lines 200000
Output is deterministic.
"""
import argparse
import sys


def build(shape, n, layers, width):
    """(ordered step names, needs dict); the same graph as gen_taskfile.build."""
    needs = {}
    names = []
    if shape == "chain":
        for i in range(n):
            t = f"t{i:04d}"
            names.append(t)
            needs[t] = [f"t{i-1:04d}"] if i else []
        needs["root"] = [names[-1]]
    elif shape == "fanout":
        for i in range(n):
            t = f"t{i:04d}"
            names.append(t)
            needs[t] = []
        needs["root"] = list(names)
    elif shape == "layered":
        prev = []
        for l in range(layers):
            cur = [f"l{l:02d}w{w:02d}" for w in range(width)]
            for t in cur:
                names.append(t)
                needs[t] = list(prev)
            prev = cur
        needs["root"] = list(prev)
    else:
        raise SystemExit(f"unknown shape {shape}")
    names.append("root")
    return names, needs


def yq(s):
    """A double-quoted YAML scalar (always text)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit(name, names, needs, cmd, shell):
    out = [
        "version: 1",
        f"name: {name}",
        "on: manual",
        "defaults:",
        f"  shell: {yq(shell)}",
        "  retry: none",
        "steps:",
    ]
    for t in names:
        out.append(f"  {t}:")
        if needs[t]:
            out.append("    needs: [" + ", ".join(needs[t]) + "]")
        out.append(f"    run: {yq(cmd)}")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", choices=["chain", "fanout", "layered", "lines"], required=True)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--layers", type=int, default=50)
    ap.add_argument("--width", type=int, default=20)
    ap.add_argument("--lines", type=int, default=200000, help="lines printed by the `lines` shape")
    ap.add_argument("--cmd", default="true")
    ap.add_argument("--shell", default="sh", help="defaults.shell (default: sh)")
    ap.add_argument("-o", "--output", help="file to write (default stdout)")
    a = ap.parse_args()
    if a.shape == "lines":
        names, needs = ["root"], {"root": []}
        text = emit("runner-bench-lines", names, needs, f"seq {a.lines}", a.shell)
    else:
        names, needs = build(a.shape, a.n, a.layers, a.width)
        text = emit(f"runner-bench-{a.shape}", names, needs, a.cmd, a.shell)
    if a.output:
        with open(a.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
