package static

import (
	"strings"
	"sync"
)

// compCache keeps encoded files in memory under a byte budget, least
// recently used first out. A key names one version of one file in one
// coding: a file changed on disk has a new size or modification time,
// hence a new key, and its old entries age out. Concurrent requests for a
// key that is being encoded wait for that one encoding instead of
// repeating it.
//
// The budget counts the encoded bytes plus a fixed overhead per entry; it
// is never exceeded by what the cache holds (an entry bigger than the
// whole budget is not kept). A response still writing an evicted entry
// keeps those bytes alive until it is done; that memory is bounded by the
// connections, not by the cache.
type compCache struct {
	budget int64 // bytes; 0: off

	mu   sync.Mutex
	m    map[compKey]*compEntry // ready and pending entries
	used int64                  // bytes of the ready entries
	lru  compEntry              // sentinel of the ring of ready entries, most recent first

	// counters for tests and benchmarks
	hits, misses, evictions int64
}

type compKey struct {
	name   string
	size   int64
	mtime  int64 // ns
	coding otfCoding
}

type compEntry struct {
	key        compKey
	data       []byte
	err        error
	done       chan struct{} // closed when data/err are set
	ready      bool          // in the ring (guarded by mu)
	prev, next *compEntry
}

// entryOverhead approximates the memory of an entry beyond its bytes
// (entry, map slot, key).
const entryOverhead = 128

func (e *compEntry) cost() int64 { return int64(len(e.data)+len(e.key.name)) + entryOverhead }

// get returns the bytes for k, calling build at most once per key at a
// time when they are not cached.
func (c *compCache) get(k compKey, build func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[compKey]*compEntry{}
		c.lru.next, c.lru.prev = &c.lru, &c.lru
	}
	if e := c.m[k]; e != nil {
		if e.ready {
			c.hits++
			c.unlink(e)
			c.pushFront(e)
			c.mu.Unlock()
			return e.data, nil
		}
		c.mu.Unlock()
		<-e.done
		return e.data, e.err
	}
	c.misses++
	// k.name may alias a request buffer: the key kept must own a copy.
	k.name = strings.Clone(k.name)
	e := &compEntry{key: k, done: make(chan struct{})}
	c.m[k] = e
	c.mu.Unlock()

	e.data, e.err = build()

	c.mu.Lock()
	if e.err != nil || e.cost() > c.budget {
		delete(c.m, k)
	} else {
		e.ready = true
		c.pushFront(e)
		c.used += e.cost()
		for c.used > c.budget {
			old := c.lru.prev
			c.unlink(old)
			delete(c.m, old.key)
			c.used -= old.cost()
			c.evictions++
		}
	}
	c.mu.Unlock()
	close(e.done)
	return e.data, e.err
}

func (c *compCache) unlink(e *compEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

func (c *compCache) pushFront(e *compEntry) {
	e.prev = &c.lru
	e.next = c.lru.next
	c.lru.next.prev = e
	c.lru.next = e
}

// stats returns the bytes held, the entries held and the counters.
func (c *compCache) stats() (used int64, entries int, hits, misses, evictions int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.lru.next; e != nil && e != &c.lru; e = e.next {
		entries++
	}
	return c.used, entries, c.hits, c.misses, c.evictions
}
