#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the PostgreSQL history store test
# (tests/interop/test_postgres_store.py).
#
# - Installs Debian's `postgresql` package when no server binaries are found.
# - Runs initdb and the server as the `postgres` OS user (the server refuses to run as root;
#   the user is created if missing), with its data and socket in a new temporary directory,
#   listening on 127.0.0.1 on a free port only.
# - Creates a role with a random password and a database it owns.
#
# Contract with .ci/run, which evals this script's stdout: stdout carries only
# `export GATEKEEPER_TEST_DATABASE_URL=postgresql://...`; every other line goes to stderr.
# The server keeps running after the script ends; stop it with the `pg_ctl ... stop`
# command printed on stderr.
set -euo pipefail
exec 3>&1 1>&2  # fd 3 is the real stdout; everything else lands on stderr

find_bindir() {
    # The newest installed major version that has both initdb and pg_ctl.
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

bindir="$(find_bindir || true)"
if [ -z "$bindir" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup-postgres: no PostgreSQL server binaries and not root: install 'postgresql'" >&2
        exit 1
    fi
    echo "setup-postgres: installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends postgresql
    bindir="$(find_bindir)"
fi
echo "setup-postgres: server binaries in $bindir"

# Whom the server runs as: `postgres` when we are root, else ourselves.
run_as_server_user() { "$@"; }
server_user="$(id -un)"
if [ "$(id -u)" = 0 ]; then
    server_user=postgres
    if ! id -u postgres >/dev/null 2>&1; then
        echo "setup-postgres: creating the postgres system user"
        getent group postgres >/dev/null || groupadd --system postgres
        useradd --system --gid postgres --home-dir /var/lib/postgresql \
            --shell /usr/sbin/nologin postgres
    fi
    run_as_server_user() { runuser -u postgres -- "$@"; }
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/gatekeeper-pg.XXXXXX")"
chmod 700 "$workdir"
[ "$server_user" = postgres ] && chown postgres:postgres "$workdir"
# The server user may not be allowed into the current directory (a clone under /root, say),
# and initdb fails when it cannot identify its working directory.
cd "$workdir"
datadir="$workdir/data"
logfile="$workdir/server.log"

random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
free_port() {
    "$(command -v python3 || command -v python)" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

password="$(random_hex 16)"
role=gatekeeper
database=gatekeeper_test

echo "setup-postgres: initdb in $datadir"
# Local (socket) connections trust the server user; TCP needs the role's password.
run_as_server_user "$bindir/initdb" --pgdata="$datadir" --username=postgres \
    --encoding=UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 >/dev/null

started=""
for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    # fsync off: a throw-away test server needs no durability, and tests get faster.
    # 3>&-: the server must not inherit our stdout, or `$(setup-postgres.sh)` never ends.
    if run_as_server_user "$bindir/pg_ctl" --pgdata="$datadir" --log="$logfile" --wait \
        --timeout=60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$workdir -c fsync=off" \
        start >/dev/null 3>&-; then
        started=1
        break
    fi
    echo "setup-postgres: start on port $port failed (attempt $attempt); retrying"
done
if [ -z "$started" ]; then
    echo "setup-postgres: the server did not start; its log:"
    cat "$logfile" || true
    exit 1
fi

psql_admin() {
    run_as_server_user "$bindir/psql" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 \
        --host="$workdir" --port="$port" --username=postgres --dbname=postgres "$@"
}
psql_admin -c "CREATE ROLE $role LOGIN PASSWORD '$password'" >/dev/null
psql_admin -c "CREATE DATABASE $database OWNER $role" >/dev/null

echo "setup-postgres: PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port"
stop="$bindir/pg_ctl --pgdata=$datadir stop"
[ "$server_user" = postgres ] && stop="runuser -u postgres -- $stop"
echo "setup-postgres: stop it with: $stop"
echo "export GATEKEEPER_TEST_DATABASE_URL=postgresql://$role:$password@127.0.0.1:$port/$database" >&3
