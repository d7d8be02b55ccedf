#!/usr/bin/env python3
"""security-guardian vs detect-secrets on a generated, labelled corpus.

Usage: python3 bench/secrets-bench.py [--devflow PATH] [--files N] [--rounds N] [--seed N]

1. Writes a deterministic corpus (seeded random) to bench-out/secrets-corpus/ and the ground truth
   (every planted secret's file, line, kind) to bench-out/secrets-ground-truth.tsv, plus every
   planted decoy to bench-out/secrets-decoys.tsv (outside the corpus so neither tool scans them).
   Secret values are assembled at run time from random characters; none is written literally here.
2. Runs `devflow agent run security-guardian --with scope=all --with fail_on=low --format json` and
   `detect-secrets scan --all-files .` (both with cwd = corpus), interleaved, for N rounds, timing
   the whole processes.
3. Scores each tool by (file, line): a reported line inside a planted secret's lines is a hit for
   that secret (a private key block's lines all belong to it), any other reported line is a false
   positive. Prints a markdown table, per-kind recall, false positives by decoy kind, and the ratios.

Requires python3 (stdlib) and detect-secrets (`pip install detect-secrets==1.5.0`).
"""
import argparse
import base64
import json
import os
import random
import resource
import shutil
import string
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench-out")
CORPUS = os.path.join(OUT, "secrets-corpus")
TRUTH = os.path.join(OUT, "secrets-ground-truth.tsv")
DECOYS = os.path.join(OUT, "secrets-decoys.tsv")

DEVFLOW_SECRET_RULES = {
    "aws-access-key", "aws-secret-key", "github-token", "gitlab-token", "slack-token",
    "slack-webhook", "private-key", "jwt", "stripe-key", "google-api-key", "generic-secret",
}

UP = string.ascii_uppercase
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"


# ---------------------------------------------------------------- value generators (run time only)

def rs(r, alphabet, n):
    return "".join(r.choice(alphabet) for _ in range(n))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def gen_secret(r, kind):
    if kind == "aws-access-key":
        return "AK" + "IA" + rs(r, UP + "234567", 16)
    if kind == "aws-secret-key":
        return rs(r, B64, 40)
    if kind == "github-token":
        return "gh" + "p_" + rs(r, ALNUM, 36)
    if kind == "slack-token":
        return "xo" + "xb-" + rs(r, string.digits, 12) + "-" + rs(r, string.digits, 13) + "-" + rs(r, ALNUM, 24)
    if kind == "stripe-key":
        return "sk" + "_li" + "ve_" + rs(r, ALNUM, 24)
    if kind == "google-api-key":
        return "AI" + "za" + rs(r, ALNUM + "_-", 35)
    if kind == "jwt":
        head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = b64url(json.dumps({"sub": str(r.randint(1000, 99999)), "name": rs(r, string.ascii_lowercase, 8),
                                  "iat": r.randint(1500000000, 1700000000)}).encode())
        return head + "." + body + "." + b64url(bytes(r.getrandbits(8) for _ in range(32)))
    if kind == "generic-password":
        return rs(r, ALNUM + "!#%*-_", r.randint(20, 32))
    if kind == "generic-api-key":
        return rs(r, ALNUM, r.randint(28, 40))
    raise ValueError(kind)


def private_key_lines(r):
    body = base64.b64encode(bytes(r.getrandbits(8) for _ in range(r.randint(300, 600)))).decode()
    kind = r.choice(["RSA ", "EC ", "OPENSSH ", ""])
    return (["-----BEGIN " + kind + "PRIVATE" + " KEY-----"]
            + [body[i:i + 64] for i in range(0, len(body), 64)]
            + ["-----END " + kind + "PRIVATE" + " KEY-----"])


def public_key_lines(r):
    body = base64.b64encode(bytes(r.getrandbits(8) for _ in range(294))).decode()
    return ["-----BEGIN PUBLIC KEY-----"] + [body[i:i + 64] for i in range(0, len(body), 64)] + ["-----END PUBLIC KEY-----"]


