#!/usr/bin/env bash
# Restore a dump made by deploy/backup.sh into an EMPTY database.
#
#   deploy/restore.sh DUMP TARGET_DATABASE_URL
#
# Checks the dump against its .sha256, refuses a target that already has tables, restores in one
# transaction (all or nothing), then runs ANALYZE. Afterwards: `DATABASE_URL=<target> manage.py
# migrate --check` (the schema is the code's), and point the application at the target.
#
#   RESTORE_NO_OWNER=1   restore into a cluster without the original roles: objects are owned by the
#                        restoring user and no grants are restored (run `manage.py grant_app_role` after)
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: deploy/restore.sh DUMP TARGET_DATABASE_URL" >&2
  exit 2
fi
dump="$1"
url="$2"

if [ -f "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256")
else
  echo "restore.sh: warning: no $dump.sha256 to check the dump against" >&2
fi

tables="$(psql --no-password --dbname="$url" --tuples-only --no-align --command \
  "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
if [ "$tables" != "0" ]; then
  echo "restore.sh: refused: the target database already has $tables tables (restore into a new, empty one)" >&2
  exit 1
fi

owner=()
[ "${RESTORE_NO_OWNER:-0}" = "1" ] && owner=(--no-owner --no-acl)
started=$(date +%s)
pg_restore --no-password --exit-on-error --single-transaction "${owner[@]}" --dbname="$url" "$dump"
psql --no-password --quiet --dbname="$url" --command "ANALYZE"
echo "restore.sh: $dump restored into $(psql --no-password --dbname="$url" -tA -c 'SELECT current_database()') in $(($(date +%s) - started)) s"
