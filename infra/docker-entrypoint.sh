#!/bin/sh
# Runs one banterbox app by name; anything else runs as given.
set -e
# Every socket is an open file: use the whole hard limit the runtime grants (docs/operations.md,
# "Nodes and kernel"). Some runtimes start containers with a low soft limit.
ulimit -n "$(ulimit -H -n)" 2>/dev/null || true
case "$1" in
  # The gateway's node flags: GATEWAY_NODE_FLAGS in packages/local-stack/src/node-flags.ts.
  gateway) shift; exec node --max-semi-space-size=4 /app/apps/gateway/dist/main.js "$@" ;;
  ticker) shift; exec node /app/apps/ticker/dist/main.js "$@" ;;
  banterbox) shift; exec node /app/apps/cli/dist/main.js "$@" ;;
  *) exec "$@" ;;
esac
