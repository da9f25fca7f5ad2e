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
