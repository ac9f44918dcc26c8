#!/usr/bin/env bash
# Full backup of the application's Postgres database: one pg_dump in custom format (-Fc, compressed,
# restorable table by table), every schema, table, row, sequence position, trigger and grant.
#
#   deploy/backup.sh [DATABASE_URL]          (default: $BACKUP_DATABASE_URL, else $DATABASE_URL)
#
# Writes $BACKUP_DIR/ncsc-<UTC time>.dump and its .sha256, then deletes dumps older than
# $BACKUP_RETENTION_DAYS days. Run it nightly as the database owner (cron or a systemd timer); see
# docs/operations.md ("Backup and restore") for the schedule, WAL archiving and where copies go.
#
#   BACKUP_DIR              where dumps are written (default var/backups)
#   BACKUP_RETENTION_DAYS   how long dumps are kept (default 35)
#   BACKUP_SNAPSHOT         dump as of a snapshot exported by pg_export_snapshot() (the drill's)
#
# Needs pg_dump of the server's major version or newer (postgresql-client). A password goes in
# PGPASSWORD or ~/.pgpass, never in the URL (it would show in the process list).
set -euo pipefail

url="${1:-${BACKUP_DATABASE_URL:-${DATABASE_URL:-}}}"
if [ -z "$url" ]; then
  echo "backup.sh: no database: pass a URL or set BACKUP_DATABASE_URL or DATABASE_URL" >&2
  exit 2
fi
dir="${BACKUP_DIR:-var/backups}"
days="${BACKUP_RETENTION_DAYS:-35}"
mkdir -p "$dir"
umask 077  # a dump holds every caller's and writer's personal data

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$dir/ncsc-$stamp.dump"
snapshot=()
[ -n "${BACKUP_SNAPSHOT:-}" ] && snapshot=(--snapshot="$BACKUP_SNAPSHOT")

started=$(date +%s)
pg_dump --format=custom --compress=6 --no-password "${snapshot[@]}" --dbname="$url" --file="$out.partial"
# A dump pg_restore cannot read is no backup: list its contents before calling it done.
pg_restore --list "$out.partial" >/dev/null
mv "$out.partial" "$out"
(cd "$dir" && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")

find "$dir" -maxdepth 1 -name 'ncsc-*.dump*' -mtime +"$days" -print -delete | sed 's/^/backup.sh: expired /'
echo "backup.sh: $out ($(du -h "$out" | cut -f1), $(($(date +%s) - started)) s), kept $days days"
