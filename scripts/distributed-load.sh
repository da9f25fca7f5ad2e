#!/usr/bin/env bash
# distributed-load: the distributed path of `ferrox load` end to end on one
# machine. N workers (default 4), each in its own network namespace with its
# own source address, load one Ferrox server in another namespace with the
# same --start-at; their result files are merged with `ferrox load report`,
# and the merge is checked against the workers' own files: merged request
# count = sum, merged rate = sum of the workers' rates, percentiles = those
# of every raw sample pooled (loadtest/cmd/distcheck). Writes the merged
# report (merged.txt, merged.json, merged.html) to REPORT_DIR.
#
# Topology (nothing in the root namespace changes):
#   ferrox-k8s-srv-$$: bridge fxbr (10.77.0.1/24), ferrox serve on 10.77.0.1:PORT
#   ferrox-k8s-wI-$$:  veth eth0 10.77.0.(10+I)/24, its peer on fxbr
#
# Needs Linux, root and iproute2. Exit: 0 checks hold, 1 a check failed,
# 2 cannot run here.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-4}
RATE=${RATE:-200}          # per worker, requests/s
DURATION=${DURATION:-10s}  # keepalive phase
CONNS=${CONNS:-8}          # per worker
PORT=${PORT:-18700}
LEAD=${LEAD:-3}            # seconds from now to --start-at
BIN=${BIN:-bin/ferrox}
OUT=${OUT:-out/distributed}
REPORT_DIR=${REPORT_DIR:-reports/distributed}

if [[ "$(uname -s)" != Linux ]]; then
	echo "distributed-load: needs Linux network namespaces (ip netns); this is $(uname -s)" >&2
	exit 2
fi
if [[ "$(id -u)" != 0 ]]; then
	echo "distributed-load: needs root to create network namespaces; run: sudo make distributed-load" >&2
	exit 2
fi
if ! command -v ip >/dev/null; then
	echo "distributed-load: needs iproute2 (apt-get install -y iproute2)" >&2
	exit 2
fi
if ((N < 1 || N > 200)); then
	echo "distributed-load: N=$N; want 1..200" >&2
	exit 2
fi

if [[ ! -x "$BIN" ]]; then
	echo "distributed-load: building $BIN"
	go build -o "$BIN" ./cmd/ferrox
fi

tag=$$
srv=ferrox-k8s-srv-$tag
server_pid=""
worker_pids=()
cleanup() {
	for p in "${worker_pids[@]}" "$server_pid"; do
		if [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; then
			kill "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		fi
	done
	for i in $(seq 1 "$N"); do
		ip netns del "ferrox-k8s-w$i-$tag" 2>/dev/null || true
	done
	ip netns del "$srv" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$srv"
ip -n "$srv" link set lo up
ip -n "$srv" link add fxbr type bridge
ip -n "$srv" addr add 10.77.0.1/24 dev fxbr
ip -n "$srv" link set fxbr up
for i in $(seq 1 "$N"); do
	ns=ferrox-k8s-w$i-$tag
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	# The veth is created inside the worker namespace and its peer moved to
	# the server's, so no interface name is ever taken in the root one.
	ip -n "$ns" link add eth0 type veth peer name "p$i" netns "$srv"
	ip -n "$ns" addr add "10.77.0.$((10 + i))/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$srv" link set "p$i" master fxbr
	ip -n "$srv" link set "p$i" up
done

rm -rf "$OUT"
mkdir -p "$OUT/server" "$REPORT_DIR"
ip netns exec "$srv" "$BIN" serve --root www --listen "10.77.0.1:$PORT" --log-dir "$OUT/server" >"$OUT/server.out" 2>&1 &
server_pid=$!
for try in $(seq 1 100); do
	if ip netns exec "ferrox-k8s-w1-$tag" bash -c "exec 3<>/dev/tcp/10.77.0.1/$PORT" 2>/dev/null; then
		break
	fi
	if ((try == 100)); then
		echo "distributed-load: the server did not come up on 10.77.0.1:$PORT" >&2
		cat "$OUT/server.out" >&2
		exit 2
	fi
	sleep 0.1
done

start=$(date -u -d "+$LEAD seconds" +%Y-%m-%dT%H:%M:%S.%3NZ)
echo "distributed-load: $N workers x $RATE req/s for $DURATION against http://10.77.0.1:$PORT/index.html, --start-at $start"
for i in $(seq 1 "$N"); do
	# 10.77.0.1 is not loopback: the target is named explicitly with
	# --allow-remote, as against a real deployment.
	ip netns exec "ferrox-k8s-w$i-$tag" "$BIN" load --target "http://10.77.0.1:$PORT/index.html" --allow-remote \
		--scenario keepalive --rate "$RATE" --duration "$DURATION" --connections "$CONNS" \
		--start-at "$start" --worker "ns-w$i" --out "$OUT/w$i" >"$OUT/w$i.out" 2>&1 &
	worker_pids+=($!)
done
fail=0
for i in $(seq 1 "$N"); do
	if ! wait "${worker_pids[$((i - 1))]}"; then
		echo "distributed-load: worker $i failed:" >&2
		cat "$OUT/w$i.out" >&2
		fail=1
	fi
done
worker_pids=()
kill "$server_pid" && wait "$server_pid" || true
server_pid=""

dirs=()
for i in $(seq 1 "$N"); do dirs+=("$OUT/w$i"); done
for f in text json html; do
	ext=$f
	[[ $f == text ]] && ext=txt
	"$BIN" load report --format "$f" -o "$REPORT_DIR/merged.$ext" "${dirs[@]}" || fail=1
done
# Re-rendering writes the same bytes as the merge.
cat "$REPORT_DIR/merged.txt"

echo
echo "source addresses seen by the server (access log):"
awk '{print $1}' "$OUT/server/access.log" | sort | uniq -c | tee "$REPORT_DIR/sources.txt"
if [[ $(awk '{print $1}' "$OUT/server/access.log" | sort -u | wc -l) -ne $N ]]; then
	echo "distributed-load: FAIL: want $N distinct source addresses" >&2
	fail=1
fi

echo
echo "checks (go run ./loadtest/cmd/distcheck):"
go run ./loadtest/cmd/distcheck "$REPORT_DIR/merged.json" "${dirs[@]}" | tee "$REPORT_DIR/checks.txt" || fail=1
exit $fail
