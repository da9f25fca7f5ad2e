#!/usr/bin/env bash
# baseline.sh — `make baseline`: grade nginx, Apache, Caddy, Go net/http and
# Ferrox with the conformance corpus, side by side.
#
# Installs the Debian packages it needs when missing (a server that cannot be
# installed is skipped with a message), writes the fixture tree with
# `ferrox conform --fixture`, starts every server on loopback with its own
# config in a temp dir, waits for each (bounded), runs
# `ferrox conform --target ... --format json --out reports/baseline/NAME/`,
# then renders reports/baseline/matrix.{md,html} with reports/cmd/matrix.
# Every server is stopped on exit. Only 127.0.0.1 is used.
#
# Environment: BASELINE_OUT (default reports/baseline), FERROX_BIN (default
# bin/ferrox), LEVEL (default all), SERVERS (default
# "nginx apache caddy nethttp ferrox"), NO_INSTALL=1 to skip apt-get,
# CONFORM_TIMEOUT seconds per server (default 900), BASELINE_PORT_BASE
# (default 18081: nginx on it, then apache, caddy, nethttp, ferrox).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
OUT=${BASELINE_OUT:-reports/baseline}
BIN=${FERROX_BIN:-bin/ferrox}
LEVEL=${LEVEL:-all}
SERVERS=${SERVERS:-"nginx apache caddy nethttp ferrox"}
CONFORM_TIMEOUT=${CONFORM_TIMEOUT:-900}

BASE=${BASELINE_PORT_BASE:-18081}
declare -A PORT=([nginx]=$BASE [apache]=$((BASE + 1)) [caddy]=$((BASE + 2)) [nethttp]=$((BASE + 3)) [ferrox]=$((BASE + 4)))

log() { printf 'baseline: %s\n' "$*" >&2; }

[ -x "$BIN" ] || { log "$BIN not found; run 'make build' first"; exit 2; }

WORK=$(mktemp -d /tmp/ferrox-baseline.XXXXXX)
PIDS=()
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		# bounded: give each server up to 5 s to exit, then SIGKILL it
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- packages -------------------------------------------------------------
have() { command -v "$1" >/dev/null 2>&1; }

install_pkgs() {
	local missing=() pkg
	have nginx || missing+=(nginx)
	{ have apache2 && [ -e /usr/lib/apache2/modules/mod_mpm_event.so ]; } || missing+=(apache2)
	have caddy || missing+=(caddy)
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "${NO_INSTALL:-0}" = 1 ]; then
		log "NO_INSTALL=1: not installing ${missing[*]}"
		return 0
	fi
	local SUDO=""
	if [ "$(id -u)" != 0 ]; then
		if have sudo && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
			log "not root and no sudo: cannot install ${missing[*]}; those servers are skipped"
			return 0
		fi
	fi
	log "installing ${missing[*]}"
	$SUDO timeout 300 apt-get -o DPkg::Lock::Timeout=120 update -qq || log "apt-get update failed; trying to install anyway"
	for pkg in "${missing[@]}"; do
		# policy-rc.d-less containers: the postinst may fail to start the
		# service; that does not matter, we start our own instance.
		DEBIAN_FRONTEND=noninteractive $SUDO timeout 600 apt-get -o DPkg::Lock::Timeout=120 \
			install -y -qq --no-install-recommends "$pkg" >/dev/null ||
			log "could not install $pkg; it is skipped"
	done
}
install_pkgs

# --- fixture --------------------------------------------------------------
FIX="$WORK/fixture"
mkdir -p "$FIX"
"$BIN" conform --fixture "$FIX"
# servers running as root drop to an unprivileged user: it must read the tree
chmod 755 "$WORK"
chmod -R a+rX "$FIX"

# --- servers ----------------------------------------------------------------
start_nginx() {
	have nginx || { log "nginx not installed: skipped"; return 1; }
	local d="$WORK/nginx"
	mkdir -p "$d/logs" "$d/tmp"
	local user=""
	[ "$(id -u)" = 0 ] && user="user nobody nogroup;"
	cat >"$d/nginx.conf" <<CONF
$user
worker_processes 1;
pid $d/nginx.pid;
error_log $d/logs/error.log;
events { worker_connections 256; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log off;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	server {
		listen 127.0.0.1:${PORT[nginx]};
		server_name localhost;
		root $FIX;
		autoindex on;
	}
}
CONF
	nginx -p "$d" -c "$d/nginx.conf" -g 'daemon off;' >"$d/logs/stdout.log" 2>&1 &
	PIDS+=($!)
}