WORDS = ("the quick brown fox jumps over the lazy dog hello world welcome to the service please "
         "log in again later thank you for your order").split()


# ---------------------------------------------------------------- language renderers

LANGS = {
    "py": dict(ext=".py", comment="#"),
    "js": dict(ext=".js", comment="//"),
    "swift": dict(ext=".swift", comment="//"),
    "yaml": dict(ext=".yaml", comment="#"),
    "sh": dict(ext=".sh", comment="#"),
    "env": dict(ext=".env", comment="#"),
}


def snake(name):
    return name.lower()


def camel(name):
    parts = name.lower().split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def assign(lang, name, value, quote=True):
    """One line assigning a string literal `value` to a variable named after NAME."""
    if lang == "py":
        return f'{snake(name)} = "{value}"' if quote else f"{snake(name)} = {value}"
    if lang == "js":
        return f'const {camel(name)} = "{value}";' if quote else f"const {camel(name)} = {value};"
    if lang == "swift":
        return f'let {camel(name)} = "{value}"' if quote else f"let {camel(name)} = {value}"
    if lang == "yaml":
        return f'  {snake(name)}: "{value}"' if quote else f"  {snake(name)}: {value}"
    if lang == "sh":
        return f'export {name}="{value}"' if quote else f"export {name}={value}"
    if lang == "env":
        return f"{name}={value}"
    raise ValueError(lang)


def block(lang, name, lines):
    """A multi-line string literal; returns (lines, offset of the first content line)."""
    if lang == "py":
        return [f'{snake(name)} = """'] + lines + ['"""'], 1
    if lang == "js":
        return [f"const {camel(name)} = `"] + lines + ["`;"], 1
    if lang == "swift":
        return [f'let {camel(name)} = """'] + lines + ['"""'], 1
    if lang == "yaml":
        return [f"  {snake(name)}: |"] + ["    " + l for l in lines], 1
    if lang == "sh":
        return [f"cat > {snake(name)}.pem <<'EOF'"] + lines + ["EOF"], 1
    return None, 0


FILLER = {
    "py": [
        "import json", "import logging", "from pathlib import Path", "",
        "log = logging.getLogger(__name__)", "",
        "def load_config(path):", "    with open(path) as fh:", "        return json.load(fh)", "",
        "class Client:", "    def __init__(self, base_url, timeout=30):", "        self.base_url = base_url",
        "        self.timeout = timeout", "", "    def url(self, *parts):",
        "        return '/'.join([self.base_url.rstrip('/')] + list(parts))", "",
        "def retry(fn, attempts=3):", "    for i in range(attempts):", "        try:", "            return fn()",
        "        except OSError as exc:", "            log.warning('attempt %d failed: %s', i, exc)",
        "    raise RuntimeError('gave up')", "", "MAX_ITEMS = 500", "DEFAULT_REGION = 'eu-west-1'",
        "def chunks(items, size):", "    for i in range(0, len(items), size):", "        yield items[i:i + size]",
    ],
    "js": [
        "'use strict';", "const fs = require('fs');", "const path = require('path');", "",
        "function readJson(file) {", "  return JSON.parse(fs.readFileSync(file, 'utf8'));", "}", "",
        "class Cache {", "  constructor(limit = 100) {", "    this.limit = limit;", "    this.map = new Map();", "  }",
        "  get(key) { return this.map.get(key); }", "  set(key, value) {",
        "    if (this.map.size >= this.limit) this.map.delete(this.map.keys().next().value);",
        "    this.map.set(key, value);", "  }", "}", "",
        "const DEFAULT_TIMEOUT = 3000;", "module.exports = { readJson, Cache, DEFAULT_TIMEOUT };",
        "async function fetchJson(url) {", "  const res = await fetch(url);", "  if (!res.ok) throw new Error(res.statusText);",
        "  return res.json();", "}",
    ],
    "swift": [
        "import Foundation", "", "struct Settings: Codable {", "    var endpoint: URL", "    var retries: Int = 3",
        "    var verbose: Bool = false", "}", "", "enum LoadError: Error {", "    case missing(String)", "}", "",
        "final class Loader {", "    private let decoder = JSONDecoder()", "",
        "    func load(from url: URL) throws -> Settings {", "        let data = try Data(contentsOf: url)",
        "        return try decoder.decode(Settings.self, from: data)", "    }", "}", "",
        "func clamp(_ value: Int, to range: ClosedRange<Int>) -> Int {",
        "    min(max(value, range.lowerBound), range.upperBound)", "}",
    ],
    "yaml": [
        "service:", "  name: billing", "  replicas: 3", "  image: registry.example.com/billing:1.4.2",
        "  port: 8080", "  region: eu-west-1", "  log_level: info", "  features:", "    - invoices",
        "    - refunds", "  timeout_seconds: 30", "  health_path: /healthz", "  owner: payments-team",
    ],
    "sh": [
        "#!/usr/bin/env bash", "set -euo pipefail", "", 'SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"',
        'BUILD_DIR="${SCRIPT_DIR}/build"', "", "log() {", '  echo "[$(date +%H:%M:%S)] $*" >&2', "}", "",
        'mkdir -p "$BUILD_DIR"', 'log "building in $BUILD_DIR"', 'for f in "$SCRIPT_DIR"/src/*.c; do',
        '  cc -O2 -c "$f" -o "$BUILD_DIR/$(basename "$f" .c).o"', "done", 'log "done"',
    ],
    "env": [
        "APP_ENV=production", "PORT=8080", "LOG_LEVEL=info", "DATABASE_HOST=db.internal", "DATABASE_PORT=5432",
        "CACHE_TTL=300", "FEATURE_FLAGS=invoices,refunds", "REGION=eu-west-1", "WORKERS=4",
    ],
}

