#!/usr/bin/env python3
"""Convert a GitHub Actions workflow corpus into the equivalent DevFlow corpus.

Usage:
  gha_to_devflow.py IN_DIR OUT_DIR

Reads every `*.yml` / `*.yaml` under IN_DIR (made by
/work/shared/bench/gen_gha_corpus.py, or any workflow using the same subset of
GitHub Actions) and writes `<name>.devflow.yml` per input into OUT_DIR, so that
lint throughput can be compared on equal work. The output is byte-identical for
the same input (no clock, no hash ordering).

The translation flattens jobs into steps:
  - every GHA step with a `run:` script becomes one DevFlow step with the same
    script, named `<job>_<step>` (unique across the file); `uses:` steps have no
    script and no DevFlow equivalent, and are dropped (a note is printed);
  - within a job each step needs the previous one; a job's first step needs the
    last step of each job in the job's `needs:` (so fan-in is kept and every
    step of an upstream job is an ancestor);
  - job `env:` is merged under each step's `env:`; `${{ env.X }}` of a job-level
    variable is inlined (DevFlow has no job level);
  - job `if:` goes on the job's first step; step `if:` is kept;
  - expressions are translated: `github.event_name` -> `event.kind` (with
    `'workflow_dispatch'` -> `'manual'`), `github.ref` -> `git.ref`, ...,
    `fromJSON` -> `from_json` (and the other camel-case functions),
    `needs.J.outputs.O` -> `steps.<producer>.outputs.<name>` resolved through
    the job's `outputs:`, `steps.S.*` -> `steps.<job>_S.*`, `inputs.X` stays
    (a manual input), and every referenced output is declared with `outputs:`
    on the producing step (`||` and `&&` have the same value semantics in
    both languages, so `inputs.level || 'low'` carries over unchanged);
  - `strategy.matrix` -> `matrix:` on each step of the job (include/exclude kept);
  - `timeout-minutes: N` -> `timeout: Nm` on each step, `continue-on-error` ->
    `continue_on_error`, `$GITHUB_OUTPUT` -> `$DEVFLOW_OUTPUT`;
  - `on.workflow_dispatch.inputs` -> `on.manual.inputs`, `cancel-in-progress`
    -> `cancel_in_progress`; `permissions`, `runs-on` and `fail-fast` have no
    DevFlow equivalent and are dropped.

Anything outside that subset stops the conversion of the file with an error
naming the construct. A summary (files, run scripts, bytes in and out) goes to
stderr; the exit code is 1 if any file failed.
"""
import os
import re
import sys

import yaml


class Unsupported(Exception):
    pass


# --------------------------------------------------------------------------
# Reading: keep each scalar's text and whether it was quoted.

class Scalar(str):
    """A YAML scalar's text, remembering whether it was written quoted."""
    quoted = False

    @staticmethod
    def of(text, quoted=False):
        s = Scalar(text)
        s.quoted = quoted
        return s


def to_py(node):
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k, v in node.value:
            out[str(k.value)] = to_py(v)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [to_py(v) for v in node.value]
    if node.style is None and node.value in ("", "~", "null", "Null", "NULL"):
        return None
    return Scalar.of(node.value, quoted=node.style in ("'", '"'))


def load(path):
    with open(path, "rb") as f:
        return to_py(yaml.compose(f.read().decode("utf-8")))


# --------------------------------------------------------------------------
# Expressions.

TOKEN = re.compile(
    r"(?P<ws>\s+)|(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_-]*)|(?P<op>==|!=|<=|>=|&&|\|\||[<>!().\[\],*])"
)
FUNCTIONS = {
    "contains": "contains", "startswith": "starts_with", "endswith": "ends_with",
    "format": "format", "join": "join", "tojson": "to_json", "fromjson": "from_json",
    "hashfiles": "hash_files", "success": "success", "failure": "failure",
    "always": "always", "cancelled": "cancelled",
}
GITHUB = {
    ("event_name",): "event.kind",
    ("ref",): "git.ref",
    ("ref_name",): "git.branch",
    ("sha",): "git.sha",
    ("repository",): "git.repository",
    ("workspace",): "git.workspace",
    ("workflow",): "run.pipeline",
    ("run_id",): "run.id",
    ("run_number",): "run.number",
    ("run_attempt",): "run.attempt",
    ("head_ref",): "event.pull_request.head_branch",
    ("base_ref",): "event.pull_request.base_branch",
    ("event", "pull_request", "title"): "event.pull_request.title",
    ("event", "pull_request", "body"): "event.pull_request.body",
    ("event", "pull_request", "number"): "event.pull_request.number",
    ("event", "pull_request", "draft"): "event.pull_request.draft",
    ("event", "pull_request", "head", "ref"): "event.pull_request.head_branch",
    ("event", "pull_request", "base", "ref"): "event.pull_request.base_branch",
    ("event", "pull_request", "user", "login"): "event.pull_request.author",
    ("event", "head_commit", "message"): "git.message",
    ("event", "before"): "event.push.before",
    ("event", "after"): "event.push.after",
    ("event", "forced"): "event.push.forced",
    ("event", "schedule"): "event.schedule.cron",
}
EVENT_KINDS = {"push": "push", "pull_request": "pull_request", "schedule": "schedule",
               "workflow_dispatch": "manual"}
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def prop(name):
    return "." + name if IDENT.match(name) else "['" + name.replace("'", "''") + "']"


