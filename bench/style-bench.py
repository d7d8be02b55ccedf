#!/usr/bin/env python3
"""style-enforcer against an EditorConfig linter on the same generated tree: agreement and MB/s.

Usage: python3 bench/style-bench.py [--devflow PATH] [--peer PATH] [--files N] [--runs N] [--seed N]

1. Writes a deterministic tree (seeded random) to bench-out/style-corpus/: Swift, Python, JavaScript, Go and
   Markdown files under one .editorconfig (spaces, 4 columns, LF, UTF-8, no trailing whitespace, final newline,
   100 columns; tabs for Go; Markdown keeps its trailing spaces), with violations planted on known lines. The
   planted problems are written to bench-out/style-ground-truth.tsv.
2. Runs `devflow agent run style-enforcer --with scope=all --with fail_on=high --format json` and the peer
   (edcfg-lint, an EditorConfig linter from PyPI; editorconfig-checker's PyPI package downloads its Go binary
   from GitHub while installing, which this machine cannot reach) once each, and scores both against the
   planted problems on the five rules both implement.
3. Times both with farm-bench (A/B interleaved, whole processes) and prints MB/s from the medians.

Requires python3, farm-bench on PATH and `pip install edcfg-lint==0.1.1`.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench-out")
CORPUS = os.path.join(OUT, "style-corpus")
TRUTH = os.path.join(OUT, "style-ground-truth.tsv")

EDITORCONFIG = """root = true

[*]
indent_style = space
indent_size = 4
end_of_line = lf
charset = utf-8
trim_trailing_whitespace = true
insert_final_newline = true
max_line_length = 100

[*.go]
indent_style = tab

