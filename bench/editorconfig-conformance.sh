#!/usr/bin/env bash
# EditorConfig conformance: runs the official editorconfig-core-test suite through `devflow editorconfig`.
#
# Usage: bash bench/editorconfig-conformance.sh CORE_TEST_DIR [DEVFLOW]
#
# CORE_TEST_DIR is a checkout of https://github.com/editorconfig/editorconfig-core-test that you obtain
# yourself (it is not committed here and this script never downloads it), for example
#     git clone https://github.com/editorconfig/editorconfig-core-test /tmp/editorconfig-core-test
# DEVFLOW defaults to .build/release/devflow (build it with `swift build -c release --product devflow`).
#
# The suite is a set of CTest cases. Instead of CMake this script reads each folder's CMakeLists.txt with a
# small interpreter (set, if/else/endif as on Linux, variable expansion, CMake string escapes), turns every
# new_ec_test, new_ec_test_version, new_ec_test_full_ec_file_path, new_ec_test_multiline and new_ec_cli_test
# into a run of `devflow editorconfig` with the same arguments as the reference `editorconfig` command
# (-f NAME, -b VERSION, paths), and checks the output against the case's PASS_REGULAR_EXPRESSION the way CTest
# does (multiline cases sort the output lines first, as the suite's cmake/ec_sort.cmake does). It prints the
# pass and fail counts per folder, each failing case with its output, and a total line; it exits 1 when a case
# fails.
set -euo pipefail
if [ $# -lt 1 ] || [ ! -f "$1/CMakeLists.txt" ]; then
    echo "usage: bash bench/editorconfig-conformance.sh CORE_TEST_DIR [DEVFLOW]" >&2
    echo "CORE_TEST_DIR must be a checkout of editorconfig-core-test (with its CMakeLists.txt)" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
suite=$(cd "$1" && pwd)
devflow=${2:-$root/.build/release/devflow}
if [ ! -x "$devflow" ]; then
    echo "no devflow executable at $devflow: build it with 'swift build -c release --product devflow'" >&2
    exit 2
fi
exec python3 - "$suite" "$devflow" <<'PY'
import os
import re
import subprocess
import sys

SUITE, DEVFLOW = sys.argv[1], sys.argv[2]
FOLDERS = ["meta", "glob", "properties", "parser", "filetree", "cli"]
ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "0": "\0"}


