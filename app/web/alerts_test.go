package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/apptest"
)

// sse reads the alert stream of a signed-in user over a real connection.
type sse struct {
	t      *testing.T
	events chan [3]string // id, event, data
	resp   *http.Response
}

func openSSE(t *testing.T, f *fixture, base, login, lastID string) *sse {
	t.Helper()
	sess, err := f.s.CreateSession(context.Background(), f.users[login], "web", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", base+"/work/events", nil)
	req.AddCookie(&http.Cookie{Name: "ecoz_session", Value: sess.Token})
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%s: %d %s", login, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sse{t: t, events: make(chan [3]string, 100), resp: resp}
	t.Cleanup(func() { resp.Body.Close() })
	go func() {
		sc := bufio.NewScanner(resp.Body)
		var ev [3]string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev[1] != "" {
					s.events <- ev
				}
				ev = [3]string{}
			case strings.HasPrefix(line, "id: "):
				ev[0] = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev[1] = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev[2] = line[6:]
			}
		}
		close(s.events)
	}()
	if ev := s.next(2 * time.Second); ev[1] != "ready" {
		t.Fatalf("%s: first event %v", login, ev)
	}
	return s
}

// next returns the next alert within d, or a zero event.
func (s *sse) next(d time.Duration) [3]string {
	select {
	case ev := <-s.events:
		return ev
	case <-time.After(d):
		return [3]string{}
	}
}

type alertJSON struct {
	Kind, Number, Text, URL string
}

func (s *sse) alert(d time.Duration) (alertJSON, string) {
	ev := s.next(d)
	var a alertJSON
	if ev[1] == "alert" {
		if err := json.Unmarshal([]byte(ev[2]), &a); err != nil {
			s.t.Fatal(err)
		}
	}
	return a, ev[0]
}

// TestAlertStream: the organisation responsible and the operators hear of a new
// emergency; another organisation does not; ten minutes before the localisation
// clock runs out they hear again; a page that reconnects gets what it missed; a
// resident has no stream.
func TestAlertStream(t *testing.T) {
	f := newFixture(t)
	base := apptest.Listen(t, f.srv)
	org, org2, op := openSSE(t, f, base, "org", ""), openSSE(t, f, base, "org2", ""), openSSE(t, f, base, "operator", "")

	tap := f.file(t, "operator", f.newTicket("CW-05")) // not an emergency: no alert
	tk := f.file(t, "operator", f.newTicket("CW-01"))  // ул. Ленина, 5: «УК Север», login org
	for name, s := range map[string]*sse{"org": org, "operator": op} {
		a, _ := s.alert(3 * time.Second)
		if a.Kind != "emergency" || a.Number != tk.Number || a.URL != "/work/tickets/"+tk.Number ||
			a.Text != "Авария: "+tk.Number+" — Прорыв/течь стояка или трубопровода ХВС (аварийное повреждение внутридомовой системы), ул. Ленина, д. 5. Локализовать до 12:30" {
			t.Errorf("%s: %+v (the tap %s must not alert)", name, a, tap.Number)
		}
	}
	if a, _ := org2.alert(1500 * time.Millisecond); a.Number != "" {
		t.Errorf("another organisation heard %+v", a)
	}
	// Twenty minutes on, ten are left to localise: a second alert.
	f.clock.Advance(20 * time.Minute)
	a, id := org.alert(3 * time.Second)
	if a.Kind != "localize" || a.Number != tk.Number || a.Text != "Локализовать "+tk.Number+" до 12:30: осталось 10 мин — Прорыв/течь стояка или трубопровода ХВС (аварийное повреждение внутридомовой системы), ул. Ленина, д. 5" {
		t.Errorf("ten-minute warning: %+v", a)
	}
	if a, _ := op.alert(3 * time.Second); a.Kind != "localize" {
		t.Errorf("operator's ten-minute warning: %+v", a)
	}
	// A page that lost the stream after the first alert gets the second again.
	again := openSSE(t, f, base, "org", "1")
	if a, gotID := again.alert(time.Second); a.Kind != "localize" || gotID != id {
		t.Errorf("replay after Last-Event-ID 1: %+v id %s, want id %s", a, gotID, id)
	}
	// A resident has no alert stream.
	sess, _ := f.s.CreateSession(context.Background(), f.users["resident"], "web", time.Hour)
	req, _ := http.NewRequest("GET", base+"/work/events", nil)
	req.AddCookie(&http.Cookie{Name: "ecoz_session", Value: sess.Token})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 200 {
		t.Errorf("a resident opened the staff alert stream")
	}
}
