#!/usr/bin/env bash
# bench-compress: server CPU per compressed request, Ferrox against nginx
# "gzip on", side by side in one run, with the same load generator (wrk,
# closed loop), the same ~50 KiB HTML file and the same gzip level.
#
# Servers are pinned to CPU 0 (nginx: one worker; Ferrox: GOMAXPROCS 1
# from the affinity), wrk to CPU 1. For every row and run the server's
# user+sys time is read from /proc/PID/stat (and its children) before and
# after, and divided by the requests wrk completed. Rows:
#   nginx identity / ferrox identity        (no Accept-Encoding: the floor)
#   nginx gzip L1                           (gzip on; gzip_comp_level 1, nginx's default)
#   ferrox gzip L1 cache off                (files.compression.cache_bytes: 0: encodes every request)
#   ferrox gzip L1 cache hit                (default cache: encoded once, then served from memory)
#   nginx gzip L6 / ferrox gzip L6 cache off
#   ferrox zstd L3 cache off / cache hit    (no nginx counterpart in Debian's nginx)
# Then it prints one table of medians, CPU ratios to nginx gzip L1 and the
# encoded sizes (also OUT/table.md; reports/bench-compress.md quotes it).
#
# Knobs (environment): RUNS (3), DURATION (5s), CONNECTIONS (4),
# BIN (bin/ferrox), OUT (out/bench-compress), SIZE (51200 bytes of the
# file). Ports 18500-18504 on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-bin/ferrox}
OUT=${OUT:-out/bench-compress}
RUNS=${RUNS:-3}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-4}
SIZE=${SIZE:-51200}
NGINX_L1=18500
NGINX_L6=18501
FERROX_CACHE=18502
FERROX_NOCACHE=18503
FERROX_L6=18504

if (( RUNS < 1 || RUNS > 9 )); then
	echo "bench-compress: RUNS must be 1..9" >&2
	exit 2
fi
for tool in nginx wrk curl; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "bench-compress: installing $tool"
		apt-get update
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $tool
	fi
done
NGINX=$(command -v nginx)
if [[ ! -x "$BIN" ]]; then
	echo "bench-compress: building $BIN"
	go build -o "$BIN" ./cmd/ferrox
fi

work=$(mktemp -d)
chmod 755 "$work"
mkdir -p "$work/www" "$work/nginx"
# A real HTML page: the first SIZE bytes of the Go specification.
head -c "$SIZE" "$(go env GOROOT)/doc/go_spec.html" >"$work/www/page.html"
chmod -R a+rX "$work/www"

# cpu_ticks, HZ, median_lines, write_nginx_conf
. scripts/lib/bench.sh

write_nginx_conf "$work/nginx/nginx.conf" "$work/nginx" "types { text/html html; }
    gzip on;
    gzip_vary on;
    gzip_min_length 1024;" "    server { listen 127.0.0.1:$NGINX_L1; root $work/www; gzip_comp_level 1; }
    server { listen 127.0.0.1:$NGINX_L6; root $work/www; gzip_comp_level 6; }"

# ferrox_conf NAME GZIP_LEVEL CACHE_BYTES: a config with the access log
# off (as nginx's is) and the given compression settings.
ferrox_conf() {
	cat >"$work/$1.yml" <<CONF
logs:
  access_log: "off"
  error_log: $work/$1-error.log
compression:
  gzip_level: $2
  cache_bytes: $3
CONF
	"$BIN" check-config "$work/$1.yml" >/dev/null
}
ferrox_conf cache 1 33554432
ferrox_conf nocache 1 0
ferrox_conf l6 6 0

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

wait_http() {
	local i
	for i in $(seq 1 50); do
		if curl -s -o /dev/null "http://127.0.0.1:$1/"; then
			return 0
		fi
		sleep 0.1
	done
	echo "bench-compress: nothing listens on $1" >&2
	return 1
}

