package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// post sends a creation with an Idempotency-Key.
func (f *fixture) createKeyed(t *testing.T, login, key string, body map[string]any) response {
	t.Helper()
	j, _ := json.Marshal(body)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/tickets", bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+f.tokens[login])
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := f.srv.App.Test(req, -1)
	if err != nil {
		t.Error(err)
		return response{}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, b}
}

// TestIdempotentCreationUnderRetries: 32 clients retrying the same creation with
// the same key at once file one ticket; all get its number, one with 201 and the
// others with 200.
func TestIdempotentCreationUnderRetries(t *testing.T) {
	f := newFixture(t)
	body := f.newTicket("ROOF-01")
	var wg sync.WaitGroup
	res := make([]response, 32)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = f.createKeyed(t, "operator", "retry-7f3a", body)
		}()
	}
	wg.Wait()
	numbers := map[string]bool{}
	created := 0
	for _, r := range res {
		var tk ticket
		r.decode(t, &tk)
		numbers[tk.Number] = true
		switch r.Status {
		case 201:
			created++
		case 200:
		default:
			t.Fatalf("retry: %d %s", r.Status, r.Body)
		}
	}
	if len(numbers) != 1 || created != 1 {
		t.Fatalf("32 retries made %d tickets (%v), %d answered 201", len(numbers), numbers, created)
	}
	if n := rawCount(t, f.s.Path, "SELECT count(*) FROM tickets"); n != 1 {
		t.Fatalf("%d tickets in the database", n)
	}
	// The same key with another body is a conflict; another user's same key is theirs.
	other := f.newTicket("CW-05")
	if r := f.createKeyed(t, "operator", "retry-7f3a", other); r.Status != 409 || r.err(t).Error.Code != "conflict" {
		t.Errorf("reuse with another body: %d %s", r.Status, r.Body)
	}
	if r := f.createKeyed(t, "supervisor", "retry-7f3a", body); r.Status != 201 {
		t.Errorf("another user's key: %d %s", r.Status, r.Body)
	}
	// After 24 hours the key is forgotten: a new ticket.
	f.clock.Advance(25 * time.Hour)
	if r := f.createKeyed(t, "operator", "retry-7f3a", body); r.Status != 201 {
		t.Errorf("a day later: %d %s", r.Status, r.Body)
	}
	if r := f.createKeyed(t, "operator", "ключ с пробелом", body); r.Status != 400 {
		t.Errorf("bad key: %d %s", r.Status, r.Body)
	}
}

func TestCreationRateLimits(t *testing.T) {
	f := newFixture(t)
	f.srv.SetCreateLimits(3, 2)
	for i := 0; i < 3; i++ {
		f.file(t, "operator", f.newTicket("ROOF-01"))
	}
	r := f.do(t, "operator", "POST", "/api/v1/tickets", f.newTicket("ROOF-01"))
	if r.Status != 429 || r.err(t).Error.Code != "rate_limited" || !strings.Contains(r.err(t).Error.Message, "не больше 3 в минуту") {
		t.Fatalf("4th in a minute: %d %s", r.Status, r.Body)
	}
	// A retry answered with the ticket it created costs nothing.
	f.clock.Advance(61 * time.Second)
	body := f.newTicket("CW-05")
	for i := 0; i < 3; i++ {
		if r := f.createKeyed(t, "operator", "same", body); r.Status != 201 && r.Status != 200 {
			t.Fatalf("retry %d: %d %s", i, r.Status, r.Body)
		}
	}
	f.file(t, "operator", f.newTicket("ROOF-01"))
	f.file(t, "operator", f.newTicket("ROOF-01"))
	// Residents: 2 an hour here, with a message a person understands.
	res := f.newTicket("CW-05")
	f.file(t, "resident", res)
	f.file(t, "resident", res)
	r = f.do(t, "resident", "POST", "/api/v1/tickets", res)
	if r.Status != 429 || !strings.Contains(r.err(t).Error.Message, "не больше 2 в час") || !strings.Contains(r.err(t).Error.Message, "позвоните в единый центр") {
		t.Fatalf("3rd resident ticket in an hour: %d %s", r.Status, r.Body)
	}
	f.clock.Advance(time.Hour)
	f.file(t, "resident", res)
	// 0 turns the limits off.
	f.srv.SetCreateLimits(0, 0)
	for i := 0; i < 5; i++ {
		f.file(t, "resident", res)
	}
}

// TestPortalFormFilesOnce: the portal's form carries its own key, so pressing
// «Отправить» again after a slow answer shows the ticket the first press filed.
func TestPortalFormFilesOnce(t *testing.T) {
	s := smallTown(t)
	base, _ := portalServer(t, s, -1)
	c := resident(t, base, "89123330000")
	b, _ := s.SearchBuildings(context.Background(), "ленина", 1)
	c.get("/my/new")
	m := regexp.MustCompile(`name="idempotency_key" value="([0-9a-f]{32})"`).FindStringSubmatch(c.last)
	if m == nil {
		t.Fatal("the form carries no key")
	}
	form := fileForm(b[0])
	form.Set("idempotency_key", m[1])
	var urls []string
	for i := 0; i < 2; i++ {
		if st := c.postMultipart("/my/new", form, nil); st != 200 {
			t.Fatalf("press %d: %d", i+1, st)
		}
		urls = append(urls, c.url)
	}
	if urls[0] != urls[1] || !strings.HasPrefix(urls[0], "/my/tickets/") {
		t.Fatalf("two presses ended at %v", urls)
	}
	n, _ := s.CountTickets(apptest.As(apptest.User(t, s, "operator")), store.TicketFilter{})
	if n != 1 {
		t.Fatalf("%d tickets filed by two presses", n)
	}
}
