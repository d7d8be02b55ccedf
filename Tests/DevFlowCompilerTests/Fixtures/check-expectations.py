#!/usr/bin/env python3
"""Check the fixture corpus against devflow-lint.

For every err/*.yml, the first line must be `# expect: DF009 dependency-cycle[, ...]`;
the set of (code, rule name) pairs devflow-lint reports for the file (JSON format) must
equal that set. Every ok/*.yml must produce no diagnostics at all.

Usage: check-expectations.py [--lint PATH] [--no-shellcheck] [FILE ...]
Exits 1 when any file does not match, 0 otherwise. Run from anywhere; paths are
resolved against this script's directory.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_LINT = os.path.join(REPO, ".build", "debug", "devflow-lint")
EXPECT = re.compile(r"^#\s*expect:\s*(.*)$")
ENTRY = re.compile(r"^(DF\d{3})\s+([a-z0-9-]+)$")


def parse_expect(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        first = f.readline().rstrip("\n")
    m = EXPECT.match(first)
    if not m:
        return None, f"first line is not '# expect: CODE name': {first!r}"
    expected = set()
    for part in m.group(1).split(","):
        part = part.strip()
        e = ENTRY.match(part)
        if not e:
            return None, f"malformed entry {part!r} on the expect line"
        expected.add((e.group(1), e.group(2)))
    return expected, None


def run_lint(lint, rel, extra):
    proc = subprocess.run([lint, "--format", "json", "--color", "never", *extra, rel],
                          cwd=HERE, capture_output=True, text=True, timeout=120)
    if proc.returncode not in (0, 1):
        return None, f"devflow-lint exited {proc.returncode}: {proc.stderr.strip() or proc.stdout.strip()}"
    try:
        diags = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError as err:
        return None, f"unparsable JSON output ({err}): {proc.stdout[:200]!r}"
    return diags, None


def fmt(pairs):
    return ", ".join(f"{c} {n}" for c, n in sorted(pairs)) or "(nothing)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lint", default=os.environ.get("DEVFLOW_LINT", DEFAULT_LINT))
    ap.add_argument("--no-shellcheck", action="store_true",
                    help="pass --no-shellcheck and skip fixtures that expect DF028")
    ap.add_argument("files", nargs="*", help="fixtures relative to this directory (default: all)")
    args = ap.parse_args()

    if not os.access(args.lint, os.X_OK):
        print(f"devflow-lint not found at {args.lint}", file=sys.stderr)
        return 2
    extra = ["--no-shellcheck"] if args.no_shellcheck else []
    have_shellcheck = shutil.which("shellcheck") is not None and not args.no_shellcheck

    files = args.files or (
        [f"err/{n}" for n in sorted(os.listdir(os.path.join(HERE, "err"))) if n.endswith(".yml")]
        + [f"ok/{n}" for n in sorted(os.listdir(os.path.join(HERE, "ok"))) if n.endswith(".yml")])

    failures, skipped, checked = [], [], 0
    for rel in files:
        path = os.path.join(HERE, rel)
        if rel.startswith("ok/"):
            expected = set()
        else:
            expected, problem = parse_expect(path)
            if problem:
                failures.append(f"{rel}: {problem}")
                continue
            if any(c == "DF028" for c, _ in expected) and not have_shellcheck:
                skipped.append(rel)
                continue
        diags, problem = run_lint(args.lint, rel, extra)
        checked += 1
        if problem:
            failures.append(f"{rel}: {problem}")
            continue
        actual = {(d["code"], d["rule"]) for d in diags}
        if actual != expected:
            where = "; ".join(f"{d['code']} {d['line']}:{d['column']} {d['message']}" for d in diags)
            failures.append(f"{rel}: expected {fmt(expected)}; got {fmt(actual)}"
                            + (f"\n    missing: {fmt(expected - actual)}" if expected - actual else "")
                            + (f"\n    unexpected: {fmt(actual - expected)}" if actual - expected else "")
                            + (f"\n    output: {where}" if where else ""))

    for line in failures:
        print(f"MISMATCH {line}")
    for rel in skipped:
        print(f"SKIPPED  {rel} (shellcheck is not installed)")
    print(f"{checked} files checked, {len(failures)} mismatches, {len(skipped)} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
