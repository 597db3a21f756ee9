//go:build unix

package loadtest

import (
	"syscall"
	"time"
)

// SelfCPU is the CPU time this process has used so far, user and system: on a
// machine busy with other work it measures a piece of code's own cost, where the
// wall clock also measures the wait for a core. In-process benchmarks report it
// per operation.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