SECRET_KINDS = ["aws-pair", "github-token", "slack-token", "private-key", "stripe-key", "google-api-key",
                "jwt", "generic-password", "generic-api-key"]
DECOY_KINDS = ["uuid", "checksum-sha256", "git-sha", "placeholder", "env-reference", "base64-words",
               "public-key", "aws-example-key"]

SECRET_NAMES = {
    "aws-access-key": "AWS_ACCESS_KEY_ID", "aws-secret-key": "AWS_SECRET_ACCESS_KEY",
    "github-token": "GITHUB_TOKEN", "slack-token": "SLACK_BOT_TOKEN", "stripe-key": "STRIPE_SECRET_KEY",
    "google-api-key": "GOOGLE_API_KEY", "jwt": "SESSION_TOKEN", "generic-password": "DB_PASSWORD",
    "generic-api-key": "API_KEY",
}


def secret_snippet(r, lang, kind):
    """Returns (lines, [(offset_in_snippet, [offsets of all lines of this secret], kind)])."""
    if kind == "aws-pair":
        a, s = gen_secret(r, "aws-access-key"), gen_secret(r, "aws-secret-key")
        return ([assign(lang, SECRET_NAMES["aws-access-key"], a), assign(lang, SECRET_NAMES["aws-secret-key"], s)],
                [([0], "aws-access-key"), ([1], "aws-secret-key")])
    if kind == "private-key":
        # the literal's opening line belongs to the secret too (detect-secrets reports a YAML block
        # scalar on its key's line); the first line of the key block is the ground-truth line.
        lines, off = block(lang, "SIGNING_KEY", private_key_lines(r))
        return lines, [([off] + list(range(0, len(lines) - (0 if lang == "yaml" else 1))), "private-key")]
    if kind == "generic-password":
        name = r.choice(["DB_PASSWORD", "ADMIN_PASSWORD", "SMTP_PASSWORD", "PASSWORD"])
        return [assign(lang, name, gen_secret(r, kind))], [([0], kind)]
    if kind == "generic-api-key":
        name = r.choice(["API_KEY", "CLIENT_SECRET", "AUTH_TOKEN", "PAYMENT_API_KEY"])
        return [assign(lang, name, gen_secret(r, kind))], [([0], kind)]
    return [assign(lang, SECRET_NAMES[kind], gen_secret(r, kind))], [([0], kind)]


