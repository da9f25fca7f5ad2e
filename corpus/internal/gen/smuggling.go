package main

import (
	"fmt"
	"strconv"
)

// A teGadget is an obfuscated Transfer-Encoding field (one or more field
// lines, without the final CRLF), after smuggler and http-request-smuggler.
type teGadget struct {
	id   string
	line string
	what string
	// kind says how a strict server must read the gadget:
	//   'a' the field line is invalid: 400
	//   'b' a Transfer-Encoding whose codings do not end in chunked: 400/501
	//   'c' a valid Transfer-Encoding: chunked (CL+TE rules apply)
	//   'd' another field name: Content-Length frames the body
	//   'e' hidden by folding or a bare CR/LF: rejected, or the line is not a field
	kind byte
}

var teGadgets = []teGadget{
	{"space-before-colon", "Transfer-Encoding : chunked", "a space before the colon", 'a'},
	{"tab-before-colon", "Transfer-Encoding\t: chunked", "an HTAB before the colon", 'a'},
	{"space-in-name", "Transfer Encoding: chunked", "a space inside the name", 'a'},
	{"nul-in-name", "Transfer-Encoding\x00: chunked", "a NUL at the end of the name", 'a'},
	{"nonascii-name-suffix", "Transfer-Encoding\xff: chunked", "a byte 0xff after the name", 'a'},
	{"nonascii-name-prefix", "\xffTransfer-Encoding: chunked", "a byte 0xff before the name", 'a'},
	{"utf8-name", "Transf\xc3\xa9r-Encoding: chunked", "a UTF-8 letter inside the name", 'a'},
	{"vt-in-name", "Transfer-Encoding\x0b: chunked", "a VT after the name", 'a'},
	{"xchunked", "Transfer-Encoding: xchunked", "the coding xchunked", 'b'},
	{"chunkedx", "Transfer-Encoding: chunkedx", "the coding chunkedx", 'b'},
	{"quoted", "Transfer-Encoding: \"chunked\"", "a quoted \"chunked\"", 'b'},
	{"vt-prefix", "Transfer-Encoding: \x0bchunked", "a VT before chunked", 'b'},
	{"ff-prefix", "Transfer-Encoding: \x0cchunked", "an FF before chunked", 'b'},
	{"nbsp-prefix", "Transfer-Encoding: \xa0chunked", "a byte 0xa0 before chunked", 'b'},
	{"nonascii-suffix", "Transfer-Encoding: chunked\xff", "a byte 0xff after chunked", 'b'},
	{"trailing-word", "Transfer-Encoding: chunked x", "a second word after chunked", 'b'},
	{"semicolon", "Transfer-Encoding: chunked;", "a semicolon after chunked", 'b'},
	{"chunked-identity", "Transfer-Encoding: chunked, identity", "identity after chunked", 'b'},
	{"identity-chunked", "Transfer-Encoding: identity, chunked", "identity before chunked", 'b'},
	{"chunked-chunked", "Transfer-Encoding: chunked, chunked", "chunked twice in a list", 'b'},
	{"lines-chunked-gzip", "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip", "chunked then gzip on two lines", 'b'},
	{"lines-chunked-x", "Transfer-Encoding: chunked\r\nTransfer-Encoding: x", "chunked then an unknown coding on two lines", 'b'},
	{"nul-suffix", "Transfer-Encoding: chunked\x00", "a NUL after chunked", 'c'},
	{"no-space", "Transfer-Encoding:chunked", "no space after the colon", 'c'},
	{"tab-value", "Transfer-Encoding:\tchunked", "an HTAB before the value", 'c'},
	{"lowercase-name", "transfer-encoding: chunked", "a lowercase name", 'c'},
	{"uppercase-name", "TRANSFER-ENCODING: chunked", "an uppercase name", 'c'},
	{"mixedcase-name", "Transfer-encoding: chunked", "mixed-case name", 'c'},
	{"uppercase-value", "Transfer-Encoding: CHUNKED", "an uppercase value", 'c'},
	{"trailing-space", "Transfer-Encoding: chunked ", "a space after chunked", 'c'},
	{"comma-prefix", "Transfer-Encoding: , chunked", "an empty list element before chunked", 'c'},
	{"lines-chunked-twice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", "two identical lines", 'c'},
	{"lines-empty-then-chunked", "Transfer-Encoding:\r\nTransfer-Encoding: chunked", "an empty line then chunked", 'c'},
	{"bare-cr-suffix", "Transfer-Encoding: chunked\r", "a bare CR after chunked", 'c'},
	{"obs-fold", "Transfer-Encoding:\r\n chunked", "the value on an obs-fold line", 'c'},
	{"obs-fold-tab", "Transfer-Encoding:\r\n\tchunked", "the value on an HTAB obs-fold line", 'c'},
	{"underscore-name", "Transfer_Encoding: chunked", "an underscore instead of the hyphen", 'd'},
	{"plural-name", "Transfer-Encodings: chunked", "a longer name", 'd'},
	{"prefixed-name", "X-Transfer-Encoding: chunked", "a prefixed name", 'd'},
	{"folded-into-other", "X-Foo: bar\r\n Transfer-Encoding: chunked", "a TE line folded into another field", 'e'},
	{"bare-cr-separated", "X-Foo: bar\rTransfer-Encoding: chunked", "a TE line after a bare CR", 'e'},
	{"bare-lf-separated", "X-Foo: bar\nTransfer-Encoding: chunked", "a TE line after a bare LF", 'c'},
}

