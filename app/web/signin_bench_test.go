package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/ecoz/ecoz/app/store"
	"github.com/ecoz/ecoz/app/web"
	"golang.org/x/crypto/bcrypt"
)

// BenchmarkPagesUnderLoginFlood: 100 wrong sign-ins a second, each from a fresh
// address (through a named proxy) so that none is throttled and every one is
// hashed at the real bcrypt cost, while one visitor reads a page; it reports the
// page's p50 and p99 latency. The hashing pool keeps the flood to half the
// cores (aim: p99 < 50 ms); the "calm" sub-benchmark is the same page alone.
func BenchmarkPagesUnderLoginFlood(b *testing.B) {
	s, _ := apptest.Open(b)
	store.BcryptCost = bcrypt.DefaultCost
	defer func() { store.BcryptCost = bcrypt.MinCost }()
	if err := s.Write(context.Background(), func(tx *store.Tx) error {
		return tx.CreateUser(&app.User{Login: "operator", Role: app.RoleOperator}, "operator-pass")
	}); err != nil {
		b.Fatal(err)
	}
	srv, err := web.New(web.Config{Store: s, Views: os.DirFS(filepath.Join(apptest.Root(), "assets", "views")),
		Static: os.DirFS(filepath.Join(apptest.Root(), "assets", "static")), I18n: os.DirFS(filepath.Join(apptest.Root(), "assets", "i18n")), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		TrustedProxies: kit.Proxies{netip.MustParsePrefix("127.0.0.1/32")}})
	if err != nil {
		b.Fatal(err)
	}
	base := apptest.Listen(b, srv)
	for _, flood := range []bool{false, true} {
		name := map[bool]string{false: "calm", true: "flood-100-per-s"}[flood]
		b.Run(name, func(b *testing.B) {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			if flood {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tick := time.NewTicker(10 * time.Millisecond)
					defer tick.Stop()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						case <-tick.C:
						}
						wg.Add(1)
						go func(i int) {
							defer wg.Done()
							req, _ := http.NewRequest("POST", base+"/api/v1/auth/login", strings.NewReader(`{"login":"operator","password":"guess"}`))
							req.Header.Set("Content-Type", "application/json")
							req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
							if resp, err := http.DefaultClient.Do(req); err == nil {
								io.Copy(io.Discard, resp.Body)
								resp.Body.Close()
							}
						}(i)
					}
				}()
				time.Sleep(time.Second) // the flood under way
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				resp, err := http.Get(base + "/login")
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
