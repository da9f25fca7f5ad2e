#!/usr/bin/env bash
# bench-compare: Ferrox against nginx, side by side, with the same load
# generator (`ferrox load`), the same files and the same connection counts.
#
# Both servers are pinned to CPU 0 (one worker each), the load to CPU 1. For
# each server and run it measures keep-alive capacity (closed loop, as fast as
# CONNECTIONS workers go), keepalive and close at a fixed rate, and slowloris
# (legit keep-alive traffic before and during the attack) on loopback; then
# wrk as a second, faster closed-loop generator (wrk); a 10 MiB file fetched
# in a closed loop (big: sendfile, throughput and CPU per MiB); and HTTPS
# with the same self-signed ECDSA P-256 certificate for both servers, at a
# fixed rate on kept-alive connections (tls-keepalive) and with one
# handshake per request (tls-close; the client offers X25519 only, which
# both servers implement, so the key exchange costs the same). It records
# the server's CPU time per scenario from /proc/PID/stat, and then writes
# ONE table of medians and ratios to reports/bench-compare.md. Ferrox's
# HTTPS rows run against a second ferrox process serving TLS (with TLS on,
# its plain port only redirects).
#
# Each run serves the servers one after another, in one order in odd runs
# and in the reverse order in even ones (so that a machine drifting within
# a run does not favour the same side in every pair).
#
# With BASE_BIN naming an earlier ferrox binary, each run also measures it
# (between nginx and the current build, same load generator, same config)
# and a second table, BASE_REPORT (reports/bench-compare-base.md), gives the
# current build against it: a before/after from one session.
#
# Knobs (environment): RUNS (1), RATE (2000), CLOSE_RATE (1000), DURATION
# (10s), CONNECTIONS (16), SLOW_CONNS (2000), SLOW_DURATION (20s),
# SLOW_INTERVAL (1s), SLOW_SOURCES (50: the slow connections come from
# 127.0.0.2..127.0.0.51, so a per-client-IP cap alone cannot refuse them),
# TLS_CLOSE_RATE (300), BIG_CONNECTIONS (4), OUT
# (out/bench-compare), BIN (bin/ferrox), REPORT
# (reports/bench-compare.md), HEADER_TIMEOUT (unset: each server's default,
# Ferrox 10s, nginx 60s; e.g. 60s gives both that header timeout, so the
# slowloris row compares the same policy: with the defaults Ferrox cuts
# every slow connection at 10 s with a 408 and the attacker reconnects,
# work nginx, holding them for 60 s, does not do within the attack),
# SCENARIOS (all: max keepalive close slowloris
# wrk big tls-keepalive tls-close; a subset, e.g. "close slowloris", runs only
# those, for iterating; the report then has only their rows),
# NGINX_OPEN_FILE_CACHE (0; 1 gives nginx
# "open_file_cache max=1000; open_file_cache_valid 1s", the counterpart of
# Ferrox's default files.open_file_cache: 1s).
set -euo pipefail
cd "$(dirname "$0")/.."
# header_timeout_confs, cpu_ticks, HZ, median_lines, bench_cleanup, wait_port,
# write_nginx_conf, write_ferrox_conf
. scripts/lib/bench.sh

# The load knobs given in the environment, named in the report's command
# line so that it repeats the run (the defaults below are not named).
knobs=""
for k in RATE CLOSE_RATE DURATION CONNECTIONS SLOW_CONNS SLOW_DURATION SLOW_INTERVAL SLOW_SOURCES TLS_CLOSE_RATE BIG_CONNECTIONS; do
	if [[ -n ${!k:-} ]]; then
		knobs+="$k=${!k} "
	fi
done

