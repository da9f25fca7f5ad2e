//go:build linux

package server

// sysSendto is 0 on 386, where sendto goes through socketcall: rawWrite
// then writes a connection's last bytes with write, and the FIN leaves in
// a segment of its own.
const sysSendto = 0
