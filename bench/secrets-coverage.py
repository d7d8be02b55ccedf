#!/usr/bin/env python3
"""Secrets coverage: security-guardian beside detect-secrets on three corpora, in one run.

Usage: python3 bench/secrets-coverage.py [--devflow PATH] [--gitleaks GIT_DIR] [--clean GIT_DIR ...]
                                         [--clean-bytes N] [--rounds N]

Corpora (all written to a temporary directory and deleted afterwards; none is committed):
  own      bench/secrets_corpus.py: 15 families × (24 true-positive + 12 false-positive files), our own
           templates in 20 file types. Scored per family: recall by the family's own rule on the labelled
           line, precision of the family's rules, false-positive files flagged by any secret rule.
  heldout  bench/gitleaks_samples.py on a gitleaks checkout (`fetch github:gitleaks/gitleaks`): the
           published `tps`/`fps` samples of its rules for the same families, one sample per file.
           Scored: recall by the right family's rule, recall by any rule, false-positive samples flagged.
  clean    ordinary source: the non-test `*.go` files of the given git directories (default: the fetched
           gin-gonic/gin, spf13/cobra, labstack/echo and urfave/cli mirrors) until --clean-bytes (1,000,000).
           Scored: findings per MB.

Both tools scan every file: `devflow agent run security-guardian --with scope=all --with fail_on=low
--format json` and `detect-secrets scan --all-files .` (cwd = corpus), interleaved for --rounds rounds
(whole-process wall and CPU time, minimum reported). gitleaks itself is not run: it is a Go program and
this machine has no Go module proxy to build it with.

Requires python3 (stdlib), git, and detect-secrets 1.5.0 (`pip install detect-secrets==1.5.0`).
"""
import argparse
import collections
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIRRORS = "/work/.mirror"
CLEAN_DEFAULT = ["gin-gonic+gin", "spf13+cobra", "labstack+echo", "urfave+cli"]

OURS = {
    "aws": {"aws-access-key", "aws-secret-key"}, "github": {"github-token"}, "gitlab": {"gitlab-token"},
    "slack": {"slack-token", "slack-webhook"}, "stripe": {"stripe-key"}, "jwt": {"jwt"},
    "private-key": {"private-key"}, "google-api-key": {"google-api-key"}, "npm": {"npm-token"},
    "pypi": {"pypi-token"}, "openai": {"openai-key"}, "anthropic": {"anthropic-key"}, "twilio": {"twilio-key"},
    "sendgrid": {"sendgrid-key"}, "generic": {"generic-secret"},
}
OUR_SECRET_RULES = set().union(*OURS.values())
THEIRS = {
    "aws": {"AWS Access Key"}, "github": {"GitHub Token"}, "gitlab": {"GitLab Token"}, "slack": {"Slack Token"},
    "stripe": {"Stripe Access Key"}, "jwt": {"JSON Web Token"}, "private-key": {"Private Key"},
    "google-api-key": set(), "npm": {"NPM tokens"}, "pypi": {"PyPI Token"}, "openai": {"OpenAI Token"},
    "anthropic": set(), "twilio": {"Twilio API Key"}, "sendgrid": {"SendGrid API Key"},
    "generic": {"Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String", "Basic Auth Credentials"},
}
FAMILY_OF = {rule: family for family, rules in OURS.items() for rule in rules}
FAMILY_OF.update({kind: family for family, kinds in THEIRS.items() for kind in kinds})


def run_timed(cmd, cwd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), p


def devflow_findings(p):
    """{(file, line): {rule}} for secret rules."""
    if p.returncode not in (0, 1):
        sys.exit(f"devflow failed ({p.returncode}): {p.stderr[:2000]}")
    out = collections.defaultdict(set)
    for f in json.loads(p.stdout or "[]"):
        if f.get("rule") in OUR_SECRET_RULES:
            out[(os.path.normpath(f["file"]), f["line"])].add(f["rule"])
    return out


def detect_secrets_findings(p):
    if p.returncode != 0:
        sys.exit(f"detect-secrets failed ({p.returncode}): {p.stderr[:2000]}")
    out = collections.defaultdict(set)
    for file, items in json.loads(p.stdout)["results"].items():
        for item in items:
            out[(os.path.normpath(file), item["line_number"])].add(item["type"])
    return out


