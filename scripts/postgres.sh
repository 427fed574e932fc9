#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks (Debian's package), on 127.0.0.1,
# with TLS on (a test CA made here with openssl; the server certificate names localhost and
# 127.0.0.1) so sslmode=require and verify-full can be tested against the real thing.
#   scripts/postgres.sh start   initialises (once) and starts it; prints the URL to use
#   scripts/postgres.sh ca      prints the path of the test CA certificate (for sslrootcert)
#   scripts/postgres.sh stop    stops it and removes its data
set -euo pipefail
port=${IKM_PG_PORT:-55432}
dir=${IKM_PG_DIR:-/tmp/ikm-postgres-$port}
bin=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "postgres.sh: PostgreSQL is not installed (scripts/bootstrap.sh test installs it)" >&2; exit 1; }
# PostgreSQL refuses to run as root; run it as the `postgres` user the package creates.
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

# A CA and a server certificate it signs, valid for localhost and 127.0.0.1.
make_certificates() {
  local tls=$1
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" -subj "/CN=ikm test CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tls/server.key" -out "$tls/server.csr" -subj "/CN=localhost" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' > "$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 30 -out "$tls/server.crt" -extfile "$tls/server.ext" 2>/dev/null
  chmod 600 "$tls/server.key"
  chmod 644 "$tls/ca.crt" "$tls/server.crt"
}

case "${1:-}" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      rm -rf "$dir" && mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      as_pg "$bin/initdb -D '$dir' -A trust -U ikm --no-sync -E UTF8" > /dev/null
      make_certificates "$dir/tls"
      [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir/tls"
    fi
    if ! as_pg "$bin/pg_ctl -D '$dir' status" > /dev/null 2>&1; then
      as_pg "$bin/pg_ctl -D '$dir' -w -l '$dir/server.log' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c ssl=on -c ssl_cert_file='$dir/tls/server.crt' -c ssl_key_file='$dir/tls/server.key'\" start" > /dev/null
    fi
    echo "postgres://ikm@127.0.0.1:$port/postgres"
    ;;
  ca)
    echo "$dir/tls/ca.crt"
    ;;
  stop)
    if [ -d "$dir" ]; then
      as_pg "$bin/pg_ctl -D '$dir' -m fast stop" > /dev/null 2>&1 || true
      rm -rf "$dir"
    fi
    ;;
  *) echo "usage: $0 start|ca|stop" >&2; exit 2 ;;
esac
