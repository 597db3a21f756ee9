package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// TestAPIKeyCommand: `ecoz apikey add` prints the key alone on its last line, and
// that key (only its hash stored) opens Open311; a second key for the same
// application is refused while the first is in force; `revoke` closes it; bad
// command lines are usage errors.
func TestAPIKeyCommand(t *testing.T) {
	dir := realData(t)
	code, out := runBinary(t, "", "apikey", "add", "--data", dir, "--name", "Мобильный Усинск", "--rate", "30")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	key := lines[len(lines)-1]
	if code != 0 || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(key) || !strings.Contains(out, "лимит: 30 заявок в минуту") {
		t.Fatalf("add: exit %d\n%s", code, out)
	}
	check := func(want string) {
		t.Helper()
		s, err := store.Open(filepath.Join(dir, "ecoz.db"), schema)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		k, err := s.APIKeyFor(context.Background(), key)
		switch {
		case want == "ok" && (err != nil || k.Name != "Мобильный Усинск" || k.RateLimit != 30):
			t.Fatalf("the printed key does not work: %v %+v", err, k)
		case want == "revoked" && app.ErrorCode(err) != app.EFORBIDDEN:
			t.Fatalf("a revoked key still works: %v", err)
		}
		if keys, _ := s.APIKeys(context.Background()); len(keys) != 1 {
			t.Fatalf("%d keys stored", len(keys))
		}
	}
	check("ok")
	if code, out := runBinary(t, "", "apikey", "add", "--data", dir, "--name", "мобильный усинск"); code != 1 || strings.Contains(out, key) {
		t.Fatalf("second key: exit %d\n%s", code, out)
	} else {
		oneSentence(t, out, "уже есть действующий ключ")
	}
	if code, out := runBinary(t, "", "apikey", "revoke", "--data", dir, "--name", "Мобильный Усинск"); code != 0 || !strings.Contains(out, "ключ приложения «Мобильный Усинск» отозван") {
		t.Fatalf("revoke: exit %d\n%s", code, out)
	}
	check("revoked")
	if code, out := runBinary(t, "", "apikey", "revoke", "--data", dir, "--name", "Мобильный Усинск"); code != 1 {
		t.Fatalf("revoke twice: exit %d\n%s", code, out)
	} else {
		oneSentence(t, out, "Действующего ключа для приложения «Мобильный Усинск» нет")
	}
	for _, args := range [][]string{{"apikey"}, {"apikey", "list"}, {"apikey", "add", "--data", dir}} {
		if code, out := runBinary(t, "", args...); code != 2 || !strings.Contains(out, "Использование:") {
			t.Fatalf("%v: exit %d\n%s", args, code, out)
		}
	}
}
