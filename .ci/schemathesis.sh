#!/usr/bin/env bash
# Runs schemathesis (an OpenAPI-driven API tester, pinned below) with its default checks against
# `dyad serve` on the bundled data, and fails on any failure or server error.
#
# The server runs with no home, so it takes no writes: POST /api/acts answers 401 (no token),
# which schemathesis reports as a warning, not a failure. The venv lives outside the repository
# (SCHEMATHESIS_VENV, default under ~/.cache) and is reused when it already has the pinned version.
#
#   .ci/schemathesis.sh                         # 100 examples per operation (about a minute)
#   SCHEMATHESIS_EXAMPLES=20 .ci/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
examples=${SCHEMATHESIS_EXAMPLES:-100}
venv=${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/dyad/schemathesis-$version}

# Debian's python3 creates venvs only with python3-venv installed (CI runs as root).
if ! python3 -c 'import ensurepip' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
if [ ! -x "$venv/bin/schemathesis" ] \
  || ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "version $version\$"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

cargo build --quiet -p dyad
bin="${CARGO_TARGET_DIR:-target}/debug/dyad"

# A free loopback port, chosen by the kernel.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# schemathesis keeps state in ./.schemathesis: run it in a scratch directory, not the repository.
work=$(mktemp -d)
log="$work/serve.log"
bin=$(realpath "$bin")
env -u DYAD_HOME "$bin" serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# Wait up to 30 s for the server to answer.
python3 - "$port" <<'PY' || { cat "$log"; exit 1; }
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/api/openapi.json"
for _ in range(300):
    try:
        urllib.request.urlopen(url, timeout=1).read()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("dyad serve did not answer within 30 s")
PY

# Default checks; no example database, so every run starts from the same empty state.
cd "$work"
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" \
  --max-examples "$examples" --generation-database none --no-color --workers 2
