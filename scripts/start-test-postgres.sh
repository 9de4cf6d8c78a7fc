#!/bin/sh
# Start the local PostgreSQL cluster and create the role and database the store tests use.
#
# For CI and developers on Debian (run as root). Idempotent: running it again when
# everything is already up changes nothing. On success the last line of stdout is the URL
# to export:
#
#   export MESHCOMMONS_TEST_PG_URL="$(scripts/start-test-postgres.sh | tail -n 1)"
#
# Environment (all optional):
#   PG_VERSION   major version of the cluster (default: the newest installed)
#   PG_CLUSTER   cluster name (default: main)
#   PG_TEST_USER, PG_TEST_PASSWORD, PG_TEST_DB   (default: meshcommons/meshcommons/meshcommons_test)
set -eu
cd /  # psql as postgres must not try to read the caller's working directory

PG_CLUSTER="${PG_CLUSTER:-main}"
PG_TEST_USER="${PG_TEST_USER:-meshcommons}"
PG_TEST_PASSWORD="${PG_TEST_PASSWORD:-meshcommons}"
PG_TEST_DB="${PG_TEST_DB:-meshcommons_test}"

say() { echo "start-test-postgres: $*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root (I start the cluster and act as the postgres user)"
command -v pg_lsclusters >/dev/null 2>&1 \
    || die "postgresql-common is not installed (apt-get install postgresql)"

# The newest installed major version, unless told.
if [ -z "${PG_VERSION:-}" ]; then
    PG_VERSION="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)"
fi
[ -n "$PG_VERSION" ] && [ -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ] \
    || die "no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)"

# pg_lsclusters -h: "version cluster port status owner datadir logfile"
cluster_line() { pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1 == v && $2 == c'; }

if [ -z "$(cluster_line)" ]; then
    say "no cluster $PG_VERSION/$PG_CLUSTER: creating it"
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --start >&2
fi

PG_PORT="$(cluster_line | awk '{print $3}')"
case "$(cluster_line | awk '{print $4}')" in
    online*) say "cluster $PG_VERSION/$PG_CLUSTER already running on port $PG_PORT" ;;
    *)
        say "starting cluster $PG_VERSION/$PG_CLUSTER"
        pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start >&2 || service postgresql start >&2
        ;;
esac

# Wait until it accepts connections (up to 30 s).
i=0
until su postgres -c "psql -p $PG_PORT -d postgres -Atqc 'select 1'" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -le 60 ] || die "cluster $PG_VERSION/$PG_CLUSTER did not accept connections in 30 s"
    sleep 0.5
done

psql_su() { su postgres -c "psql -p $PG_PORT -d postgres -v ON_ERROR_STOP=1 -Atq $1"; }

if [ "$(psql_su "-c \"select 1 from pg_roles where rolname = '$PG_TEST_USER'\"")" != "1" ]; then
    say "creating role $PG_TEST_USER"
    psql_su "-c \"create role \\\"$PG_TEST_USER\\\" login createdb password '$PG_TEST_PASSWORD'\""
else
    # Keep the password and rights as documented even if the role was changed by hand.
    psql_su "-c \"alter role \\\"$PG_TEST_USER\\\" login createdb password '$PG_TEST_PASSWORD'\""
fi

if [ "$(psql_su "-c \"select 1 from pg_database where datname = '$PG_TEST_DB'\"")" != "1" ]; then
    say "creating database $PG_TEST_DB"
    psql_su "-c \"create database \\\"$PG_TEST_DB\\\" owner \\\"$PG_TEST_USER\\\"\""
fi

# Password logins over TCP on 127.0.0.1 are allowed by Debian's default pg_hba.conf
# (scram-sha-256 for host connections); check it from the outside.
URL="postgresql+psycopg://$PG_TEST_USER:$PG_TEST_PASSWORD@127.0.0.1:$PG_PORT/$PG_TEST_DB"
PGPASSWORD="$PG_TEST_PASSWORD" psql "host=127.0.0.1 port=$PG_PORT user=$PG_TEST_USER dbname=$PG_TEST_DB" \
    -Atqc 'select 1' >/dev/null \
    || die "cannot log in as $PG_TEST_USER over TCP on 127.0.0.1:$PG_PORT (check pg_hba.conf)"

say "ready"
echo "$URL"
