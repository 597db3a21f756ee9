package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/apptest"
)

// The staff's reads take turns, as many at once as there are reader connections
// (kit.Turns), but a live alert stream stays open all shift and must not keep its
// turn: it writes after its handler has returned. With more streams open than
// turns, the ticket page still opens at once.
func TestAlertStreamsTakeNoTurn(t *testing.T) {
	f := newFixture(t)
	base := apptest.Listen(t, f.srv)
	tk := f.file(t, "operator", f.newTicket("CW-05"))
	for i := 0; i <= f.s.Readers(); i++ {
		openSSE(t, f, base, "operator", "")
	}
	sess, err := f.s.CreateSession(context.Background(), f.users["operator"], "web", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", base+"/work/tickets/"+tk.Number, nil)
	req.AddCookie(&http.Cookie{Name: "ecoz_session", Value: sess.Token})
	// Far below the 20 s a request waits for its turn before it is refused.
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("the ticket page beside %d open streams: %v", f.s.Readers()+1, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), tk.Number) || !strings.Contains(string(body), "ул. Ленина, д. 5") {
		t.Errorf("ticket page: %d, number %s or address missing", resp.StatusCode, tk.Number)
	}
}
