#!/usr/bin/env python3
"""Writes the labelled secrets corpus: every secret family, planted in realistic files.

Usage: python3 bench/secrets_corpus.py OUT_DIR [--seed N]

For each family (AWS, GitHub, GitLab, Slack, Stripe, JWT, private keys, Google, npm, PyPI, OpenAI,
Anthropic, Twilio, SendGrid, generic assignments) it writes 24 true-positive files (a secret of the
family's documented format assigned in one of 20 file types: Python, JavaScript, TypeScript, Go,
Java, PHP, Ruby, C#, Kotlin, Swift, shell, Dockerfile, Makefile, YAML, JSON, .env, INI, TOML, XML,
Terraform) and 12 false-positive files (documentation placeholders, references to secrets, names of
secrets, values of the right shape that are not secrets), each between lines of ordinary code.
Every file holds exactly one labelled line; OUT_DIR/labels.tsv lists kind (tp/fp), family, file and
line. The corpus is generated from a fixed seed, so it is the same on every run; values are built at
run time, so no secret-shaped string is written in this script.
"""
import base64
import json
import os
import random
import string
import sys
import zlib

ALNUM = string.ascii_letters + string.digits
LOWER = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
BASE32 = string.ascii_uppercase + "234567"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def rs(r, alphabet, n):
    return "".join(r.choice(alphabet) for _ in range(n))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def github_classic(r, prefix):
    """A token with GitHub's checksum: base62 CRC32 of the 30 random characters, padded to 6."""
    random_part = rs(r, ALNUM, 30)
    n = zlib.crc32(random_part.encode())
    digits = ""
    while True:
        digits = BASE62[n % 62] + digits
        n //= 62
        if n == 0:
            break
    return prefix + random_part + digits.rjust(6, "0")


def jwt(r, alg="HS256"):
    head = b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps({"sub": str(r.randint(1000, 99999)), "name": rs(r, string.ascii_lowercase, 8),
                              "iat": r.randint(1500000000, 1700000000)}, separators=(",", ":")).encode())
    sig = "" if alg == "none" else b64url(bytes(r.getrandbits(8) for _ in range(32)))
    return head + "." + body + "." + sig


