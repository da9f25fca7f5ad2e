package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"

	"github.com/ferrox/ferrox/loadtest"
)

// slowWorkerCommand is the command, not listed in the usage, by which a
// load run starts the process that holds its slow connections
// (loadtest.Config.SlowWorker): the same binary, its job on standard
// input, its events on standard output.
const slowWorkerCommand = "load-slow-worker"

// slowWorker returns the loadtest.Config.SlowWorker of this binary, nil
// when the binary cannot name itself (the slow connections then run in
// the measuring process).
func slowWorker() func() *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return func() *exec.Cmd { return exec.Command(exe, slowWorkerCommand) }
}

// cmdSlowWorker is that process. It stops when its standard input ends:
// the Ctrl-C that reaches the whole process group is the load run's to
// handle (it then ends the input), so the worker ignores it.
func cmdSlowWorker(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "ferrox %s: takes no arguments (it is started by ferrox load)\n", slowWorkerCommand)
		return 2
	}
	signal.Ignore(os.Interrupt)
	raiseFDLimit()
	if err := loadtest.RunSlowWorker(context.Background(), stdin, stdout); err != nil {
		fmt.Fprintf(stderr, "ferrox %s: %v\n", slowWorkerCommand, err)
		return 2
	}
	return 0
}
