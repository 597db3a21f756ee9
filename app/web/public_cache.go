package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// The public pages (home, rating, a building, an organisation) are what a crowd of
// residents opens, and they change far less often than they are read: each is
// rendered once and served from memory to every anonymous visitor until the data
// it shows changes. A page is kept while
//   - the store's version of the data it depends on is the one it was rendered at
//     (any committed write to tickets, or to the rating, or to anything else —
//     catalogues, organisations, settings — changes it), and
//   - the clock has not reached the next moment the page changes by itself: the
//     municipality's next midnight (the month of the figures, the rating's day)
//     and, for pages that show tickets, one second after the next deadline of an
//     open ticket (a ticket becomes «просрочена» without any write).
// Signed-in visitors get their own page (a resident's home shows their requests),
// rendered each time.
//
// Pages are kept gzipped (a building's page of 50 rows, 18 KB, takes 3.6 KB), so
// that every building's page of a municipality of 2,000 houses fits, and are sent
// as they are to browsers, which all accept gzip; others get them unpacked. When
// the cache is full, pages leave it at random: a crowd going round more pages than
// fit would empty a first-in-first-out cache just before each page's turn.

// publicCacheBytes bounds the memory the cached pages take (see README: memory).
const publicCacheBytes = 8 << 20

type pageCache struct {
	mu    sync.Mutex
	pages map[string]*cachedPage
	size  int

	hits, misses atomic.Int64
}

type cachedPage struct {
	body    []byte // gzipped
	ctype   string
	version uint64
	until   time.Time
}

func (pc *pageCache) get(key string, version uint64, now time.Time) *cachedPage {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	p := pc.pages[key]
	if p == nil || p.version != version || !now.Before(p.until) {
		return nil
	}
	return p
}

func (pc *pageCache) put(key string, p *cachedPage) {
	if len(p.body) > publicCacheBytes/8 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.pages == nil {
		pc.pages = map[string]*cachedPage{}
	}
	if old, ok := pc.pages[key]; ok {
		pc.size -= len(old.body)
		delete(pc.pages, key)
	}
	for k, old := range pc.pages { // map order is random
		if pc.size+len(p.body) <= publicCacheBytes {
			break
		}
		pc.size -= len(old.body)
		delete(pc.pages, k)
	}
	pc.pages[key] = p
	pc.size += len(p.body)
}

// reset empties the cache.
func (pc *pageCache) reset() {
	pc.mu.Lock()
	pc.pages, pc.size = nil, 0
	pc.mu.Unlock()
}

// PublicCacheStats reports how many public page views were served from memory
// and how many were rendered, since the server started.
func (s *Server) PublicCacheStats() (hits, misses int64) {
	return s.pages.hits.Load(), s.pages.misses.Load()
}

// publicPage serves h's page from memory to anonymous visitors while it shows
// what the database says (see above); scope is the data it depends on besides
// catalogues, organisations and settings.
func (s *Server) publicPage(scope store.Scope, h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodGet || currentUser(c) != nil {
			return h(c)
		}
		key := strings.Clone(c.OriginalURL())
		if c.Get("HX-Request") == "true" { // a fragment htmx asks for is another page
			key += "\x00hx"
		}
		now := s.Store.Now()
		// Read before rendering: a write committed meanwhile leaves the page
		// stamped with the older version, so the next visitor gets it anew.
		version := s.Store.Version(scope)
		c.Vary(fiber.HeaderAcceptEncoding)
		if p := s.pages.get(key, version, now); p != nil {
			s.pages.hits.Add(1)
			c.Set(fiber.HeaderContentType, p.ctype)
			if c.Context().Request.Header.HasAcceptEncoding("gzip") {
				c.Set(fiber.HeaderContentEncoding, "gzip")
				return c.Send(p.body)
			}
			body, err := gunzip(p.body)
			if err != nil {
				return err
			}
			return c.Send(body)
		}
		s.pages.misses.Add(1)
		until, err := s.publicUntil(c.UserContext(), scope, now)
		if err != nil {
			return err
		}
		if err := h(c); err != nil {
			return err
		}
		if c.Response().StatusCode() == fiber.StatusOK && len(c.Response().Header.Peek(fiber.HeaderContentEncoding)) == 0 {
			s.pages.put(key, &cachedPage{body: gzipBytes(c.Response().Body()), ctype: string(c.Response().Header.ContentType()), version: version, until: until})
		}
		return nil
	}
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return w
}}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	w := gzipWriters.Get().(*gzip.Writer)
	w.Reset(&buf)
	w.Write(b) // a bytes.Buffer does not fail
	w.Close()
	gzipWriters.Put(w)
	return buf.Bytes()
}

func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// publicUntil is the moment a public page rendered at now changes by itself: the
// next local midnight, or, when it shows tickets, one second after the next
// deadline of an open ticket (deadlines are stored in whole seconds).
func (s *Server) publicUntil(ctx context.Context, scope store.Scope, now time.Time) (time.Time, error) {
	local := now.In(s.Store.Municipality(ctx).Location)
	until := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, local.Location())
	if scope&store.ScopeTickets != 0 {
		due, err := s.Store.NextDeadline(ctx, now)
		if err != nil {
			return until, err
		}
		if !due.IsZero() && due.Add(time.Second).Before(until) {
			until = due.Add(time.Second)
		}
	}
	return until, nil
}