def by_file(findings):
    out = collections.defaultdict(set)
    for (file, _), kinds in findings.items():
        out[file] |= kinds
    return out


def clean_corpus(dest, git_dirs, limit):
    total, n = 0, 0
    for git_dir in git_dirs:
        listing = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-l", "HEAD"], check=True,
                                 capture_output=True, text=True).stdout.splitlines()
        for row in listing:
            meta, path = row.split("\t", 1)
            if not path.endswith(".go") or path.endswith("_test.go") or "testdata/" in path:
                continue
            blob = meta.split()[2]
            data = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "blob", blob], check=True,
                                  capture_output=True).stdout
            target = os.path.join(dest, os.path.basename(os.path.dirname(git_dir.rstrip("/"))), path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
            total += len(data)
            n += 1
            if total >= limit:
                return total, n
    return total, n


def pct(a, b):
    return f"{100 * a / b:.1f}%" if b else "–"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--devflow", default=os.path.join(ROOT, ".build/release/devflow"))
    ap.add_argument("--gitleaks", default=os.path.join(MIRRORS, "gitleaks+gitleaks/repo"))
    ap.add_argument("--clean", action="append")
    ap.add_argument("--clean-bytes", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the temporary corpora and print where")
    args = ap.parse_args()
    clean_dirs = args.clean or [os.path.join(MIRRORS, name + "/repo") for name in CLEAN_DEFAULT]
    devflow = os.path.abspath(args.devflow)
    tmp = tempfile.mkdtemp(prefix="secrets-coverage-")
    try:
        own, held, clean = (os.path.join(tmp, d) for d in ("own", "heldout", "clean"))
        subprocess.run([sys.executable, os.path.join(ROOT, "bench/secrets_corpus.py"), own], check=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench/gitleaks_samples.py"), args.gitleaks, held], check=True)
        clean_bytes, clean_files = clean_corpus(clean, clean_dirs, args.clean_bytes)
        print(f"clean: {clean_files} files, {clean_bytes} bytes from {', '.join(clean_dirs)}", file=sys.stderr)

        tools = {
            "security-guardian": ([devflow, "agent", "run", "security-guardian", "--with", "scope=all", "--with",
                                   "fail_on=low", "--format", "json"], devflow_findings),
            "detect-secrets": (["detect-secrets", "scan", "--all-files", "."], detect_secrets_findings),
        }
        results, times = {}, collections.defaultdict(list)
        for _ in range(args.rounds):
            for corpus, cwd in (("own", own), ("heldout", held), ("clean", clean)):
                for tool, (cmd, parse) in tools.items():
                    wall, cpu, p = run_timed(cmd, cwd)
                    results[(tool, corpus)] = parse(p)
                    times[(tool, corpus)].append((wall, cpu))

        # ------------------------------------------------------------------ own corpus
        labels = [line.rstrip("\n").split("\t") for line in open(os.path.join(own, "labels.tsv"))]
        print("\n### Own corpus (bench/secrets_corpus.py: 24 true-positive and 12 false-positive files per family)\n")
        print("| family | tool | recall by the family's rule | precision of the family's rules | FP files flagged (any rule) |")
        print("|---|---|---:|---:|---:|")
        totals = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
        for family in OURS:
            for tool, mapping in (("security-guardian", OURS), ("detect-secrets", THEIRS)):
                found = results[(tool, "own")]
                files = by_file(found)
                tp_rows = [row for row in labels if row[0] == "tp" and row[1] == family]
                fp_rows = [row for row in labels if row[0] == "fp" and row[1] == family]
                hit = sum(1 for _, _, rel, line in tp_rows if found.get((rel, int(line)), set()) & mapping[family])
                flagged = sum(1 for _, _, rel, _ in fp_rows if files.get(rel))
                good_lines = {(rel, int(line)) for kind, fam, rel, line in labels if kind == "tp" and fam == family}
                family_findings = [key for key, kinds in found.items() if kinds & mapping[family]]
                correct = sum(1 for key in family_findings if key in good_lines)
                t = totals[tool]
                t[0] += hit; t[1] += len(tp_rows); t[2] += flagged; t[3] += len(fp_rows)
                t[4] += len(family_findings) - correct
                precision = pct(correct, len(family_findings)) if family_findings else "–"
                print(f"| {family} | {tool} | {hit}/{len(tp_rows)} ({pct(hit, len(tp_rows))}) | {precision} | "
                      f"{flagged}/{len(fp_rows)} |")
        for tool, t in totals.items():
            print(f"| **all** | {tool} | {t[0]}/{t[1]} ({pct(t[0], t[1])}) | "
                  f"{pct(t[0], t[0] + t[4])} | {t[2]}/{t[3]} |")

        # ------------------------------------------------------------------ held-out corpus
        manifest = [line.rstrip("\n").split("\t") for line in open(os.path.join(held, "manifest.tsv"))]
        print("\n### Held-out corpus (gitleaks' published rule samples, extracted at bench time)\n")
        print("| family | TP samples | guardian, right rule | guardian, any rule | detect-secrets, right detector "
              "| detect-secrets, any | FP samples | guardian flags | detect-secrets flags |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        sums = [0] * 8
        for family in OURS:
            tps = [row[3] for row in manifest if row[0] == "tp" and row[1] == family]
            fps = [row[3] for row in manifest if row[0] == "fp" and row[1] == family]
            ours, theirs = by_file(results[("security-guardian", "heldout")]), by_file(results[("detect-secrets", "heldout")])
            cells = [
                sum(1 for f in tps if ours.get(f, set()) & OURS[family]), sum(1 for f in tps if ours.get(f)),
                sum(1 for f in tps if theirs.get(f, set()) & THEIRS[family]), sum(1 for f in tps if theirs.get(f)),
                sum(1 for f in fps if ours.get(f)), sum(1 for f in fps if theirs.get(f)),
            ]
            sums = [a + b for a, b in zip(sums, [len(tps)] + cells[:4] + [len(fps)] + cells[4:])]
            if not tps and not fps:
                continue
            print(f"| {family} | {len(tps)} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | {len(fps)} | "
                  f"{cells[4]} | {cells[5]} |")
        n_tp, n_fp = sums[0], sums[5]
        print(f"| **all** | {n_tp} | {sums[1]} ({pct(sums[1], n_tp)}) | {sums[2]} ({pct(sums[2], n_tp)}) | "
              f"{sums[3]} ({pct(sums[3], n_tp)}) | {sums[4]} ({pct(sums[4], n_tp)}) | {n_fp} | {sums[6]} | {sums[7]} |")

        # ------------------------------------------------------------------ clean code
        mb = clean_bytes / 1e6
        print(f"\n### Clean code ({clean_files} non-test Go files, {mb:.2f} MB)\n")
        print("| tool | findings | findings per MB |")
        print("|---|---:|---:|")
        clean_counts = {}
        for tool in tools:
            count = sum(len(kinds) for kinds in results[(tool, "clean")].values())
            clean_counts[tool] = count
            print(f"| {tool} | {count} | {count / mb:.2f} |")
            for (file, line), kinds in sorted(results[(tool, "clean")].items())[:10]:
                print(f"  - {tool}: {file}:{line} {sorted(kinds)}", file=sys.stderr)

        # ------------------------------------------------------------------ time and ratios
        print("\n### Time (min over rounds, whole processes)\n")
        print("| corpus | security-guardian wall | detect-secrets wall | security-guardian CPU | detect-secrets CPU "
              "| wall ratio (ds/sg) | CPU ratio (ds/sg) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for corpus in ("own", "heldout", "clean"):
            sw, sc = min(w for w, _ in times[("security-guardian", corpus)]), min(c for _, c in times[("security-guardian", corpus)])
            dw, dc = min(w for w, _ in times[("detect-secrets", corpus)]), min(c for _, c in times[("detect-secrets", corpus)])
            print(f"| {corpus} | {sw:.3f} s | {dw:.3f} s | {sc:.3f} s | {dc:.3f} s | {dw / sw:.1f}× | {dc / max(sc, 1e-9):.1f}× |")
        o, d = totals["security-guardian"], totals["detect-secrets"]
        print(f"\nratios (security-guardian / detect-secrets): own-corpus recall {o[0] / max(d[0], 1):.2f}, "
              f"held-out right-rule recall {sums[1] / max(sums[3], 1):.2f}, held-out FP flags {sums[6]}/{sums[7]}, "
              f"clean findings {clean_counts['security-guardian']}/{clean_counts['detect-secrets']}")
        if args.keep:
            print(f"corpora kept in {tmp}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
