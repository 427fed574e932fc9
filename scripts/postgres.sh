#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks (Debian's package), on 127.0.0.1.
#   scripts/postgres.sh start   initialises (once) and starts it; prints the URL to use
#   scripts/postgres.sh stop    stops it and removes its data
set -euo pipefail
port=${IKM_PG_PORT:-55432}
dir=${IKM_PG_DIR:-/tmp/ikm-postgres-$port}
bin=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "postgres.sh: PostgreSQL is not installed (scripts/bootstrap.sh test installs it)" >&2; exit 1; }
# PostgreSQL refuses to run as root; run it as the `postgres` user the package creates.
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
case "${1:-}" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      rm -rf "$dir" && mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      as_pg "$bin/initdb -D '$dir' -A trust -U ikm --no-sync -E UTF8" > /dev/null
    fi
    if ! as_pg "$bin/pg_ctl -D '$dir' status" > /dev/null 2>&1; then
      as_pg "$bin/pg_ctl -D '$dir' -w -l '$dir/server.log' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" start" > /dev/null
    fi
    echo "postgres://ikm@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -d "$dir" ]; then
      as_pg "$bin/pg_ctl -D '$dir' -m fast stop" > /dev/null 2>&1 || true
      rm -rf "$dir"
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
