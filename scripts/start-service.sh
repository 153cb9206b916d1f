#!/bin/sh
# The one command to get a running judge: install what is missing (as
# root), build, and start `nsjudge serve` on its default config
# (configs/nsjudge.json: 127.0.0.1:2358, data in ./data, one worker per
# core). Extra arguments go to `nsjudge serve`, e.g. --listen 127.0.0.1:8080.
set -e
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
make --no-print-directory build/nsjudge
exec build/nsjudge serve --config configs/nsjudge.json "$@"
