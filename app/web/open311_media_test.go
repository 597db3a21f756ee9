package web_test

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/photo"
	"github.com/ecoz/ecoz/app/photo/phototest"
	"github.com/ecoz/ecoz/app/store"
	"github.com/ecoz/ecoz/app/web"
)

// TestOpen311MediaURL: a request's media_url is fetched from the municipality's
// own host (a local server here) and stored as the ticket's photo; from another
// host, through a redirect to another host, too large, not an image, or too
// slow it is refused with the specification's error list, and nothing is stored
// (no ticket, no file).
func TestOpen311MediaURL(t *testing.T) {
	f, key := o311Fixture(t)
	jpg := phototest.JPEG(t, 800, 600)
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/photos/ok.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(jpg)
		case "/photos/ok.png":
			w.Header().Set("Content-Type", "text/plain") // judged by its bytes
			w.Write(phototest.PNG(t, 300, 200))
		case "/photos/moved.jpg":
			http.Redirect(w, r, "/photos/ok.jpg", http.StatusFound)
		case "/photos/away.jpg":
			http.Redirect(w, r, "http://localhost:"+r.Host[strings.LastIndex(r.Host, ":")+1:]+"/photos/ok.jpg", http.StatusFound)
		case "/photos/big.jpg":
			w.Write(append(append([]byte{}, jpg...), bytes.Repeat([]byte{0}, photo.MaxBytes)...))
		case "/photos/big-stream.jpg": // no Content-Length: cut at the limit
			w.Header().Set("Content-Type", "image/jpeg")
			for range 6 {
				w.Write(bytes.Repeat([]byte{0xFF}, 1<<20))
				w.(http.Flusher).Flush()
			}
		case "/photos/page.jpg":
			w.Header().Set("Content-Type", "image/jpeg") // says so, is not
			w.Write([]byte("<html><body>Фото</body></html>"))
		case "/photos/slow.jpg":
			time.Sleep(500 * time.Millisecond)
			w.Write(jpg)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(own.Close)
	ownHost := strings.TrimPrefix(own.URL, "http://")
	other := "http://localhost:" + ownHost[strings.LastIndex(ownHost, ":")+1:]
	defer func(d time.Duration) { web.MediaTimeout = d }(web.MediaTimeout)
	web.MediaTimeout = 200 * time.Millisecond
	uploads := filepath.Join(filepath.Dir(f.s.Path), "uploads")
	files := func() int {
		n := 0
		filepath.WalkDir(uploads, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	form := func(media string) url.Values {
		return url.Values{"api_key": {key}, "service_code": {"LIFT-01"}, "address_id": {"1"}, "phone": {"+79121112233"}, "media_url": {media}}
	}
	for _, format := range formats {
		c := newOpen311Client(f, key, format)
		// No host of its own set: refused.
		if r := c.post(t, form(own.URL+"/photos/ok.jpg")); r.Status != 400 || !strings.Contains(string(r.Body), "media_url: фотографии по ссылке не принимаются") {
			t.Fatalf("%s without hosts: %d %s", format, r.Status, r.Body)
		}
	}
	if err := f.s.SaveSettings(f.as("admin"), map[string]string{store.SetOpen311MediaHosts: "photo.usinsk.example, " + ownHost}); err != nil {
		t.Fatal(err)
	}
	for _, format := range formats {
		c := newOpen311Client(f, key, format)
		for _, tc := range []struct{ name, url, want string }{
			{"other host", other + "/photos/ok.jpg", "фотографии принимаются только с серверов муниципалитета"},
			{"redirect to another host", own.URL + "/photos/away.jpg", "перенаправляет на другой сервер"},
			{"too large", own.URL + "/photos/big.jpg", "больше 5 МБ"},
			{"too large, streamed", own.URL + "/photos/big-stream.jpg", "больше 5 МБ"},
			{"not an image", own.URL + "/photos/page.jpg", "не фотография"},
			{"not found", own.URL + "/photos/none.jpg", "сервер ответил 404"},
			{"too slow", own.URL + "/photos/slow.jpg", "не ответил вовремя"},
			{"not http", "ftp://" + ownHost + "/photos/ok.jpg", "http(s)://"},
		} {
			t.Run(format+"/"+tc.name, func(t *testing.T) {
				before := countTickets(t, f)
				r := c.post(t, form(tc.url))
				errs := c.errors(t, r)
				if r.Status != 400 || len(errs) != 1 || errs[0].Code != 400 || !strings.HasPrefix(errs[0].Description, "media_url: ") || !strings.Contains(errs[0].Description, tc.want) || !strings.Contains(errs[0].Description, " / ") {
					t.Errorf("%d %s", r.Status, r.Body)
				}
				if countTickets(t, f) != before || files() != 0 {
					t.Errorf("stored: tickets %d → %d, %d files", before, countTickets(t, f), files())
				}
			})
		}
	}
	// From its own host (directly, through a redirect on the same host, a PNG
	// served as text): stored as the ticket's photo, re-encoded.
	for i, path := range []string{"/photos/ok.jpg", "/photos/moved.jpg", "/photos/ok.png"} {
		c := newOpen311Client(f, key, formats[i%len(formats)])
		r := c.post(t, form(own.URL+path))
		if r.Status != 201 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		number := c.requests(t, r)[0].ID
		atts, err := f.s.Attachments(f.as("operator"), number)
		if err != nil || len(atts) != 1 || atts[0].Kind != "report" || atts[0].Width == 0 {
			t.Fatalf("%s: attachments %v %v", path, atts, err)
		}
		if files() != 2*(i+1) { // the photo and its thumbnail
			t.Errorf("%s: %d files", path, files())
		}
	}
}
