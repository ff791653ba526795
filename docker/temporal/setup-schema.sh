#!/bin/sh
# One-shot job (temporalio/admin-tools image): creates Temporal's two PostgreSQL databases if missing and brings
# both schemas to the version the admin-tools image ships. Safe to rerun: every step is idempotent, and it runs
# on each `docker compose up`, which is also how an image upgrade migrates the schema.
set -eu

: "${SQL_HOST:?SQL_HOST must name the Temporal PostgreSQL host}"
: "${SQL_USER:?SQL_USER must be set}"
: "${SQL_PASSWORD:?SQL_PASSWORD must be set}"
SQL_PORT="${SQL_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

# The password reaches temporal-sql-tool through SQL_PASSWORD, not argv, so it stays out of `ps`.
sql() {
  temporal-sql-tool --plugin postgres12 --ep "$SQL_HOST" -p "$SQL_PORT" -u "$SQL_USER" "$@"
}

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) dir="$SCHEMA_ROOT/temporal/versioned" ;;
    *) dir="$SCHEMA_ROOT/visibility/versioned" ;;
  esac
  echo "[temporal-schema] database $db"
  # `create` fails when the database exists, the expected state on every start after the first; a real
  # connection problem fails setup-schema right after, loudly.
  sql --db "$db" create || echo "[temporal-schema] $db not created (it probably exists); continuing"
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$dir"
done
echo "[temporal-schema] schemas are up to date"
