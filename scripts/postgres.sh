#!/usr/bin/env bash
# A private PostgreSQL 15 for the store suite and the multi-host tests, never the machine's own cluster:
#   scripts/postgres.sh start DIR [PORT]   initdb (first time) and start it on 127.0.0.1:PORT (default 55432), data
#                                          and socket under DIR; prints the URL to put in DEVFLOW_TEST_POSTGRES_URL
#   scripts/postgres.sh stop DIR           stops it (fast shutdown) and leaves DIR as it is
#   scripts/postgres.sh url DIR            prints the URL of a running one
# DEVFLOW_PG_LISTEN (default 127.0.0.1) sets listen_addresses; DEVFLOW_PG_TRUST=CIDR also trusts clients of that
# network (the multi-host test's network namespaces).
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user (Debian's package creates
# it). Installs postgresql-15 from Debian when it is missing.
set -euo pipefail

command=${1:?usage: scripts/postgres.sh start|stop|url DIR [PORT]}
directory=${2:?usage: scripts/postgres.sh start|stop|url DIR [PORT]}
port=${3:-55432}

bin=/usr/lib/postgresql/15/bin
if [[ ! -x $bin/pg_ctl ]]; then
    if [[ $command != start ]]; then echo "postgresql-15 is not installed" >&2; exit 1; fi
    echo "== installing postgresql-15 from Debian" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends postgresql-15 >&2
    # The package starts the machine's own cluster; the tests never use it.
    service postgresql stop >/dev/null 2>&1 || true
fi

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $command in
start)
    mkdir -p "$directory"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$directory"
    if [[ ! -f $directory/data/PG_VERSION ]]; then
        as_owner "$bin/initdb" --pgdata="$directory/data" --auth=trust --username=postgres --encoding=UTF8 \
            --no-locale --no-sync >"$directory/initdb.log" 2>&1 || { cat "$directory/initdb.log" >&2; exit 1; }
    fi
    echo "$port" >"$directory/port"
    if [[ -n ${DEVFLOW_PG_TRUST:-} ]] && ! grep -q "$DEVFLOW_PG_TRUST" "$directory/data/pg_hba.conf"; then
        echo "host all all $DEVFLOW_PG_TRUST trust" | as_owner tee -a "$directory/data/pg_hba.conf" >/dev/null
    fi
    # fsync off and no full-page writes: a throwaway test cluster, where durability across power loss is not tested.
    as_owner "$bin/pg_ctl" --pgdata="$directory/data" --log="$directory/server.log" --wait --timeout=60 \
        -o "-c listen_addresses='${DEVFLOW_PG_LISTEN:-127.0.0.1}' -c port=$port -c unix_socket_directories=$directory -c max_connections=300" \
        -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB" \
        start >/dev/null || { tail -20 "$directory/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    if [[ -f $directory/data/postmaster.pid ]]; then
        as_owner "$bin/pg_ctl" --pgdata="$directory/data" --mode=fast --wait stop >/dev/null
    fi
    ;;
url)
    echo "postgres://postgres@127.0.0.1:$(cat "$directory/port")/postgres"
    ;;
*)
    echo "unknown command $command: use start, stop or url" >&2
    exit 2
    ;;
esac
