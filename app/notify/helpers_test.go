package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/store"
)

// fixture is a centre «USN» with one organisation (uk1 its dispatcher), one
// building, an operator, a supervisor and a resident with an account.
type fixture struct {
	s                 *store.Store
	clock             *apptest.Clock
	org               *app.Organization
	b                 *app.Building
	op, uk, sup, resi *app.User
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s, clock := apptest.Open(t)
	f := &fixture{s: s, clock: clock}
	err := s.Write(context.Background(), func(tx *store.Tx) error {
		if err := tx.SetSetting(store.SetMunicipalityCode, "USN"); err != nil {
			return err
		}
		if err := tx.SetSetting(store.SetBaseURL, "https://ecoz.usinsk.example"); err != nil {
			return err
		}
		f.org = &app.Organization{Name: "УК «Север»", Kind: app.OrgManagement}
		if err := tx.SaveOrganization(f.org); err != nil {
			return err
		}
		f.b = &app.Building{Address: "ул. Мира, д. 1", OrganizationID: f.org.ID, Apartments: 40}
		if err := tx.SaveBuilding(f.b); err != nil {
			return err
		}
		f.op = &app.User{Login: "operator", Role: app.RoleOperator}
		f.uk = &app.User{Login: "uk1", Role: app.RoleOrg, OrganizationID: f.org.ID}
		f.sup = &app.User{Login: "supervisor", Role: app.RoleSupervisor}
		f.resi = &app.User{Login: "resident", Role: app.RoleResident, Name: "Петрова Анна", Phone: "+79125550101"}
		for _, u := range []*app.User{f.op, f.uk, f.sup, f.resi, {Login: "admin", Role: app.RoleAdmin}} {
			if err := tx.CreateDemoUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// file registers a ticket by the operator for a caller who chose channel.
func (f *fixture) file(t testing.TB, workType, channel, email string) *app.Ticket {
	t.Helper()
	tk, _, err := f.s.CreateTicket(apptest.As(f.op), app.NewTicket{BuildingID: f.b.ID, WorkType: workType, Description: "Течёт кран на кухне",
		ReporterName: "Иванов Иван", ReporterPhone: "8 912 555-00-01", Notify: channel, ReporterEmail: email})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (f *fixture) act(t testing.TB, u *app.User, number string, a app.Action, note string) *app.Ticket {
	t.Helper()
	tk, err := f.s.Act(apptest.As(u), number, a, store.ActInput{Note: note})
	if err != nil {
		t.Fatalf("%s %s: %v", a, number, err)
	}
	return tk
}

// gateway is a local HTTP server standing in for an SMS gateway or a webhook
// receiver. Like a real provider it honours the idempotency key: a message seen
// before is acknowledged again but not delivered twice. status, when set, is the
// answer it gives instead.
type gateway struct {
	mu       sync.Mutex
	srv      *httptest.Server
	requests []*http.Request
	bodies   []string
	byKey    map[string]int // deliveries per idempotency key
	status   int
	secret   string // webhook: verify X-Ecoz-Signature
	badSig   int
}

func newGateway(t testing.TB) *gateway {
	g := &gateway{byKey: map[string]int{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.status != 0 {
		w.WriteHeader(g.status)
		io.WriteString(w, `{"error":"номер заблокирован"}`)
		return
	}
	if g.secret != "" && r.Header.Get("X-Ecoz-Signature") != sign(g.secret, b) {
		g.badSig++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	g.requests = append(g.requests, r)
	g.bodies = append(g.bodies, string(b))
	g.byKey[r.Header.Get("Idempotency-Key")]++
	io.WriteString(w, `{"status":"queued"}`)
}

func (g *gateway) setStatus(code int) { g.mu.Lock(); g.status = code; g.mu.Unlock() }

func (g *gateway) count() int { g.mu.Lock(); defer g.mu.Unlock(); return len(g.bodies) }

func (g *gateway) body(i int) string { g.mu.Lock(); defer g.mu.Unlock(); return g.bodies[i] }

// mailServer is a real SMTP server (emersion/go-smtp) in the test: it takes
// messages over plain SMTP, STARTTLS or TLS, with PLAIN authentication.
type mailServer struct {
	mu    sync.Mutex
	addr  string
	msgs  []mailMsg
	reply *smtp.SMTPError // refuse every RCPT with this
	ca    *x509.CertPool
}

type mailMsg struct {
	From, To, Data string
	TLS, Authed    bool
}

type mailSession struct {
	srv    *mailServer
	conn   *smtp.Conn
	cur    mailMsg
	authed bool
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "ecoz" || pass != "s3cret" {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur = mailMsg{From: from}
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.reply != nil {
		return s.srv.reply
	}
	s.cur.To = to
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.cur.Data, s.cur.TLS, s.cur.Authed = string(b), isTLS, s.authed
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, s.cur)
	s.srv.mu.Unlock()
	return nil
}

// newMailServer starts an SMTP server; implicitTLS makes it TLS from the first
// byte (smtps), otherwise it offers STARTTLS.
func newMailServer(t testing.TB, implicitTLS bool) *mailServer {
	t.Helper()
	cert, pool := selfSigned(t)
	m := &mailServer{ca: pool}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &mailSession{srv: m, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicitTLS {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	m.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m
}

func (m *mailServer) messages() []mailMsg {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailMsg(nil), m.msgs...)
}

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// outbox lists the messages of the store, oldest first, as "kind channel recipient status".
func outbox(t testing.TB, s *store.Store) []string {
	t.Helper()
	ms, err := s.Outbox(context.Background(), store.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		out = append(out, strings.Join([]string{m.Kind, m.Channel, m.Recipient, m.Status}, " "))
	}
	return out
}