def step_ref(step_id, rest):
    return "steps" + prop(step_id) + "".join(prop(p) for p in rest)


class ExprContext:
    """What a translated expression can see: its job, the workflow's jobs, the
    job-level env to inline, and where to record referenced outputs."""

    def __init__(self, conv, job_id, job_env):
        self.conv = conv
        self.job_id = job_id
        self.job_env = job_env or {}


def lex(expr):
    toks, i = [], 0
    while i < len(expr):
        m = TOKEN.match(expr, i)
        if not m:
            raise Unsupported(f"cannot read expression {expr!r} at {expr[i:]!r}")
        toks.append((m.lastgroup, m.group(0)))
        i = m.end()
    return toks


def translate_expr(expr, ctx):
    """Translate the inside of one `${{ }}`."""
    toks = lex(expr)
    out = []
    i = 0
    sig = [k for k, (kind, _) in enumerate(toks) if kind != "ws"]

    def next_sig(k):
        for j in sig:
            if j > k:
                return j
        return None

    while i < len(toks):
        kind, text = toks[i]
        prev = next((toks[j] for j in reversed(range(i)) if toks[j][0] != "ws"), None)
        if kind == "ident" and not (prev and prev[1] == "."):
            j = next_sig(i)
            if j is not None and toks[j][1] == "(":
                fn = FUNCTIONS.get(text.lower())
                if fn is None:
                    raise Unsupported(f"function {text!r} has no DevFlow equivalent")
                out.append(fn)
                i += 1
                continue
            if text in ("true", "false", "null"):
                out.append(text)
                i += 1
                continue
            # a property chain: ident (.ident | ['str'])*
            chain, k = [text], i + 1
            while k < len(toks):
                if toks[k][1] == "." and k + 1 < len(toks) and toks[k + 1][0] == "ident":
                    chain.append(toks[k + 1][1])
                    k += 2
                elif (toks[k][1] == "[" and k + 2 < len(toks) and toks[k + 1][0] == "str"
                      and toks[k + 2][1] == "]"):
                    chain.append(toks[k + 1][1][1:-1].replace("''", "'"))
                    k += 3
                else:
                    break
            out.append(translate_chain(chain, ctx))
            i = k
            continue
        out.append(text)
        i += 1
    # `event.kind == 'workflow_dispatch'` -> `event.kind == 'manual'`
    sig_out = [k for k, t in enumerate(out) if not t.isspace()]
    for n, k in enumerate(sig_out):
        if out[k] in ("==", "!=") and 0 < n < len(sig_out) - 1:
            left, right = sig_out[n - 1], sig_out[n + 1]
            for a, b in ((left, right), (right, left)):
                if out[a] == "event.kind" and out[b].startswith("'"):
                    lit = out[b][1:-1]
                    out[b] = "'" + EVENT_KINDS.get(lit, lit) + "'"
    return "".join(out)


