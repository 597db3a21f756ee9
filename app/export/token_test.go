package export_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/export"
)

func TestTokenFrom(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	good := write("token", "  s3cret-token \nкомментарий\n", 0o600)
	empty := write("empty", "\n", 0o600)
	open := write("open", "s3cret-token\n", 0o644)
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == export.TokenEnv {
				return v
			}
			return ""
		}
	}
	cases := []struct {
		name, flag, file, env string
		want, err             string
	}{
		{"nothing given: the stored setting holds", "", "", "", "", ""},
		{"flag", "from-flag", "", "", "from-flag", ""},
		{"file: its first line, trimmed", "", good, "", "s3cret-token", ""},
		{"environment", "", "", " from-env ", "from-env", ""},
		{"two ways at once", "from-flag", "", "from-env", "", "задан несколькими способами"},
		{"file and environment", "", good, "from-env", "", "задан несколькими способами"},
		{"missing file", "", filepath.Join(dir, "nope"), "", "", "не читается"},
		{"empty file", "", empty, "", "", "пуст"},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, struct {
			name, flag, file, env string
			want, err             string
		}{"file readable by all", "", open, "", "", "доступен на чтение всем пользователям; выполните chmod o-r"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := export.TokenFrom(c.flag, c.file, env(c.env))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("%q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// TestRegistryErrorKeptWhole: a registry (or a proxy in front of it) answering
// a long Russian page instead of the contract's error is kept for the
// administrator cut to 300 bytes — at a character's boundary, valid UTF-8.
func TestRegistryErrorKeptWhole(t *testing.T) {
	s := small(t)
	page := "<html> " + strings.Repeat("Шлюз недоступен. ", 40) + "</html>"
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte(page))
	}))
	defer reg.Close()
	job := export.New(export.Config{Store: s, URL: reg.URL, Token: "t", Log: apptest.Logger(t)})
	err := job.PushAll(context.Background(), job.Target(context.Background()))
	if err == nil || !utf8.ValidString(err.Error()) || !strings.Contains(err.Error(), "Шлюз недоступен") || !strings.Contains(err.Error(), "…") {
		t.Fatalf("error %q", err)
	}
	st, _ := export.StateOf(context.Background(), s, job)
	if !utf8.ValidString(st.LastError) {
		t.Fatalf("last error shown to the administrator is not UTF-8: %q", st.LastError)
	}
}
