#!/usr/bin/env bash
# Builds the quickstart, starts it with the embedded dev instance (short token lifetime) from a
# fresh working directory, and drives it in headless Chromium. Needs /usr/bin/chromium and node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${BROWSER_TEST_PORT:-3400}"
lifetime="${BROWSER_TEST_TOKEN_LIFETIME:-5}"
export ARTIFACTS="${ARTIFACTS:-$root/artifacts/browser}"
rm -rf "$ARTIFACTS"; mkdir -p "$ARTIFACTS"

(cd "$root" && cargo build --example quickstart)
bin="${CARGO_TARGET_DIR:-$root/target}/debug/examples/quickstart"
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm install --no-audit --no-fund --silent)

work="$(mktemp -d)"
cleanup() {
  if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
(cd "$work" && exec env -u CLERK_SECRET_KEY -u CLERK_PUBLISHABLE_KEY -u CLERK_JWT_KEY \
  PORT="$port" CLERK_DEV_PORT="$((port + 1))" CLERK_DEV_TOKEN_LIFETIME="$lifetime" "$bin" >"$ARTIFACTS/quickstart.log" 2>&1) &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  sleep 0.2
done
APP_URL="http://127.0.0.1:$port" DEV_URL="http://127.0.0.1:$((port + 1))" TOKEN_LIFETIME="$lifetime" \
  node "$here/quickstart.mjs"
