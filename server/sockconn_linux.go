//go:build linux

package server

import (
	"io"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// sockConn is a plain TCP connection whose reads and writes are raw
// system calls on the non-blocking socket, waited for through Go's poller
// (syscall.RawConn) as net.Conn does. A raw call skips the scheduler's
// syscall bookkeeping: on a server that falls idle between requests, the
// first ordinary system call of each request wakes the runtime's sysmon
// thread, which then polls every 20 µs (measured: about 6 µs of CPU per
// request at 2000 requests/s). Socket calls never block here, so nothing
// is lost by not handing the P off.
//
// The read and the write in flight keep their arguments and results in
// the connection (rd, wr), and the callbacks RawConn runs are bound to
// them once, when the connection is made: a closure made per call, with
// the variables it sets, was five allocations per keep-alive request, all
// the request's allocations (BenchmarkKeepAlive1KiB's memory profile).
type sockConn struct {
	*net.TCPConn
	rc   syscall.RawConn
	shut bool // the FIN was sent (CloseWrite); only its owner writes
	rd   sockRead
	wr   sockWrite
}

// sockRead is a read in flight: its arguments, its results, and its
// callback for RawConn.Read (fn, call bound to it). busy is set while one
// is in flight: a second read meanwhile (none in this server: a
// connection has one reader) gets a sockRead of its own.
type sockRead struct {
	busy  atomic.Bool
	wait  bool // wait for input; else EAGAIN ends the call with again
	again bool
	n     int
	errno syscall.Errno
	b     []byte
	fn    func(fd uintptr) bool
}

func (r *sockRead) call(fd uintptr) bool {
	r.n, r.errno = rawRead(fd, r.b)
	if r.errno == syscall.EAGAIN {
		r.errno = 0
		r.again = !r.wait
		return r.again
	}
	return true
}

// sockWrite is a write in flight, as sockRead is a read: done counts what
// was written across the callback's calls.
type sockWrite struct {
	busy  atomic.Bool
	last  bool
	done  int
	errno syscall.Errno
	b     []byte
	fn    func(fd uintptr) bool
}

func (w *sockWrite) call(fd uintptr) bool {
	w.done, w.errno = rawWrite(fd, w.b, w.done, w.last)
	if w.errno == syscall.EAGAIN {
		w.errno = 0
		return false // wait until writable, then go on
	}
	return true
}

func newSockConn(tc *net.TCPConn) net.Conn {
	rc, err := tc.SyscallConn()
	if err != nil {
		return tc
	}
	c := &sockConn{TCPConn: tc, rc: rc}
	c.rd.fn, c.wr.fn = c.rd.call, c.wr.call
	return c
}

func (c *sockConn) Read(b []byte) (int, error) { return c.read(b, true) }

// read reads into b; with wait false it returns errWouldBlock instead of
// waiting for input (readHead parks the connection then).
func (c *sockConn) read(b []byte, wait bool) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	r := &c.rd
	if !r.busy.CompareAndSwap(false, true) {
		r = new(sockRead)
		r.fn = r.call
	}
	r.b, r.wait, r.again, r.n, r.errno = b, wait, false, 0, 0
	err := c.rc.Read(r.fn)
	n, errno, again := r.n, r.errno, r.again
	r.b = nil // the caller's buffer is not kept
	r.busy.Store(false)
	switch {
	case err != nil:
		return 0, err // deadline or closed, as net.Conn reports them
	case again:
		return 0, errWouldBlock
	case errno != 0:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("read", errno)}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (c *sockConn) Write(b []byte) (int, error) { return c.write(b, false) }

func (c *sockConn) writeLast(b []byte) (int, error) { return sendLast(c, b) }

// sendLast is the writeLast of rawSock and sockConn: it writes the
// connection's last bytes and its FIN, in one segment when they fit (see
// rawWrite's last); reads go on.
func sendLast(s interface {
	write(b []byte, last bool) (int, error)
	CloseWrite() error
}, b []byte) (int, error) {
	n, err := s.write(b, true)
	if err == nil {
		err = s.CloseWrite()
	}
	return n, err
}

// CloseWrite sends the FIN, once: after writeLast it has nothing to do.
func (c *sockConn) CloseWrite() error {
	if c.shut {
		return nil
	}
	if err := c.TCPConn.CloseWrite(); err != nil {
		return err
	}
	c.shut = true
	return nil
}

func (c *sockConn) write(b []byte, last bool) (int, error) {
	w := &c.wr
	if !w.busy.CompareAndSwap(false, true) {
		w = new(sockWrite)
		w.fn = w.call
	}
	w.b, w.last, w.done, w.errno = b, last, 0, 0
	err := c.rc.Write(w.fn)
	done, errno := w.done, w.errno
	w.b = nil
	w.busy.Store(false)
	switch {
	case err != nil:
		return done, err
	case errno != 0:
		return done, &net.OpError{Op: "write", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("write", errno)}
	}
	return done, nil
}

// upgraded returns c: it waits in Go's poller (see parker.watch).
func (c *sockConn) upgraded() *sockConn { return c }

// epollCtl runs an epoll_ctl for the socket on the parker's set ep. Control holds a
// reference on the socket, so its descriptor number cannot be closed and
// reused under the call.
func (c *sockConn) epollCtl(ep uintptr, op int, ev *syscall.EpollEvent) syscall.Errno {
	var errno syscall.Errno
	err := c.rc.Control(func(fd uintptr) {
		_, _, errno = syscall.RawSyscall6(syscall.SYS_EPOLL_CTL, ep, uintptr(op), fd, uintptr(unsafe.Pointer(ev)), 0, 0)
	})
	if err != nil {
		return syscall.EBADF
	}
	return errno
}

// preadShared reads len(b) bytes of f at off with raw pread calls, for the
// small files of the open-file cache (recently opened, so in the page
// cache): like the socket calls above, it keeps an idle server's sysmon
// asleep. f was opened by the static handler, so Fd leaves its mode alone.
func preadShared(f *os.File, b []byte, off int64) (int, error) {
	fd := f.Fd()
	n := 0
	for n < len(b) {
		r, _, e := syscall.RawSyscall6(syscall.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&b[n])), uintptr(len(b)-n), uintptr(off+int64(n)), 0, 0)
		switch {
		case e == syscall.EINTR:
			continue
		case e != 0:
			return n, &os.PathError{Op: "pread", Path: f.Name(), Err: e}
		case r == 0:
			return n, io.EOF
		}
		n += int(r)
	}
	runtime.KeepAlive(f)
	return n, nil
}

