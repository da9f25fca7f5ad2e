//go:build linux

package server

// sysSendto and sysRecvfrom are 0 on 386, where the socket calls go
// through socketcall: rawWrite and rawRead then use write and read, and a
// connection's last bytes leave without MSG_MORE, the FIN in a segment of
// its own.
const (
	sysSendto   = 0
	sysRecvfrom = 0
)
