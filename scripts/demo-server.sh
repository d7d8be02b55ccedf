#!/usr/bin/env bash
# The server part of the demo: `devflow serve` on loopback with a local repository; a commit is pushed, the
# repository's post-receive hook sends a signed GitHub push webhook, the server runs the pipeline at that commit,
# and the run is shown. Usage: scripts/demo-server.sh PATH/TO/devflow
set -euo pipefail
devflow=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d /tmp/devflow-demo-server.XXXXXX)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DEMO_HOOK_SECRET="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
git init -q --bare -b main "$work/origin.git"
git clone -q "$work/origin.git" "$work/app" 2>/dev/null
git -C "$work/app" config user.name "Ada Lovelace"
git -C "$work/app" config user.email ada@example.com

# The forge: a post-receive hook that sends GitHub's push webhook, signed with the repository's secret.
cat > "$work/origin.git/hooks/post-receive" <<HOOK
#!/usr/bin/env bash
while read -r before after ref; do
    body=\$(printf '{"ref":"%s","before":"%s","after":"%s","created":false,"deleted":false,"repository":{"full_name":"acme/demo","name":"demo","clone_url":"file://$work/origin.git"},"pusher":{"name":"ada"},"head_commit":{"id":"%s","timestamp":"2026-12-01T12:00:00Z","message":"demo"}}' "\$ref" "\$before" "\$after" "\$after")
    signature=\$(printf '%s' "\$body" | openssl dgst -sha256 -hmac "\$DEMO_HOOK_SECRET" | sed 's/^.*= //')
    curl -s -X POST "http://127.0.0.1:$port/hooks/github" -H "Content-Type: application/json" \
        -H "X-GitHub-Event: push" -H "X-GitHub-Delivery: demo-\$after" -H "X-Hub-Signature-256: sha256=\$signature" \
        --data-binary "\$body"
    echo
done
HOOK
chmod +x "$work/origin.git/hooks/post-receive"

cat > "$work/devflow-server.yml" <<YAML
listen: 127.0.0.1:$port
data: $work/server
db: $work/server/devflow.sqlite
workers: 2
repositories:
  - name: acme/demo
    forge: github
    clone_url: file://$work/origin.git
    webhook_secret: {env: DEMO_HOOK_SECRET}
YAML

echo "== devflow serve --check"
"$devflow" serve --check --config "$work/devflow-server.yml"
"$devflow" serve --config "$work/devflow-server.yml" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
    sleep 0.1
done
echo "== devflow serve is up on 127.0.0.1:$port"

cat > "$work/app/.devflow.yml" <<'PIPELINE'
version: 1
name: demo
on:
  push: {branches: [main]}
steps:
  build:
    run: echo "building $DEVFLOW_GIT_SHA" && mkdir -p out && echo ok > out/app
  test:
    needs: [build]
    run: test -f out/app && echo "tests pass"
PIPELINE
git -C "$work/app" add .devflow.yml
git -C "$work/app" commit -q -m "a pipeline"
echo "== git push (the post-receive hook sends the signed webhook; the server answers)"
git -C "$work/app" push -q origin main 2>&1 | sed 's/^remote: /  /'

for _ in $(seq 300); do
    status=$("$devflow" runs list --db "$work/server/devflow.sqlite" 2>/dev/null | awk 'NR==2 {print $2}')
    case "$status" in succeeded | failed | cancelled | config_error | skipped) break ;; esac
    sleep 0.1
done
echo "== devflow runs show 1 --db …"
"$devflow" runs show 1 --db "$work/server/devflow.sqlite"
echo "== the API: a viewer token, then devflow runs list / logs --server … --token …"
token=$("$devflow" tokens create demo-viewer --role viewer --db "$work/server/devflow.sqlite")
"$devflow" runs list --server "http://127.0.0.1:$port" --token "$token"
"$devflow" runs logs 1 test --server "http://127.0.0.1:$port" --token "$token" --follow
curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/runs?limit=1" | head -c 300
echo
echo "== stopping the server (SIGTERM)"
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
