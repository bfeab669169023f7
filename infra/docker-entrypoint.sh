#!/bin/sh
# Runs one banterbox app by name; anything else runs as given.
set -e
case "$1" in
  gateway) shift; exec node /app/apps/gateway/dist/main.js "$@" ;;
  ticker) shift; exec node /app/apps/ticker/dist/main.js "$@" ;;
  banterbox) shift; exec node /app/apps/cli/dist/main.js "$@" ;;
  *) exec "$@" ;;
esac
