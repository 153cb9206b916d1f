#!/bin/sh
# A throwaway PostgreSQL server for the tests (and the cluster test).
#
#   scripts/pg-test-server.sh start [LISTEN_ADDR]  -> prints shell assignments:
#       NSJUDGE_TEST_PG_DIR=...   (give it to stop)
#       NSJUDGE_TEST_PG='host=DIR port=PORT dbname=postgres user=postgres'
#   scripts/pg-test-server.sh stop DIR
#
# initdb into a fresh directory under /tmp, run as an unprivileged user
# (nobody, when started as root: PostgreSQL refuses to run as root), on a
# unix socket in that directory; with LISTEN_ADDR (e.g. 10.213.0.1) also on
# TCP there, trust-authenticated for the test network only. fsync is off:
# the data is thrown away.
set -eu

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "pg-test-server: no PostgreSQL server found (install Debian's postgresql)" >&2
    exit 1
fi

as_db_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

# A port no one listens on: the socket file's name carries it, and TCP
# (when asked) must be free on that address.
free_port() {
    python3 - "$@" <<'PY'
import socket, sys
s = socket.socket()
s.bind((sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

case "${1:-}" in
start)
    addr=${2:-}
    dir=$(mktemp -d /tmp/nsjudge-pg-XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown nobody "$dir"
    if [ -n "$addr" ]; then port=$(free_port "$addr"); else port=$(free_port); fi
    as_db_user "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    {
        echo "listen_addresses = '${addr}'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "max_connections = 300"
        echo "shared_buffers = 32MB"
    } >>"$dir/data/postgresql.conf"
    if [ -n "$addr" ]; then
        echo "host all all ${addr%.*}.0/24 trust" >>"$dir/data/pg_hba.conf"
    fi
    as_db_user "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "NSJUDGE_TEST_PG_DIR=$dir"
    echo "NSJUDGE_TEST_PG='host=$dir port=$port dbname=postgres user=postgres'"
    [ -n "$addr" ] && echo "NSJUDGE_TEST_PG_TCP='host=$addr port=$port user=postgres'"
    exit 0
    ;;
stop)
    dir=${2:?usage: pg-test-server.sh stop DIR}
    case "$dir" in /tmp/nsjudge-pg-*) ;; *) echo "pg-test-server: not a test server: $dir" >&2; exit 1 ;; esac
    [ -d "$dir/data" ] && as_db_user "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-test-server.sh start [LISTEN_ADDR] | stop DIR" >&2
    exit 2
    ;;
esac