// A clGadget is an obfuscated Content-Length value for a body of n bytes.
type clGadget struct {
	id, what string
	value    func(n int) string
	expect   string
	half     bool
}

func itos(n int) string { return strconv.Itoa(n) }

var clGadgets = []clGadget{
	{"plus", "a plus sign", func(n int) string { return "Content-Length: +" + itos(n) }, rejC, false},
	{"minus", "a minus sign", func(n int) string { return "Content-Length: -" + itos(n) }, rejC, false},
	{"comma-prefix", "a leading comma", func(n int) string { return "Content-Length: ," + itos(n) }, rejC, false},
	{"comma-suffix", "a trailing comma", func(n int) string { return "Content-Length: " + itos(n) + "," }, rejC, false},
	{"list-zero-first", "0 then the length in a list", func(n int) string { return "Content-Length: 0, " + itos(n) }, rejC, false},
	{"list-zero-last", "the length then 0 in a list", func(n int) string { return "Content-Length: " + itos(n) + ", 0" }, rejC, false},
	{"lines-zero-first", "0 then the length on two lines", func(n int) string { return "Content-Length: 0\r\nContent-Length: " + itos(n) }, rejC, false},
	{"lines-zero-last", "the length then 0 on two lines", func(n int) string { return "Content-Length: " + itos(n) + "\r\nContent-Length: 0" }, rejC, false},
	{"empty", "an empty value, read as 0 by a lax parser", func(n int) string { return "Content-Length:" }, rejC, false},
	{"empty-then-length", "an empty line then the length", func(n int) string { return "Content-Length:\r\nContent-Length: " + itos(n) }, rejC, false},
	{"space-inside", "two numbers", func(n int) string { return "Content-Length: 0 " + itos(n) }, rejC, false},
	{"hex", "a hex prefix", func(n int) string { return fmt.Sprintf("Content-Length: 0x%x", n) }, rejC, false},
	{"trailing-garbage", "digits then a letter", func(n int) string { return "Content-Length: " + itos(n) + "x" }, rejC, false},
	{"vt-suffix", "a VT after the digits", func(n int) string { return "Content-Length: " + itos(n) + "\x0b" }, rejC, false},
	{"ff-prefix", "an FF before the digits", func(n int) string { return "Content-Length: \x0c" + itos(n) }, rejC, false},
	{"wrap-2-64", "2^64, which a wrapping parser reads as 0", func(n int) string { return "Content-Length: 18446744073709551616" }, "400+close | 413+close", false},
	{"wrap-2-32", "2^32, which a 32-bit parser reads as 0", func(n int) string { return "Content-Length: 4294967296" }, incomplete + " | 413+close | 413 | 2xx+close", true},
	{"space-before-colon", "a space before the colon", func(n int) string { return "Content-Length : " + itos(n) }, rejC, false},
	{"tab-before-colon", "an HTAB before the colon", func(n int) string { return "Content-Length\t: " + itos(n) }, rejC, false},
	{"nul-in-name", "a NUL in the name", func(n int) string { return "Content-Length\x00: " + itos(n) }, rejC, false},
	{"obs-fold-second-number", "a folded second number", func(n int) string { return "Content-Length: 0\r\n " + itos(n) }, rejC, false},
	{"quoted", "a quoted value", func(n int) string { return "Content-Length: \"" + itos(n) + "\"" }, rejC, false},
	{"lines-case-differ", "a lowercase 0 line before the length", func(n int) string { return "content-length: 0\r\nContent-Length: " + itos(n) }, rejC, false},
	{"lines-list-mixed", "the length, then a list of the length and 0", func(n int) string { return "Content-Length: " + itos(n) + "\r\nContent-Length: " + itos(n) + ", 0" }, rejC, false},
	{"decimal", "a decimal point", func(n int) string { return "Content-Length: " + itos(n) + ".0" }, rejC, false},
}

// safeClose: a smuggling case is safe when the server rejects (400, or 501
// for a coding it does not know) or answers once, and then closes.
const safeClose = "400+close | 501+close | 2xx+close"

