#!/bin/sh
# Smoke test of examples/remote: starts the server, runs the client against it, stops the server.
set -eu
server="$1"
client="$2"
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$server" --address-file "$dir/address" > "$dir/server.log" &
pid=$!
i=0
while [ ! -s "$dir/address" ]; do
  i=$((i + 1))
  [ "$i" -lt 300 ] || { echo "the server did not start" >&2; exit 1; }
  sleep 0.1
done
out=$("$client" "$(cat "$dir/address")")
echo "$out"
echo "$out" | grep -q "Hello, blocking client!"
echo "$out" | grep -q "Hello, actor client!"