def decoy_snippet(r, lang, kind):
    if kind == "uuid":
        return [assign(lang, r.choice(["REQUEST_ID", "TENANT_ID", "CORRELATION_ID"]), str(uuid.UUID(int=r.getrandbits(128))))]
    if kind == "checksum-sha256":
        return [assign(lang, "CHECKSUM", rs(r, HEX, 64))]
    if kind == "git-sha":
        return [assign(lang, r.choice(["COMMIT", "GIT_SHA", "REVISION"]), rs(r, HEX, 40))]
    if kind == "placeholder":
        name, value = r.choice([("PASSWORD", "changeme"), ("API_TOKEN", "<your-token>"), ("API_KEY", "${TOKEN}"),
                                ("SECRET_KEY", "your-secret-here"), ("DB_PASSWORD", "password")])
        if value == "${TOKEN}" and lang in ("py", "swift", "js"):
            value = "${API_TOKEN}"
        return [assign(lang, name, value)]
    if kind == "env-reference":
        ref = {"py": 'os.environ["API_KEY"]', "js": "process.env.API_KEY",
               "swift": 'ProcessInfo.processInfo.environment["API_KEY"] ?? ""',
               "yaml": "${{ secrets.API_KEY }}", "sh": '"${API_KEY:?missing}"', "env": "${API_KEY}"}[lang]
        return [assign(lang, "API_KEY", ref, quote=False)]
    if kind == "base64-words":
        text = " ".join(r.choice(WORDS) for _ in range(r.randint(4, 8)))
        return [assign(lang, r.choice(["BANNER", "GREETING", "MOTD"]), base64.b64encode(text.encode()).decode())]
    if kind == "public-key":
        if lang == "env" or r.random() < 0.5:
            key = "ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-rsa" + bytes(r.getrandbits(8) for _ in range(270))).decode()
            return [assign(lang, "DEPLOY_PUBLIC_KEY", key + " deploy@ci")]
        lines, _ = block(lang, "PUBLIC_KEY", public_key_lines(r))
        return lines
    if kind == "aws-example-key":
        return [assign(lang, "AWS_ACCESS_KEY_ID", "AK" + "IA" + "IOSFODNN7" + "EXAMPLE")]
    raise ValueError(kind)


