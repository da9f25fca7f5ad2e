#!/usr/bin/env bash
# conform-self: grade Ferrox's own server with the conformance corpus.
# Builds bin/ferrox if needed, writes the fixture tree, serves it on a free
# loopback port, runs `ferrox conform` (MUST + safety cases) and exits with
# its status (0 pass, 1 a MUST/safety case failed, 2 usage/unreachable).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-bin/ferrox}
OUT=${OUT:-out/conform-self}
LEVEL=${LEVEL:-must}
# Most of a replay is waiting for "no more bytes", not CPU: 16 connections
# in flight cut the run from ~60 s to ~15 s on 2 cores.
PARALLEL=${PARALLEL:-16}

if [[ ! -x "$BIN" ]]; then
	echo "conform-self: building $BIN"
	go build -o "$BIN" ./cmd/ferrox
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
	if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

"$BIN" conform --fixture "$work/root"

# A free port: bind port 0 and read back what the kernel chose.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
addr="127.0.0.1:$port"

"$BIN" serve --root "$work/root" --listen "$addr" --listing >"$work/serve.log" 2>&1 &
server_pid=$!

# Wait until it accepts: at most 100 tries, 0.1 s apart (10 s).
ready=0
for _ in $(seq 1 100); do
	if ! kill -0 "$server_pid" 2>/dev/null; then
		echo "conform-self: ferrox serve exited early:" >&2
		cat "$work/serve.log" >&2
		exit 2
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		ready=1
		break
	fi
	sleep 0.1
done
if [[ $ready -ne 1 ]]; then
	echo "conform-self: ferrox serve did not accept on $addr" >&2
	cat "$work/serve.log" >&2
	exit 2
fi

status=0
"$BIN" conform --target "$addr" --level "$LEVEL" --parallel "$PARALLEL" --out "$OUT" --format md,json,junit,html || status=$?
echo "conform-self: exit $status (reports in $OUT)"
exit "$status"
