#!/usr/bin/env python3
"""Extracts the published true- and false-positive samples of gitleaks' rules into a directory.

Usage: python3 bench/gitleaks_samples.py GITLEAKS_GIT_DIR OUT_DIR [--seed N]

gitleaks (github.com/gitleaks/gitleaks) documents every rule in cmd/generate/config/rules/*.go with
`tps` (strings the rule must find) and `fps` (strings it must not). Most samples are built at
generation time: `utils.GenerateSampleSecrets(id, secret)` wraps a secret in ~27 assignment
templates (INI, JSON, XML, YAML, Go, Java, PHP, Python, make…), and `secrets.NewSecret(regex)`
draws a random string matching a regular expression. Go cannot build gitleaks here (no module
proxy), so this script reads the Go sources from the git directory (`git show HEAD:…`), translates
the sample expressions to Python and evaluates them with a seeded generator.

Writes OUT_DIR/<family>/tp-<rule>-<n>.txt and OUT_DIR/<family>/fp-<rule>-<n>.txt (one sample per
file) and OUT_DIR/manifest.tsv (kind, family, gitleaks rule, file). Nothing here is committed: the
samples are third-party test data, extracted at bench time into a temporary directory.
"""
import base64
import os
import random
import re
import warnings
warnings.filterwarnings("ignore", category=DeprecationWarning)
import sre_constants  # noqa: E402
import sre_parse  # noqa: E402
import subprocess
import sys

# gitleaks rule file -> our family (the security-guardian rule that must find its samples).
FAMILIES = {
    "aws": "aws", "github": "github", "gitlab": "gitlab", "slack": "slack", "stripe": "stripe",
    "jwt": "jwt", "privatekey": "private-key", "gcp": "google-api-key", "generic": "generic",
    "npm": "npm", "pypi": "pypi", "openai": "openai", "anthropic": "anthropic", "twilio": "twilio",
    "sendgrid": "sendgrid",
}
# gitleaks rules outside the families above (not secrets of these providers, or path rules).
SKIP_RULES = {"AmazonBedrockAPIKeyLongLived", "AmazonBedrockAPIKeyShortLived", "GCPServiceAccount",
              "PrivateKeyPKCS12File"}

R = random.Random(0)

# ------------------------------------------------------------------ regex -> random string

CATEGORY = {
    sre_constants.CATEGORY_DIGIT: "0123456789",
    sre_constants.CATEGORY_WORD: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    sre_constants.CATEGORY_SPACE: " ",
}


def gen(parsed):
    out = []
    for op, av in parsed:
        if op == sre_constants.LITERAL:
            out.append(chr(av))
        elif op == sre_constants.IN:
            chars = []
            for cop, cav in av:
                if cop == sre_constants.LITERAL:
                    chars.append(chr(cav))
                elif cop == sre_constants.RANGE:
                    chars.extend(chr(c) for c in range(cav[0], cav[1] + 1))
                elif cop == sre_constants.CATEGORY:
                    chars.extend(CATEGORY[cav])
            out.append(R.choice(chars))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            lo, hi, sub = av
            if hi == sre_constants.MAXREPEAT:
                hi = lo + 10
            out.extend(gen(sub) for _ in range(R.randint(lo, hi)))
        elif op == sre_constants.SUBPATTERN:
            out.append(gen(av[-1]))
        elif op == sre_constants.BRANCH:
            out.append(gen(R.choice(av[1])))
        elif op == sre_constants.ANY:
            out.append(R.choice("abcdefghijklmnopqrstuvwxyz0123456789"))
        elif op == sre_constants.CATEGORY:
            out.append(R.choice(CATEGORY[av]))
    return "".join(out)


def NewSecret(pattern):
    # gitleaks' generator draws case-insensitively from (?i) classes; keep the pattern as written.
    return gen(sre_parse.parse(pattern.replace("(?i)", "")))


