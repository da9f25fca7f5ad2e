#!/usr/bin/env bash
# cpu-wait: how much of a legitimate request's latency under slowloris is
# the server's own, measured on the server's CPU rather than at the client.
#
# On a shared 2-core VM a client-side p99 is set by a few stalls of
# several milliseconds per run, most of them not the server's (other
# tasks on its CPU, the host not running a vCPU), and it moves 2-4x
# between runs of the same build. This script runs the slowloris scenario
# of bench-compare (server on CPU 0, `ferrox load` on CPU 1, one server
# at a time: nginx, then Ferrox, RUNS times) and records every context
# switch of CPU 0 during the attack phase (perf record -e
# sched:sched_switch -C 0; perf itself runs on CPU 1, so it perturbs the
# load generator, not the server). scripts/cpuwait then gives, per run:
# the server's share of the CPU; its stretches (runs on the CPU with no
# other task or idle between); the wait of a request arriving at a random
# instant behind the server's own work (mean, p99, p99.9: an upper bound,
# see scripts/cpuwait); and the other tasks on CPU 0 with their longest
# stretch. The client-side p99 of the same run is printed beside it, for
# reading together (perf on CPU 1 makes it worse than bench-compare's).
#
# Needs root (perf) and Linux; installs nginx and perf when missing.
# Knobs (environment): RUNS (3), SLOW_CONNS (2000), HEADER_TIMEOUT (unset:
# each server's default, Ferrox 10s, nginx 60s), SLOW_DURATION (20s),
# BIN (bin/ferrox), OUT (out/cpu-wait).
set -euo pipefail
cd "$(dirname "$0")/.."
# header_timeout_confs, cpu_ticks, HZ, median_lines, bench_cleanup, wait_port,
# write_nginx_conf, write_ferrox_conf
. scripts/lib/bench.sh

RUNS=${RUNS:-3}
SLOW_CONNS=${SLOW_CONNS:-2000}
SLOW_DURATION=${SLOW_DURATION:-20s}
HEADER_TIMEOUT=${HEADER_TIMEOUT:-}
BIN=${BIN:-bin/ferrox}
OUT=${OUT:-out/cpu-wait}
NGINX_PORT=18191
FERROX_PORT=18192
if (( RUNS < 1 || RUNS > 9 )); then
	echo "cpu-wait: RUNS must be 1..9" >&2
	exit 2
fi
if [[ ! $SLOW_DURATION =~ ^[1-9][0-9]*s$ ]]; then
	echo "cpu-wait: SLOW_DURATION must be whole seconds, such as 20s (got $SLOW_DURATION)" >&2
	exit 2
fi
header_timeout_confs cpu-wait
if [[ $(uname -s) != Linux || $(id -u) != 0 ]]; then
	echo "cpu-wait: needs Linux and root (perf records the scheduler's tracepoints)" >&2
	exit 2
fi
for pkg in nginx perf; do
	if ! command -v $pkg >/dev/null 2>&1; then
		echo "cpu-wait: installing $pkg"
		apt-get update
		[[ $pkg == perf ]] && pkg=linux-perf
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkg
	fi
done
if [[ ! -x $BIN ]]; then
	go build -o "$BIN" ./cmd/ferrox
fi

work=$(mktemp -d)
chmod 755 "$work"
go build -o "$work/cpuwait" ./scripts/cpuwait
mkdir -p "$work/www" "$work/nginx"
head -c 1024 /dev/zero | tr '\0' 'x' >"$work/www/1k.txt"
chmod -R a+rX "$work/www"

pids=()
trap bench_cleanup EXIT INT TERM

write_nginx_conf "$work/nginx/nginx.conf" "$work/nginx" "$nginx_ht" "    server { listen 127.0.0.1:$NGINX_PORT; root $work/www; }"
write_ferrox_conf "$work/ferrox.yml" "$work" "$ferrox_ht"

secs=${SLOW_DURATION%s}
rm -rf "$OUT"
mkdir -p "$OUT"

# one NAME PORT RUN: the slowloris run against a started server, with
# CPU 0's context switches recorded over its attack phase.
one() {
	local name=$1 port=$2 run=$3 dir="$OUT/$1/$3"
	mkdir -p "$dir"
	taskset -c 1 "$BIN" load --target "http://127.0.0.1:$port/1k.txt" --connections 16 --scenario slowloris \
		--rate 1000 --duration "$SLOW_DURATION" --slow-conns "$SLOW_CONNS" --slow-interval 1s --slow-sources 50 \
		--out "$dir" >"$dir/stdout.txt" 2>&1 &
	local lpid=$!
	pids+=("$lpid")
	# The baseline phase, then the attack's: record the attack.
	sleep "$secs"
	taskset -c 1 perf record -q -e sched:sched_switch -C 0 -o "$dir/sched.data" -- sleep "$secs" >/dev/null 2>&1 || true
	wait "$lpid" || true
	local p99
	p99=$(awk '$1 == "attack" {print $10}' "$dir/load.txt" 2>/dev/null || true)
	if [[ ! -s $dir/sched.data ]]; then
		echo "cpu-wait: $name run $run: perf recorded nothing (is sched:sched_switch available? perf list 'sched:*')" >&2
		return 1
	fi
	perf script -i "$dir/sched.data" -F time,event,trace 2>/dev/null |
		"$work/cpuwait" -server "$name" -json "$dir/cpuwait.json" >"$dir/cpuwait.txt"
	echo "== $name run $run (client-side legit p99 under attack: ${p99:-?} ms)"
	cat "$dir/cpuwait.txt"
}

for run in $(seq 1 "$RUNS"); do
	taskset -c 0 nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
	npid=$!
	pids+=("$npid")
	if wait_port "$NGINX_PORT" "$npid"; then
		one nginx "$NGINX_PORT" "$run" || true
	fi
	kill "$npid" 2>/dev/null || true
	wait "$npid" 2>/dev/null || true

	taskset -c 0 "$BIN" serve --config "$work/ferrox.yml" --root "$work/www" --listen "127.0.0.1:$FERROX_PORT" >"$work/ferrox.log" 2>&1 &
	fpid=$!
	pids+=("$fpid")
	if wait_port "$FERROX_PORT" "$fpid"; then
		# The Go runtime names every thread after the binary.
		one "$(basename "$BIN" | cut -c1-15)" "$FERROX_PORT" "$run" || true
	fi
	kill "$fpid" 2>/dev/null || true
	wait "$fpid" 2>/dev/null || true
done

# The medians over the runs, per server.
echo
echo "medians over $RUNS run(s): server CPU %, own-wait mean / p99 / p99.9 (µs), other tasks' CPU %"
for d in "$OUT"/*/; do
	name=$(basename "$d")
	med() { for f in "$d"*/cpuwait.json; do sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$f"; done | median_lines; }
	printf '%-16s %6.2f%%  %7.1f / %7.1f / %7.1f  %6.2f%%\n' "$name" "$(med server_cpu_pct)" "$(med wait_mean_us)" "$(med wait_p99_us)" "$(med wait_p999_us)" "$(med others_cpu_pct)"
done
