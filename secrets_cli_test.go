//go:build linux

package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestRegistryTokenFromFileAndEnv: the centre pushes with the token from
// --registry-token-file, or from ECOZ_REGISTRY_TOKEN, and the token appears
// nowhere in the process's command line.
func TestRegistryTokenFromFileAndEnv(t *testing.T) {
	const token = "file-token-7f3a9c"
	var mu sync.Mutex
	var seen []string
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"accepted":0,"ignored":0}`))
	}))
	defer reg.Close()
	got := func(want string) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range seen {
			if s == "Bearer "+want {
				return true
			}
		}
		return false
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "registry-token")
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startBinary(t, t.TempDir(), "--registry-url", reg.URL, "--registry-token-file", file, "--export-every", "1s")
	waitFor(t, "a push with the file's token", func() bool { return got(token) })
	cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/cmdline")
	if strings.Contains(string(cmdline), token) {
		t.Fatalf("the token is in the command line: %q", cmdline)
	}
	p.stop(t)

	os.Setenv("ECOZ_REGISTRY_TOKEN", "env-token-51be")
	defer os.Unsetenv("ECOZ_REGISTRY_TOKEN")
	p = startBinary(t, t.TempDir(), "--registry-url", reg.URL, "--export-every", "1s")
	waitFor(t, "a push with the environment's token", func() bool { return got("env-token-51be") })
	p.stop(t)

	// Both at once is refused before anything starts.
	code, out := runBinary(t, "", "serve", "--data", t.TempDir(), "--addr", freeAddr(t), "--registry-token-file", file)
	if code != 2 || !strings.Contains(out, "задан несколькими способами") {
		t.Fatalf("file and environment: exit %d\n%s", code, out)
	}
}
