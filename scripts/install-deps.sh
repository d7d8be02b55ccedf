#!/usr/bin/env bash
# Installs what DevFlow needs beyond the Swift toolchain: libyaml (the YAML front end), libgit2 (git facts),
# shellcheck (the shellcheck rule), Debian's Chromium and its driver (the dashboard's browser tests; nothing downloads
# a browser), PostgreSQL 15 (the shared store's tests start a private cluster of it: scripts/postgres.sh; the
# machine's own cluster is stopped) and iproute2 (the multi-host tests' network namespaces), and the PyPI tools the test suite uses (selenium drives that Chromium). Safe to run again.
#
# `--demo`: only what scripts/demo.sh needs (the libraries, shellcheck, git, curl, openssl), no browser, no PostgreSQL,
# nothing from PyPI: a newcomer's first command should not wait for the test suite's tools.
set -euo pipefail

packages=(libyaml-dev libsqlite3-dev libgit2-dev shellcheck git curl openssl)
demo=false
if [[ ${1:-} == --demo ]]; then demo=true; else packages+=(chromium chromium-driver postgresql-15 iproute2); fi

missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    # Installing postgresql-15 starts the machine's cluster on port 5432; DevFlow's tests never use it.
    if [[ " ${missing[*]} " == *" postgresql-15 "* ]]; then $sudo service postgresql stop >/dev/null 2>&1 || true; fi
fi

$demo && exit 0
python3 -m pip install --quiet --disable-pip-version-check "check-jsonschema==0.39.0" "jsonschema>=4.20" \
    "openapi-spec-validator==0.9.0" "schemathesis==4.32.5" "selenium==4.51.0" \
    "pygls==2.1.1" "lsprotocol==2025.0.0" 2>&1 | grep -v "Running pip as the 'root' user" || true