taskset -c 0 "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
npid=$!
pids+=("$npid")
declare -A fpid
for f in cache:$FERROX_CACHE nocache:$FERROX_NOCACHE l6:$FERROX_L6; do
	name=${f%%:*} port=${f##*:}
	taskset -c 0 "$BIN" serve --config "$work/$name.yml" --root "$work/www" --listen "127.0.0.1:$port" >"$work/$name.log" 2>&1 &
	fpid[$name]=$!
	pids+=("$!")
done
for port in $NGINX_L1 $NGINX_L6 $FERROX_CACHE $FERROX_NOCACHE $FERROX_L6; do
	wait_http "$port"
done


# rows: name|pid|port|Accept-Encoding
rows=(
	"nginx identity|$npid|$NGINX_L1|"
	"ferrox identity|${fpid[cache]}|$FERROX_CACHE|"
	"nginx gzip L1|$npid|$NGINX_L1|gzip"
	"ferrox gzip L1 cache off|${fpid[nocache]}|$FERROX_NOCACHE|gzip"
	"ferrox gzip L1 cache hit|${fpid[cache]}|$FERROX_CACHE|gzip"
	"nginx gzip L6|$npid|$NGINX_L6|gzip"
	"ferrox gzip L6 cache off|${fpid[l6]}|$FERROX_L6|gzip"
	"ferrox zstd L3 cache off|${fpid[nocache]}|$FERROX_NOCACHE|zstd"
	"ferrox zstd L3 cache hit|${fpid[cache]}|$FERROX_CACHE|zstd"
)

# Check every row first: the coding sent, its size, and that it decodes to
# the file (zstd with the zstd tool when present).
sizes=()
for row in "${rows[@]}"; do
	IFS='|' read -r name pid port ae <<<"$row"
	hdr=()
	[[ -n $ae ]] && hdr=(-H "Accept-Encoding: $ae")
	curl -s "${hdr[@]}" -D "$work/h" -o "$work/b" "http://127.0.0.1:$port/page.html"
	ce=$(awk -F': ' 'tolower($1)=="content-encoding"{gsub("\r","",$2);print $2}' "$work/h")
	if [[ $ce != "$ae" ]]; then
		echo "bench-compress: $name sent Content-Encoding '$ce'; want '$ae'" >&2
		exit 1
	fi
	case $ae in
	gzip) gzip -dc "$work/b" >"$work/d" ;;
	zstd) if command -v zstd >/dev/null; then zstd -qdc "$work/b" >"$work/d"; else cp "$work/www/page.html" "$work/d"; fi ;;
	*) cp "$work/b" "$work/d" ;;
	esac
	if ! cmp -s "$work/d" "$work/www/page.html"; then
		echo "bench-compress: $name: the body does not decode to the file" >&2
		exit 1
	fi
	sizes+=("$(stat -c %s "$work/b")")
done

rm -rf "$OUT"
mkdir -p "$OUT"
for run in $(seq 1 "$RUNS"); do
	i=0
	for row in "${rows[@]}"; do
		IFS='|' read -r name pid port ae <<<"$row"
		hdr=()
		[[ -n $ae ]] && hdr=(-H "Accept-Encoding: $ae")
		before=$(cpu_ticks "$pid")
		taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "${hdr[@]}" "http://127.0.0.1:$port/page.html" >"$OUT/$i-$run.txt"
		after=$(cpu_ticks "$pid")
		reqs=$(awk '/requests in/{print $1}' "$OUT/$i-$run.txt")
		rps=$(awk '/^Requests\/sec/{print $2}' "$OUT/$i-$run.txt")
		errs=$(awk '/Non-2xx|Socket errors/' "$OUT/$i-$run.txt")
		if [[ -n $errs ]]; then
			echo "bench-compress: $name run $run: $errs" >&2
		fi
		us=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$reqs" 'BEGIN{printf "%.1f", t*1e6/hz/n}')
		echo "$i|$name|$run|$rps|$us" >>"$OUT/results.txt"
		echo "run $run: $name: $rps req/s, $us µs CPU/request"
		i=$((i + 1))
	done
done

# The table: medians over runs; CPU ratio to nginx gzip L1 (row 2).
{
	echo "| row | encoded bytes | req/s (median) | server CPU µs/request (median) | CPU vs nginx gzip L1 |"
	echo "|---|---:|---:|---:|---:|"
	base=$(awk -F'|' '$1==2{print $5}' "$OUT/results.txt" | median_lines)
	i=0
	for row in "${rows[@]}"; do
		IFS='|' read -r name pid port ae <<<"$row"
		rps=$(awk -F'|' -v i=$i '$1==i{print $4}' "$OUT/results.txt" | median_lines)
		us=$(awk -F'|' -v i=$i '$1==i{print $5}' "$OUT/results.txt" | median_lines)
		ratio=$(awk -v a="$us" -v b="$base" 'BEGIN{printf "%.2f", a/b}')
		echo "| $name | ${sizes[$i]} | $rps | $us | $ratio |"
		i=$((i + 1))
	done
} >"$OUT/table.md"
cat "$OUT/table.md"
echo "bench-compress: table in $OUT/table.md (file: $SIZE bytes; $RUNS runs of $DURATION, $CONNECTIONS connections)"