start_apache() {
	local mods=/usr/lib/apache2/modules
	{ have apache2 && [ -e "$mods/mod_mpm_event.so" ]; } || { log "apache2 not installed: skipped"; return 1; }
	local d="$WORK/apache"
	mkdir -p "$d/logs"
	local user=""
	[ "$(id -u)" = 0 ] && user=$'User nobody\nGroup nogroup'
	cat >"$d/httpd.conf" <<CONF
ServerRoot $d
ServerName localhost
Listen 127.0.0.1:${PORT[apache]}
PidFile $d/httpd.pid
DefaultRuntimeDir $d
ErrorLog $d/logs/error.log
LogLevel warn
$user
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule dir_module $mods/mod_dir.so
LoadModule mime_module $mods/mod_mime.so
LoadModule autoindex_module $mods/mod_autoindex.so
TypesConfig /etc/mime.types
DocumentRoot $FIX
<Directory />
	Require all denied
	AllowOverride None
</Directory>
<Directory $FIX>
	Options Indexes
	Require all granted
</Directory>
DirectoryIndex index.html
CONF
	apache2 -f "$d/httpd.conf" -DFOREGROUND >"$d/logs/stdout.log" 2>&1 &
	PIDS+=($!)
}

start_caddy() {
	have caddy || { log "caddy not installed: skipped"; return 1; }
	local d="$WORK/caddy"
	mkdir -p "$d"
	cat >"$d/Caddyfile" <<CONF
{
	admin off
	auto_https off
}
# Any Host (the corpus sends Host: localhost), bound to loopback only.
http://:${PORT[caddy]} {
	bind 127.0.0.1
	root * $FIX
	file_server browse
}
CONF
	HOME="$d" XDG_DATA_HOME="$d/data" XDG_CONFIG_HOME="$d/config" \
		caddy run --config "$d/Caddyfile" --adapter caddyfile >"$d/stdout.log" 2>&1 &
	PIDS+=($!)
}

start_nethttp() {
	local d="$WORK/nethttp"
	mkdir -p "$d"
	go build -o "$d/gofileserver" ./scripts/gofileserver || { log "gofileserver did not build: skipped"; return 1; }
	"$d/gofileserver" -root "$FIX" -listen "127.0.0.1:${PORT[nethttp]}" >"$d/stdout.log" 2>&1 &
	PIDS+=($!)
}

start_ferrox() {
	local d="$WORK/ferrox"
	mkdir -p "$d"
	"$BIN" serve --root "$FIX" --listen "127.0.0.1:${PORT[ferrox]}" --listing >"$d/stdout.log" 2>&1 &
	PIDS+=($!)
}

# wait_port PORT: bounded poll (10 s) until something accepts on 127.0.0.1:PORT.
wait_port() {
	local i
	for i in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	return 1
}

version_of() {
	case "$1" in
	nginx) nginx -v 2>&1 ;;
	apache) apache2 -v 2>&1 | head -1 ;;
	caddy) caddy version 2>&1 | head -1 ;;
	nethttp) go version ;;
	ferrox) "$BIN" version 2>&1 ;;
	esac
}

mkdir -p "$OUT"
VERSIONS="$OUT/VERSIONS.md"
{
	echo "# Baseline servers"
	echo
	echo "Generated by \`make baseline\` (scripts/baseline.sh) on $(date -u +%Y-%m-%dT%H:%M:%SZ), level \`$LEVEL\`."
	echo "Each server runs on loopback with a minimal config serving the fixture tree written by \`ferrox conform --fixture\`."
	echo
	echo "| name | port | version | status |"
	echo "|---|---|---|---|"
} >"$VERSIONS"

MATRIX_ARGS=()
for name in $SERVERS; do
	port=${PORT[$name]:-}
	[ -n "$port" ] || { log "unknown server $name"; continue; }
	if ! "start_$name"; then
		echo "| $name | $port | - | skipped: not installed |" >>"$VERSIONS"
		continue
	fi
	if ! wait_port "$port"; then
		log "$name did not start on 127.0.0.1:$port; skipped (logs in its temp dir follow)"
		cat "$WORK/$name"/logs/*.log "$WORK/$name"/*.log 2>/dev/null | tail -20 >&2 || true
		echo "| $name | $port | $(version_of "$name") | skipped: did not start |" >>"$VERSIONS"
		continue
	fi
	rm -rf "${OUT:?}/$name"
	mkdir -p "$OUT/$name"
	log "conform $name (127.0.0.1:$port)"
	rc=0
	timeout "$CONFORM_TIMEOUT" "$BIN" conform --target "127.0.0.1:$port" --level "$LEVEL" \
		--format json --out "$OUT/$name/" || rc=$?
	# exit 1 means "some case failed": expected for most servers
	if [ "$rc" -gt 1 ]; then
		log "conform against $name exited $rc; skipped"
		echo "| $name | $port | $(version_of "$name") | conform exit $rc |" >>"$VERSIONS"
		continue
	fi
	echo "| $name | $port | $(version_of "$name") | graded |" >>"$VERSIONS"
	MATRIX_ARGS+=("$name=$OUT/$name")
done

if [ ${#MATRIX_ARGS[@]} -eq 0 ]; then
	log "no server was graded"
	exit 1
fi
go run ./reports/cmd/matrix -out "$OUT" -rewrite-json "${MATRIX_ARGS[@]}"
log "wrote $OUT/matrix.md and $OUT/matrix.html"
