//go:build !unix

package registry

import "time"

// cpuTime is not measured here; the benchmarks then report wall time only.
func cpuTime() time.Duration { return 0 }

// pgCPU is not measured here.
func pgCPU() time.Duration { return 0 }