[*.md]
trim_trailing_whitespace = false
max_line_length = off
"""

KINDS = ["trailing-whitespace", "indent-style", "max-line-length", "final-newline", "end-of-line"]
WORDS = "value result index count name items total parser token buffer offset length config request".split()


def code_line(rng, language, depth):
    word = lambda: rng.choice(WORDS)
    body = {
        "swift": f"let {word()}{rng.randint(0, 99)} = {word()}.map {{ $0 + {rng.randint(1, 9)} }}",
        "py": f"{word()}_{rng.randint(0, 99)} = [{word()} for {word()} in range({rng.randint(1, 50)})]",
        "js": f"const {word()}{rng.randint(0, 99)} = {word()}.filter((x) => x > {rng.randint(1, 9)});",
        "go": f"{word()}{rng.randint(0, 99)} := append({word()}, {rng.randint(1, 9)})",
        "md": f"The {word()} of the {word()} is {rng.randint(1, 999)} {word()}s.",
    }[language]
    if language == "go":
        return "\t" * depth + body
    if language == "md":
        return body
    return "    " * depth + body


def write_corpus(files, seed):
    rng = random.Random(seed)
    shutil.rmtree(CORPUS, ignore_errors=True)
    os.makedirs(CORPUS)
    with open(os.path.join(CORPUS, ".editorconfig"), "w") as handle:
        handle.write(EDITORCONFIG)
    truth = []
    total = 0
    for index in range(files):
        language = ["swift", "py", "js", "go", "md"][index % 5]
        path = f"src/module{index % 40}/file{index}.{language}"
        count = rng.randint(60, 140)
        lines = [code_line(rng, language, rng.randint(0, 3)) for _ in range(count)]
        endings = ["\n"] * count
        final_newline = True
        # Plant a few problems per file on random lines (at most one per line).
        for line in rng.sample(range(count - 1), 3):
            kind = rng.choice(KINDS[:3] + ["end-of-line"])
            if kind == "trailing-whitespace" and language != "md":
                lines[line] += " " * rng.randint(1, 3)
            elif kind == "indent-style" and language not in ("go", "md"):
                lines[line] = "\t" + lines[line].lstrip(" ")
            elif kind == "max-line-length" and language != "md":
                lines[line] += "  # " + "x" * 110 if language == "py" else " // " + "x" * 110
            elif kind == "end-of-line":
                endings[line] = "\r\n"
            else:
                continue
            truth.append((path, line + 1, kind))
        if rng.random() < 0.1:
            final_newline = False
            truth.append((path, count, "final-newline"))
        text = "".join(line + ending for line, ending in zip(lines, endings))
        if not final_newline:
            text = text[:-1]
        full = os.path.join(CORPUS, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", newline="") as handle:
            handle.write(text)
        total += len(text.encode())
    with open(TRUTH, "w") as handle:
        for path, line, kind in sorted(truth):
            handle.write(f"{path}\t{line}\t{kind}\n")
    return set(truth), total


def devflow_findings(devflow):
    run = subprocess.run(
        [devflow, "agent", "run", "style-enforcer", "--with", "scope=all", "--with", "fail_on=high",
         "--format", "json"], cwd=CORPUS, capture_output=True, text=True)
    if run.returncode not in (0, 1):
        sys.exit(f"devflow failed ({run.returncode}): {run.stderr[-500:]}")
    found = set()
    for finding in json.loads(run.stdout):
        if finding["rule"] in KINDS:
            found.add((finding["file"], finding["line"], finding["rule"]))
    return found


PEER_KINDS = [
    ("trailing whitespace", "trailing-whitespace"), ("wrong indent style", "indent-style"),
    ("line too long", "max-line-length"), ("missing final newline", "final-newline"),
    ("wrong line ending", "end-of-line"),
]


def peer_findings(peer, line_counts):
    run = subprocess.run([peer, "--max-file-size", "0", "."], cwd=CORPUS, capture_output=True, text=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout + run.stderr)
    found = set()
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("✗ "):
            current = line[2:].removeprefix("./")
            continue
        if current is None:
            continue
        match = re.match(r"line (\d+): (.*)", line)
        number, message = (int(match.group(1)), match.group(2)) if match else (None, line)
        for phrase, kind in PEER_KINDS:
            if message.startswith(phrase):
                if kind == "final-newline":
                    number = line_counts[current]
                found.add((current, number, kind))
    return found


def score(name, found, truth):
    # The peer reports a wrong line ending once per file without a line: count it as the file's planted lines.
    hits = {item for item in truth if item in found or (item[2] == "end-of-line" and (item[0], None, item[2]) in found)}
    false = {item for item in found if item not in truth and not (item[1] is None and any(
        t[0] == item[0] and t[2] == item[2] for t in truth))}
    recall = len(hits) / len(truth) if truth else 1.0
    print(f"| {name} | {len(found)} | {len(hits)}/{len(truth)} | {recall:.3f} | {len(false)} |")


def farm(devflow, peer, runs):
    command = ["farm-bench", "-n", str(runs), "--timeout", "600", "--vs", f"{peer} --max-file-size 0 .", "--",
               devflow, "agent", "run", "style-enforcer", "--with", "scope=all", "--with", "fail_on=high",
               "--format", "json"]
    print("$ (cd bench-out/style-corpus && " + " ".join(command[:7]) + " '" + command[7] + "' " + " ".join(command[8:]) + ")")
    run = subprocess.run(command, cwd=CORPUS, capture_output=True, text=True)
    print(run.stdout + run.stderr)
    return run.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devflow", default=os.path.join(ROOT, ".build/release/devflow"))
    parser.add_argument("--peer", default=shutil.which("edcfg-lint") or "edcfg-lint")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    truth, total = write_corpus(args.files, args.seed)
    line_counts = {}
    for path in {item[0] for item in truth}:
        with open(os.path.join(CORPUS, path), "rb") as handle:
            data = handle.read()
        line_counts[path] = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    print(f"corpus: {args.files} files, {total / 1e6:.1f} MB, {len(truth)} planted problems\n")
    print("| tool | reported (5 rules) | planted found | recall | not planted |\n|---|---|---|---|---|")
    score("devflow style-enforcer", devflow_findings(args.devflow), truth)
    score("edcfg-lint", peer_findings(args.peer, line_counts), truth)
    print()
    report = farm(args.devflow, args.peer, args.runs)
    medians = dict(re.findall(r"^([AB]) wall s\s+[\d.]+\s+([\d.]+)", report, re.MULTILINE))
    if len(medians) == 2:
        a, b = float(medians["A"]), float(medians["B"])
        print(f"MB/s (median wall): devflow {total / 1e6 / a:.1f}, edcfg-lint {total / 1e6 / b:.1f}; "
              f"devflow/edcfg-lint wall {a / b:.2f}x")


if __name__ == "__main__":
    main()