# family -> list of (variable name, value generator); prefixes are split so no token shape appears here.
TP = {
    "aws": [
        ("AWS_ACCESS_KEY_ID", lambda r: r.choice(["AK" + "IA", "AS" + "IA", "AB" + "IA", "AC" + "CA", "AG" + "PA",
                                                   "AI" + "DA", "AR" + "OA", "AP" + "KA", "AN" + "PA"]) + rs(r, BASE32, 16)),
        ("AWS_SECRET_ACCESS_KEY", lambda r: rs(r, B64, 40)),
    ],
    "github": [
        ("GITHUB_TOKEN", lambda r: github_classic(r, r.choice(["gh" + "p_", "gh" + "o_", "gh" + "s_", "gh" + "u_", "gh" + "r_"]))),
        ("GH_TOKEN", lambda r: "gh" + "p_" + rs(r, ALNUM, 36)),
        ("GITHUB_PAT", lambda r: "github" + "_pat_" + rs(r, ALNUM, 22) + "_" + rs(r, ALNUM, 59)),
    ],
    "gitlab": [
        ("GITLAB_TOKEN", lambda r: "gl" + "pat-" + rs(r, ALNUM + "_-", 20)),
        ("CI_TRIGGER", lambda r: "gl" + "ptt-" + rs(r, HEX, 40)),
        ("RUNNER_TOKEN", lambda r: "gl" + "rt-" + rs(r, ALNUM, 20)),
        ("DEPLOY_TOKEN", lambda r: "gl" + "dt-" + rs(r, ALNUM, 20)),
        ("FEED_TOKEN", lambda r: "gl" + "ft-" + rs(r, ALNUM, 20)),
        ("OAUTH_SECRET", lambda r: "gl" + "oas-" + rs(r, ALNUM, 64)),
        ("JOB_TOKEN", lambda r: "gl" + "cbt-" + rs(r, ALNUM, 4) + "_" + rs(r, ALNUM, 20)),
        ("REGISTRATION", lambda r: "GR13" + "48941" + rs(r, ALNUM, 20)),
    ],
    "slack": [
        ("SLACK_BOT_TOKEN", lambda r: "xo" + "xb-" + rs(r, string.digits, 12) + "-" + rs(r, string.digits, 13) + "-" + rs(r, ALNUM, 24)),
        ("SLACK_USER_TOKEN", lambda r: "xo" + "xp-" + "-".join(rs(r, string.digits, 12) for _ in range(3)) + "-" + rs(r, HEX, 32)),
        ("SLACK_APP_TOKEN", lambda r: "xa" + "pp-1-A" + rs(r, BASE32, 10) + "-" + rs(r, string.digits, 13) + "-" + rs(r, HEX, 64)),
        ("SLACK_WEBHOOK", lambda r: "https://hooks.slack" + ".com/services/T" + rs(r, BASE32, 8) + "/B" + rs(r, BASE32, 8) + "/" + rs(r, ALNUM, 24)),
        ("SLACK_WORKFLOW", lambda r: "https://hooks.slack" + ".com/workflows/T" + rs(r, BASE32, 10) + "/A" + rs(r, BASE32, 10) + "/" + rs(r, string.digits, 18) + "/" + rs(r, ALNUM, 24)),
    ],
    "stripe": [
        ("STRIPE_SECRET_KEY", lambda r: r.choice(["sk" + "_live_", "sk" + "_test_", "rk" + "_live_", "rk" + "_test_"]) + rs(r, ALNUM, 24)),
        ("STRIPE_WEBHOOK_SECRET", lambda r: "wh" + "sec_" + rs(r, ALNUM, 32)),
    ],
    "jwt": [
        ("ID_TOKEN", lambda r: jwt(r)),
        ("SESSION", lambda r: jwt(r, "RS256")),
        ("TEST_JWT", lambda r: jwt(r, "none")),
    ],
    "private-key": [("PRIVATE_KEY", None)],
    "google-api-key": [("GOOGLE_API_KEY", lambda r: "AI" + "za" + rs(r, ALNUM + "_-", 35))],
    "npm": [("NPM_TOKEN", lambda r: "np" + "m_" + rs(r, ALNUM, 36))],
    "pypi": [("TWINE_PASSWORD", lambda r: "py" + "pi-AgEIcHlwaS5vcmc" + rs(r, B64URL, r.randint(60, 160)))],
    "openai": [("OPENAI_API_KEY", lambda r: r.choice(["sk" + "-", "sk" + "-proj-"]) + rs(r, ALNUM, 20) + "T3Blbk" + "FJ" + rs(r, ALNUM, 20))],
    "anthropic": [("ANTHROPIC_API_KEY", lambda r: "sk" + "-ant-" + r.choice(["api03", "admin01"]) + "-" + rs(r, B64URL, 93) + "AA")],
    "twilio": [("TWILIO_API_KEY", lambda r: "S" + "K" + rs(r, HEX, 32))],
    "sendgrid": [("SENDGRID_API_KEY", lambda r: "S" + "G." + rs(r, B64URL, 22) + "." + rs(r, B64URL, 43))],
    "generic": [
        ("DB_PASSWORD", lambda r: rs(r, ALNUM + "!#%*-_", r.randint(18, 30))),
        ("API_KEY", lambda r: rs(r, ALNUM, r.randint(28, 40))),
        ("CLIENT_SECRET", lambda r: rs(r, HEX, 40)),
        ("SERVICE_CREDENTIALS", lambda r: rs(r, B64, 32)),
        ("AUTH_TOKEN", lambda r: rs(r, ALNUM, 32)),
        ("SMTP_PASSWD", lambda r: rs(r, ALNUM + "@#", 20)),
    ],
}

