#!/bin/sh
# Runs a command with a throwaway PostgreSQL server of its own (see
# pg-test-server.sh), NSJUDGE_TEST_PG naming it; stops the server after,
# whatever the command did, and exits with the command's status. A server
# that does not start fails the run here, before the tests.
set -u
here=$(dirname "$0")
env=$(sh "$here/pg-test-server.sh" start) || { echo "with-pg-test-server: PostgreSQL did not start" >&2; exit 1; }
eval "$env"
export NSJUDGE_TEST_PG
trap 'sh "$here/pg-test-server.sh" stop "$NSJUDGE_TEST_PG_DIR"' EXIT INT TERM
"$@"
