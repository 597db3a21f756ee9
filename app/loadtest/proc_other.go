//go:build !linux

package loadtest

import (
	"errors"
	"time"
)

var errNoProc = errors.New("loadtest: process figures are read from /proc, Linux only")

// ProcessCPU is measured on Linux only.
func ProcessCPU(pid int) (time.Duration, error) { return 0, errNoProc }

// ProcessMemory is measured on Linux only.
func ProcessMemory(pid int) (rss, peak int64, err error) { return 0, 0, errNoProc }
