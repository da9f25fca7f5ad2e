package server

import "syscall"

// defaultMaxConns is the connection limit when limits.max_connections is
// unset: what the process's open-file limit allows (Go raises the soft
// limit to the hard one at start), less headroom for log and served files,
// capped at maxAutoConns. A fixed limit below that would refuse clients the
// machine could hold (10 000 slow clients would fill a 10 000 limit and
// lock real users out with 503); one above it would turn accept into an
// EMFILE loop. Without a readable limit it falls back to
// DefaultMaxConnections.
func defaultMaxConns() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return DefaultMaxConnections
	}
	return autoMaxConns(rl.Cur)
}

const (
	fdHeadroom   = 128
	maxAutoConns = 65536
)

// autoMaxConns maps an open-file limit to a connection limit.
func autoMaxConns(nofile uint64) int {
	if nofile <= 2*fdHeadroom {
		return max(int(nofile)/2, 1)
	}
	return int(min(nofile-fdHeadroom, maxAutoConns))
}
