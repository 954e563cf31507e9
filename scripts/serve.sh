#!/usr/bin/env bash
# Installs what is missing, builds the page and serves it on 127.0.0.1
# (port 8000, or $PORT). Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-web.sh
port="${PORT:-8000}"
echo "pipelab: open http://127.0.0.1:${port}/ in a browser (Ctrl-C stops)"
exec node scripts/serve.mjs --port "$port"
