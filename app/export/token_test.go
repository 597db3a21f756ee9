package export_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

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
