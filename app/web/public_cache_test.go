package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
)

// publicFigure finds the number after a figure's title on a public page.
func publicFigure(t *testing.T, page []byte, title string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(title) + `</dt><dd>([^<]*)`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no figure «%s» on the page", title)
	}
	return strings.TrimSpace(string(m[1]))
}

// publicTimeliness is what the «В срок?» column says of ticket number ("" when
// the page does not list it).
func publicTimeliness(page []byte, number string) string {
	m := regexp.MustCompile(`<td>` + regexp.QuoteMeta(number) + `</td>[\s\S]*?<td class="timely">([^<]*)</td>`).FindSubmatch(page)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// ratingTickets is the «Заявок за 30 дней» of organisation id on the rating page.
func ratingTickets(t *testing.T, page []byte, id int64) string {
	t.Helper()
	m := regexp.MustCompile(fmt.Sprintf(`data-org="%d"[\s\S]*?<td class="num">(\d+)</td>\s*<td>`, id)).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no rating row for organisation %d", id)
	}
	return string(m[1])
}

// TestPublicPagesFollowChanges: the public pages are served from memory to
// anonymous visitors, yet every figure they show follows a ticket's change at
// once, the rating follows its recomputation, and a deadline passing turns a row
// «просрочена» without any write.
func TestPublicPagesFollowChanges(t *testing.T) {
	f := newFixture(t)
	srv := f.srv
	view := func(path string) []byte {
		t.Helper()
		code, body, _ := get(t, srv, path, "")
		if code != 200 {
			t.Fatalf("GET %s: %d", path, code)
		}
		return body
	}
	// cached says whether path's next view comes from memory.
	cached := func(path string) ([]byte, bool) {
		t.Helper()
		h0, _ := srv.PublicCacheStats()
		body := view(path)
		h1, _ := srv.PublicCacheStats()
		return body, h1 > h0
	}
	building := fmt.Sprintf("/buildings/%d", f.lenina.ID)
	org := fmt.Sprintf("/organizations/%d", f.org.ID)
	view("/rating") // the first view computes yesterday's rating: a write
	for _, p := range []string{"/", building, org, "/organizations", "/rating"} {
		view(p)
		if _, hit := cached(p); !hit {
			t.Errorf("%s: the second anonymous view was rendered again, not served from memory", p)
		}
	}
	if got := publicFigure(t, view("/"), "Зарегистрировано"); got != "0" {
		t.Fatalf("home before any ticket: registered %s", got)
	}

	// A ticket is filed: every page that counts or lists it shows it at once.
	// CW-02 (no cold water) must be fixed within 4 hours: 16:00 in Moscow.
	tk := f.file(t, "operator", f.newTicket("CW-02"))
	home, hit := cached("/")
	if hit {
		t.Error("home served from memory after a ticket was filed")
	}
	if got := publicFigure(t, home, "Зарегистрировано"); got != "1" {
		t.Errorf("home after filing: registered %s, want 1", got)
	}
	if got := publicFigure(t, home, "В работе сейчас"); got != "1" {
		t.Errorf("home after filing: open %s, want 1", got)
	}
	if got := publicTimeliness(view(building), tk.Number); got != "срок не истёк" {
		t.Errorf("building page after filing: %s is «%s», want «срок не истёк»", tk.Number, got)
	}
	orgPage := view(org)
	if got := publicFigure(t, orgPage, "В работе сейчас"); got != "1" {
		t.Errorf("organisation page after filing: open %s, want 1", got)
	}
	if publicTimeliness(orgPage, tk.Number) == "" {
		t.Errorf("organisation page after filing does not list %s", tk.Number)
	}
	for _, p := range []string{"/", building, org} {
		if _, hit := cached(p); !hit {
			t.Errorf("%s: not served from memory when nothing changed", p)
		}
	}

	// The deadline passes, nothing is written: the row and the figures turn.
	f.clock.Advance(4*time.Hour + 2*time.Second)
	if got := publicTimeliness(view(building), tk.Number); got != "просрочена" {
		t.Errorf("building page after the deadline: %s is «%s», want «просрочена»", tk.Number, got)
	}
	if got := publicFigure(t, view(org), "Просрочено сейчас"); got != "1" {
		t.Errorf("organisation page after the deadline: overdue %s, want 1", got)
	}
	if got := publicFigure(t, view("/"), "В работе сейчас"); !strings.Contains(got, "1") || !strings.Contains(string(view("/")), "из них просрочено 1") {
		t.Errorf("home after the deadline: open «%s», want 1 of them overdue", got)
	}

	// The organisation accepts and reports it done: the row changes again.
	f.act(t, "org", tk.Number, app.ActionAccept, nil)
	f.act(t, "org", tk.Number, app.ActionDone, map[string]any{"note": "Подача восстановлена"})
	if got := publicTimeliness(view(building), tk.Number); got != "с опозданием" {
		t.Errorf("building page after done: %s is «%s», want «с опозданием»", tk.Number, got)
	}
	if got := publicFigure(t, view(org), "В работе сейчас"); got != "0" {
		t.Errorf("organisation page after done: open %s, want 0", got)
	}

	// The rating shows what was computed: a ticket of yesterday counts once the day
	// is computed again, and the page follows the recomputation.
	ctx := context.Background()
	yesterday := f.clock.Now().In(f.s.Municipality(ctx).Location).AddDate(0, 0, -1)
	day := yesterday.Format("2006-01-02")
	before := ratingTickets(t, view("/rating"), f.org.ID)
	now := f.clock.Now()
	f.clock.Set(yesterday)
	f.file(t, "operator", f.newTicket("ROOF-01"))
	f.clock.Set(now)
	if got := ratingTickets(t, view("/rating"), f.org.ID); got != before {
		t.Fatalf("rating changed before it was recomputed: %s, was %s", got, before)
	}
	if _, hit := cached("/rating"); !hit {
		t.Error("/rating not served from memory when nothing changed")
	}
	if _, err := srv.Rating.ComputeDay(ctx, day); err != nil {
		t.Fatal(err)
	}
	page, hit := cached("/rating")
	if hit {
		t.Error("/rating served from memory after the day was recomputed")
	}
	if got, want := ratingTickets(t, page, f.org.ID), fmt.Sprint(atoi(t, before)+1); got != want {
		t.Errorf("rating after recomputing %s: %s tickets, want %s", day, got, want)
	}

	// A new day: the month's figures and the rating's day move on by themselves.
	f.clock.Set(apptest.Now.AddDate(0, 0, 20)) // 6 December
	if got := publicFigure(t, view("/"), "Зарегистрировано"); got != "0" {
		t.Errorf("home in December: registered %s, want 0 (November's tickets are not December's)", got)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPublicCacheIsOnlyForAnonymous: a signed-in resident gets their own home page
// (with their requests), never the anonymous one from memory, and the anonymous
// page kept in memory carries nobody's name or token.
func TestPublicCacheIsOnlyForAnonymous(t *testing.T) {
	f := newFixture(t)
	srv := f.srv
	if code, _, _ := get(t, srv, "/", ""); code != 200 {
		t.Fatal(code)
	}
	f.file(t, "resident", f.newTicket("ROOF-01"))
	code, anon, hdr := get(t, srv, "/", "")
	if code != 200 || strings.Contains(string(anon), "Анна") || strings.Contains(string(anon), "Мои заявки") {
		t.Errorf("anonymous home: %d, shows a resident's things", code)
	}
	if c := hdr.Get("Set-Cookie"); c != "" && !strings.HasPrefix(c, "ecoz_csrf=") {
		t.Errorf("anonymous home sets cookie %q", c)
	}
	sess, err := f.s.CreateSession(context.Background(), f.users["resident"], "web", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	h0, m0 := srv.PublicCacheStats()
	code, mine, _ := get(t, srv, "/", "ecoz_session="+sess.Token)
	if code != 200 || !strings.Contains(string(mine), "Мои заявки (1)") {
		t.Errorf("resident's home: %d, no «Мои заявки (1)»", code)
	}
	if h1, m1 := srv.PublicCacheStats(); h1 != h0 || m1 != m0 {
		t.Errorf("the resident's page went through the public cache (hits %d→%d, misses %d→%d)", h0, h1, m0, m1)
	}
	// And the anonymous page stays anonymous afterwards.
	if _, anon, _ := get(t, srv, "/", ""); strings.Contains(string(anon), "Мои заявки") || strings.Contains(string(anon), sess.CSRF) {
		t.Error("anonymous home after the resident's visit shows the resident's page")
	}
}

// TestPublicPagesGzipped: a browser (which accepts gzip) gets the kept page
// gzipped, and it unpacks to the very page a client without gzip gets.
func TestPublicPagesGzipped(t *testing.T) {
	f := newFixture(t)
	f.file(t, "operator", f.newTicket("ROOF-01"))
	path := fmt.Sprintf("/buildings/%d", f.lenina.ID)
	_, plain, _ := get(t, f.srv, path, "") // rendered, and kept
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	resp, err := f.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("status %d, Content-Encoding %q, Vary %q", resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	unpacked, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unpacked, plain) || !strings.Contains(string(unpacked), "TST-000001") {
		t.Errorf("the gzipped page differs from the plain one (%d vs %d bytes)", len(unpacked), len(plain))
	}
	if _, again, _ := get(t, f.srv, path, ""); !bytes.Equal(again, plain) {
		t.Error("the kept page, unpacked for a client without gzip, differs from the rendered one")
	}
}

// TestIdleReleaseKeepsPagesRight: once the server has been quiet for a while it
// hands back what it kept only to answer faster — the public pages and SQLite's
// idle connections. The next visitor gets the same page, rendered anew, and the
// next ticket is filed and shown as before.
func TestIdleReleaseKeepsPagesRight(t *testing.T) {
	f := newFixture(t)
	f.file(t, "operator", f.newTicket("ROOF-01"))
	path := fmt.Sprintf("/buildings/%d", f.lenina.ID)
	_, before, _ := get(t, f.srv, path, "")
	get(t, f.srv, path, "")
	hits, misses := f.srv.PublicCacheStats()
	if hits != 1 || misses != 1 {
		t.Fatalf("before the quiet spell: %d hits, %d misses; want 1 and 1", hits, misses)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.srv.ReleaseMemoryWhenIdle(ctx, 50*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()
	for end := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		// The page is rendered anew once the cache was emptied: a miss.
		_, again, _ := get(t, f.srv, path, "")
		if _, m := f.srv.PublicCacheStats(); m > misses {
			if !bytes.Equal(again, before) {
				t.Fatalf("the page rendered after the release differs:\n%s\n---\n%s", again, before)
			}
			break
		}
		if time.Now().After(end) {
			t.Fatal("the public pages were never released while the server was quiet")
		}
		time.Sleep(150 * time.Millisecond) // quiet for three ticks of the job
	}
	tk := f.file(t, "operator", f.newTicket("CW-05"))
	if _, page, _ := get(t, f.srv, path, ""); !strings.Contains(string(page), tk.Number) {
		t.Errorf("the ticket filed after the release, %s, is not on the building's page", tk.Number)
	}
}
