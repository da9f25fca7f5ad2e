package static

import (
	"strconv"
	"time"
)

// imfFixdate is the preferred HTTP date format (RFC 9110 §5.6.7).
const imfFixdate = "Mon, 02 Jan 2006 15:04:05 GMT"

// Obsolete date formats a recipient must still accept (RFC 9110 §5.6.7).
const (
	rfc850Date  = "Monday, 02-Jan-06 15:04:05 GMT"
	asctimeDate = "Mon Jan _2 15:04:05 2006"
)

// parseHTTPDate parses the three date formats of RFC 9110 §5.6.7. ok is
// false for anything else; callers then ignore the header field, as
// §13.1.3 and §13.1.4 require for invalid dates.
func parseHTTPDate(b []byte) (time.Time, bool) {
	s := string(b)
	for _, layout := range [...]string{imfFixdate, rfc850Date, asctimeDate} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// validators are what a representation is compared by (RFC 9110 §8.8).
type validators struct {
	etag    string    // strong entity-tag with quotes
	modTime time.Time // Last-Modified, truncated to seconds, not after now
	lastMod string    // modTime as IMF-fixdate
}

// appendETag appends a strong entity-tag built from the size and the
// modification time in nanoseconds (RFC 9110 §8.8.3): any change to the
// file that changes either changes the tag. A non-empty suffix names the
// content coding, so each encoded sibling has its own tag (§8.8.3.3).
func appendETag(dst []byte, size int64, mtime time.Time, suffix string) []byte {
	dst = append(dst, '"')
	dst = strconv.AppendUint(dst, uint64(size), 16)
	dst = append(dst, '-')
	dst = strconv.AppendUint(dst, uint64(mtime.UnixNano()), 16)
	if suffix != "" {
		dst = append(dst, '-')
		dst = append(dst, suffix...)
	}
	return append(dst, '"')
}

// lastModified clamps mtime to now: a Last-Modified later than the
// message's Date is not allowed (RFC 9110 §8.8.2.1).
func lastModified(mtime, now time.Time) time.Time {
	if mtime.After(now) {
		mtime = now
	}
	return mtime.Truncate(time.Second)
}

// etagMatch walks the If-Match / If-None-Match value list (RFC 9110
// §13.1.1, §13.1.2: "*" or 1#entity-tag) and reports whether any tag
// matches etag: with the strong comparison when weak is false (both tags
// strong and equal, §8.8.3.2), else the weak one (opaque-tags equal).
// A malformed list matches nothing.
func etagMatch(list []byte, etag string, weak bool) bool {
	i := 0
	for i < len(list) {
		for i < len(list) && (isSpace(list[i]) || list[i] == ',') {
			i++
		}
		if i == len(list) {
			break
		}
		if list[i] == '*' {
			return true
		}
		isWeak := false
		if i+1 < len(list) && list[i] == 'W' && list[i+1] == '/' {
			isWeak = true
			i += 2
		}
		if i >= len(list) || list[i] != '"' {
			return false
		}
		j := i + 1
		for j < len(list) && list[j] != '"' {
			j++
		}
		if j >= len(list) {
			return false
		}
		tag := list[i : j+1]
		if string(tag) == etag && (weak || !isWeak) {
			return true
		}
		i = j + 1
		for i < len(list) && isSpace(list[i]) {
			i++
		}
		if i < len(list) && list[i] != ',' {
			return false
		}
	}
	return false
}

// precondition evaluates the conditional request header fields in the
// order of RFC 9110 §13.2.2 for an existing representation and returns
// 0 to go on, 304 or 412. Only GET and HEAD reach the handler's file path,
// so a false If-None-Match always means 304 here.
func precondition(r *request, v *validators) int {
	// Step 1: If-Match, strong comparison (§13.1.1).
	if im, ok := r.header("If-Match"); ok {
		if !etagMatch(im, v.etag, false) {
			return 412
		}
	} else if ius, ok := r.header("If-Unmodified-Since"); ok {
		// Step 2: only without If-Match; an invalid date is ignored
		// (§13.1.4).
		if t, ok := parseHTTPDate(ius); ok && v.modTime.After(t) {
			return 412
		}
	}
	// Step 3: If-None-Match, weak comparison (§13.1.2).
	if inm, ok := r.header("If-None-Match"); ok {
		if etagMatch(inm, v.etag, true) {
			return 304
		}
	} else if ims, ok := r.header("If-Modified-Since"); ok {
		// Step 4: only without If-None-Match and only for GET/HEAD
		// (§13.1.3); invalid dates are ignored.
		if t, ok := parseHTTPDate(ims); ok && !v.modTime.After(t) {
			return 304
		}
	}
	return 0
}

// ifRangeAllows reports whether a Range may be honoured given If-Range
// (RFC 9110 §13.1.5): absent, or an entity-tag that strongly matches, or
// a date exactly equal to Last-Modified. Anything else means "send the
// whole representation".
func ifRangeAllows(r *request, v *validators) bool {
	ir, ok := r.header("If-Range")
	if !ok {
		return true
	}
	for len(ir) > 0 && isSpace(ir[0]) {
		ir = ir[1:]
	}
	if len(ir) > 0 && (ir[0] == '"' || ir[0] == 'W') {
		// A weak tag never matches (§13.1.5 requires a strong comparison).
		return string(ir) == v.etag
	}
	t, ok := parseHTTPDate(ir)
	return ok && t.Equal(v.modTime)
}
