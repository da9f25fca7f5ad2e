//go:build linux && !386

package server

import "syscall"

// sysSendto and sysRecvfrom are the socket calls rawWrite and rawRead
// use (see there); rawWrite needs sendto for a connection's last bytes
// (MSG_MORE).
const (
	sysSendto   = syscall.SYS_SENDTO
	sysRecvfrom = syscall.SYS_RECVFROM
)
