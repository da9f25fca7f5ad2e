#!/usr/bin/env bash
# bench-side-by-side: server CPU per request of nginx, Ferrox and (with
# BASE_BIN) an earlier Ferrox build, served AT THE SAME TIME on CPU 0 and
# loaded at the same time, with the same `ferrox load` scenario, from CPU 1.
#
# bench-compare runs the servers one after another; on a shared machine
# whose speed drifts over minutes, its per-run ratios swing (close, nine
# runs: 0.51x to 1.62x). Here every server sees the same drift in the same
# seconds, so the ratio of their CPU times is steady, which is what an A/B
# of an engine change needs. It measures CPU only: the servers share a
# core and the generators share another, so latency is not comparable to a
# server alone (bench-compare reports latency).
#
# Knobs (environment): SCENARIO (close: close, keepalive or slowloris),
# RATE (1000 per server), DURATION (10s; slowloris: per phase), CONNECTIONS
# (16), SLOW_CONNS (2000), SLOW_SOURCES (50), HEADER_TIMEOUT (unset: each
# server's default; e.g. 60s for both), RUNS (3, 1..9), BIN (bin/ferrox),
# BASE_BIN (unset: no third server), OUT (out/bench-side-by-side), REPORT
# (reports/bench-side-by-side.md).
set -euo pipefail
cd "$(dirname "$0")/.."
# header_timeout_confs, cpu_ticks, HZ, median_lines, bench_cleanup, wait_port,
# write_nginx_conf, write_ferrox_conf
. scripts/lib/bench.sh

SCENARIO=${SCENARIO:-close}
RATE=${RATE:-1000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
SLOW_CONNS=${SLOW_CONNS:-2000}
SLOW_SOURCES=${SLOW_SOURCES:-50}
HEADER_TIMEOUT=${HEADER_TIMEOUT:-}
RUNS=${RUNS:-3}
BIN=${BIN:-bin/ferrox}
BASE_BIN=${BASE_BIN:-}
OUT=${OUT:-out/bench-side-by-side}
REPORT=${REPORT:-reports/bench-side-by-side.md}
PORT_NGINX=18281
PORT_FERROX=18282
PORT_BASE=18283

die() {
	echo "bench-side-by-side: $*" >&2
	exit 2
}
case $SCENARIO in
close | keepalive | slowloris) ;;
*) die "SCENARIO must be close, keepalive or slowloris (got $SCENARIO)" ;;
esac
[[ $RUNS =~ ^[1-9]$ ]] || die "RUNS must be 1..9 (got $RUNS)"
[[ $RATE =~ ^[1-9][0-9]*$ ]] || die "RATE must be a positive whole number (got $RATE)"
header_timeout_confs bench-side-by-side
[[ -z $BASE_BIN || -x $BASE_BIN ]] || die "BASE_BIN=$BASE_BIN is not an executable"
if ! command -v nginx >/dev/null 2>&1; then
	echo "bench-side-by-side: installing nginx"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx
fi
if [[ ! -x $BIN ]]; then
	go build -o "$BIN" ./cmd/ferrox
fi

work=$(mktemp -d)
chmod 755 "$work"
mkdir -p "$work/www" "$work/nginx"
head -c 1024 /dev/zero | tr '\0' 'x' >"$work/www/1k.txt"
chmod -R a+rX "$work/www"

write_nginx_conf "$work/nginx/nginx.conf" "$work/nginx" "$nginx_ht" "    server { listen 127.0.0.1:$PORT_NGINX; root $work/www; }"
write_ferrox_conf "$work/ferrox.yml" "$work" "$ferrox_ht"

pids=()
trap bench_cleanup EXIT INT TERM


names=(nginx ferrox)
ports=($PORT_NGINX $PORT_FERROX)
if [[ -n $BASE_BIN ]]; then
	names+=(base)
	ports+=($PORT_BASE)
fi
args=(--scenario "$SCENARIO" --rate "$RATE" --duration "$DURATION" --connections "$CONNECTIONS")
if [[ $SCENARIO == slowloris ]]; then
	args+=(--slow-conns "$SLOW_CONNS" --slow-interval 1s --slow-sources "$SLOW_SOURCES")
fi

