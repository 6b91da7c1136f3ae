#!/bin/sh
# Entrypoint of the roomgate image: `serve` (the default) gets its flags from
# the environment the container is given, so a compose file or an
# orchestrator configures it with variables only; anything else is run as is
# (`docker run roomgate sh`, `roomgate secret`).
#
#   ROOMGATE_HOST           address to bind (default 0.0.0.0: reachable from outside the container)
#   ROOMGATE_PORT           port (default 8787)
#   ROOMGATE_DATABASE_URL   PostgreSQL URL (rooms kept there; without it, in memory)
#   ROOMGATE_SCHEMA         PostgreSQL schema (default roomgate)
#   ROOMGATE_SECRET         the secret key: read by roomgate itself from the environment,
#                           never put on the command line (every process could read it there)
#   ROOMGATE_SECRET_FILE    or a file holding it (a mounted secret)
#
# A flag given on the command line wins: the variable is then not mapped.
set -eu

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  # No command, or only flags: serve with them.
  set -- serve "$@"
fi

if [ "$1" != "serve" ]; then
  exec "$@"
fi
shift

# Whether the flag $1 is among the remaining arguments (as `--flag value` or `--flag=value`).
given() {
  flag="$1"
  shift
  for arg in "$@"; do
    case "$arg" in "$flag" | "$flag"=*) return 0 ;; esac
  done
  return 1
}

extra=""
add() {
  # Quoted for `eval set --` below, so values with spaces or quotes survive.
  quoted=$(printf "%s" "$2" | sed "s/'/'\\\\''/g")
  extra="$extra $1 '$quoted'"
}

given --host "$@" || add --host "${ROOMGATE_HOST:-0.0.0.0}"
given --port "$@" || add --port "${ROOMGATE_PORT:-8787}"
if [ -n "${ROOMGATE_DATABASE_URL:-}" ] && ! given --database-url "$@" && ! given --db "$@" && ! given --memory "$@"; then
  add --database-url "$ROOMGATE_DATABASE_URL"
  given --schema "$@" || add --schema "${ROOMGATE_SCHEMA:-roomgate}"
elif [ -z "${ROOMGATE_DATABASE_URL:-}" ] && ! given --database-url "$@" && ! given --db "$@" && ! given --memory "$@"; then
  # No database given: the image has no SQLite driver, so memory (said so loudly by the banner).
  extra="$extra --memory"
fi
if [ -n "${ROOMGATE_SECRET_FILE:-}" ] && ! given --secret-file "$@" && ! given --secret "$@"; then
  add --secret-file "$ROOMGATE_SECRET_FILE"
fi

eval "set -- serve $extra \"\$@\""
# exec: roomgate is the container's main process and gets SIGTERM itself (it drains, then exits 0).
exec roomgate "$@"
