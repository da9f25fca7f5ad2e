#!/usr/bin/env bash
# bench-metrics: Ferrox server CPU per keep-alive request with the
# metrics endpoint off and on, side by side in one run.
#
# Two `ferrox serve` processes serve the same 1 KiB file, identical but
# for the metrics block (access log off in both, the case where metrics
# cost the most relative to the rest). Both are pinned to CPU 0 (GOMAXPROCS
# 1 from the affinity), wrk to CPU 1; the rows alternate off, on, off,
# on ... RUNS times. For each row the server's utime+stime is read from
# /proc/PID/stat before and after and divided by the requests wrk
# completed. At the end the "on" server is scraped and its request
# counter compared with the requests wrk sent it.
#
# Knobs (environment): RUNS (5), DURATION (5s), CONNECTIONS (8),
# ACCESS_LOG ("off"; e.g. /dev/null to include writing the log lines),
# BIN (bin/ferrox), OUT (out/bench-metrics). Ports 18900-18902 on
# 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-bin/ferrox}
OUT=${OUT:-out/bench-metrics}
RUNS=${RUNS:-5}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-8}
ACCESS_LOG=${ACCESS_LOG:-off}
OFF=18900
ON=18901
METRICS=18902

if (( RUNS < 1 || RUNS > 15 )); then
	echo "bench-metrics: RUNS must be 1..15" >&2
	exit 2
fi
command -v wrk >/dev/null || { echo "bench-metrics: needs wrk (apt-get install -y wrk)" >&2; exit 2; }
if [[ ! -x "$BIN" ]]; then
	go build -o "$BIN" ./cmd/ferrox
fi
mkdir -p "$OUT"
work=$(mktemp -d)
mkdir -p "$work/www"
head -c 1024 /dev/urandom | base64 -w 0 | head -c 1024 >"$work/www/1k.txt"

conf() { # port [metrics block]
	cat <<YML
server: {addr: 127.0.0.1, port: $1}
paths: {serve_dir: $work/www}
logs: {access_log: "$ACCESS_LOG"}
$2
YML
}
conf $OFF "" >"$work/off.yml"
conf $ON "metrics: {listen: 127.0.0.1:$METRICS}" >"$work/on.yml"

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
taskset -c 0 "$BIN" serve --config "$work/off.yml" 2>"$OUT/off.err" & pids+=($!); off_pid=$!
taskset -c 0 "$BIN" serve --config "$work/on.yml" 2>"$OUT/on.err" & pids+=($!); on_pid=$!
for url in "http://127.0.0.1:$OFF/1k.txt" "http://127.0.0.1:$ON/1k.txt" "http://127.0.0.1:$METRICS/metrics"; do
	for i in $(seq 51); do
		curl -fs -o /dev/null "$url" && break
		(( i < 51 )) || { echo "bench-metrics: $url does not answer" >&2; exit 1; }
		sleep 0.1
	done
done

# cpu_ticks, HZ, median_lines
. scripts/lib/bench.sh
on_sent=1 # the warm-up request above
printf 'row run requests req/s cpu_s us_per_req\n' >"$OUT/rows.txt"
for run in $(seq "$RUNS"); do
	for row in off on; do
		if [[ $row == off ]]; then pid=$off_pid port=$OFF; else pid=$on_pid port=$ON; fi
		t0=$(cpu_ticks "$pid")
		out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$port/1k.txt")
		t1=$(cpu_ticks "$pid")
		reqs=$(awk '/requests in/ {print $1}' <<<"$out")
		rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
		[[ $row == on ]] && on_sent=$((on_sent + reqs))
		awk -v r="$row" -v n="$run" -v q="$reqs" -v s="$rps" -v t=$((t1 - t0)) -v hz="$HZ" \
			'BEGIN {printf "%s %d %d %s %.2f %.3f\n", r, n, q, s, t/hz, t/hz*1e6/q}' >>"$OUT/rows.txt"
	done
done
counted=$(curl -fs "http://127.0.0.1:$METRICS/metrics" | awk '/^ferrox_requests_total\{code="2xx",method="GET"\}/ {print $2}')
column -t "$OUT/rows.txt"
median() { awk -v r="$1" '$1 == r {print $6}' "$OUT/rows.txt" | median_lines; }
m_off=$(median off)
m_on=$(median on)
{
	echo "median off: $m_off us/request"
	echo "median on: $m_on us/request"
	awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "ratio on/off (medians): %.3f\n", a / b}'
	# Paired: each on row against the off row just before it.
	awk '$1 == "off" {o = $6} $1 == "on" {print $6 / o}' "$OUT/rows.txt" | sort -n |
		awk '{a[NR] = $1; s = s " " sprintf("%.3f", $1)} END {printf "paired ratios on/off:%s (median %.3f)\n", s, (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
} | tee "$OUT/summary.txt"
echo "on server: wrk sent $on_sent GETs, ferrox_requests_total{code=\"2xx\",method=\"GET\"} = $counted" | tee -a "$OUT/summary.txt"