def generate(n_files, seed):
    r = random.Random(seed)
    if os.path.exists(CORPUS):
        shutil.rmtree(CORPUS)
    os.makedirs(CORPUS)
    truth, decoys = [], []   # (file, first_line, [lines], kind)
    langs = list(LANGS)
    for i in range(n_files):
        lang = langs[i % len(langs)]
        sub = r.choice(["src", "app", "config", "scripts", "services/api", "services/worker"])
        rel = f"{sub}/{lang}_{i:03d}{LANGS[lang]['ext']}"
        filler = FILLER[lang]
        body = []
        n_secrets = r.choice([0, 0, 1, 1, 1, 2])
        n_decoys = r.choice([0, 1, 1, 2, 3])
        events = [("s", r.choice([k for k in SECRET_KINDS if not (k == "private-key" and lang == "env")]))
                  for _ in range(n_secrets)]
        events += [("d", r.choice(DECOY_KINDS)) for _ in range(n_decoys)]
        r.shuffle(events)
        if lang == "yaml":
            body.append("config:")
        for _ in range(3):
            body.extend(filler[r.randrange(len(filler))] for _ in range(r.randint(6, 18)))
            if lang == "yaml":   # keep the YAML a flat mapping under config:
                body[:] = [l if l.startswith(" ") or l == "config:" else "  " + l for l in body]
            for _ in range(len(events) // 3 + 1):
                if not events:
                    break
                what, kind = events.pop()
                if what == "s":
                    lines, marks = secret_snippet(r, lang, kind)
                    for offs, k in marks:
                        ln = [len(body) + o + 1 for o in offs]
                        truth.append((rel, ln[0], ln, k))
                else:
                    lines = decoy_snippet(r, lang, kind)
                    decoys.append((rel, len(body) + 1, list(range(len(body) + 1, len(body) + len(lines) + 1)), kind))
                body.extend(lines)
        path = os.path.join(CORPUS, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write("\n".join(body) + "\n")
    with open(TRUTH, "w") as fh:
        fh.write("file\tline\tkind\tall_lines\n")
        for f, l, ls, k in truth:
            fh.write(f"{f}\t{l}\t{k}\t{','.join(map(str, ls))}\n")
    with open(DECOYS, "w") as fh:
        fh.write("file\tline\tkind\tall_lines\n")
        for f, l, ls, k in decoys:
            fh.write(f"{f}\t{l}\t{k}\t{','.join(map(str, ls))}\n")
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(CORPUS) for f in fs)
    return truth, decoys, size


# ---------------------------------------------------------------- running and scoring

def run_timed(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=CORPUS, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), p


def parse_devflow(p):
    if p.returncode not in (0, 1):
        sys.exit(f"devflow failed ({p.returncode}): {p.stderr[:2000]}")
    out = {}
    for f in json.loads(p.stdout or "[]"):
        if f.get("rule") in DEVFLOW_SECRET_RULES:
            out.setdefault((f["file"], f["line"]), set()).add(f["rule"])
    return out


def parse_detect_secrets(p):
    if p.returncode != 0:
        sys.exit(f"detect-secrets failed ({p.returncode}): {p.stderr[:2000]}")
    out = {}
    for file, items in json.loads(p.stdout)["results"].items():
        for it in items:
            out.setdefault((os.path.normpath(file), it["line_number"]), set()).add(it["type"])
    return out


def score(reported, truth, decoys):
    owner = {}
    for idx, (f, _, ls, _) in enumerate(truth):
        for l in ls:
            owner[(f, l)] = idx
    decoy_at = {(f, l): k for f, _, ls, k in decoys for l in ls}
    hit = set()
    fp_lines = []
    for key in reported:
        if key in owner:
            hit.add(owner[key])
        else:
            fp_lines.append(key)
    tp_lines = len(reported) - len(fp_lines)
    per_kind = defaultdict(lambda: [0, 0])
    for idx, (_, _, _, k) in enumerate(truth):
        per_kind[k][1] += 1
        per_kind[k][0] += idx in hit
    fp_kinds = Counter(decoy_at.get(k, "other (not a decoy line)") for k in fp_lines)
    missed = sorted(idx for idx in range(len(truth)) if idx not in hit)
    tp, fp, fn = len(hit), len(fp_lines), len(truth) - len(hit)
    return dict(tp=tp, tp_lines=tp_lines, fp=fp, fn=fn,
                precision=tp_lines / (tp_lines + fp) if tp_lines + fp else 1.0,
                recall=tp / len(truth) if truth else 1.0,
                per_kind=per_kind, fp_kinds=fp_kinds, missed=missed, fp_lines=fp_lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--devflow", default=os.path.join(ROOT, ".build/release/devflow"))
    ap.add_argument("--detect-secrets", default=shutil.which("detect-secrets") or "detect-secrets")
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240604)
    a = ap.parse_args()

    truth, decoys, size = generate(a.files, a.seed)
    print(f"corpus: {CORPUS} ({a.files} files, {size} bytes = {size / 1e6:.3f} MB), seed {a.seed}")
    print(f"planted secrets: {len(truth)} ({dict(Counter(k for *_, k in truth))})")
    print(f"planted decoys: {len(decoys)} ({dict(Counter(k for *_, k in decoys))})")
    print(f"ground truth: {TRUTH}; decoys: {DECOYS}\n")

    tools = {
        "security-guardian": ([a.devflow, "agent", "run", "security-guardian", "--with", "scope=all",
                               "--with", "fail_on=low", "--format", "json"], parse_devflow),
        "detect-secrets": ([a.detect_secrets, "scan", "--all-files", "."], parse_detect_secrets),
    }
    times, cpus = defaultdict(list), defaultdict(list)
    results = {}
    for rnd in range(a.rounds):
        for name, (cmd, parse) in tools.items():
            t, cpu, p = run_timed(cmd)
            times[name].append(t)
            cpus[name].append(cpu)
            results[name] = parse(p)   # same corpus each round; the last parse is kept
        print(f"round {rnd + 1}: " + ", ".join(f"{n} {times[n][-1]:.3f}s wall / {cpus[n][-1]:.3f}s cpu" for n in tools))
    print()

    scores = {n: score(results[n], truth, decoys) for n in tools}
    print("| tool | secrets found (TP) | FP lines | FN | precision | recall | min wall s | MB/s | min cpu s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in tools:
        s = scores[n]
        mbs = size / 1e6 / min(times[n])
        print(f"| {n} | {s['tp']}/{len(truth)} | {s['fp']} | {s['fn']} | {s['precision']:.3f} | {s['recall']:.3f} "
              f"| {min(times[n]):.3f} | {mbs:.3f} | {min(cpus[n]):.3f} |")
    print("\n(precision = reported lines on planted secrets / all reported lines; recall = planted secrets "
          "with at least one reported line / planted secrets; a private key block counts once.)\n")

    kinds = sorted({k for *_, k in truth})
    print("recall by kind:\n")
    print("| kind | " + " | ".join(tools) + " |")
    print("|---|" + "---:|" * len(tools))
    for k in kinds:
        print(f"| {k} | " + " | ".join(f"{scores[n]['per_kind'][k][0]}/{scores[n]['per_kind'][k][1]}" for n in tools) + " |")
    print("\nfalse positive lines by decoy kind:\n")
    fk = sorted(set().union(*(scores[n]["fp_kinds"] for n in tools)))
    print("| decoy kind | " + " | ".join(tools) + " |")
    print("|---|" + "---:|" * len(tools))
    for k in fk:
        print(f"| {k} | " + " | ".join(str(scores[n]["fp_kinds"].get(k, 0)) for n in tools) + " |")
    if not fk:
        print("| (none) | " + " | ".join("0" for _ in tools) + " |")

    sg, ds = scores["security-guardian"], scores["detect-secrets"]
    sg_speed = size / min(times["security-guardian"])
    ds_speed = size / min(times["detect-secrets"])
    print("\nratios (security-guardian / detect-secrets):")
    print(f"  recall    {sg['recall']:.3f} vs {ds['recall']:.3f}  -> recall >= : {sg['recall'] >= ds['recall']}")
    print(f"  precision {sg['precision']:.3f} vs {ds['precision']:.3f}  -> precision >= : {sg['precision'] >= ds['precision']}")
    print(f"  speed     {sg_speed / 1e6:.3f} vs {ds_speed / 1e6:.3f} MB/s (x{sg_speed / ds_speed:.2f})  -> speed >= : {sg_speed >= ds_speed}")
    print(f"  cpu time  {min(cpus['security-guardian']):.3f} vs {min(cpus['detect-secrets']):.3f} s (user+sys, whole process tree)")

    sg_missed = {truth[i] [0:2] + (truth[i][3],) for i in sg["missed"]}
    ds_missed = {truth[i][0:2] + (truth[i][3],) for i in ds["missed"]}
    only_ds = sorted(sg_missed - ds_missed)
    print("\nsecrets detect-secrets finds and security-guardian misses: "
          + (f"{len(only_ds)} ({dict(Counter(k for *_, k in only_ds))})" if only_ds else "none"))
    for f, l, k in only_ds[:10]:
        print(f"  {f}:{l} {k}")
    only_sg = sorted(ds_missed - sg_missed)
    print("secrets security-guardian finds and detect-secrets misses: "
          + (f"{len(only_sg)} ({dict(Counter(k for *_, k in only_sg))})" if only_sg else "none"))
    for f, l, k in only_sg[:10]:
        print(f"  {f}:{l} {k}")
    if sg["fp_lines"]:
        print("security-guardian false positive lines (first 10):")
        for f, l in sorted(sg["fp_lines"])[:10]:
            print(f"  {f}:{l} {sorted(results['security-guardian'][(f, l)])}")


if __name__ == "__main__":
    main()
