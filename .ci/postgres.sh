#!/usr/bin/env bash
# Install (with apt-get, if needed) and start a local PostgreSQL with a throw-away test
# database, rehab_test, owned by the role rehab (password rehab). Exits non-zero if it cannot.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "PostgreSQL is not installed and installing it needs root" >&2; exit 1; }
  timeout 300 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq postgresql
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_isready -q -h 127.0.0.1; then
  pg_ctlcluster "$version" main start 2>/dev/null || service postgresql start
fi
for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
pg_isready -h 127.0.0.1
su postgres -c "psql -q -c \"DO \\\$\\\$ BEGIN CREATE ROLE rehab LOGIN PASSWORD 'rehab'; EXCEPTION WHEN duplicate_object THEN NULL; END \\\$\\\$;\""
su postgres -c "psql -q -c 'DROP DATABASE IF EXISTS rehab_test' -c 'CREATE DATABASE rehab_test OWNER rehab'"