BIN=${BIN:-bin/ferrox}
OUT=${OUT:-out/bench-compare}
RUNS=${RUNS:-1}
RATE=${RATE:-2000}
CLOSE_RATE=${CLOSE_RATE:-1000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
SLOW_CONNS=${SLOW_CONNS:-2000}
SLOW_DURATION=${SLOW_DURATION:-20s}
SLOW_INTERVAL=${SLOW_INTERVAL:-1s}
SLOW_SOURCES=${SLOW_SOURCES:-50}
TLS_CLOSE_RATE=${TLS_CLOSE_RATE:-300}
BIG_CONNECTIONS=${BIG_CONNECTIONS:-4}
NGINX_PORT=18181
FERROX_PORT=18182
BASE_PORT=18183
# HTTPS ports are the plain ones + 100 (nginx, ferrox, base).
TLS_OFFSET=100
BASE_BIN=${BASE_BIN:-}
BASE_REPORT=${BASE_REPORT:-reports/bench-compare-base.md}
if [[ -n $BASE_BIN && ! -x $BASE_BIN ]]; then
	echo "bench-compare: BASE_BIN=$BASE_BIN is not an executable" >&2
	exit 2
fi
REPORT=${REPORT:-reports/bench-compare.md}
NGINX_OPEN_FILE_CACHE=${NGINX_OPEN_FILE_CACHE:-0}
HEADER_TIMEOUT=${HEADER_TIMEOUT:-}
header_timeout_confs bench-compare
ofc=""
if [[ $NGINX_OPEN_FILE_CACHE == 1 ]]; then
	ofc="open_file_cache max=1000 inactive=20s; open_file_cache_valid 1s;"
fi

if (( RUNS < 1 || RUNS > 9 )); then
	echo "bench-compare: RUNS must be 1..9" >&2
	exit 2
fi

if ! command -v nginx >/dev/null 2>&1; then
	echo "bench-compare: installing nginx"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx
fi
NGINX=$(command -v nginx)
if ! command -v wrk >/dev/null 2>&1; then
	echo "bench-compare: installing wrk"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk
fi

if [[ ! -x "$BIN" ]]; then
	echo "bench-compare: building $BIN"
	go build -o "$BIN" ./cmd/ferrox
fi
work=$(mktemp -d)
chmod 755 "$work"
go build -o "$work/compare" ./loadtest/cmd/compare

# The same site for both servers: a 1 KiB file and an index.
mkdir -p "$work/www" "$work/nginx"
head -c 1024 /dev/zero | tr '\0' 'x' >"$work/www/1k.txt"
printf '<!doctype html><title>bench</title><p>bench\n' >"$work/www/index.html"
head -c $((10 << 20)) /dev/urandom >"$work/www/10m.bin"
chmod -R a+rX "$work/www"
# One certificate for both servers' HTTPS rows.
"$BIN" cert --dev "$work/tls" >/dev/null
chmod -R a+rX "$work/tls"

write_nginx_conf "$work/nginx/nginx.conf" "$work/nginx" "$nginx_ht $ofc" "    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $work/www;
    }
    server {
        listen 127.0.0.1:$((NGINX_PORT + TLS_OFFSET)) ssl;
        ssl_certificate $work/tls/cert.pem;
        ssl_certificate_key $work/tls/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $work/www;
    }"

# Ferrox: defaults, except the access log is off, as nginx's is here.
write_ferrox_conf "$work/ferrox.yml" "$work" "$ferrox_ht"
ferrox_conf=(--config "$work/ferrox.yml")
if ! "$BIN" check-config "$work/ferrox.yml" >/dev/null 2>&1; then
	echo "bench-compare: ferrox rejects the bench config; running it with defaults (access log on)" >&2
	ferrox_conf=()
fi

pids=()
trap bench_cleanup EXIT INT TERM


# wrk_json DIR: the wrk output in DIR/stdout.txt as DIR/load.json, in the
# shape of a ferrox load result (one keepalive phase), for compare.
wrk_json() {
	awk -v dir="$1" '
	function ms(v) {
		if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
		if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
		if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 }
		return v + 0
	}
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/requests in/ { n = $1 }
	/^Requests\/sec:/ { rps = $2 }
	/Non-2xx or 3xx responses:/ { bad += $NF }
	/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { v = $i; sub(/,/, "", v); bad += v } }
	END {
		ok = (n > 0) ? (n - bad) / n : 0
		printf "{\"schema\":1,\"scenario\":\"wrk\",\"phases\":[{\"name\":\"keepalive\",\"requests\":%d,\"success\":%.6f,\"throughput\":%s,\"p50_ms\":%.6f,\"p99_ms\":%.6f,\"legit\":true}]}\n", n, ok, rps + 0, p50, p99 > dir "/load.json"
	}' "$1/stdout.txt"
}

