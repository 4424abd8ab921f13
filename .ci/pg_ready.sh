#!/usr/bin/env bash
# Exit 0 when the PostgreSQL server behind the given SQLAlchemy URL answers.
url="${1#postgresql+psycopg://}"
host_port="${url#*@}"; host_port="${host_port%%/*}"
host="${host_port%%:*}"; port="${host_port##*:}"
[ "$port" = "$host_port" ] && port=5432
for _ in $(seq 1 20); do
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$port" && exit 0
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && exit 0
  fi
  sleep 0.5
done
exit 1
