package static

// CompressionStats is a reading of the compression cache (see
// Handler.CompressionStats).
type CompressionStats struct {
	Hits, Misses, Evictions int64 // since New
	Bytes                   int64 // encoded bytes held now
	Entries                 int   // encoded files held now
}

// CompressionStats reads the compression cache's counters (all zero
// when compression is off); the metrics endpoint renders them.
func (h *Handler) CompressionStats() CompressionStats {
	if h.comp == nil || !h.comp.on {
		return CompressionStats{}
	}
	used, entries, hits, misses, evictions := h.comp.cache.stats()
	return CompressionStats{Hits: hits, Misses: misses, Evictions: evictions, Bytes: used, Entries: entries}
}