# bench NAME URL PID RUN SCENARIO...: the scenarios against one server.
bench() {
	local name=$1 url=$2 pid=$3 run=$4 scen dir before after rc
	shift 4
	for scen in "$@"; do
		dir="$OUT/$name/$run/$scen"
		mkdir -p "$dir"
		local args=(--target "$url/1k.txt" --connections "$CONNECTIONS" --out "$dir")
		case $scen in
		max) args+=(--scenario keepalive --closed-loop --duration "$DURATION") ;;
		keepalive | tls-keepalive) args+=(--scenario keepalive --rate "$RATE" --duration "$DURATION") ;;
		close) args+=(--scenario close --rate "$CLOSE_RATE" --duration "$DURATION") ;;
		tls-close) args+=(--scenario close --rate "$TLS_CLOSE_RATE" --duration "$DURATION") ;;
		slowloris) args+=(--scenario slowloris --rate "$CLOSE_RATE" --duration "$SLOW_DURATION" --slow-conns "$SLOW_CONNS"
			--slow-interval "$SLOW_INTERVAL" --slow-sources "$SLOW_SOURCES") ;;
		big) args=(--target "$url/10m.bin" --connections "$BIG_CONNECTIONS" --out "$dir"
			--scenario keepalive --closed-loop --duration "$DURATION") ;;
		esac
		case $scen in
		tls-*) args+=(--cacert "$work/tls/cert.pem" --tls-curves x25519) ;;
		esac
		echo "bench-compare: $name run $run $scen"
		before=$(cpu_ticks "$pid")
		rc=0
		if [[ $scen == wrk ]]; then
			taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$url/1k.txt" >"$dir/stdout.txt" || rc=$?
			wrk_json "$dir"
		else
			taskset -c 1 "$BIN" load "${args[@]}" >"$dir/stdout.txt" || rc=$?
		fi
		after=$(cpu_ticks "$pid")
		echo $(( (after - before) * 1000000 / HZ )) >"$dir/cpu_us"
		if (( rc == 2 )); then
			echo "bench-compare: load generator failed for $name $scen (exit 2)" >&2
			cat "$dir/stdout.txt" >&2
		fi
		grep -E '^(keepalive|close|baseline|attack) ' "$dir/load.txt" 2>/dev/null || grep -E '^Requests/sec' "$dir/stdout.txt" 2>/dev/null || true
	done
}

PLAIN_SCENARIOS=(max keepalive close slowloris wrk big)
TLS_SCENARIOS=(tls-keepalive tls-close)
if [[ -n ${SCENARIOS:-} ]]; then
	for scen in $SCENARIOS; do
		case " ${PLAIN_SCENARIOS[*]} ${TLS_SCENARIOS[*]} " in
		*" $scen "*) ;;
		*)
			echo "bench-compare: SCENARIOS: unknown scenario $scen (known: ${PLAIN_SCENARIOS[*]} ${TLS_SCENARIOS[*]})" >&2
			exit 2
			;;
		esac
	done
	pick() {
		local s
		for s in "$@"; do
			[[ " $SCENARIOS " == *" $s "* ]] && printf '%s\n' "$s"
		done
		return 0
	}
	mapfile -t PLAIN_SCENARIOS < <(pick "${PLAIN_SCENARIOS[@]}")
	mapfile -t TLS_SCENARIOS < <(pick "${TLS_SCENARIOS[@]}")
fi