rm -rf "$OUT"
mkdir -p "$OUT"
for run in $(seq 1 "$RUNS"); do
	spids=()
	taskset -c 0 nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
	spids+=($!)
	taskset -c 0 "$BIN" serve --config "$work/ferrox.yml" --root "$work/www" --listen "127.0.0.1:$PORT_FERROX" >"$work/ferrox.log" 2>&1 &
	spids+=($!)
	if [[ -n $BASE_BIN ]]; then
		taskset -c 0 "$BASE_BIN" serve --config "$work/ferrox.yml" --root "$work/www" --listen "127.0.0.1:$PORT_BASE" >"$work/base.log" 2>&1 &
		spids+=($!)
	fi
	pids+=("${spids[@]}")
	for i in "${!names[@]}"; do
		wait_port "${ports[$i]}" "${spids[$i]}" || die "${names[$i]} did not start"
	done
	before=()
	for i in "${!names[@]}"; do
		before+=("$(cpu_ticks "${spids[$i]}")")
	done
	lpids=()
	for i in "${!names[@]}"; do
		dir="$OUT/${names[$i]}/$run"
		mkdir -p "$dir"
		taskset -c 1 "$BIN" load --target "http://127.0.0.1:${ports[$i]}/1k.txt" "${args[@]}" --out "$dir" >"$dir/stdout.txt" 2>&1 &
		lpids+=($!)
	done
	for p in "${lpids[@]}"; do
		wait "$p" || true
	done
	for i in "${!names[@]}"; do
		after=$(cpu_ticks "${spids[$i]}")
		reqs=$(awk '$1 ~ /^(close|keepalive|baseline|attack)$/ {n += $2} END {print n + 0}' "$OUT/${names[$i]}/$run/load.txt" 2>/dev/null || echo 0)
		echo "$(( (after - ${before[$i]}) * 1000000 / HZ )) $reqs" >"$OUT/${names[$i]}/$run/cpu"
	done
	for p in "${spids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	line="run $run:"
	for n in "${names[@]}"; do
		read -r us reqs <"$OUT/$n/$run/cpu"
		line+=" $n $(awk -v u="$us" -v r="$reqs" 'BEGIN {printf "%.1f", r ? u / r : 0}') µs/req ($reqs reqs)"
	done
	echo "$line"
done

# per_req NAME RUN: µs of CPU per legitimate request.
per_req() {
	awk '{printf "%.3f\n", $2 ? $1 / $2 : 0}' "$OUT/$1/$2/cpu"
}
# The knobs that shape the load, named in the report's command so that it
# can be run again as it was.
knobs=""
if [[ $SCENARIO == slowloris ]]; then
	knobs+=" SLOW_CONNS=$SLOW_CONNS"
	[[ $SLOW_SOURCES == 50 ]] || knobs+=" SLOW_SOURCES=$SLOW_SOURCES"
fi
[[ $CONNECTIONS == 16 ]] || knobs+=" CONNECTIONS=$CONNECTIONS"
{
	echo "# Side by side: server CPU per request, $SCENARIO"
	echo
	echo "Command: \`SCENARIO=$SCENARIO$knobs RATE=$RATE DURATION=$DURATION RUNS=$RUNS${HEADER_TIMEOUT:+ HEADER_TIMEOUT=$HEADER_TIMEOUT}${BASE_BIN:+ BASE_BIN=…} make bench-side-by-side\`"
	echo
	echo "The servers run at the same time, all pinned to CPU 0, and get the same \`ferrox load --scenario $SCENARIO\` at the same time from CPU 1 ($RATE req/s each, $DURATION$([[ $SCENARIO == slowloris ]] && echo " per phase, $SLOW_CONNS slow connections from $SLOW_SOURCES addresses")); header timeout ${HEADER_TIMEOUT:-the defaults (Ferrox 10s, nginx 60s)}. CPU: utime+stime from /proc over the run, divided by the legitimate requests answered. The ratios are per run; the median of them is the figure to quote. Latency is not reported: the servers share one core."
	echo
	hdr="| run |"
	sep="|---|"
	for n in "${names[@]}"; do
		hdr+=" $n µs/req |"
		sep+="---:|"
	done
	hdr+=" ferrox/nginx |"
	sep+="---:|"
	if [[ -n $BASE_BIN ]]; then
		hdr+=" base/nginx | ferrox/base |"
		sep+="---:|---:|"
	fi
	echo "$hdr"
	echo "$sep"
	for run in $(seq 1 "$RUNS"); do
		row="| $run |"
		for n in "${names[@]}"; do
			row+=" $(per_req "$n" "$run") |"
		done
		ng=$(per_req nginx "$run")
		fx=$(per_req ferrox "$run")
		row+=" $(awk -v a="$fx" -v b="$ng" 'BEGIN {printf "%.2f", b ? a / b : 0}') |"
		if [[ -n $BASE_BIN ]]; then
			bs=$(per_req base "$run")
			row+=" $(awk -v a="$bs" -v b="$ng" 'BEGIN {printf "%.2f", b ? a / b : 0}') | $(awk -v a="$fx" -v b="$bs" 'BEGIN {printf "%.2f", b ? a / b : 0}') |"
		fi
		echo "$row"
	done
	med() {
		for run in $(seq 1 "$RUNS"); do
			awk -v a="$(per_req "$1" "$run")" -v b="$(per_req "$2" "$run")" 'BEGIN {printf "%.4f\n", b ? a / b : 0}'
		done | median_lines
	}
	row="| median ratio |"
	for n in "${names[@]}"; do
		row+=" |"
	done
	row+=" $(printf '%.2f' "$(med ferrox nginx)") |"
	if [[ -n $BASE_BIN ]]; then
		row+=" $(printf '%.2f' "$(med base nginx)") | $(printf '%.2f' "$(med ferrox base)") |"
	fi
	echo "$row"
} >"$REPORT"
cat "$REPORT"
