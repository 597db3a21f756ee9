package web_test

// Where a request's wall-clock time goes beyond its CPU time, on Linux (zero
// elsewhere): waiting for a CPU behind other processes, or reading the disk. The
// Open311 list reports both, to tell a busy machine from a serial wait (#18).

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// runqWait sums, over this process's threads, the time spent runnable but waiting
// for a CPU (Linux schedstat).
func runqWait() time.Duration {
	dirs, _ := filepath.Glob("/proc/self/task/*/schedstat")
	var sum int64
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) > 1 {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			sum += n
		}
	}
	return time.Duration(sum)
}

// diskRead is the bytes this process caused to be read from the disk.
func diskRead() int64 {
	b, _ := os.ReadFile("/proc/self/io")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "read_bytes: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}