# serve_ferrox NAME BINARY PORT RUN: start that ferrox, bench it, stop it.
# The plain scenarios run against a plain server, the HTTPS ones against a
# second process with TLS on (its plain port then redirects), started after
# the first has stopped.
serve_ferrox() {
	local name=$1 bin=$2 port=$3 run=$4 fpid mode
	local tport=$((port + TLS_OFFSET))
	for mode in plain tls; do
		local flags=(--root "$work/www" --listen "127.0.0.1:$port") url="http://127.0.0.1:$port" wait=$port
		local scens=("${PLAIN_SCENARIOS[@]}")
		if [[ $mode == tls ]]; then
			flags+=(--tls-cert "$work/tls/cert.pem" --tls-key "$work/tls/key.pem" --https-listen "127.0.0.1:$tport")
			url="https://127.0.0.1:$tport" wait=$tport
			scens=("${TLS_SCENARIOS[@]}")
		fi
		if ((${#scens[@]} == 0)); then
			continue
		fi
		taskset -c 0 "$bin" serve "${ferrox_conf[@]}" "${flags[@]}" >"$work/$name-$mode.log" 2>&1 &
		fpid=$!
		pids+=("$fpid")
		if wait_port "$wait" "$fpid"; then
			bench "$name" "$url" "$fpid" "$run" "${scens[@]}"
		else
			echo "bench-compare: $name serve ($mode) did not start; its log:" >&2
			head -20 "$work/$name-$mode.log" >&2 || true
		fi
		kill "$fpid" 2>/dev/null || true
		wait "$fpid" 2>/dev/null || true
	done
}

rm -rf "$OUT"
mkdir -p "$OUT"

# serve_nginx RUN: start nginx, bench it, stop it.
serve_nginx() {
	local run=$1 npid
	taskset -c 0 "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
	npid=$!
	pids+=("$npid")
	if wait_port "$NGINX_PORT" "$npid"; then
		bench nginx "http://127.0.0.1:$NGINX_PORT" "$npid" "$run" "${PLAIN_SCENARIOS[@]}"
		bench nginx "https://127.0.0.1:$((NGINX_PORT + TLS_OFFSET))" "$npid" "$run" "${TLS_SCENARIOS[@]}"
	else
		echo "bench-compare: nginx did not start" >&2
		cat "$work/nginx/error.log" >&2 || true
	fi
	kill "$npid" 2>/dev/null || true
	wait "$npid" 2>/dev/null || true
}

# serve_base RUN: the earlier build, when one is given.
serve_base() {
	if [[ -n $BASE_BIN ]]; then
		serve_ferrox base "$BASE_BIN" "$BASE_PORT" "$1"
	fi
}

# Odd runs serve nginx, the earlier build and the current one; even runs
# the reverse: a machine whose state drifts over the minutes of a run then
# does not favour the same side in every pair.
for run in $(seq 1 "$RUNS"); do
	if ((run % 2)); then
		serve_nginx "$run"
		serve_base "$run"
		serve_ferrox ferrox "$BIN" "$FERROX_PORT" "$run"
	else
		serve_ferrox ferrox "$BIN" "$FERROX_PORT" "$run"
		serve_base "$run"
		serve_nginx "$run"
	fi
done

params="header timeout: ${HEADER_TIMEOUT:-the defaults (Ferrox 10s, nginx 60s)}; nginx open_file_cache: $([[ -n $ofc ]] && echo "on (max=1000, valid 1s)" || echo "off (its default)"); Ferrox files.open_file_cache: 1s (its default); slow connections from $SLOW_SOURCES addresses (127.0.0.2..), legitimate traffic from 127.0.0.1, no Accept-Encoding (both servers send the identity); max: keepalive --closed-loop; keepalive --rate $RATE, close --rate $CLOSE_RATE, --duration $DURATION, --connections $CONNECTIONS, /1k.txt (1 KiB); slowloris --rate $CLOSE_RATE --duration $SLOW_DURATION per phase, --slow-conns $SLOW_CONNS --slow-interval $SLOW_INTERVAL; wrk -t1 -c$CONNECTIONS -d$DURATION /1k.txt; big: /10m.bin, keepalive --closed-loop, --connections $BIG_CONNECTIONS; tls-keepalive --rate $RATE, tls-close --rate $TLS_CLOSE_RATE, ECDSA P-256 certificate, TLS 1.3, client offers X25519 only; runs $RUNS"
"$work/compare" -a "nginx=$OUT/nginx" -b "ferrox=$OUT/ferrox" -o "$REPORT" \
	-cmd "${knobs}RUNS=$RUNS NGINX_OPEN_FILE_CACHE=$NGINX_OPEN_FILE_CACHE${HEADER_TIMEOUT:+ HEADER_TIMEOUT=$HEADER_TIMEOUT}${SCENARIOS:+ SCENARIOS=\"$SCENARIOS\"} make bench-compare  # scripts/bench-compare.sh" -params "$params"
cat "$REPORT"
if [[ -n $BASE_BIN ]]; then
	"$work/compare" -a "base=$OUT/base" -b "ferrox=$OUT/ferrox" -o "$BASE_REPORT" \
		-cmd "${knobs}BASE_BIN=$BASE_BIN RUNS=$RUNS${HEADER_TIMEOUT:+ HEADER_TIMEOUT=$HEADER_TIMEOUT}${SCENARIOS:+ SCENARIOS=\"$SCENARIOS\"} make bench-compare  # scripts/bench-compare.sh; base: $("$BASE_BIN" version 2>/dev/null | head -1), ferrox: $("$BIN" version 2>/dev/null | head -1)" -params "$params"
	cat "$BASE_REPORT"
fi