def translate_chain(chain, ctx):
    root, rest = chain[0], chain[1:]
    conv = ctx.conv
    if root == "github":
        key = tuple(rest)
        if key not in GITHUB:
            raise Unsupported(f"github.{'.'.join(rest)} has no DevFlow equivalent")
        return GITHUB[key]
    if root == "inputs" and len(rest) == 1:
        conv.used_inputs.add(rest[0])
        return "inputs" + prop(rest[0])
    if root == "matrix" and len(rest) == 1:
        return "matrix" + prop(rest[0])
    if root == "secrets" and len(rest) == 1:
        conv.secrets.add(rest[0])
        return "secrets" + prop(rest[0])
    if root == "env" and len(rest) == 1:
        name = rest[0]
        if name in ctx.job_env:
            value = ctx.job_env[name]
            m = re.fullmatch(r"\s*\$\{\{(.*)\}\}\s*", value, re.S)
            if m:
                inner = translate_expr(m.group(1).strip(), ctx)
                return inner if SIMPLE.match(inner) else "(" + inner + ")"
            if "${{" in value:
                raise Unsupported(f"job env {name} mixes text and expressions")
            return "'" + str(value).replace("'", "''") + "'"
        return "env" + prop(name)
    if root == "steps" and len(rest) >= 2:
        sid = conv.step_id(ctx.job_id, rest[0])
        if rest[1] == "outputs" and len(rest) == 3:
            conv.declare_output(sid, rest[2])
            return step_ref(sid, ["outputs", rest[2]])
        if rest[1] in ("outcome", "conclusion") and len(rest) == 2:
            return step_ref(sid, [rest[1]])
    if root == "needs" and len(rest) >= 2:
        job = rest[0]
        if job not in conv.jobs:
            raise Unsupported(f"needs.{job}: no such job")
        if rest[1] == "outputs" and len(rest) == 3:
            producer, name = conv.job_output(job, rest[2])
            conv.declare_output(producer, name)
            return step_ref(producer, ["outputs", name])
        if rest[1] == "result" and len(rest) == 2:
            exits = conv.exits(job)
            if len(exits) != 1:
                raise Unsupported(f"needs.{job}.result: job has no single last step")
            return step_ref(exits[0], ["conclusion"])
    raise Unsupported(f"{'.'.join(chain)} has no DevFlow equivalent")


EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
SIMPLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\['(?:[^']|'')*'\])*$|^'(?:[^']|'')*'$")


def translate_text(text, ctx):
    """Translate every `${{ }}` in a string, keeping the text around them."""
    if text is None:
        return None
    quoted = getattr(text, "quoted", False)
    out = EXPR.sub(lambda m: "${{ " + translate_expr(m.group(1).strip(), ctx) + " }}", str(text))
    return Scalar.of(out, quoted)


def translate_if(cond, ctx):
    if cond is None:
        return None
    text = str(cond)
    if "${{" not in text:
        text = "${{ " + text + " }}"
    return translate_text(Scalar.of(text), ctx)


# --------------------------------------------------------------------------
# Conversion.

class Converter:
    def __init__(self, wf, path):
        self.wf = wf
        self.path = path
        self.jobs = wf.get("jobs") or {}
        if not isinstance(self.jobs, dict) or not self.jobs:
            raise Unsupported("no jobs")
        self.secrets = set()
        self.used_inputs = set()
        self.outputs = {}          # step id -> set of declared outputs
        self.dropped = 0
        self.run_steps = {}        # job -> [gha step id]
        for job_id, job in self.jobs.items():
            ids = []
            for n, st in enumerate(job.get("steps") or []):
                if "run" in st:
                    ids.append(self.gha_step_id(job_id, n, st))
                elif "uses" in st:
                    self.dropped += 1
                else:
                    raise Unsupported(f"{job_id}: step {n} has neither run nor uses")
            self.run_steps[job_id] = ids

    def gha_step_id(self, job_id, n, st):
        sid = st.get("id")
        if sid is None:
            sid = f"step{n}"
        return str(sid)

    def step_id(self, job_id, gha_id):
        if gha_id not in self.run_steps.get(job_id, []):
            raise Unsupported(f"{job_id}: steps.{gha_id} is not a run step of the job")
        sid = f"{job_id}_{gha_id}"
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$", sid):
            raise Unsupported(f"step id {sid!r} is not a valid DevFlow id")
        return sid

    def declare_output(self, sid, name):
        self.outputs.setdefault(sid, set()).add(name)

    def job_output(self, job, name):
        outs = self.jobs[job].get("outputs") or {}
        if name not in outs:
            raise Unsupported(f"needs.{job}.outputs.{name}: job declares no such output")
        m = re.fullmatch(r"\s*\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\s*\}\}\s*", outs[name])
        if not m:
            raise Unsupported(f"job output {job}.{name} is not a plain step output")
        return self.step_id(job, m.group(1)), m.group(2)

    def job_needs(self, job):
        n = self.jobs[job].get("needs")
        if n is None:
            return []
        return [str(n)] if isinstance(n, str) else [str(x) for x in n]

    def exits(self, job, seen=()):
        """The step ids a dependent of `job` must need: its last run step, or,
        for a job without run steps, the exits of the jobs it needs."""
        if self.run_steps[job]:
            return [self.step_id(job, self.run_steps[job][-1])]
        if job in seen:
            raise Unsupported(f"needs cycle through {job}")
        out = []
        for j in self.job_needs(job):
            for e in self.exits(j, seen + (job,)):
                if e not in out:
                    out.append(e)
        return out

    def convert(self):
        wf = self.wf
        doc = {"version": Scalar.of("1"), "name": wf.get("name") or os.path.splitext(os.path.basename(self.path))[0]}
        doc["on"] = self.convert_on(wf.get("on", wf.get("true")))
        top_ctx = ExprContext(self, None, {})
        if wf.get("concurrency") is not None:
            c = wf["concurrency"]
            if isinstance(c, str):
                c = {"group": c}
            conc = {"group": translate_text(c["group"], top_ctx)}
            if "cancel-in-progress" in c:
                conc["cancel_in_progress"] = Scalar.of(str(c["cancel-in-progress"]))
            doc["concurrency"] = conc
        if wf.get("env"):
            doc["env"] = {k: translate_text(v, top_ctx) for k, v in wf["env"].items()}
        for key in wf:
            if key not in ("name", "on", "true", "permissions", "concurrency", "env", "jobs", "run-name"):
                raise Unsupported(f"workflow key {key!r} has no DevFlow equivalent")

        steps = {}
        for job_id, job in self.jobs.items():
            for key in job:
                if key not in ("name", "needs", "strategy", "runs-on", "timeout-minutes", "permissions",
                               "if", "env", "outputs", "steps", "continue-on-error"):
                    raise Unsupported(f"{job_id}: job key {key!r} has no DevFlow equivalent")
            job_env = job.get("env") or {}
            ctx = ExprContext(self, job_id, job_env)
            matrix = self.convert_matrix(job_id, job.get("strategy"))
            timeout = job.get("timeout-minutes")
            first_needs = []
            for j in self.job_needs(job_id):
                if j not in self.jobs:
                    raise Unsupported(f"{job_id}: needs unknown job {j!r}")
                for e in self.exits(j):
                    if e not in first_needs:
                        first_needs.append(e)
            gha_steps = [st for st in (job.get("steps") or []) if "run" in st]
            prev = None
            for n, st in enumerate(gha_steps):
                for key in st:
                    if key not in ("id", "name", "env", "if", "shell", "run", "continue-on-error",
                                   "working-directory", "timeout-minutes"):
                        raise Unsupported(f"{job_id}: step key {key!r} has no DevFlow equivalent")
                sid = self.step_id(job_id, self.run_steps[job_id][n])
                out = {}
                if st.get("name") is not None:
                    out["name"] = translate_text(st["name"], ctx)
                needs = [prev] if prev else first_needs
                if needs:
                    out["needs"] = needs
                conds = []
                if n == 0 and job.get("if") is not None:
                    conds.append(translate_if(job["if"], ctx))
                if st.get("if") is not None:
                    conds.append(translate_if(st["if"], ctx))
                if len(conds) == 1:
                    out["if"] = conds[0]
                elif conds:
                    inner = " && ".join("(" + EXPR.fullmatch(c.strip()).group(1).strip() + ")" for c in conds)
                    out["if"] = Scalar.of("${{ " + inner + " }}")
                if matrix is not None:
                    out["matrix"] = matrix
                t = st.get("timeout-minutes", timeout)
                if t is not None:
                    out["timeout"] = Scalar.of(f"{int(t)}m")
                coe = st.get("continue-on-error", job.get("continue-on-error"))
                if coe is not None:
                    if str(coe) not in ("true", "false"):
                        raise Unsupported(f"{sid}: continue-on-error expression")
                    out["continue_on_error"] = Scalar.of(str(coe))
                env = {}
                for k, v in job_env.items():
                    env[k] = translate_text(v, ctx)
                for k, v in (st.get("env") or {}).items():
                    env[k] = translate_text(v, ctx)
                if env:
                    out["env"] = env
                out["outputs"] = None            # filled in once every reference is known
                if st.get("working-directory") is not None:
                    out["working_directory"] = st["working-directory"]
                if st.get("shell") is not None:
                    out["shell"] = st["shell"]
                script = translate_text(st["run"], ctx)
                for var in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"):
                    if var in script:
                        raise Unsupported(f"{sid}: ${var} has no DevFlow equivalent")
                out["run"] = Scalar.of(script.replace("GITHUB_OUTPUT", "DEVFLOW_OUTPUT"))
                steps[sid] = out
                prev = sid
        # job outputs that nothing reads still name outputs their producers publish
        for job_id, job in self.jobs.items():
            for name in (job.get("outputs") or {}):
                producer, out_name = self.job_output(job_id, name)
                self.declare_output(producer, out_name)
        for sid, out in steps.items():
            if sid in self.outputs:
                out["outputs"] = sorted(self.outputs[sid])
            else:
                del out["outputs"]
        if self.secrets:
            doc["secrets"] = sorted(self.secrets)
        unknown = self.used_inputs - set(((doc["on"] or {}).get("manual") or {}).get("inputs") or {})
        if unknown:
            raise Unsupported(f"inputs {sorted(unknown)} are not workflow_dispatch inputs")
        doc["steps"] = steps
        order = ["version", "name", "on", "concurrency", "env", "secrets", "steps"]
        return {k: doc[k] for k in order if k in doc}

    def convert_on(self, on):
        if on is None:
            raise Unsupported("no triggers")
        if isinstance(on, str):
            on = {on: None}
        elif isinstance(on, list):
            on = {str(x): None for x in on}
        out = {}
        for trig, spec in on.items():
            if trig == "push":
                out["push"] = self.filters(spec, {"branches": "branches", "branches-ignore": "branches_ignore",
                                                  "tags": "tags", "paths": "paths", "paths-ignore": None})
            elif trig == "pull_request":
                out["pull_request"] = self.filters(spec, {"branches": "branches", "paths": "paths",
                                                          "types": "types", "paths-ignore": None})
            elif trig == "schedule":
                out["schedule"] = [{"cron": Scalar.of(str(s["cron"]), True)} for s in spec]
            elif trig == "workflow_dispatch":
                inputs = {}
                for name, spec_i in ((spec or {}).get("inputs") or {}).items():
                    i = {}
                    for k in ("type", "description", "required", "default", "options"):
                        if k in spec_i:
                            i[k] = spec_i[k]
                    i.setdefault("type", Scalar.of("string"))
                    if i["type"] == "environment":
                        i["type"] = Scalar.of("string")
                    inputs[name] = {k: i[k] for k in ("description", "type", "required", "options", "default") if k in i}
                out["manual"] = {"inputs": inputs} if inputs else None
            else:
                raise Unsupported(f"trigger {trig!r} has no DevFlow equivalent")
        return out

    def filters(self, spec, keys):
        if spec is None:
            return None
        out = {}
        for k, v in spec.items():
            if k not in keys:
                raise Unsupported(f"trigger filter {k!r} has no DevFlow equivalent")
            if keys[k] is None:                      # paths-ignore -> excluded paths
                out.setdefault("paths", []).extend(Scalar.of("!" + str(p), True) for p in v)
            else:
                out.setdefault(keys[k], []).extend(v)
        if out.get("paths") and all(str(p).startswith("!") for p in out["paths"]):
            out["paths"].insert(0, Scalar.of("**", True))   # paths-ignore alone: every other path
        return out

    def convert_matrix(self, job_id, strategy):
        if not strategy:
            return None
        for key in strategy:
            if key not in ("matrix", "fail-fast", "max-parallel"):
                raise Unsupported(f"{job_id}: strategy.{key}")
        m = strategy.get("matrix")
        if not isinstance(m, dict):
            raise Unsupported(f"{job_id}: matrix from an expression")
        out = {}
        for k, v in m.items():
            if k in ("include", "exclude"):
                out[k] = [dict(e) for e in v]
            elif isinstance(v, list):
                out[k] = list(v)
            else:
                raise Unsupported(f"{job_id}: matrix dimension {k} is not a list")
        return out


# --------------------------------------------------------------------------
# Writing: block style like the input, plain scalars where YAML reads them back
# as the same string, single quotes otherwise.

PLAIN_FLOW_SAFE = re.compile(r"^[A-Za-z0-9_./@+-][A-Za-z0-9_./@+ -]*$")


def plain_ok(s, flow=False):
    if s == "" or s != s.strip() or "\n" in s:
        return False
    if flow and not PLAIN_FLOW_SAFE.match(s):
        return False
    try:
        back = yaml.safe_load("k: " + s)
    except yaml.YAMLError:
        return False
    return isinstance(back, dict) and back.get("k") == s and isinstance(back.get("k"), str)


def scalar(v, flow=False, typed=False):
    """`typed`: the key expects a number or boolean, so emit the text plain."""
    if v is None:
        return "null"
    s = str(v)
    if typed and re.fullmatch(r"true|false|-?\d+(\.\d+)?", s) and not getattr(v, "quoted", False):
        return s
    if not getattr(v, "quoted", False) and plain_ok(s, flow):
        return s
    if not getattr(v, "quoted", False) and re.fullmatch(r"-?\d+(\.\d+)?|true|false", s):
        return s                                   # a number or boolean written plain stays plain
    if "\n" in s or any(ord(c) < 32 for c in s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return "'" + s.replace("'", "''") + "'"


TYPED_KEYS = {"version", "cancel_in_progress", "continue_on_error", "required", "default"}


def emit(doc):
    lines = []

    def flow_list(items):
        return "[" + ", ".join(scalar(x, flow=True, typed=True) for x in items) + "]"

    def simple_list(v):
        return isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v)

    def block(key, v, ind):
        pad = "  " * ind
        if isinstance(v, dict):
            if not v:
                lines.append(f"{pad}{key}: {{}}")
                return
            lines.append(f"{pad}{key}:")
            for k, x in v.items():
                block(k, x, ind + 1)
        elif simple_list(v):
            lines.append(f"{pad}{key}: {flow_list(v)}")
        elif isinstance(v, list):
            lines.append(f"{pad}{key}:")
            for item in v:
                if isinstance(item, dict):
                    first = True
                    for k, x in item.items():
                        lead = pad + "  - " if first else pad + "    "
                        if isinstance(x, (dict, list)) and not simple_list(x):
                            raise Unsupported("nested collection in a list item")
                        val = flow_list(x) if isinstance(x, list) else scalar(x, typed=True)
                        lines.append(f"{lead}{k}: {val}")
                        first = False
                else:
                    lines.append(f"{pad}  - {scalar(item, typed=True)}")
        elif key == "run" and "\n" in str(v):
            s = str(v)
            chomp = "" if s.endswith("\n") and not s.endswith("\n\n") else ("-" if not s.endswith("\n") else "+")
            indicator = "2" if s[:1] in (" ", "\t") else ""
            lines.append(f"{pad}{key}: |{indicator}{chomp}")
            for ln in s[:-1].split("\n") if s.endswith("\n") else s.split("\n"):
                lines.append(f"{pad}  {ln}" if ln else "")
        else:
            lines.append(f"{pad}{key}: {scalar(v, typed=key in TYPED_KEYS)}")

    for k, v in doc.items():
        block(k, v, 0)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------

def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 2
    in_dir, out_dir = argv[1], argv[2]
    names = sorted(f for f in os.listdir(in_dir) if f.endswith((".yml", ".yaml")))
    os.makedirs(out_dir, exist_ok=True)
    failed = 0
    stats = {"files": 0, "runs_in": 0, "runs_out": 0, "bytes_in": 0, "bytes_out": 0, "dropped": 0}
    for name in names:
        src = os.path.join(in_dir, name)
        try:
            wf = load(src)
            conv = Converter(wf, src)
            text = emit(conv.convert())
        except (Unsupported, yaml.YAMLError, KeyError, TypeError, ValueError) as ex:
            sys.stderr.write(f"{src}: {ex}\n")
            failed += 1
            continue
        base = re.sub(r"\.ya?ml$", "", name)
        with open(os.path.join(out_dir, base + ".devflow.yml"), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        stats["files"] += 1
        stats["runs_in"] += sum(1 for j in conv.jobs.values() for s in (j.get("steps") or []) if "run" in s)
        stats["runs_out"] += text.count("\n    run: ")
        stats["bytes_in"] += os.path.getsize(src)
        stats["bytes_out"] += len(text.encode())
        stats["dropped"] += conv.dropped
    ratio = stats["bytes_out"] / stats["bytes_in"] if stats["bytes_in"] else 0.0
    sys.stderr.write(
        f"converted {stats['files']}/{len(names)} files: run scripts {stats['runs_in']} -> {stats['runs_out']}, "
        f"bytes {stats['bytes_in']} -> {stats['bytes_out']} ({ratio:.2f}x), "
        f"{stats['dropped']} uses: steps dropped\n")
    if stats["runs_in"] != stats["runs_out"] or not 0.7 <= ratio <= 1.3:
        sys.stderr.write("warning: the DevFlow corpus is not equivalent work (run scripts differ or bytes off by more than 30%)\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
