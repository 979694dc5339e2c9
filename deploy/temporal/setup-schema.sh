#!/bin/sh
# One-shot: create and migrate Temporal's two PostgreSQL databases (persistence and
# visibility) with temporal-sql-tool from the temporalio/admin-tools image.
# Safe to run on every `docker compose up`: `create` ignores an existing database,
# `setup-schema -v 0.0` keeps a newer version, and `update-schema` applies only the
# migrations a database lacks (which is also how a Temporal upgrade migrates).
set -eu

: "${SQL_HOST:?SQL_HOST (the PostgreSQL host) is required}"
: "${SQL_USER:?SQL_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
SQL_PORT="${SQL_PORT:-5432}"
SQL_PLUGIN="${SQL_PLUGIN:-postgres12}"
export SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD SQL_PLUGIN # read by temporal-sql-tool
SCHEMA_ROOT="${TEMPORAL_SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}"

setup() {
  db="$1"
  dir="$2"
  echo "temporal-schema: database ${db} (${dir})"
  temporal-sql-tool --db "${db}" create
  temporal-sql-tool --db "${db}" setup-schema -v 0.0
  temporal-sql-tool --db "${db}" update-schema -d "${SCHEMA_ROOT}/${dir}/versioned"
}

setup "${TEMPORAL_DBNAME:-temporal}" temporal
setup "${TEMPORAL_VISIBILITY_DBNAME:-temporal_visibility}" visibility
echo "temporal-schema: done"
