# Shared by the bench scripts (bench-compare, bench-compress, bench-metrics),
# sourced: how a server's CPU time is read, and medians.

# cpu_ticks PID: utime+stime of PID and its direct children (nginx's
# workers), in clock ticks; HZ ticks make a second.
cpu_ticks() {
	local total=0 p f
	for p in "$1" $(pgrep -P "$1" || true); do
		if [[ -r /proc/$p/stat ]]; then
			# Fields after the ")" of comm: state is 1, utime 12, stime 13.
			f=$(sed 's/^.*) //' "/proc/$p/stat")
			set -- $f
			total=$((total + ${12} + ${13}))
		fi
	done
	echo "$total"
}
HZ=$(getconf CLK_TCK)

# median_lines: the median of the numbers on stdin, one per line.
median_lines() {
	sort -g | awk '{a[NR] = $1} END {if (NR) print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}

# bench_cleanup: the EXIT trap of a bench script: stops the processes in
# the global array pids and removes the global directory work.
bench_cleanup() {
	local p
	for p in "${pids[@]}"; do
		if kill -0 "$p" 2>/dev/null; then
			kill "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		fi
	done
	rm -rf "$work"
}

# wait_port PORT PID: bounded wait until PORT accepts, while PID lives.
wait_port() {
	local i
	for i in $(seq 1 100); do
		if ! kill -0 "$2" 2>/dev/null; then
			return 1
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# write_nginx_conf FILE DIR HTTP SERVERS: the bench's nginx configuration,
# one worker, access log off, sendfile, state under DIR; HTTP is more
# directives for the http block, SERVERS its server blocks.
write_nginx_conf() {
	cat >"$1" <<CONF
worker_processes 1;
worker_rlimit_nofile 65536;
pid $2/nginx.pid;
error_log $2/error.log warn;
events { worker_connections 60000; }
http {
    access_log off;
    $3
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path $2/body;
    proxy_temp_path $2/proxy;
    fastcgi_temp_path $2/fastcgi;
    uwsgi_temp_path $2/uwsgi;
    scgi_temp_path $2/scgi;
$4
}
CONF
}

# header_timeout_confs NAME: checks HEADER_TIMEOUT (unset, or whole
# seconds such as 60s; anything else is NAME's error, exit 2) and sets
# nginx_ht and ferrox_ht, the nginx directive and the Ferrox YAML that give
# both servers that header timeout (empty when unset: each its default).
header_timeout_confs() {
	nginx_ht="" ferrox_ht=""
	[[ -z ${HEADER_TIMEOUT:-} ]] && return 0
	if [[ ! $HEADER_TIMEOUT =~ ^[1-9][0-9]*s$ ]]; then
		echo "$1: HEADER_TIMEOUT must be whole seconds, such as 60s (got $HEADER_TIMEOUT)" >&2
		exit 2
	fi
	nginx_ht="client_header_timeout $HEADER_TIMEOUT;"
	ferrox_ht=$'timeouts:\n  header: '"$HEADER_TIMEOUT"
}

# write_ferrox_conf FILE DIR MORE: Ferrox's bench configuration, the
# defaults except the access log (off, as nginx's is), the error log under
# DIR; MORE is more YAML.
write_ferrox_conf() {
	cat >"$1" <<CONF
logs:
  access_log: "off"
  error_log: $2/ferrox-error.log
$3
CONF
}
