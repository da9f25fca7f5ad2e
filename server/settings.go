package server

import (
	"errors"
	"fmt"
	"time"

	"github.com/ferrox/ferrox/parser"
)

// Settings are the engine's resolved parameters. Nothing in them means
// "default": the config package turns a configuration file (with its
// defaults table) into Settings, and New refuses settings that are not
// resolved. Every count and duration must be positive.
type Settings struct {
	// Limits bound each request head (→ 431, 414, 501). All four fields
	// must be positive; MaxFields at most parser.MaxFields.
	Limits parser.Limits

	// HeaderTimeout bounds the whole request head from its first byte
	// (→ 408), and the TLS handshake.
	HeaderTimeout time.Duration
	// IdleTimeout bounds the wait for the next request on a kept-alive
	// connection (quiet close).
	IdleTimeout time.Duration
	// WriteTimeout bounds the progress of each write to the client.
	WriteTimeout time.Duration
	// BodyRateWindow is the window of the request body rate check.
	BodyRateWindow time.Duration

	// BodyMinRate is the least number of body bytes a client must send
	// per BodyRateWindow (→ 408).
	BodyMinRate int64
	// MaxBody bounds the request body the server reads and discards
	// (→ 413).
	MaxBody int64

	// MaxConns bounds the open connections of the server (→ 503).
	MaxConns int
	// MaxConnsPerIP bounds the open connections per client IP (→ 503).
	MaxConnsPerIP int

	// Headers are added to every response unless the handler set a field
	// of the same name, in this order. Names must be tokens and values
	// valid field values; the config package checks them. Nil means none.
	Headers [][2]string
	// ServerHeader sends "Server: ferrox".
	ServerHeader bool
	// Park lets waiting connections wait without a goroutine (Linux).
	Park bool
}

// check reports the first field of s that is not resolved. A zero or
// negative value here is a programming error of the caller (the config
// package resolves every default), so the message names the Go field.
func (s *Settings) check() error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"Limits.MaxHeadBytes", int64(s.Limits.MaxHeadBytes)},
		{"Limits.MaxFields", int64(s.Limits.MaxFields)},
		{"Limits.MaxTargetLen", int64(s.Limits.MaxTargetLen)},
		{"Limits.MaxMethodLen", int64(s.Limits.MaxMethodLen)},
		{"HeaderTimeout", int64(s.HeaderTimeout)},
		{"IdleTimeout", int64(s.IdleTimeout)},
		{"WriteTimeout", int64(s.WriteTimeout)},
		{"BodyRateWindow", int64(s.BodyRateWindow)},
		{"BodyMinRate", s.BodyMinRate},
		{"MaxBody", s.MaxBody},
		{"MaxConns", int64(s.MaxConns)},
		{"MaxConnsPerIP", int64(s.MaxConnsPerIP)},
	} {
		if f.v <= 0 {
			return fmt.Errorf("%w: %s is %d; want a positive value", ErrUnresolved, f.name, f.v)
		}
	}
	if s.Limits.MaxFields > parser.MaxFields {
		return fmt.Errorf("%w: Limits.MaxFields is %d; want at most %d", ErrUnresolved, s.Limits.MaxFields, parser.MaxFields)
	}
	return nil
}

// ErrUnresolved is wrapped by New's error for settings that hold a zero,
// negative or out-of-range value.
var ErrUnresolved = errors.New("server: settings not resolved")
