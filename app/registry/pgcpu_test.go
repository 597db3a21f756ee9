package registry

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app/loadtest"
)

// pgCPU is the CPU time used so far by the PostgreSQL server's processes on this
// machine (Linux: /proc; 0 elsewhere or when the server is remote): the
// database's share of a request's cost, which the client's own does not show.
func pgCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var sum time.Duration
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(b), "(postgres") {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
		if cpu, err := loadtest.ProcessCPU(pid); err == nil {
			sum += cpu
		}
	}
	return sum
}
