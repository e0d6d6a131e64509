#!/bin/sh
# The Parley image's roles. `exec` makes node the container's main process, so it receives
# docker's SIGTERM and shuts down cleanly (the API closes, the worker drains its activities).
# Anything that is not a role runs as given, e.g. `docker run parley node -v`.
set -e
case "$1" in
  api)     shift; exec node --import tsx api/server.ts "$@" ;;
  worker)  shift; exec node --require ./worker/workflow-threads.cjs --import tsx worker/main.ts "$@" ;;
  migrate) shift; exec node --import tsx prisma/tasks.ts migrate "$@" ;;
esac
exec "$@"
