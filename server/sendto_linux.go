//go:build linux && !386

package server

import "syscall"

// sysSendto is the sendto system call, which rawWrite needs for a
// connection's last bytes (MSG_MORE).
const sysSendto = syscall.SYS_SENDTO
