#!/usr/bin/env bash
# chains.sh — `make chains`: run the conformance corpus through ten real
# reverse proxies, each in front of Ferrox's recording origin, and render the
# proxy × case matrix of chain verdicts.
#
# Installs the Debian packages it needs when missing (a proxy that cannot be
# installed is skipped with a message; /usr/sbin/policy-rc.d keeps their
# postinst from starting system services), writes each proxy's config from
# scripts/chains/ into a temp dir, starts every proxy on loopback (front ends
# 127.0.0.1:18201..18210, each forwarding to its own origin port
# 127.0.0.1:18301..18310), waits for each (bounded), checks that each one
# forwards a GET to a stand-in origin (`ferrox serve` on its origin port,
# stopped again before grading), runs
#   ferrox conform --via 127.0.0.1:FRONT --origin 127.0.0.1:ORIGIN \
#                  --format json --out CHAINS_OUT/NAME/
# per proxy (CHAINS_JOBS at a time, each bounded by `timeout`), writes
# CHAINS_OUT/VERSIONS.md (package versions, start times, status), gzips each
# proxy's JSON report (CHAINS_OUT/NAME/conformance.json.gz) and renders
# CHAINS_OUT/matrix.{md,html} with reports/cmd/chains. Every process it
# started is stopped on exit. Only 127.0.0.1 is used.
#
# Environment: CHAINS_OUT (default reports/chains), FERROX_BIN (default
# bin/ferrox), LEVEL (default all), CASES (comma-separated globs for
# --cases, default every case), PROXIES (default all ten: "nginx apache
# haproxy varnish squid caddy trafficserver h2o lighttpd goproxy"),
# NO_INSTALL=1 to skip apt-get, CHAINS_TIMEOUT seconds per proxy run
# (default 900), CHAINS_JOBS proxy runs at once (default 10: a run mostly
# waits on its proxy and origin, and with all ten at once on 2 cores each
# took as long as with five), CHAINS_KEEP=1 to keep the temp dir (configs
# and proxy logs) for inspection.
set -euo pipefail

cd "$(dirname "$0")/.."
T0=$(date +%s)
OUT=${CHAINS_OUT:-reports/chains}
BIN=${FERROX_BIN:-bin/ferrox}
LEVEL=${LEVEL:-all}
CASES=${CASES:-}
PROXIES=${PROXIES:-"nginx apache haproxy varnish squid caddy trafficserver h2o lighttpd goproxy"}
CHAINS_TIMEOUT=${CHAINS_TIMEOUT:-900}
CHAINS_JOBS=${CHAINS_JOBS:-10}
TEMPLATES=scripts/chains

# Front-end ports; each proxy's origin port is its front port + 100.
declare -A FRONT=([nginx]=18201 [apache]=18202 [haproxy]=18203 [varnish]=18204 [squid]=18205
	[caddy]=18206 [trafficserver]=18207 [h2o]=18208 [lighttpd]=18209 [goproxy]=18210)
# Debian package of each proxy (goproxy is built from scripts/goproxy).
declare -A PKG=([nginx]=nginx [apache]=apache2 [haproxy]=haproxy [varnish]=varnish [squid]=squid
	[caddy]=caddy [trafficserver]=trafficserver [h2o]=h2o [lighttpd]=lighttpd)

log() { printf 'chains: %s\n' "$*" >&2; }

[ -x "$BIN" ] || { log "$BIN not found; run 'make build' first"; exit 2; }
case "$CHAINS_JOBS" in '' | *[!0-9]* | 0) log "CHAINS_JOBS must be a positive integer"; exit 2 ;; esac

# A proxy that aborts (Traffic Server does on SIGTERM while a network thread
# spins) must not leave a core file behind.
ulimit -c 0 2>/dev/null || true

WORK=$(mktemp -d /tmp/ferrox-chains.XXXXXX)
# Proxies started as root drop to an unprivileged user: it must reach its dir.
chmod 755 "$WORK"
PIDS=()            # process-group leaders of the proxies (each runs under setsid)
CONFORM_PIDS=()    # the conform runs in flight
STANDIN=""         # the stand-in origin while one runs (its own group)
POLICY_WRITTEN=""  # set while our own /usr/sbin/policy-rc.d is in place
SUDO=""

