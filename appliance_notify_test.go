package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// smsReceiver stands in for an SMS gateway: like a real one it honours the
// idempotency key, so a message sent again after a crash reaches the phone once;
// it counts every request and every distinct message.
type smsReceiver struct {
	srv      *httptest.Server
	delay    atomic.Int64 // per request, in nanoseconds
	requests atomic.Int64
	mu       sync.Mutex
	byKey    map[string]int
}

func newSMSReceiver(t *testing.T, delay time.Duration) *smsReceiver {
	r := &smsReceiver{byKey: map[string]int{}}
	r.delay.Store(int64(delay))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		time.Sleep(time.Duration(r.delay.Load()))
		r.requests.Add(1)
		r.mu.Lock()
		r.byKey[req.Header.Get("Idempotency-Key")]++
		r.mu.Unlock()
		io.WriteString(w, `{"status":"accepted"}`)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *smsReceiver) distinct() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.byKey) }

// twice counts the messages the receiver got more than once.
func (r *smsReceiver) twice() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.byKey {
		if c > 1 {
			n++
		}
	}
	return n
}

// fileTickets files n tickets through the API from 8 clients; notify is the
// caller's channel.
func fileTickets(t *testing.T, addr string, n int64, notify string) {
	t.Helper()
	a := newAPI(addr)
	a.login(t, "operator")
	var buildings []struct{ ID int64 }
	if code, err := a.do("GET", "/api/v1/buildings?q=ленина", nil, &buildings); code != 200 || err != nil || len(buildings) == 0 {
		t.Fatalf("buildings: %d %v", code, err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > n {
					return
				}
				code, err := a.do("POST", "/api/v1/tickets", map[string]any{
					"building_id": buildings[int(i)%len(buildings)].ID, "apartment": fmt.Sprint(i), "work_type": "WALL-01",
					"description": "Кирпичи выпадают из кладки", "reporter_name": "Жилец", "reporter_phone": fmt.Sprintf("8 912 %03d-%02d-%02d", i/10000, i/100%100, i%100),
					"notify": notify,
				}, nil)
				if code != 201 || err != nil {
					t.Errorf("POST /tickets: %d %v", code, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestKilledWhileNotificationsPending: 1,000 residents' messages wait in the
// outbox; the server (the real binary) is killed with SIGKILL in the middle of
// sending them; after a restart every one is delivered, and none is delivered
// twice: a resend after the kill carries the same idempotency key.
func TestKilledWhileNotificationsPending(t *testing.T) {
	if testing.Short() {
		t.Skip("files 1,000 tickets through the real binary")
	}
	dir := demoDir(t)
	db := openDB(t, filepath.Join(dir, "ecoz.db"))
	if n := countRows(t, db, "SELECT count(*) FROM outbox"); n != 0 {
		t.Errorf("the demo's history queued %d messages; it is never announced", n)
	}
	db.Close()

	// 1. No channel configured: 1,000 emergencies filed for callers who chose SMS
	// (an emergency's SMS is not held for the night, so the test runs at any hour).
	p := startBinary(t, dir, "--staff-create-limit", "0") // 1,000 tickets from one operator
	const total = 1000
	fileTickets(t, p.addr, total, "sms")
	p.stop(t)
	db = openDB(t, filepath.Join(dir, "ecoz.db"))
	if n := countRows(t, db, "SELECT count(*) FROM outbox WHERE status = 'pending' AND channel = 'sms' AND kind = 'registered'"); n != total {
		t.Fatalf("%d messages pending, want %d", n, total)
	}
	db.Close()

	// 2. The gateway configured: sending starts; the server is killed midway.
	rcv := newSMSReceiver(t, 2*time.Millisecond)
	sms := "--sms-url=" + rcv.srv.URL + "/send?to={phone}&text={text}"
	p = startBinary(t, dir, sms)
	waitFor(t, "a third of the messages to arrive", func() bool { return rcv.distinct() >= total/3 })
	p.kill()
	killedAt := rcv.distinct()
	db = openDB(t, filepath.Join(dir, "ecoz.db"))
	sentBefore := countRows(t, db, "SELECT count(*) FROM outbox WHERE status = 'sent' AND kind = 'registered'")
	db.Close()
	if killedAt >= total || sentBefore >= total {
		t.Fatalf("killed too late: %d delivered, %d marked", killedAt, sentBefore)
	}

	// 3. Restarted: the rest goes out.
	p = startBinary(t, dir, sms)
	waitFor(t, "every message to arrive", func() bool { return rcv.distinct() >= total })
	db = openDB(t, filepath.Join(dir, "ecoz.db"))
	waitFor(t, "every message to be marked sent", func() bool {
		return countRows(t, db, "SELECT count(*) FROM outbox WHERE status = 'sent' AND kind = 'registered'") == total
	})
	p.stop(t)
	if n := countRows(t, db, "SELECT count(*) FROM outbox WHERE status <> 'sent'"); n != 0 {
		t.Errorf("%d messages not sent after the restart", n)
	}
	db.Close()
	twice, distinct := rcv.twice(), rcv.distinct()
	// A message accepted by the gateway but not yet marked when the process died is
	// sent once more, with the same key: at most the messages in flight (8 workers).
	if distinct != total || twice > 8 {
		t.Errorf("gateway saw %d distinct messages (want %d); %d sent twice (want ≤ 8 in flight)", distinct, total, twice)
	}
	t.Logf("killed after %d delivered (%d marked sent); %d requests in all, %d messages resent with the same key, %d distinct delivered",
		killedAt, sentBefore, rcv.requests.Load(), twice, distinct)
}

// TestKilledWhileWebhookEventsPending: a webhook is configured and slow; 1,000
// tickets are filed, and the server is killed (SIGKILL) as soon as the last was
// acknowledged, with most of their events not yet delivered: some queued in the
// outbox, some still only in the audit trail after the webhook's cursor. After
// a restart every ticket's registration reaches the receiver, none twice but
// the few in flight, which come again with the same key.
func TestKilledWhileWebhookEventsPending(t *testing.T) {
	if testing.Short() {
		t.Skip("files 1,000 tickets through the real binary")
	}
	dir := demoDir(t)
	rcv := newSMSReceiver(t, 100*time.Millisecond) // 8 workers: 80 a second
	hook := "--webhook=" + rcv.srv.URL + "/hook"
	p := startBinary(t, dir, "--staff-create-limit", "0", hook)
	const total = 1000
	fileTickets(t, p.addr, total, "none")
	p.kill()
	killedAt := rcv.distinct()
	db := openDB(t, filepath.Join(dir, "ecoz.db"))
	defer db.Close()
	queued := countRows(t, db, "SELECT count(*) FROM outbox WHERE kind = 'event'")
	if killedAt >= total {
		t.Fatalf("killed too late: %d delivered", killedAt)
	}

	rcv.delay.Store(int64(time.Millisecond))
	p = startBinary(t, dir, hook)
	waitFor(t, "every event to arrive", func() bool { return rcv.distinct() >= total })
	waitFor(t, "every event to be marked sent", func() bool {
		return countRows(t, db, "SELECT count(*) FROM outbox WHERE kind = 'event' AND status = 'sent'") == total
	})
	p.stop(t)
	if n := countRows(t, db, "SELECT count(*) FROM outbox WHERE kind = 'event'"); n != total {
		t.Errorf("%d webhook messages queued for %d tickets", n, total)
	}
	if twice, distinct := rcv.twice(), rcv.distinct(); distinct != total || twice > 8 {
		t.Errorf("receiver saw %d distinct events (want %d); %d sent twice (want ≤ 8 in flight)", distinct, total, twice)
	}
	t.Logf("killed after %d delivered, %d queued in the outbox (the rest after the cursor); %d requests in all, %d resent with the same key",
		killedAt, queued, rcv.requests.Load(), rcv.twice())
}
