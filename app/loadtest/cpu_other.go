//go:build !unix

package loadtest

import "time"

// SelfCPU is not measured here (0): benchmarks then report wall-clock figures only.
func SelfCPU() time.Duration { return 0 }