# stop_group PID: SIGTERM the process group PID leads, up to 5 s for it to
# exit (bounded), then SIGKILL whatever is left of the group.
stop_group() {
	local pid=$1
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 -- "-$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
	local pid f groups=("${PIDS[@]}")
	[ -n "$STANDIN" ] && groups+=("$STANDIN")
	# `timeout` leads its own process group: conform runs still in flight
	for f in "$WORK"/*/conform.pid; do
		[ -e "$f" ] && [ ! -e "${f%.pid}.rc" ] && groups+=("$(cat "$f")")
	done
	for pid in "${groups[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	for pid in "${groups[@]}"; do
		stop_group "$pid"
	done
	for pid in "${CONFORM_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	if [ -n "$POLICY_WRITTEN" ]; then
		$SUDO rm -f /usr/sbin/policy-rc.d
	fi
	if [ "${CHAINS_KEEP:-0}" = 1 ]; then
		log "kept $WORK"
		return
	fi
	# bounded: a proxy's crash helper may still be writing into its dir
	for _ in 1 2 3 4 5; do
		rm -rf "$WORK" 2>/dev/null && return
		sleep 1
	done
	log "could not remove $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- packages -------------------------------------------------------------
have() { command -v "$1" >/dev/null 2>&1; }

# installed NAME: whether the proxy NAME can be started.
installed() {
	case "$1" in
	nginx) have nginx ;;
	apache) have apache2 && [ -e /usr/lib/apache2/modules/mod_proxy_http.so ] &&
		[ -e /usr/lib/apache2/modules/mod_mpm_event.so ] ;;
	haproxy) have haproxy ;;
	varnish) have varnishd ;;
	squid) have squid ;;
	caddy) have caddy ;;
	trafficserver) have traffic_server ;;
	h2o) have h2o ;;
	lighttpd) have lighttpd ;;
	goproxy) have go ;;
	*) return 1 ;;
	esac
}

install_pkgs() {
	local missing=() name pkg
	for name in $PROXIES; do
		pkg=${PKG[$name]:-}
		[ -n "$pkg" ] || continue
		installed "$name" || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "${NO_INSTALL:-0}" = 1 ]; then
		log "NO_INSTALL=1: not installing ${missing[*]}"
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		if have sudo && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
			log "not root and no sudo: cannot install ${missing[*]}; those proxies are skipped"
			return 0
		fi
	fi
	# The packages' postinst would start system-wide services (on port 80
	# and friends). invoke-rc.d asks policy-rc.d first; exit 101 means
	# "action forbidden". An existing policy-rc.d is left as it is.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# written by ferrox scripts/chains.sh during apt-get install\nexit 101\n' |
			$SUDO tee /usr/sbin/policy-rc.d >/dev/null
		$SUDO chmod 755 /usr/sbin/policy-rc.d
		POLICY_WRITTEN=1
	fi
	log "installing ${missing[*]}"
	$SUDO timeout 300 apt-get -o DPkg::Lock::Timeout=120 update -qq || log "apt-get update failed; trying to install anyway"
	for pkg in "${missing[@]}"; do
		DEBIAN_FRONTEND=noninteractive $SUDO timeout 600 apt-get -o DPkg::Lock::Timeout=120 \
			install -y -qq --no-install-recommends "$pkg" >/dev/null ||
			log "could not install $pkg; it is skipped"
	done
	if [ -n "$POLICY_WRITTEN" ]; then
		$SUDO rm -f /usr/sbin/policy-rc.d
		POLICY_WRITTEN=""
	fi
}
install_pkgs

# --- configs --------------------------------------------------------------
# render TEMPLATE DEST NAME: copy a template from scripts/chains/ with its
# placeholders filled in for proxy NAME.
render() {
	local name=$3 d="$WORK/$3"
	sed -e "s|@DIR@|$d|g" \
		-e "s|@FRONT_PORT@|${FRONT[$name]}|g" \
		-e "s|@ORIGIN_PORT@|$((FRONT[$name] + 100))|g" "$TEMPLATES/$1" >"$2"
	if grep -q '@[A-Z_]*@' "$2"; then
		log "$TEMPLATES/$1 has an unknown placeholder: $(grep -o '@[A-Z_]*@' "$2" | head -1)"
		return 1
	fi
}

# spawn NAME CMD...: start CMD in the proxy's dir as the leader of a new
# process group (so its workers can be stopped with it), output in
# stdout.log there. The subshell execs setsid, which execs CMD: $! is CMD.
declare -A PID_OF=()
spawn() {
	local name=$1 d="$WORK/$1"
	shift
	(cd "$d" && exec setsid "$@" >"$d/stdout.log" 2>&1 </dev/null) &
	PIDS+=($!)
	PID_OF[$name]=$!
}

# --- proxies --------------------------------------------------------------
# Each start_NAME writes the config into $WORK/NAME and spawns the proxy in
# the foreground (no daemon mode), so its pid is ours to stop. We run as root
# in the container; every proxy that would drop privileges is told to, and
# the dirs it writes after dropping them are made writable for it.

start_nginx() {
	local d="$WORK/nginx"
	mkdir -p "$d/tmp"
	render nginx.conf "$d/nginx.conf" nginx
	spawn nginx nginx -p "$d" -c "$d/nginx.conf" -g 'daemon off;'
}

start_apache() {
	local d="$WORK/apache"
	render apache.conf "$d/httpd.conf" apache
	spawn apache apache2 -f "$d/httpd.conf" -DFOREGROUND
}

start_haproxy() {
	local d="$WORK/haproxy"
	render haproxy.cfg "$d/haproxy.cfg" haproxy
	spawn haproxy haproxy -db -f "$d/haproxy.cfg"
}

start_varnish() {
	local d="$WORK/varnish"
	render varnish.vcl "$d/varnish.vcl" varnish
	spawn varnish varnishd -F -n "$d/work" -a "127.0.0.1:${FRONT[varnish]}" -T none \
		-f "$d/varnish.vcl" -s malloc,32m
}

start_squid() {
	local d="$WORK/squid"
	render squid.conf "$d/squid.conf" squid
	# squid writes its pid file and cache.log after dropping to the proxy
	# user (cache_effective_user).
	if [ "$(id -u)" = 0 ]; then chown proxy "$d"; fi
	spawn squid squid -N -f "$d/squid.conf"
}

start_caddy() {
	local d="$WORK/caddy"
	render Caddyfile "$d/Caddyfile" caddy
	HOME="$d" XDG_DATA_HOME="$d/data" XDG_CONFIG_HOME="$d/config" \
		spawn caddy caddy run --config "$d/Caddyfile" --adapter caddyfile
}

start_trafficserver() {
	local d="$WORK/trafficserver" f
	mkdir -p "$d/etc" "$d/run" "$d/log" "$d/cache" "$d/var"
	render trafficserver/runroot.yaml "$d/runroot.yaml" trafficserver
	for f in records.config remap.config storage.config ip_allow.yaml; do
		render "trafficserver/$f" "$d/etc/$f" trafficserver
	done
	# Configs ATS reads but that this setup leaves empty (each missing one
	# would only log a warning).
	for f in cache.config hosting.config parent.config plugin.config ssl_multicert.config volume.config; do
		: >"$d/etc/$f"
	done
	spawn trafficserver traffic_server --run-root="$d/runroot.yaml"
}

start_h2o() {
	local d="$WORK/h2o"
	render h2o.conf "$d/h2o.conf" h2o
	# h2o writes its pid file after switching to `user`.
	if [ "$(id -u)" = 0 ]; then chown nobody "$d"; fi
	spawn h2o h2o -c "$d/h2o.conf"
}

start_lighttpd() {
	local d="$WORK/lighttpd"
	mkdir -p "$d/empty"
	render lighttpd.conf "$d/lighttpd.conf" lighttpd
	# lighttpd opens its error log after switching to server.username.
	if [ "$(id -u)" = 0 ]; then chown nobody "$d"; fi
	spawn lighttpd lighttpd -D -f "$d/lighttpd.conf"
}

start_goproxy() {
	local d="$WORK/goproxy"
	spawn goproxy "$d/goproxy" -listen "127.0.0.1:${FRONT[goproxy]}" \
		-upstream "127.0.0.1:$((FRONT[goproxy] + 100))"
}

# wait_up NAME: bounded poll (20 s, every 20 ms, so start times are to a
# few ms) until the proxy accepts on its front port; fails at once if its
# process has exited.
wait_up() {
	local port=${FRONT[$1]} pid=${PID_OF[$1]}
	for _ in $(seq 1 1000); do
		port_busy "$port" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

# port_busy PORT: whether something accepts on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# version_of NAME: the Debian package and its version (Go's for goproxy).
version_of() {
	local pkg=${PKG[$1]:-}
	if [ -n "$pkg" ]; then
		printf '%s %s' "$pkg" "$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo '?')"
	else
		printf 'net/http/httputil, %s' "$(go version | awk '{print $3}')"
	fi
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# fetch PORT PATH: one GET through 127.0.0.1:PORT (bounded: 5 s), response
# on stdout. Bash's /dev/tcp, so no HTTP client is needed.
fetch() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$2" >&3
		timeout 5 cat <&3
	) 2>/dev/null
}

# check_forwards NAME: serve a one-file tree with `ferrox serve` on the
# proxy's origin port, GET it through the proxy until the file's random
# token comes back (bounded: 40 tries, 0.25 s apart), then stop the stand-in.
# This proves the proxy forwards before it is graded, and lets proxies that
# probe their upstream see the origin alive: Squid marks a cache_peer dead
# when its start-up probe fails (the recording origin is not up yet then)
# and answers 502 until a later probe succeeds.
check_forwards() {
	local name=$1 port=${FRONT[$1]} d="$WORK/$1/standin" token pid ok=1
	mkdir -p "$d/root"
	token="ferrox-chains-$RANDOM$RANDOM"
	echo "$token" >"$d/root/chains-check.txt"
	chmod -R a+rX "$d"
	setsid "$BIN" serve --root "$d/root" --listen "127.0.0.1:$((port + 100))" >"$d/serve.log" 2>&1 &
	pid=$!
	STANDIN=$pid
	for _ in $(seq 1 50); do port_busy $((port + 100)) && break; sleep 0.1; done
	TRIES[$name]=0
	for _ in $(seq 1 40); do
		TRIES[$name]=$((TRIES[$name] + 1))
		if fetch "$port" /chains-check.txt | grep -q "$token"; then ok=0; break; fi
		sleep 0.25
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	STANDIN=""
	return $ok
}

# Cases a proxy is not graded on, with why. Traffic Server 9.2: after
# limit-fields-10000 (one request with 10 000 header fields) one of its
# network threads spins at 100% CPU for good, so every later case would
# time out; the hang is reported in the README instead.
declare -A SKIP=([trafficserver]="limit-fields-10000")

# run_conform NAME: grade one proxy; exit status and seconds land in its dir.
run_conform() {
	local name=$1 port=${FRONT[$1]} rc=0 t0
	local args=(conform --via "127.0.0.1:$port" --origin "127.0.0.1:$((port + 100))"
		--level "$LEVEL" --format json --out "$OUT/$name/")
	[ -n "$CASES" ] && args+=(--cases "$CASES")
	[ -n "${SKIP[$name]:-}" ] && args+=(--skip "${SKIP[$name]}")
	rm -rf "${OUT:?}/$name"
	mkdir -p "$OUT/$name"
	t0=$(date +%s)
	timeout -k 10 "$CHAINS_TIMEOUT" "$BIN" "${args[@]}" >"$WORK/$name/conform.log" 2>&1 &
	echo $! >"$WORK/$name/conform.pid"
	wait $! || rc=$?
	echo "$rc" >"$WORK/$name/conform.rc"
	echo $(($(date +%s) - t0)) >"$WORK/$name/conform.secs"
}

declare -A STATUS=() STARTED_MS=() TRIES=()

# 1. Start every proxy, one at a time so start times do not skew each other.
READY=()
for name in $PROXIES; do
	[ -n "${FRONT[$name]:-}" ] || { log "unknown proxy $name (known: ${!FRONT[*]})"; continue; }
	if ! installed "$name"; then
		log "$name not installed: skipped"
		STATUS[$name]="skipped: not installed"
		continue
	fi
	port=${FRONT[$name]}
	if port_busy "$port" || port_busy $((port + 100)); then
		log "$name: 127.0.0.1:$port or :$((port + 100)) is already in use; skipped"
		STATUS[$name]="skipped: port in use"
		continue
	fi
	mkdir -p "$WORK/$name"
	if [ "$name" = goproxy ]; then
		# built before the clock starts
		go build -o "$WORK/goproxy/goproxy" ./scripts/goproxy || {
			log "scripts/goproxy did not build: skipped"
			STATUS[$name]="skipped: did not build"
			continue
		}
	fi
	t=$(now_ms)
	if ! "start_$name" || ! wait_up "$name"; then
		log "$name did not start on 127.0.0.1:$port; skipped (its logs follow)"
		find "$WORK/$name" -name '*.log' -exec tail -n 20 {} + >&2 2>/dev/null || true
		STATUS[$name]="skipped: did not start"
		continue
	fi
	STARTED_MS[$name]=$(($(now_ms) - t))
	log "$name up on 127.0.0.1:$port in ${STARTED_MS[$name]} ms"
	READY+=("$name")
done

# 2. Every proxy must forward a plain GET to a stand-in origin before it is
# graded.
GRADE=()
for name in "${READY[@]}"; do
	if check_forwards "$name"; then
		log "$name forwards to 127.0.0.1:$((FRONT[$name] + 100)) (GET answered on try ${TRIES[$name]})"
		GRADE+=("$name")
	else
		log "$name did not forward a GET to the stand-in origin in ${TRIES[$name]} tries; skipped"
		fetch "${FRONT[$name]}" /chains-check.txt | head -5 >&2 || true
		STATUS[$name]="skipped: did not forward a GET"
	fi
done

# 3. Grade, at most CHAINS_JOBS proxies at once. Each wait returns when a run
# ends and every run is bounded by its timeout, so the loop is too.
for name in "${GRADE[@]}"; do
	while :; do
		alive=()
		for pid in "${CONFORM_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
		CONFORM_PIDS=("${alive[@]}")
		[ ${#CONFORM_PIDS[@]} -lt "$CHAINS_JOBS" ] && break
		wait -n "${CONFORM_PIDS[@]}" || true
	done
	log "conform $name via 127.0.0.1:${FRONT[$name]}"
	run_conform "$name" &
	CONFORM_PIDS+=($!)
done
for pid in "${CONFORM_PIDS[@]}"; do wait "$pid" || true; done
CONFORM_PIDS=()

MATRIX_ARGS=()
for name in "${GRADE[@]}"; do
	rc=$(cat "$WORK/$name/conform.rc" 2>/dev/null || echo '?')
	secs=$(cat "$WORK/$name/conform.secs" 2>/dev/null || echo '?')
	case "$rc" in
	0 | 1) # exit 1 means "some case failed": expected for most proxies
		STATUS[$name]="graded in $secs s"
		# The full report (every byte both ways) is ~15 MB of JSON per
		# proxy; gzipped (-n: no name or time stamp) it is under 1 MB.
		gzip -9 -n -f "$OUT/$name"/*.json
		MATRIX_ARGS+=("$OUT/$name")
		;;
	124 | 137)
		log "conform via $name timed out after $CHAINS_TIMEOUT s; its output follows"
		tail -n 20 "$WORK/$name/conform.log" >&2 || true
		STATUS[$name]="conform timed out ($CHAINS_TIMEOUT s)"
		;;
	*)
		log "conform via $name exited $rc; its output follows"
		tail -n 20 "$WORK/$name/conform.log" >&2 || true
		STATUS[$name]="conform exit $rc"
		;;
	esac
done

# 4. VERSIONS.md, in PROXIES order.
mkdir -p "$OUT"
{
	echo "# Proxy chains"
	echo
	echo "Generated by \`make chains\` (scripts/chains.sh) on $(date -u +%Y-%m-%dT%H:%MZ), level \`$LEVEL\`${CASES:+, cases \`$CASES\`}, $("$BIN" version 2>&1 | head -1)."
	echo "Each proxy runs on loopback with its config from scripts/chains/ and forwards to its own recording origin"
	echo "(\`ferrox conform --via 127.0.0.1:FRONT --origin 127.0.0.1:ORIGIN\`). *start*: milliseconds from launch until the"
	echo "front port accepted; *check*: the try on which a GET reached a stand-in origin (\`ferrox serve\`) through it."
	echo
	echo "| proxy | front | origin | package | start (ms) | check | status |"
	echo "|---|---|---|---|---|---|---|"
	for name in $PROXIES; do
		[ -n "${FRONT[$name]:-}" ] || continue
		printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "${FRONT[$name]}" "$((FRONT[$name] + 100))" \
			"$(version_of "$name")" "${STARTED_MS[$name]:--}" "${TRIES[$name]:--}" "${STATUS[$name]:-?}"
	done
} >"$OUT/VERSIONS.md"

if [ ${#MATRIX_ARGS[@]} -eq 0 ]; then
	log "no proxy was graded ($(($(date +%s) - T0)) s)"
	exit 1
fi
go run ./reports/cmd/chains -out "$OUT" "${MATRIX_ARGS[@]}"
took=$(($(date +%s) - T0))
printf '\nThe whole run took %d s on %d cores (%d of %d proxies graded, CHAINS_JOBS=%d).\n' \
	"$took" "$(nproc)" "${#MATRIX_ARGS[@]}" "$(echo "$PROXIES" | wc -w)" "$CHAINS_JOBS" >>"$OUT/VERSIONS.md"
log "wrote $OUT/matrix.md, $OUT/matrix.html and $OUT/VERSIONS.md"
log "done in $took s (${#MATRIX_ARGS[@]} of $(echo "$PROXIES" | wc -w) proxies graded)"
