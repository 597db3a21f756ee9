package kit_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/gofiber/fiber/v2"
)

func newApp(csp string) *fiber.App {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: kit.ErrorHandler(log, func(c *fiber.Ctx, status int, err error) error {
		return c.Status(status).SendString("page: " + app.ErrorMessage(err))
	})})
	a.Use(kit.Recover(log), kit.LogRequests(log, kit.RequestLog{}), kit.SecurityHeaders(csp))
	a.Get("/ok", func(c *fiber.Ctx) error { return c.SendString("ok") })
	a.Get("/api/missing", func(c *fiber.Ctx) error { return app.Errorf(app.ENOTFOUND, "Нет такой заявки.") })
	a.Get("/missing", func(c *fiber.Ctx) error { return app.Errorf(app.ENOTFOUND, "Нет такой заявки.") })
	a.Get("/api/panic", func(c *fiber.Ctx) error { panic("boom") })
	return a
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// Over TLS a server sends HSTS; over plain HTTP it does not. Both send their own
// CSP and the fixed headers.
func TestSecurityHeadersHSTSOnlyOverTLS(t *testing.T) {
	const csp = "default-src 'self'; frame-ancestors 'none'"
	a := newApp(csp)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go a.Listener(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}))
	defer a.Shutdown()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get("https://" + ln.Addr().String() + "/ok")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
		t.Errorf("over TLS: Strict-Transport-Security %q, want max-age=31536000", got)
	}
	for h, want := range map[string]string{"Content-Security-Policy": csp, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}

	plain, err := newApp(csp).Test(httptest.NewRequest("GET", "/ok", nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := plain.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("over plain HTTP: Strict-Transport-Security %q, want none", got)
	}
}

// Errors: JSON under /api/ with the app error's code and message, the server's page
// elsewhere; a panic is an internal error, not a dropped connection.
func TestErrorHandler(t *testing.T) {
	a := newApp("default-src 'self'")
	for _, c := range []struct {
		path   string
		status int
		body   string
	}{
		{"/api/missing", 404, `{"error":{"code":"not_found","message":"Нет такой заявки."}}`},
		{"/missing", 404, "page: Нет такой заявки."},
		{"/api/panic", 500, `"code":"internal"`},
		{"/api/nowhere", 404, `"message":"Страница не найдена."`},
	} {
		resp, err := a.Test(httptest.NewRequest("GET", c.path, nil))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.body) {
			t.Errorf("%s: %d %s, want %d with %s", c.path, resp.StatusCode, b, c.status, c.body)
		}
	}
}

func TestStrictDecoder(t *testing.T) {
	var v struct {
		N int    `json:"n"`
		S string `json:"s"`
	}
	for body, want := range map[string]string{
		`{"n":1,"x":2}`: "Неизвестное поле «x».",
		`{"n":"a"}`:     "Поле «n»: неверный тип значения: ожидается число.",
		`{"n":1} {}`:    "После JSON-объекта есть лишние данные.",
		`{"n":`:         "JSON обрывается.",
		`{n:1}`:         "Неверный JSON (позиция 2).",
		`[1]`:           "Ожидается JSON-объект.",
	} {
		err := kit.Strict([]byte(body), &v)
		if app.ErrorCode(err) != app.EINVALID || app.ErrorMessage(err) != want {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
	if err := kit.Strict([]byte(`{"n":2,"s":"да"}`), &v); err != nil || v.N != 2 || v.S != "да" {
		t.Errorf("a good body: %v %+v", err, v)
	}
}
