package web_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	trRe       = regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`)
	pageCellRe = regexp.MustCompile(`(?s)<t[dh][^>]*>(.*?)</t[dh]>`)
	tagRe      = regexp.MustCompile(`(?s)<[^>]*>`)
	wsRe       = regexp.MustCompile(`\s+`)
)

// textOf is what a person reads of an HTML fragment: tags gone, spaces collapsed.
func textOf(s string) string {
	s = strings.TrimSpace(wsRe.ReplaceAllString(html.UnescapeString(tagRe.ReplaceAllString(s, " ")), " "))
	return strings.NewReplacer(" ,", ",", " .", ".").Replace(s)
}

// tableRows reads the body rows of the first table whose class list has class, as
// the texts of their cells; the header row (th only) is left out.
func tableRows(t testing.TB, page, class string) [][]string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<table class="[^"]*\b` + regexp.QuoteMeta(class) + `\b[^"]*"[^>]*>(.*?)</table>`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		return nil
	}
	var out [][]string
	for _, tr := range trRe.FindAllStringSubmatch(m[1], -1) {
		if !strings.Contains(tr[1], "<td") {
			continue
		}
		var cells []string
		for _, c := range pageCellRe.FindAllStringSubmatch(tr[1], -1) {
			cells = append(cells, textOf(c[1]))
		}
		out = append(out, cells)
	}
	return out
}

// page signs login in with a web session of its own (the fixture's passwords are
// not the demo's) and returns a client for the HTML screens.
func (f *fixture) page(t testing.TB, login string) *client {
	t.Helper()
	sess, err := f.s.CreateSession(context.Background(), f.users[login], "web", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, srv: f.srv, cookies: map[string]string{"ecoz_session": sess.Token}, csrf: sess.CSRF}
	return c
}