def AlphaNumeric(n): return "[a-z0-9]{%s}" % n
def AlphaNumericExtendedShort(n): return "[a-z0-9_-]{%s}" % n
def AlphaNumericExtended(n): return "[a-z0-9=_\\-]{%s}" % n
def AlphaNumericExtendedLong(n): return "[a-z0-9\\/=_\\+\\-]{%s}" % n
def Numeric(n): return "[0-9]{%s}" % n
def Hex(n): return "[a-f0-9]{%s}" % n
def Hex8_4_4_4_12(): return "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


TEMPLATES = [
    '{i}Token="{s}"', '{i}Token = "{s}"', '{i}Token={s}', '{i}Token = {s}',
    '{\n    "{i}_token": "{s}"\n}', '{"config.ini": "{I}_TOKEN={s}\\nBACKUP_ENABLED=true"}',
    '<{i}Token>\n    {s}\n</{i}Token>', '{i}_token: {s}', "{i}_token: '{s}'", '{i}_token: "{s}"',
    'string {i}Token = "{s}";', 'var {i}Token string = "{s}"', '{i}Token := "{s}"', '{i}Token := `{s}`',
    'String {i}Token = "{s}";', 'var {i}Token = "{s}"', '${i}Token .= "{s}"', "{i}Token = '{s}'",
    '{i}Token = "{s}"', 'System.setProperty("{I}_TOKEN", "{s}")', '  "{i}Token" => "{s}"',
    '{i}_TOKEN = "{s}"', '{i}_TOKEN := "{s}"', '{i}_TOKEN ::= "{s}"', '{i}_TOKEN :::= "{s}"',
    '{i}_TOKEN ?= "{s}"',
]


def GenerateSampleSecrets(identifier, secret):
    return [t.replace("{i}", identifier).replace("{I}", identifier.upper()).replace("{s}", secret)
            for t in TEMPLATES]


def GenerateSampleSecret(identifier, secret):
    return '%s_api_token = "%s"' % (identifier, secret)


def newPlausibleSecret(pattern):
    while True:
        s = NewSecret(pattern)
        if re.search("[1-9]", s):
            return s


def Sprintf(fmt, *args):
    return fmt.replace("%s", "{}").format(*args)


def APPEND(base, *items):
    return list(base) + list(items)


def generateTestValues():
    """jwt-base64's samples: base64 of JWTs with one header parameter each (as in jwt.go)."""
    suffix = (".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
              "fQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    headers = {"alg": ['"HS256"', '"RS256"', '"ES256"', '"none"', '"PS512"'], "typ": ['"JWT"'],
               "kid": ['"my_key_id"'], "cty": ['"json"'], "enc": ['"A256GCM"']}
    out = []
    for key, values in headers.items():
        for value in values:
            head = base64.urlsafe_b64encode(('{"%s":%s}' % (key, value)).encode()).rstrip(b"=").decode()
            jwt = (head + suffix).encode()
            out += [base64.b64encode(jwt).decode(), base64.b64encode(jwt).decode().rstrip("="),
                    base64.urlsafe_b64encode(jwt).decode(), base64.urlsafe_b64encode(jwt).decode().rstrip("=")]
    return out


# ------------------------------------------------------------------ Go -> Python translation

TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|`[^`]*`|"(?:\\.|[^"\\])*"|\.\.\.|[A-Za-z_][\w.]*|\d+|\s+|.', re.S)
NAMES = {"utils.GenerateSampleSecrets": "GenerateSampleSecrets", "utils.GenerateSampleSecret": "GenerateSampleSecret",
         "secrets.NewSecret": "NewSecret", "fmt.Sprintf": "Sprintf", "append": "APPEND"}


def translate(expr):
    """A Go expression (strings, +, calls, []string{…}, append(…, x...)) as Python source."""
    out = []
    for tok in TOKEN.findall(expr):
        if tok.startswith("//") or tok.startswith("/*"):
            continue
        if tok.startswith("`"):
            out.append(repr(tok[1:-1]))
        elif tok.startswith('"'):
            out.append(tok)
        elif tok == "...":
            # `append(a, b...)`: spread the last argument.
            depth, k = 0, len(out) - 1
            while k >= 0:
                if out[k] in (")", "]"):
                    depth += 1
                elif out[k] in ("(", "["):
                    if depth == 0:
                        break
                    depth -= 1
                elif out[k] == "," and depth == 0:
                    break
                k -= 1
            out.insert(k + 1, "*")
        elif tok.startswith("utils."):
            out.append(NAMES.get(tok, tok[len("utils."):]))
        elif tok in NAMES:
            out.append(NAMES[tok])
        elif tok == "{" and out and out[-1] == "__LIST__":
            out[-1] = "["
        elif tok == "}":
            out.append("]")
        elif tok == "[" :
            out.append("__BRACK__")
        elif tok == "]" and out and out[-1] == "__BRACK__":
            out.pop()
            out.append("__EMPTYBR__")
        elif tok == "string" and out and out[-1] == "__EMPTYBR__":
            out[-1] = "__LIST__"
        else:
            out.append(tok)
    return "".join("[" if t == "__BRACK__" else "]" if t == "__EMPTYBR__" else t for t in out)


def statements(body):
    """Top-level `tps …`/`fps …` statements of a function body."""
    toks = TOKEN.findall(body)
    stmts, cur, depth = [], [], 0
    for tok in toks:
        if tok in "([{" and len(tok) == 1:
            depth += 1
        elif tok in ")]}" and len(tok) == 1:
            depth -= 1
        if depth == 0 and "\n" in tok and not tok.startswith(("`", '"')):
            stmts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(tok)
    stmts.append("".join(cur).strip())
    return [s for s in stmts if re.match(r"(tps|fps)\s*(:?=)", s)]


def functions(source):
    for m in re.finditer(r"^func (\w+)\(\) \*config\.Rule \{\n(.*?)^\}$", source, re.S | re.M):
        yield m.group(1), m.group(2)


def main():
    git_dir, out_dir = sys.argv[1], sys.argv[2]
    if "--seed" in sys.argv:
        R.seed(int(sys.argv[sys.argv.index("--seed") + 1]))
    manifest = []
    failures = []
    for name, family in FAMILIES.items():
        source = subprocess.run(["git", "--git-dir", git_dir, "show", f"HEAD:cmd/generate/config/rules/{name}.go"],
                                check=True, capture_output=True, text=True).stdout
        for func, body in functions(source):
            if func in SKIP_RULES:
                continue
            rule_id = re.search(r'RuleID:\s*"([^"]+)"', body).group(1)
            env = {"tps": [], "fps": []}
            for stmt in statements(body):
                var, _, expr = re.match(r"(tps|fps)\s*(:?=)\s*(.*)", stmt, re.S).groups()
                try:
                    value = eval(translate(expr), globals(), env)
                except Exception as error:  # noqa: BLE001 - report and go on
                    failures.append(f"{rule_id}: {stmt[:80]!r}: {error}")
                    continue
                env[var] = list(value) if isinstance(value, (list, tuple)) else [value]
            for kind in ("tps", "fps"):
                for n, sample in enumerate(env[kind]):
                    folder = os.path.join(out_dir, family)
                    os.makedirs(folder, exist_ok=True)
                    path = os.path.join(folder, f"{kind[:2]}-{rule_id}-{n:03d}.txt")
                    with open(path, "w") as f:
                        f.write(sample + "\n")
                    manifest.append((kind[:2], family, rule_id, os.path.relpath(path, out_dir)))
    with open(os.path.join(out_dir, "manifest.tsv"), "w") as f:
        for row in manifest:
            f.write("\t".join(row) + "\n")
    for failure in failures:
        print("could not evaluate:", failure, file=sys.stderr)
    tp = sum(1 for r in manifest if r[0] == "tp")
    print(f"{tp} true-positive and {len(manifest) - tp} false-positive samples in "
          f"{len({r[1] for r in manifest})} families -> {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
