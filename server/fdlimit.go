package server

// AutoMaxConns is the connection limit to use when none is configured:
// what the process's open-file limit allows (Go raises the soft limit to
// the hard one at start), less headroom for log and served files, capped
// at maxAutoConns. A fixed limit below that would refuse clients the
// machine could hold (10 000 slow clients would fill a 10 000 limit and
// lock real users out with 503); one above it would turn accept into an
// EMFILE loop. Where the limit cannot be read (or there is none, as on
// Windows) it is fallbackMaxConns.
func AutoMaxConns() int {
	nofile, ok := openFileLimit()
	if !ok {
		return fallbackMaxConns
	}
	return autoMaxConns(nofile)
}

const (
	fdHeadroom       = 128
	maxAutoConns     = 65536
	fallbackMaxConns = 10000
)

// autoMaxConns maps an open-file limit to a connection limit.
func autoMaxConns(nofile uint64) int {
	if nofile <= 2*fdHeadroom {
		return max(int(nofile)/2, 1)
	}
	return int(min(nofile-fdHeadroom, maxAutoConns))
}