def tokenize(text):
    """CMake commands as (name, [(argument, quoted)]), with comments dropped and parentheses nested."""
    commands, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        match = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\s*\(").match(text, i)
        if not match:
            i += 1
            continue
        name = match.group(0).split("(")[0].strip().lower()
        i, depth, args = match.end(), 0, []
        while i < n:
            c = text[i]
            if c in " \t\r\n":
                i += 1
            elif c == "#":
                i = text.find("\n", i)
            elif c == "(":
                depth += 1
                args.append(("(", False))
                i += 1
            elif c == ")":
                if depth == 0:
                    i += 1
                    break
                depth -= 1
                args.append((")", False))
                i += 1
            elif c == '"':
                j, value = i + 1, []
                while text[j] != '"':
                    if text[j] == "\\":
                        value.append(text[j:j + 2])
                        j += 2
                    else:
                        value.append(text[j])
                        j += 1
                args.append(("".join(value), True))
                i = j + 1
            else:
                j = i
                while j < n and text[j] not in ' \t\r\n()"#':
                    j += 2 if text[j] == "\\" else 1
                args.append((text[i:j], False))
                i = j
        commands.append((name, args))
    return commands


def evaluate(raw, variables):
    """A CMake argument after variable expansion and escape sequences."""
    raw = re.sub(r"\$\{([A-Za-z0-9_]+)\}", lambda m: variables.get(m.group(1), ""), raw)
    out, i = [], 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            out.append(ESCAPES.get(nxt, "\\;" if nxt == ";" else nxt))
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def condition(args):
    words = [a for a, _ in args]
    expression = " ".join({"NOT": "not", "AND": "and", "OR": "or", "(": "(", ")": ")"}.get(w, repr(False)
                          if w in ("WIN32", "CYGWIN", "MSVC", "APPLE") else repr(bool(w))) for w in words)
    return eval(expression)


def cmake_regex(pattern):
    """A CMake regular expression as Python's: backslashes are literal inside brackets, $ ends the text."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if in_class:
            if c == "\\":
                out.append("\\\\")
            elif c == "]" and not (out[-1] in ("[", "[^")):
                in_class = False
                out.append(c)
            elif c == "[":
                out.append("\\[")
            else:
                out.append(c)
        elif c == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 1
        elif c == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "^":
                out.append("[^")
                i += 1
            else:
                out.append("[")
        elif c == "$":
            out.append(r"\Z")
        else:
            out.append(c)
        i += 1
    return re.compile("".join(out), re.DOTALL)


def cases(folder):
    directory = os.path.join(SUITE, folder)
    with open(os.path.join(directory, "CMakeLists.txt"), encoding="utf-8") as handle:
        commands = tokenize(handle.read())
    variables = {"CMAKE_CURRENT_SOURCE_DIR": directory, "CMAKE_CURRENT_LIST_DIR": directory}
    active = [True]
    for name, raw in commands:
        if name == "if":
            active.append(active[-1] and condition(raw))
            continue
        if name == "else":
            active[-1] = not active[-1] and active[-2]
            continue
        if name == "endif":
            active.pop()
            continue
        if not active[-1]:
            continue
        args = [evaluate(a, variables) for a, _ in raw]
        if name == "set":
            variables[args[0]] = args[1] if len(args) > 1 else ""
        elif name in ("new_ec_test", "new_ec_test_multiline", "new_ec_test_full_ec_file_path"):
            test, ec_file, source, regex = args[:4]
            path = source if name == "new_ec_test_full_ec_file_path" else f"{directory}/{source}"
            yield test, ["-f", ec_file, path], regex, name == "new_ec_test_multiline"
        elif name == "new_ec_test_version":
            test, ec_file, source, regex, version = args[:5]
            yield test, ["-b", version, "-f", ec_file, f"{directory}/{source}"], regex, False
        elif name == "new_ec_cli_test":
            keyword, fields = None, {"NAME": [], "MATCH": [], "ARGS": []}
            for arg in args:
                if arg in fields:
                    keyword = arg
                else:
                    fields[keyword].append(arg)
            yield fields["NAME"][0], fields["ARGS"], fields["MATCH"][0], False


def run(arguments, multiline):
    process = subprocess.run([DEVFLOW, "editorconfig", *arguments], capture_output=True, timeout=60)
    stdout = process.stdout.decode("utf-8", "replace")
    if not multiline:
        return stdout + process.stderr.decode("utf-8", "replace")
    if process.returncode != 0:
        return "(exit %d) %s" % (process.returncode, process.stderr.decode("utf-8", "replace"))
    # cmake/runandsort.cmake: one list element per line (a final newline gives an empty one), sorted.
    lines = sorted(re.sub(r"\r|\n|\r\n", "\n", stdout).split("\n"))
    text = "\n".join(lines)
    return re.sub(r"(\r\n|\r|\n)$", "", text) + "\n"


total_pass = total_fail = 0
for folder in FOLDERS:
    passed, failed = 0, []
    for test, arguments, regex, multiline in cases(folder):
        output = run(arguments, multiline)
        pattern = cmake_regex("^[\r\n]*" + regex + "$" if multiline else regex)
        if pattern.search(output):
            passed += 1
        else:
            failed.append((test, arguments, regex, output))
    total_pass += passed
    total_fail += len(failed)
    print(f"{folder:<12} {passed:>4} passed {len(failed):>4} failed")
    for test, arguments, regex, output in failed:
        print(f"  FAIL {test}: devflow editorconfig {' '.join(arguments)}")
        print(f"       expected /{regex}/, got {output!r}")
print(f"{total_pass} passed, {total_fail} failed")
sys.exit(1 if total_fail else 0)
PY