// smuggling: RFC 9112 6.1, 6.3 and 11.2. Every case hides a request for
// /smuggled in what a strict server reads as body or rejects; a desynced
// server answers it.
func smuggling(g *gen) {
	const grp = "smuggling"
	const sec = "RFC9112 11.2"
	const rq = "9112-11.2-smuggling"
	line := "GET /a.txt HTTP/1.1\r\n" + host
	// CL.TE: Content-Length covers the whole body; a chunked reader stops
	// after the last chunk and finds the hidden request.
	clteBody := "0\r\n\r\n" + smuggled
	// TE.CL: Content-Length covers only the chunk-size line; a CL reader
	// finds the hidden request in the chunk data.
	sizeLine := fmt.Sprintf("%x\r\n", len(smuggled))
	teclBody := sizeLine + smuggled + "\r\n0\r\n\r\n"
	for _, gd := range teGadgets {
		var clteExpect, teclExpect string
		switch gd.kind {
		case 'a':
			// Dropping the invalid line and framing by Content-Length
			// reads the whole body: no desync, so 2xx is safe here.
			clteExpect, teclExpect = safeClose+" | 2xx", safeClose
		case 'b', 'c':
			clteExpect, teclExpect = safeClose, safeClose
		case 'd':
			clteExpect = "2xx | 400+close"
		case 'e':
			clteExpect = safeClose + " | 2xx"
		}
		g.add(grp, "clte-"+gd.id, sec, safety, rq,
			"CL.TE with "+gd.what+" in Transfer-Encoding: no request hidden in the body is answered",
			clteExpect, line+"Content-Length: "+itos(len(clteBody))+"\r\n"+gd.line+"\r\n\r\n"+clteBody)
		if teclExpect != "" {
			g.add(grp, "tecl-"+gd.id, sec, safety, rq,
				"TE.CL with "+gd.what+" in Transfer-Encoding: no request hidden in the chunk data is answered",
				teclExpect, line+gd.line+"\r\nContent-Length: "+itos(len(sizeLine))+"\r\n\r\n"+teclBody)
		}
	}
	// TE.TE: a valid Transfer-Encoding plus an obfuscated one, and a short
	// Content-Length for the server that drops both.
	for _, id := range []string{"xchunked", "quoted", "space-before-colon", "vt-prefix", "nonascii-suffix", "obs-fold", "chunked-identity", "trailing-word"} {
		for _, gd := range teGadgets {
			if gd.id != id {
				continue
			}
			g.add(grp, "tete-"+gd.id, sec, safety, rq,
				"TE.TE: chunked plus "+gd.what+" on a second line: no hidden request is answered",
				safeClose,
				line+"Transfer-Encoding: chunked\r\n"+gd.line+"\r\nContent-Length: "+itos(len(sizeLine))+"\r\n\r\n"+teclBody)
		}
	}
	for _, cg := range clGadgets {
		var opts []opt
		if cg.half {
			opts = append(opts, noCanary, half)
		}
		g.add(grp, "cl-"+cg.id, sec, safety, rq,
			"Content-Length with "+cg.what+" around a body holding a request: rejected, never a second response",
			cg.expect, line+cg.value(len(smuggled))+"\r\n\r\n"+smuggled, opts...)
	}
	// Body-less methods and pipelining edge cases.
	g.add(grp, "get-cl-zero-then-request", sec, safety, rq, "Content-Length: 0 on GET: the next bytes are the next request, answered in order",
		ok, line+"Content-Length: 0\r\n\r\n"+get("/a.txt"))
	g.add(grp, "chunk-size-wrap-hides-request", sec, safety, rq, "a chunk size that wraps to 0 in 64 bits must not end the body early",
		"400+close | 413+close | 2xx+close", line+"Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\n"+smuggled+"\r\n0\r\n\r\n")
	g.add(grp, "chunk-ext-lf-hides-request", sec, safety, rq, "a bare LF in a chunk extension must not end the size line and expose a request",
		"400+close | 2xx+close", line+"Transfer-Encoding: chunked\r\n\r\n0;a\n\r\n"+smuggled+"\r\n")
	// Found by FuzzChainReverseProxy: net/http ends a chunked body at a
	// bare LF after the last chunk or a trailer line, and reads on.
	g.add(grp, "last-chunk-bare-lf-hides-request", sec, safety, rq, "a bare LF as the empty line after the last chunk does not end the chunked body: no request after it is answered",
		"400+close | 2xx+close", line+"Transfer-Encoding: chunked\r\n\r\n0\r\n\n"+smuggled)
	g.add(grp, "trailer-bare-lf-hides-request", sec, safety, rq, "a trailer line and the empty line ended by bare LFs do not end the chunked body: no request after them is answered",
		"400+close | 2xx+close", line+"Transfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: 1\n\n"+smuggled)
	g.add(grp, "trailer-cl-hides-request", sec, safety, rq, "a Content-Length trailer must not make the server read the next request as body",
		ok, line+"Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: "+itos(len(smuggled))+"\r\n\r\n"+get("/a.txt"), orReject)
	g.add(grp, "http10-te-hides-request", sec, safety, rq, "HTTP/1.0 with chunked and a hidden request: rejected or closed after one response",
		clte, "GET /a.txt HTTP/1.0\r\n"+host+"Content-Length: "+itos(len(clteBody))+"\r\nTransfer-Encoding: chunked\r\n\r\n"+clteBody)
	g.add(grp, "cl-te-obs-fold-value", sec, safety, rq, "a folded Content-Length next to Transfer-Encoding: rejected or closed after one response",
		clte, line+"Content-Length:\r\n "+itos(len(clteBody))+"\r\nTransfer-Encoding: chunked\r\n\r\n"+clteBody)
}
