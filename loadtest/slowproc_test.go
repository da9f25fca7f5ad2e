package loadtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// slowWorkerEnv makes this test binary a slow worker (see TestMain):
// "run" serves the job, "exit" exits at once without reading it.
const slowWorkerEnv = "LOADTEST_SLOW_WORKER"

func TestMain(m *testing.M) {
	switch os.Getenv(slowWorkerEnv) {
	case "run":
		if err := RunSlowWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	case "exit":
		fmt.Fprintln(os.Stderr, "worker gave up")
		os.Exit(3)
	}
	os.Exit(m.Run())
}

// workerCmd returns a Config.SlowWorker that starts this test binary as
// a slow worker in mode (see slowWorkerEnv).
func workerCmd(mode string) func() *exec.Cmd {
	return func() *exec.Cmd {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), slowWorkerEnv+"="+mode)
		return cmd
	}
}

// testWorker is the worker TestSlow runs its cases in.
var testWorker = workerCmd("run")

// TestSlowWorkerFails: a worker that cannot start leaves the slow
// connections to this process, with a note that says so; one that dies
// without its statistics ends the run all the same, with a note that
// carries its error output.
func TestSlowWorkerFails(t *testing.T) {
	cases := []struct {
		id     string
		worker func() *exec.Cmd
		note   string
		held   bool // the slow connections were held (here)
	}{
		{"not started", func() *exec.Cmd { return exec.Command("/nonexistent/ferrox-slow-worker") },
			"slow connections ran in the measuring process: fork/exec /nonexistent/ferrox-slow-worker", true},
		{"died", workerCmd("exit"), "slow worker: exit status 3: worker gave up", false},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			u := startTarget(t, &target{})
			res, err := Run(context.Background(), "slowloris", Config{
				Target: u, Rate: 20, Duration: 300 * time.Millisecond, Connections: 2,
				SlowConns: 4, SlowInterval: 40 * time.Millisecond, Timeout: 2 * time.Second, SlowWorker: c.worker,
			})
			if err != nil {
				t.Fatal(err)
			}
			noted := false
			for _, n := range res.Notes {
				noted = noted || strings.HasPrefix(n, c.note)
			}
			if !noted {
				t.Errorf("notes %q; want one starting %q", res.Notes, c.note)
			}
			if len(res.Phases) != 2 || res.Phases[1].SlowStats == nil {
				t.Fatalf("phases %+v; want baseline and attack with slow stats", res.Phases)
			}
			s := res.Phases[1].SlowStats
			if held := s.SlowConnsMaxOpen == 4; held != c.held || s.SlowConnsTarget != 4 {
				t.Errorf("slow stats %+v; want target 4, all 4 held: %v", *s, c.held)
			}
		})
	}
}

// TestSlowJobBounds: the worker refuses a job it cannot run, before any
// connection.
func TestSlowJobBounds(t *testing.T) {
	good := slowJob{Kind: slowHeaders, N: 1, Target: "http://127.0.0.1:1/", Timeout: time.Second,
		SlowConns: 1, SlowInterval: time.Second, SlowRampPerSec: 1, SlowSources: 1}
	if _, err := good.config(); err != nil {
		t.Fatalf("config(%+v) = %v; want nil", good, err)
	}
	for _, bad := range []func(*slowJob){
		func(j *slowJob) { j.Kind = slowBody + 1 },
		func(j *slowJob) { j.Target = "https://127.0.0.1:1/" },
		func(j *slowJob) { j.N = MaxSlowConnsCap + 1 },
		func(j *slowJob) { j.SlowSources = 0 },
		func(j *slowJob) { j.SlowInterval = 0 },
	} {
		j := good
		bad(&j)
		if _, err := j.config(); err == nil {
			t.Errorf("config(%+v) = nil; want an error", j)
		}
	}
	var out strings.Builder
	if err := RunSlowWorker(context.Background(), strings.NewReader("{not json"), &out); err == nil || out.Len() != 0 {
		t.Errorf("RunSlowWorker(bad job) = %v, wrote %q; want an error and nothing", err, out.String())
	}
}
