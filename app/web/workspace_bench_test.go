package web_test

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/apptest"
)

// BenchmarkQueuePages serves every queue page (tab counts and the first page of
// tickets) of the operator and of an organisation's dispatcher on a database of a
// million tickets, and reports the median and 99th percentile per page, and the
// CPU time a request costs (which a loaded machine does not inflate).
// Run: go test ./app/web/ -run '^$' -bench QueuePages -benchtime 300x
func BenchmarkQueuePages(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	srv := apptest.Server(b, s)
	pages := []struct{ who, path string }{
		{"operator", "/work/?q=new"}, {"operator", "/work/?q=routed"}, {"operator", "/work/?q=overdue"},
		{"operator", "/work/?q=work"}, {"operator", "/work/?q=done"}, {"operator", "/work/?q=reopened"},
		{"org1", "/work/?q=incoming"}, {"org1", "/work/?q=work"}, {"org1", "/work/?q=reopened"},
		{"org1", "/work/?q=overdue"}, {"org1", "/work/?q=done"},
	}
	clients := map[string]*client{"operator": signIn(b, srv, "operator"), "org1": signIn(b, srv, "org1")}
	for _, p := range pages {
		b.Run(p.who+p.path[len("/work/"):], func(b *testing.B) {
			c := clients[p.who]
			times := make([]time.Duration, 0, b.N)
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest(http.MethodGet, p.path, nil)
				req.Header.Set("HX-Request", "true") // what the self-refreshing queue asks for
				start := time.Now()
				st, _, _ := c.do(req)
				times = append(times, time.Since(start))
				if st != http.StatusOK {
					b.Fatalf("%s: status %d", p.path, st)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[(len(times)*99)/100].Microseconds())/1000, "p99-ms")
		})
	}
}
