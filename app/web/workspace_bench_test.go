package web_test

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/loadtest"
)

// BenchmarkQueuePages serves every queue page (tab counts and the first page of
// tickets) of the operator and of an organisation's dispatcher on a database of a
// million tickets, and reports the median and 99th percentile per page, and the
// CPU time a request costs (which a loaded machine does not inflate).
// Run: go test ./app/web/ -run '^$' -bench QueuePages -benchtime 300x
// (Sub-benchmark names carry the query: sort=created, category, emergency, overdue,
// organization_id; the working order sort=clock is the default.)
func BenchmarkQueuePages(b *testing.B) {
	s, _ := apptest.OpenBulk(b, 1000000)
	srv := apptest.Server(b, s)
	pages := []struct{ who, path string }{
		{"operator", "/work/?q=new"}, {"operator", "/work/?q=routed"}, {"operator", "/work/?q=overdue"},
		{"operator", "/work/?q=work"}, {"operator", "/work/?q=done"}, {"operator", "/work/?q=reopened"},
		{"org1", "/work/?q=incoming"}, {"org1", "/work/?q=work"}, {"org1", "/work/?q=reopened"},
		{"org1", "/work/?q=overdue"}, {"org1", "/work/?q=done"},
		// Every sort and filter of the queues (issue #12), on the biggest tabs.
		{"operator", "/work/?q=routed&sort=created"}, {"operator", "/work/?q=work&sort=created"},
		{"operator", "/work/?q=routed&category=%D0%9A%D1%80%D0%BE%D0%B2%D0%BB%D1%8F"}, // Кровля
		{"operator", "/work/?q=routed&emergency=1"}, {"operator", "/work/?q=work&overdue=1"},
		{"operator", "/work/?q=routed&organization_id=7"}, {"operator", "/work/?q=done&sort=created"},
		{"operator", "/work/?q=unreached"}, {"operator", "/work/?q=routed&counts=1"}, {"operator", "/work/?q=overdue&sort=created"},
		{"org1", "/work/?q=incoming&sort=created"}, {"org1", "/work/?q=work&category=%D0%9B%D0%B8%D1%84%D1%82"}, // Лифт
		{"org1", "/work/?q=work&emergency=1"}, {"org1", "/work/?q=incoming&overdue=1"},
	}
	clients := map[string]*client{"operator": signIn(b, srv, "operator"), "org1": signIn(b, srv, "org1")}
	for _, p := range pages {
		b.Run(p.who+p.path[len("/work/"):], func(b *testing.B) {
			c := clients[p.who]
			times := make([]time.Duration, 0, b.N)
			cpu0 := loadtest.SelfCPU()
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
			b.ReportMetric(float64((loadtest.SelfCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[(len(times)*99)/100].Microseconds())/1000, "p99-ms")
		})
	}
}
