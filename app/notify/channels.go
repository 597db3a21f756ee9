package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	mail "github.com/wneessen/go-mail"
)

// Outgoing is one message as a channel sends it.
type Outgoing struct {
	Key     string // the idempotency key: the same message sent twice carries the same key
	To      string // a phone (E.164), an e-mail address; unused by the webhook
	Subject string
	Text    string
	Event   any // the webhook's JSON payload
}

// Permanent marks a refusal that a retry will not change (a 4xx answer, a
// rejected recipient): the message is failed and shown to the administrator.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// IsPermanent reports whether err is a Permanent refusal.
func IsPermanent(err error) bool {
	var p *Permanent
	return errors.As(err, &p)
}

// Channel delivers messages; Send returns the channel's answer on acceptance.
type Channel interface {
	Send(ctx context.Context, m Outgoing) (string, error)
}

// SMTP sends e-mail. The URL is smtp://user:pass@host:port (STARTTLS when the
// server offers it; ?tls=starttls requires it, ?tls=none never uses it) or
// smtps://… (TLS from the first byte).
type SMTP struct {
	Host      string
	Port      int
	User      string
	Password  string
	Mode      string // "tls", "starttls", "opportunistic", "none"
	From      string
	TLSConfig *tls.Config // nil: the system's roots, the host's name
}

// ParseSMTP reads an smtp:// or smtps:// URL.
func ParseSMTP(raw, from string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("адрес почтового сервера не разобран; пример: smtp://user:pass@mail.example.ru:587")
	}
	s := &SMTP{Host: u.Hostname(), From: from}
	switch u.Scheme {
	case "smtps":
		s.Mode, s.Port = "tls", 465
	case "smtp":
		s.Mode, s.Port = "opportunistic", 587
		switch u.Query().Get("tls") {
		case "", "opportunistic":
		case "starttls":
			s.Mode = "starttls"
		case "none":
			s.Mode = "none"
		default:
			return nil, errors.New("параметр tls почтового сервера: starttls, none или не задан")
		}
	default:
		return nil, errors.New("адрес почтового сервера начинается с smtp:// или smtps://")
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil {
			return nil, errors.New("неверный порт почтового сервера")
		}
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if s.From == "" {
		return nil, errors.New("не задан адрес отправителя (--mail-from)")
	}
	return s, nil
}

// Send delivers one e-mail; the idempotency key is its Message-ID, so that a
// message sent again after a crash is recognised as the same one.
func (s *SMTP) Send(ctx context.Context, m Outgoing) (string, error) {
	msg := mail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return "", &Permanent{fmt.Errorf("адрес отправителя: %v", err)}
	}
	if err := msg.To(m.To); err != nil {
		return "", &Permanent{fmt.Errorf("адрес получателя: %v", err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(messageID(m.Key))
	msg.SetGenHeader("X-Ecoz-Idempotency-Key", m.Key)
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	opts := []mail.Option{mail.WithPort(s.Port), mail.WithHELO("ecoz")}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLSConfig != nil {
		tc = s.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = s.Host
	}
	opts = append(opts, mail.WithTLSConfig(tc))
	switch s.Mode {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "opportunistic":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.User != "" {
		auth := mail.SMTPAuthAutoDiscover
		if s.Mode == "none" {
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.User), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return "", &Permanent{err}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			return "", &Permanent{fmt.Errorf("почтовый сервер отказал: %v", err)}
		}
		return "", fmt.Errorf("почтовый сервер: %v", err)
	}
	return "принято почтовым сервером", nil
}

func messageID(key string) string {
	r := strings.NewReplacer(":", ".", "@", ".", " ", "")
	return r.Replace(key) + "@ecoz"
}

// SMSGateway sends SMS through an HTTP gateway: URL and Body are templates in
// which {phone}, {phone_digits}, {text} and {id} are filled in (escaped for a URL,
// for JSON when the body starts with «{», for a form otherwise). An empty Body
// makes it a GET.
type SMSGateway struct {
	URL    string
	Body   string
	Client *http.Client
}

// Send posts one SMS; the gateway sees the idempotency key as {id} and in the
// Idempotency-Key header.
func (g *SMSGateway) Send(ctx context.Context, m Outgoing) (string, error) {
	vals := map[string]string{"phone": m.To, "phone_digits": strings.TrimPrefix(m.To, "+"), "text": m.Text, "id": m.Key}
	u := fill(g.URL, vals, url.QueryEscape)
	method, body, ctype := http.MethodGet, "", ""
	if strings.TrimSpace(g.Body) != "" {
		method = http.MethodPost
		if strings.HasPrefix(strings.TrimSpace(g.Body), "{") {
			body, ctype = fill(g.Body, vals, jsonEscape), "application/json; charset=utf-8"
		} else {
			body, ctype = fill(g.Body, vals, url.QueryEscape), "application/x-www-form-urlencoded"
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(body))
	if err != nil {
		return "", &Permanent{errors.New("адрес SMS-шлюза неверен")}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Idempotency-Key", m.Key)
	return do(g.Client, req, "SMS-шлюз")
}

// Webhook posts each event as JSON, signed: X-Ecoz-Signature: sha256=<hex HMAC-SHA256
// of the body under Secret>.
type Webhook struct {
	URL    string
	Secret string
	Client *http.Client
}

// Signature is the header value for body under secret.
func Signature(secret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

// Send posts one event.
func (w *Webhook) Send(ctx context.Context, m Outgoing) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m.Event); err != nil {
		return "", &Permanent{err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(b.Bytes()))
	if err != nil {
		return "", &Permanent{errors.New("адрес webhook неверен")}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Ecoz-Signature", Signature(w.Secret, b.Bytes()))
	req.Header.Set("Idempotency-Key", m.Key)
	return do(w.Client, req, "webhook")
}

// do sends req and sorts the answer: 2xx accepted; 4xx refused for good (but 408
// and 429, which ask to come back); 5xx and network errors retried.
func do(c *http.Client, req *http.Request, who string) (string, error) {
	resp, err := c.Do(req)
	if err != nil {
		// Never the URL: a gateway's address often carries its API key.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return "", fmt.Errorf("%s не ответил вовремя", who)
		}
		return "", fmt.Errorf("%s недоступен: %v", who, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	answer := fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return answer, nil
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests:
		return "", fmt.Errorf("%s просит повторить позже: %s", who, answer)
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return "", &Permanent{fmt.Errorf("%s отказал: %s", who, answer)}
	}
	return "", fmt.Errorf("%s: ошибка на его стороне: %s", who, answer)
}

func fill(tpl string, vals map[string]string, esc func(string) string) string {
	pairs := make([]string, 0, 2*len(vals))
	for k, v := range vals {
		pairs = append(pairs, "{"+k+"}", esc(v))
	}
	return strings.NewReplacer(pairs...).Replace(tpl)
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
