package loadtest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Build compiles the main package pkg (relative to the module's root folder) into
// out, as shipped: CGO_ENABLED=0.
func Build(root, pkg, out string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	return nil
}

// FreeAddr returns a loopback address nobody listens on right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Process is a server under test, started by Start.
type Process struct {
	Cmd  *exec.Cmd
	URL  string // http://127.0.0.1:PORT
	out  lockedBuffer
	done chan struct{}
	err  error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 2<<20 { // a request log would grow without end: keep its last megabyte
		tail := append([]byte(nil), l.b.Bytes()[l.b.Len()-1<<20:]...)
		l.b.Reset()
		l.b.Write(tail)
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// Start runs bin with args (which must make it listen on addr) and waits until
// GET ready answers 200, for at most limit.
func Start(bin string, args []string, addr, ready string, limit time.Duration) (*Process, error) {
	p := &Process{Cmd: exec.Command(bin, args...), URL: "http://" + addr, done: make(chan struct{})}
	p.Cmd.Stdout, p.Cmd.Stderr = &p.out, &p.out
	if err := p.Cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.err = p.Cmd.Wait(); close(p.done) }()
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(p.URL + ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited before answering %s: %v\n%s", bin, ready, p.err, p.out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("%s did not answer %s within %s\n%s", bin, ready, limit, p.out.String())
		}
	}
}

// PID is the server's process id.
func (p *Process) PID() int { return p.Cmd.Process.Pid }

// Output is what the server wrote lately (at least its last megabyte).
func (p *Process) Output() string { return p.out.String() }

// Stop asks the server to stop (SIGTERM, as systemd does) and kills it if it has
// not within a minute.
func (p *Process) Stop() error {
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.Cmd.Process.Kill()
	}
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		p.Cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("did not stop within a minute of SIGTERM")
	}
	return p.err
}

// WaitQuiet waits until the server has used less than share of one CPU over a
// whole window (its start-up jobs are done), for at most limit.
func (p *Process) WaitQuiet(share float64, window, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		c0, err := ProcessCPU(p.PID())
		if err != nil {
			return err
		}
		time.Sleep(window)
		c1, err := ProcessCPU(p.PID())
		if err != nil {
			return err
		}
		if float64(c1-c0) < share*float64(window) {
			return nil
		}
	}
	return fmt.Errorf("still busy after %s", limit)
}
