#!/usr/bin/env bash
# Starts a private PostgreSQL server for the store's tests and prints the DSN to export:
#
#   eval "$(hack/postgres.sh)"      # installs (Debian apt) if missing, starts, exports RETAILSYNC_TEST_POSTGRES_DSN
#   hack/postgres.sh stop           # stops the server; the data stays in bin/pgdata
#
# Idempotent: a running server is reused. The cluster listens only on a unix socket under bin/, with
# trust authentication, so nothing is reachable from the network and no password exists.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${root}/bin/pgdata"
sock="${root}/bin/pgsock"
port="${RETAILSYNC_PG_PORT:-5432}"
db="retailsync_test"

log() { echo "postgres.sh: $*" >&2; }

as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pgbin() {
	local dir
	for dir in /usr/lib/postgresql/*/bin; do
		if [ -x "${dir}/pg_ctl" ]; then
			echo "${dir}"
			return 0
		fi
	done
	return 1
}

if ! bindir="$(pgbin)"; then
	log "installing postgresql from Debian packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq postgresql >&2
	bindir="$(pgbin)"
fi

if [ "${1:-start}" = stop ]; then
	if [ -f "${data}/postmaster.pid" ]; then
		as_postgres "${bindir}/pg_ctl" -D "${data}" -m fast -w stop >&2
	fi
	exit 0
fi

mkdir -p "${data}" "${sock}"
if [ "$(id -u)" = 0 ]; then
	chown postgres:postgres "${data}" "${sock}"
fi
chmod 700 "${data}"

if [ ! -f "${data}/PG_VERSION" ]; then
	log "creating cluster in ${data}"
	as_postgres "${bindir}/initdb" -D "${data}" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
fi

if ! as_postgres "${bindir}/pg_ctl" -D "${data}" status >/dev/null 2>&1; then
	log "starting server on ${sock}"
	as_postgres "${bindir}/pg_ctl" -D "${data}" -l "${data}/server.log" -w \
		-o "-c listen_addresses='' -c unix_socket_directories='${sock}' -p ${port} -c max_connections=200 -c fsync=on" \
		start >&2
fi

if ! as_postgres "${bindir}/psql" -h "${sock}" -p "${port}" -U postgres -tAc \
	"SELECT 1 FROM pg_database WHERE datname = '${db}'" postgres | grep -q 1; then
	as_postgres "${bindir}/createdb" -h "${sock}" -p "${port}" -U postgres "${db}"
fi

echo "export RETAILSYNC_TEST_POSTGRES_DSN='host=${sock} port=${port} user=postgres dbname=${db} sslmode=disable'"
