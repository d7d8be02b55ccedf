#!/usr/bin/env bash
# Installs what DevFlow needs beyond the Swift toolchain: libyaml (the YAML front end), libgit2 (git facts),
# shellcheck (the shellcheck rule), Debian's Chromium and its driver (the dashboard's browser tests; nothing downloads
# a browser), and the PyPI tools the test suite uses (selenium drives that Chromium). Safe to run again.
set -euo pipefail

missing=()
for package in libyaml-dev libsqlite3-dev libgit2-dev shellcheck git curl openssl chromium chromium-driver; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check "check-jsonschema==0.39.0" "jsonschema>=4.20" \
    "openapi-spec-validator==0.9.0" "schemathesis==4.32.5" "selenium==4.51.0" 2>&1 | grep -v "Running pip as the 'root' user" || true
