//go:build unix

package notify_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used: under a loaded machine it
// measures a request's own cost where wall-clock percentiles measure the queue.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