// rawRead reads into b (not empty) with one system call, retried when
// interrupted: the count (0 at the end of input) and 0, or the errno
// (EAGAIN: nothing there yet). sockConn and rawSock read through it.
//
// The call is recvfrom with no flags and no address, which on a TCP
// socket is read's twin (as nginx's recv): read goes through the file
// layer first (vfs_read: the range check, the security hook, fsnotify)
// and only then to the socket. BenchmarkSocketRead, 8-byte reads of bytes
// already queued on a loopback socket, on the 2-core VM, six runs each:
// read 1 559–1 594 ns, recvfrom 1 433–1 507 ns (−7%); a read that finds
// nothing costs the same both ways (1 233–1 324 and 1 275–1 283 ns).
// Every piece of a slow head and every request is such a read.
func rawRead(fd uintptr, b []byte) (int, syscall.Errno) {
	nr := uintptr(syscall.SYS_READ)
	if sysRecvfrom != 0 {
		nr = sysRecvfrom
	}
	for {
		r, _, e := syscall.RawSyscall6(nr, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0, 0, 0)
		switch e {
		case 0:
			return int(r), 0
		case syscall.EINTR:
		default:
			return 0, e
		}
	}
}

// rawWrite writes b from done on until all of it is written or a call
// fails: the bytes of b written in all, and 0 or the errno (EAGAIN: the
// socket's buffer is full). sockConn and rawSock write through it.
//
// last says that the half-close (shutdown, writeLast) comes next: the
// bytes are sent with MSG_MORE, which holds back a last segment shorter
// than the MSS, and the FIN then leaves in that same segment (the kernel
// adds it to a segment not yet sent) instead of in one of its own: one
// segment fewer per connection to send and to receive. A request with
// Connection: close on loopback then takes 9 segments both ways, as with
// nginx, not 10; so does a 408 cut. The shutdown follows at once, not at
// the close: nothing that may wait (an access log write) can hold the
// response back.
//
// Every write is a sendto (with no address), as rawRead's read is a
// recvfrom and for the same reason: write passes through the file layer
// first. BenchmarkSocketWrite, 1 200 bytes to a loopback socket whose
// reader drains it, eight runs each: write 1 419–1 490 ns, sendto
// 1 331–1 467 ns (−6%, medians).
func rawWrite(fd uintptr, b []byte, done int, last bool) (int, syscall.Errno) {
	nr, flags := uintptr(syscall.SYS_WRITE), uintptr(0)
	if sysSendto != 0 {
		nr = sysSendto
		if last {
			flags = syscall.MSG_MORE
		}
	}
	for done < len(b) {
		r, _, e := syscall.RawSyscall6(nr, fd, uintptr(unsafe.Pointer(&b[done])), uintptr(len(b)-done), flags, 0, 0)
		switch e {
		case 0:
			done += int(r)
		case syscall.EINTR:
		default:
			return done, e
		}
	}
	return done, 0
}