FP = {
    "aws": ["AK" + "IAIOSFODNN7EXAMPLE", "AK" + "IAXXXXXXXXXXXXXXXX", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "${AWS_ACCESS_KEY_ID}", "$(AWS_SECRET_ACCESS_KEY)", "<your-access-key-id>", "AK" + "IA1234",
            "ACCA" + "GTTCAAGGTCCAGTAC", "arn:aws:iam::123456789012:role/deploy", "us-east-1",
            "os.environ['AWS_SECRET_ACCESS_KEY']", "changeme"],
    "github": ["gh" + "p_" + "x" * 36, "gh" + "p_" + "X" * 36, "${{ secrets.GITHUB_TOKEN }}", "<your-github-token>",
               "gh" + "p_" + "aaaaaaaaaabbbbbbbbbbccccccccccdddddd", "github" + "_pat_" + "x" * 82, "$GITHUB_TOKEN",
               "gh" + "p_TOKEN", "gh" + "s_" + "0" * 36, "secrets.GH_TOKEN", "gh" + "p_" + "#" * 36, "ghp_your_token_here"],
    "gitlab": ["gl" + "pat-" + "X" * 20, "gl" + "pat-xxxxxxxxxxxxxxxxxxxx", "$CI_JOB_TOKEN", "${GITLAB_TOKEN}",
               "gl" + "ptt-" + "0" * 40, "GR13" + "48941" + "X" * 20, "GR13" + "48941" + "12312312312312312312",
               "<gitlab-token>", "gl" + "rt-REPLACE_ME", "gl" + "pat-short", "gl" + "dt-" + "x" * 20, "changeme"],
    "slack": ["xo" + "xb-your-token-here", "xo" + "xb-" + "x" * 10 + "-" + "x" * 12, "xo" + "xp-1234567890",
              "xo" + "xp-" + "X" * 10 + "-" + "X" * 10 + "-" + "X" * 11 + "-" + "X" * 32,
              "https://hooks.slack" + ".com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX",
              "https://api.slack.com/messaging/webhooks", "${SLACK_BOT_TOKEN}", "xa" + "pp-1-RANDOMSTRINGHERE",
              "xo" + "xe.xoxp-1-RANDOMSTRINGHERE", "<slack-token>", "xo" + "xb-" + "#" * 24, "secrets.SLACK_TOKEN"],
    "stripe": ["sk" + "_live_" + "x" * 24, "sk" + "_test_" + "X" * 24, "pk" + "_live_" + "PUBLISHABLEKEYVALUE1", "${STRIPE_KEY}",
               "<stripe-secret-key>", "sk" + "_test_", "wh" + "sec_" + "x" * 32, "process.env.STRIPE_SECRET_KEY",
               "rk" + "_live_" + "#" * 24, "sk" + "_live_short", "changeme", "sk" + "_test_your_key_here_123"],
    "jwt": ["eyJhbGciOi", "eyJ.eyJ.sig", "${ID_TOKEN}", "<jwt>", "header.payload.signature", "eyJ" + "x" * 20,
            "Bearer $TOKEN", "jwt.decode(token)", "eyJhbGciOiJIUzI1NiJ9", "secrets.JWT", "changeme", "ey.ey."],
    "private-key": ["-----BEGIN PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----", "${PRIVATE_KEY}",
                    "-----BEGIN RSA PRIVATE KEY----------END RSA PRIVATE KEY-----", "/etc/ssl/private/server.key",
                    "<private-key>", "-----BEGIN PRIVATE KEY-----\\nanything here\\n-----END PRIVATE KEY-----",
                    "ssh-rsa AAAAB3NzaC1yc2E user@host", "PRIVATE_KEY_PATH", "changeme", "secrets.PRIVATE_KEY",
                    "-----BEGIN ENCRYPTED PRIVATE KEY-----\\n-----END ENCRYPTED PRIVATE KEY-----"],
    "google-api-key": ["AI" + "za" + "a" * 35, "AI" + "zaSyabcdefghijklmnopqrstuvwxyz1234567", "AI" + "za" + "X" * 35,
                       "${GOOGLE_API_KEY}", "<google-api-key>", "AI" + "zaShort", "AIZA" + "SY" + "A" * 33,
                       "process.env.GOOGLE_API_KEY", "secrets.GOOGLE_KEY", "changeme", "AI" + "za" + "#" * 35, "AI" + "za_your_key"],
    "npm": ["np" + "m_" + "x" * 36, "${NPM_TOKEN}", "<npm-token>", "np" + "m_" + "X" * 36, "np" + "m_install",
            "$NPM_TOKEN", "np" + "m_" + "0" * 36, "secrets.NPM_TOKEN", "changeme", "np" + "m_short_value",
            "process.env.NPM_TOKEN", "np" + "m_" + "#" * 36],
    "pypi": ["py" + "pi-AgEIcHlwaS5vcmc", "${PYPI_TOKEN}", "<pypi-token>", "py" + "pi-AgEIcHlwaS5vcmc" + "x" * 60,
             "$PYPI_API_TOKEN", "secrets.PYPI_API_TOKEN", "__token__", "changeme", "py" + "pi-" + "X" * 60,
             "py" + "pi-AgEIcHlwaS5vcmc" + "#" * 60, "os.environ['TWINE_PASSWORD']", "pypi-your-token-here"],
    "openai": ["sk" + "-" + "x" * 20 + "T3Blbk" + "FJ" + "x" * 20, "${OPENAI_API_KEY}", "<openai-api-key>",
               "sk" + "-proj-your-key-here", "os.environ['OPENAI_API_KEY']", "sk" + "-" + "X" * 48, "secrets.OPENAI_API_KEY",
               "changeme", "T3Blbk" + "FJ", "sk" + "-...", "process.env.OPENAI_API_KEY", "sk" + "-" + "#" * 48],
    "anthropic": ["sk" + "-ant-api03-" + "x" * 93 + "AA", "${ANTHROPIC_API_KEY}", "<anthropic-api-key>",
                  "sk" + "-ant-api03-your-key-here", "os.environ['ANTHROPIC_API_KEY']", "sk" + "-ant-" + "X" * 40,
                  "secrets.ANTHROPIC_API_KEY", "changeme", "sk" + "-ant-api03-...", "process.env.ANTHROPIC_API_KEY",
                  "sk" + "-ant-api03-" + "#" * 95, "sk" + "-ant-admin01-" + "x" * 93 + "AA"],
    "twilio": ["S" + "K" + "x" * 32, "S" + "K" + "X" * 32, "${TWILIO_API_KEY}", "<twilio-api-key>", "S" + "K" + "0" * 32,
               "secrets.TWILIO_KEY", "changeme", "S" + "Kxxxx", "os.environ['TWILIO_API_KEY']", "TA" + "SK" + "0" * 32,
               "process.env.TWILIO_API_KEY", "S" + "K" + "#" * 32],
    "sendgrid": ["S" + "G." + "x" * 22 + "." + "x" * 43, "${SENDGRID_API_KEY}", "<sendgrid-api-key>", "S" + "G.your-key-here",
                 "S" + "G." + "X" * 66, "secrets.SENDGRID_API_KEY", "changeme", "S" + "G.Utils", "os.environ['SENDGRID_API_KEY']",
                 "process.env.SENDGRID_API_KEY", "S" + "G." + "#" * 66, "S" + "G...."],
    "generic": ["changeme", "xxxxxxxxxxxxxxxxxxxx", "XXXXXXXXXXXXXXXXXXXXXXXX", "####################",
                "RANDOMSTRINGHERE", "<your-token>", "${DB_PASSWORD}", "${{ secrets.DEPLOY_TOKEN }}",
                "X25519.secret_length", "os.environ[\"SECRET\"]", "secrets.FOO", "NEXUS-GPT4-API-KEY",
                "123e4567-e89b-12d3-a456-426614174000",
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
}
FP_NAMES = {"generic": ["DB_PASSWORD", "API_TOKEN", "CLIENT_SECRET", "AUTH_TOKEN", "SECRET_KEY", "CREDENTIALS"]}

FILLER = {
    "py": ["import os", "import logging", "", "log = logging.getLogger(__name__)", "", "def handler(event):",
           "    return {\"status\": 200, \"items\": len(event)}"],
    "js": ["'use strict';", "const express = require('express');", "const app = express();",
           "app.get('/health', (req, res) => res.json({ ok: true }));"],
    "ts": ["import { Injectable } from '@angular/core';", "", "@Injectable({ providedIn: 'root' })",
           "export class ConfigService {", "  readonly timeoutMs = 3000;", "}"],
    "go": ["package config", "", "import \"time\"", "", "const Timeout = 30 * time.Second"],
    "java": ["package com.example.config;", "", "public final class Settings {", "    static final int PORT = 8080;", "}"],
    "php": ["<?php", "namespace App\\Config;", "", "$timeout = 30;", "$retries = 3;"],
    "rb": ["require 'json'", "", "module Settings", "  TIMEOUT = 30", "end"],
    "cs": ["using System;", "", "namespace App.Config", "{", "    public static class Settings { public const int Port = 8080; }", "}"],
    "kt": ["package com.example", "", "object Settings {", "    const val PORT = 8080", "}"],
    "swift": ["import Foundation", "", "enum Settings {", "    static let port = 8080", "}"],
    "sh": ["#!/usr/bin/env bash", "set -euo pipefail", "cd \"$(dirname \"$0\")\""],
    "dockerfile": ["FROM python:3.12-slim", "WORKDIR /app", "COPY . ."],
    "makefile": [".PHONY: build test", "", "build:", "\tgo build ./..."],
    "yaml": ["version: 2", "services:", "  web:", "    image: nginx:1.27", "    ports: [\"8080:80\"]"],
    "json": [],
    "env": ["APP_ENV=production", "LOG_LEVEL=info", "PORT=8080"],
    "ini": ["[server]", "port = 8080", "workers = 4", "", "[credentials]"],
    "toml": ["[package]", "name = \"service\"", "version = \"1.4.2\"", "", "[secrets]"],
    "xml": ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<configuration>", "  <appSettings>"],
    "tf": ["provider \"aws\" {", "  region = \"us-east-1\"", "}", ""],
}
EXT = {"py": ".py", "js": ".js", "ts": ".ts", "go": ".go", "java": ".java", "php": ".php", "rb": ".rb", "cs": ".cs",
       "kt": ".kt", "swift": ".swift", "sh": ".sh", "dockerfile": "/Dockerfile", "makefile": "/Makefile", "yaml": ".yaml",
       "json": ".json", "env": ".env", "ini": ".ini", "toml": ".toml", "xml": ".xml", "tf": ".tf"}


def camel(name):
    parts = name.lower().split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def line_for(lang, name, value, r):
    """The labelled line: `value` assigned to `name` in the syntax of `lang`."""
    c = camel(name)
    forms = {
        "py": [f'{name.lower()} = "{value}"', f"{name} = '{value}'", f'os.environ.setdefault("{name}", "{value}")'],
        "js": [f'const {c} = "{value}";', f"process.env.{name} = '{value}';", f'  {c}: "{value}",'],
        "ts": [f"  private readonly {c}: string = '{value}';", f'export const {name} = "{value}";'],
        "go": [f'var {c} string = "{value}"', f'{c} := "{value}"', f"{c} := `{value}`"],
        "java": [f'    private static final String {name} = "{value}";', f'System.setProperty("{name.lower().replace("_", ".")}", "{value}");'],
        "php": [f"${c} = '{value}';", f'${c} .= "{value}";', f"define('{name}', '{value}');"],
        "rb": [f"  {name} = '{value}'", f'ENV["{name}"] ||= "{value}"'],
        "cs": [f'    private const string {c.title()} = "{value}";'],
        "kt": [f'    val {c} = "{value}"', f'    const val {name}: String = "{value}"'],
        "swift": [f'    static let {c} = "{value}"', f'let {c}: String = "{value}"'],
        "sh": [f'export {name}="{value}"', f"{name}={value} ./deploy.sh"],
        "dockerfile": [f"ENV {name}={value}", f"ARG {name}={value}"],
        "makefile": [f"{name} ::= {value}", f"{name} ?= {value}", f"{name} := {value}"],
        "yaml": [f"    {name.lower()}: {value}", f'    {name.lower()}: "{value}"'],
        "json": [f'  "{c}": "{value}",'],
        "env": [f"{name}={value}", f'{name}="{value}"'],
        "ini": [f"{name.lower()} = {value}"],
        "toml": [f'{name.lower()} = "{value}"'],
        "xml": [f"    <add key=\"{c}\" value=\"{value}\" />", f"    <{c}>{value}</{c}>", f'    <entry name="{c}" value="{value}"/>'],
        "tf": [f'  {name.lower()} = "{value}"'],
    }
    return r.choice(forms[lang])


def private_key_block(r):
    body = base64.b64encode(bytes(r.getrandbits(8) for _ in range(r.randint(300, 600)))).decode()
    kind = r.choice(["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "])
    return (["-----BEGIN " + kind + "PRIVATE" + " KEY-----"] + [body[i:i + 64] for i in range(0, len(body), 64)]
            + ["-----END " + kind + "PRIVATE" + " KEY-----"])


def write(out_dir, rel, lines):
    path = os.path.join(out_dir, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    out_dir = sys.argv[1]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 7
    r = random.Random(seed)
    langs = list(FILLER)
    labels = []
    for family in TP:
        for n in range(24):
            lang = langs[(n * 7 + len(family)) % len(langs)]
            before = FILLER[lang][: r.randint(1, max(1, len(FILLER[lang])))]
            name, gen = TP[family][n % len(TP[family])]
            if family == "private-key":
                block = private_key_block(r)
                if lang in ("json", "yaml", "env", "py", "js"):
                    lang = "pem"
                    body = block
                else:
                    body = block
                lines = (FILLER.get(lang, [])[:2] if lang != "pem" else []) + body
                label_line = lines.index(body[0]) + 1
                rel = f"{family}/tp-{n:02d}-{lang}{'.pem' if lang == 'pem' else EXT[lang].replace('/', '-')}"
            else:
                value = gen(r)
                if lang == "json":
                    lines = ["{", '  "name": "service",', line_for(lang, name, value, r), '  "port": 8080', "}"]
                    label_line = 3
                else:
                    lines = before + [line_for(lang, name, value, r)] + FILLER[lang][len(before):]
                    label_line = len(before) + 1
                rel = f"{family}/tp-{n:02d}{EXT[lang] if not EXT[lang].startswith('/') else '-' + lang + EXT[lang]}"
            write(out_dir, rel, lines)
            labels.append(("tp", family, rel, label_line))
        for n, value in enumerate(FP[family]):
            lang = langs[(n * 3 + len(family) + 3) % len(langs)]
            name = FP_NAMES.get(family, [TP[family][0][0]])[n % len(FP_NAMES.get(family, [TP[family][0][0]]))]
            before = FILLER[lang][: r.randint(1, max(1, len(FILLER[lang])))]
            if "\\n" in value and family == "private-key":
                body = value.split("\\n")
                lines = before + body
                label_line = len(before) + 1
                rel = f"{family}/fp-{n:02d}.pem"
            elif lang == "json":
                lines = ["{", line_for(lang, name, value, r), '  "port": 8080', "}"]
                label_line = 2
                rel = f"{family}/fp-{n:02d}.json"
            else:
                lines = before + [line_for(lang, name, value, r)] + FILLER[lang][len(before):]
                label_line = len(before) + 1
                rel = f"{family}/fp-{n:02d}{EXT[lang] if not EXT[lang].startswith('/') else '-' + lang + EXT[lang]}"
            write(out_dir, rel, lines)
            labels.append(("fp", family, rel, label_line))
    with open(os.path.join(out_dir, "labels.tsv"), "w") as f:
        for row in labels:
            f.write("\t".join(map(str, row)) + "\n")
    tp = sum(1 for row in labels if row[0] == "tp")
    print(f"{tp} true-positive and {len(labels) - tp} false-positive files in {len(TP)} families -> {out_dir}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
