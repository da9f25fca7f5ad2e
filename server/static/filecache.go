package static

import (
	"os"
	"strings"
	"sync"
	"time"
)

// The open-file cache keeps recently served small regular files open, so a
// hot file costs one fstat per request instead of openat + fstat + close
// (and Go's poller registration attempt); like nginx's open_file_cache.
// The fstat on every use keeps size, modification time and ETag current
// for a file changed in place; a file deleted or replaced (renamed over)
// is still served from the old inode until its entry expires, at most
// OpenFileCache after it was opened.
const (
	// DefaultOpenFileCache is the default validity of a cached open file.
	DefaultOpenFileCache = time.Second
	// maxCachedFiles bounds the descriptors the cache holds.
	maxCachedFiles = 1024
	// maxCachedSize: only files up to this size are shared. The engine
	// reads a shared file positionally into the response head buffer
	// (Segment.Shared), so this also bounds that buffer.
	maxCachedSize = 32 << 10
)

type fileCache struct {
	valid int64            // entry lifetime in ns; 0: the cache is off
	max   int              // entries at most (maxCachedFiles)
	clock func() time.Time // the handler's clock

	mu      sync.Mutex
	m       map[string]*cachedFile
	sweepAt int64 // next time expired entries are dropped (unix ns)
	timer   *time.Timer
}

// cachedFile is one shared open file. refs counts the responses using it,
// plus one while it is in the map; the last release closes it.
type cachedFile struct {
	c       *fileCache
	f       *os.File
	expires int64 // unix ns
	refs    int   // guarded by c.mu
}

// get returns the live entry for name with a reference taken, or nil.
func (c *fileCache) get(name string, now int64) *cachedFile {
	if c.valid == 0 {
		return nil
	}
	c.mu.Lock()
	e := c.m[name]
	if e == nil || now >= e.expires {
		c.mu.Unlock()
		return nil
	}
	e.refs++
	c.mu.Unlock()
	return e
}

// put caches f as name (replacing an older entry) and returns its entry
// with a reference for the caller. When the cache is full of live entries
// f is not cached, and the returned entry closes it on release.
func (c *fileCache) put(name string, f *os.File, now int64) *cachedFile {
	e := &cachedFile{c: c, f: f, expires: now + c.valid, refs: 1}
	var drop []*os.File
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]*cachedFile)
	}
	if now >= c.sweepAt || len(c.m) >= c.max {
		drop = c.sweepLocked(now, drop)
	}
	if len(c.m) < c.max || c.m[name] != nil {
		if old := c.m[name]; old != nil {
			drop = old.unrefLocked(drop)
		}
		e.refs++
		// name may alias a request buffer: the key must be a copy.
		c.m[strings.Clone(name)] = e
		if c.timer == nil {
			// Entries must not hold descriptors long after the traffic
			// that opened them stops: sweep on a timer while any remain.
			c.timer = time.AfterFunc(time.Duration(2*c.valid), c.tick)
		}
	}
	c.mu.Unlock()
	closeAll(drop)
	return e
}

// tick sweeps from the timer and re-arms it while entries remain.
func (c *fileCache) tick() {
	c.mu.Lock()
	drop := c.sweepLocked(c.clock().UnixNano(), nil)
	if len(c.m) > 0 {
		c.timer.Reset(time.Duration(2 * c.valid))
	} else {
		c.timer = nil
	}
	c.mu.Unlock()
	closeAll(drop)
}

// sweepLocked removes the expired entries and appends the files that are
// now unreferenced to drop.
func (c *fileCache) sweepLocked(now int64, drop []*os.File) []*os.File {
	for k, e := range c.m {
		if now >= e.expires {
			delete(c.m, k)
			drop = e.unrefLocked(drop)
		}
	}
	c.sweepAt = now + c.valid
	return drop
}

func (e *cachedFile) unrefLocked(drop []*os.File) []*os.File {
	e.refs--
	if e.refs == 0 {
		drop = append(drop, e.f)
	}
	return drop
}

// Close gives back a reference taken by get or put (a response keeps the
// entry and releases it this way, wire.Response.Keep). It never fails.
func (e *cachedFile) Close() error {
	c := e.c
	c.mu.Lock()
	e.refs--
	last := e.refs == 0
	c.mu.Unlock()
	if last {
		e.f.Close()
	}
	return nil
}

// close drops every entry (Handler.Close).
func (c *fileCache) close() {
	c.mu.Lock()
	var drop []*os.File
	for k, e := range c.m {
		delete(c.m, k)
		drop = e.unrefLocked(drop)
	}
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.mu.Unlock()
	closeAll(drop)
}

func closeAll(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// openShared opens name for serving through the open-file cache: the
// returned entry is non-nil when f is shared (the response must keep the
// entry, not the file, and read f only positionally).
func (h *Handler) openShared(name string) (*os.File, fileStat, *cachedFile, error) {
	now := h.now().UnixNano()
	if e := h.files.get(name, now); e != nil {
		fi, err := fstat(e.f)
		if err == nil && fi.kind == kindRegular && fi.size <= maxCachedSize {
			return e.f, fi, e, nil
		}
		e.Close() // grew or changed kind in place: open afresh
	}
	f, fi, err := h.open(name)
	if err != nil || h.files.valid == 0 || fi.kind != kindRegular || fi.size > maxCachedSize {
		return f, fi, nil, err
	}
	return f, fi, h.files.put(name, f, now), nil
}
