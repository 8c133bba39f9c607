#!/usr/bin/env bash
# Back up a database with pg_dump, restore the dump into a fresh database, and prove the
# restore is complete: the row count of every table and checksums of the answer sheets
# and the indicator cells must be equal. Exit 0 only when everything matches.
#
#   ops/restore_check.sh [--dump FILE] [--keep] DATABASE_URL
#
# --dump FILE  restore this existing dump (pg_dump -Fc) instead of taking a new one
# --keep       keep the restored database (its name is printed) instead of dropping it
set -euo pipefail

dump="" keep=0
while [[ $# -gt 1 ]]; do
  case "$1" in
    --dump) dump="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
source_url="${1:?usage: ops/restore_check.sh [--dump FILE] [--keep] DATABASE_URL}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z "$dump" ]]; then
  dump="$work/backup.dump"
  pg_dump --format=custom --no-owner --file="$dump" "$source_url"
  echo "backup: $(du -h "$dump" | cut -f1) written"
fi

# The restored database lives on the same server, beside the source.
restore_db="restore_check_$(date +%Y%m%d%H%M%S)_$$"
server_url="${source_url%/*}/postgres"
restore_url="${source_url%/*}/${restore_db}"
psql -q -v ON_ERROR_STOP=1 "$server_url" -c "CREATE DATABASE ${restore_db}"
cleanup() {
  if [[ $keep -eq 0 ]]; then
    psql -q "$server_url" -c "DROP DATABASE IF EXISTS ${restore_db}" || true
  else
    echo "kept: ${restore_db}"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
pg_restore --no-owner --exit-on-error --dbname="$restore_url" "$dump"

# One line per table: "table count", plus two content checksums in a stable order.
fingerprint() {
  psql -qAt -v ON_ERROR_STOP=1 "$1" <<'SQL'
CREATE TEMP TABLE _counts(t text, n bigint);
DO $$
DECLARE r record; c bigint;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename LOOP
    EXECUTE format('SELECT count(*) FROM public.%I', r.tablename) INTO c;
    INSERT INTO _counts VALUES (r.tablename, c);
  END LOOP;
END $$;
SELECT t || ' ' || n FROM _counts ORDER BY t;
SELECT 'answersheet-md5 ' || coalesce(md5(string_agg(id::text || answers::text || answer_vector::text, ',' ORDER BY id)), '-')
  FROM surveys_answersheet;
SELECT 'cells-md5 ' || coalesce(md5(string_agg(row_to_json(c)::text, ',' ORDER BY c.id)), '-')
  FROM lagesbild_indicatorcell c;
SQL
}

fingerprint "$source_url" > "$work/source.txt"
fingerprint "$restore_url" > "$work/restored.txt"
if diff -u "$work/source.txt" "$work/restored.txt"; then
  echo "restore check: OK ($(wc -l < "$work/source.txt") fingerprints equal)"
else
  echo "restore check: MISMATCH between the source and the restored database" >&2
  exit 1
fi
