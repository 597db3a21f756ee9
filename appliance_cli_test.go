package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/cli"
)

func TestBadCommandLineGivesUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "неизвестная команда «frobnicate»"},
		{[]string{"serve", "--frobnicate"}, "неизвестный флаг -frobnicate"},
		{[]string{"--port", "80"}, "неизвестный флаг -port"},
		{[]string{"serve", "--data"}, "у флага нет значения: -data"},
		{[]string{"serve", "extra"}, "лишние аргументы: extra"},
		{[]string{"backup"}, "нужен --out ФАЙЛ"},
		{[]string{"restore"}, "нужен ровно один файл копии"},
		{[]string{"service"}, "после «service» ожидается install"},
		{[]string{"service", "frobnicate"}, "неизвестное действие службы «frobnicate»"},
		{[]string{"user", "remove"}, "после «user» ожидается «add»"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, out := runBinary(t, "", c.args...)
			if code != 2 || !strings.Contains(out, c.want) || !strings.Contains(out, "Использование:") {
				t.Fatalf("exit %d, want 2 with %q and the usage:\n%s", code, c.want, out)
			}
		})
	}
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// realData makes a data folder holding real (non-demo) data: one user.
func realData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if code, out := runBinary(t, "password-123\n", "user", "add", "--data", dir, "--login", "chief", "--role", "admin", "--name", "Начальник"); code != 0 {
		t.Fatalf("user add: %d %s", code, out)
	}
	return dir
}

// oneSentence checks that a refusal is one line saying what is wrong and what to do.
func oneSentence(t *testing.T, out string, wants ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "ошибка: ") {
		t.Errorf("want one line «ошибка: …», got:\n%s", out)
	}
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("the message lacks %q:\n%s", w, out)
		}
	}
}

// A port in use, a newer or corrupt database, demo over real data, a folder that
// cannot be written: one clear sentence, a non-zero exit, and the data as it was.
func TestRefusalsLeaveTheDataAlone(t *testing.T) {
	t.Run("port in use", func(t *testing.T) {
		dir := realData(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		before := sum(t, filepath.Join(dir, "ecoz.db"))
		code, out := runBinary(t, "", "serve", "--data", dir, "--addr", ln.Addr().String())
		if code != 1 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		oneSentence(t, out, "не удалось занять адрес "+ln.Addr().String(), "укажите другой через --addr")
		if sum(t, filepath.Join(dir, "ecoz.db")) != before {
			t.Error("the database changed")
		}
	})
	t.Run("newer database", func(t *testing.T) {
		dir := realData(t)
		db := openDB(t, filepath.Join(dir, "ecoz.db"))
		if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		before := sum(t, filepath.Join(dir, "ecoz.db"))
		code, out := runBinary(t, "", "serve", "--data", dir, "--addr", freeAddr(t))
		if code != 1 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		oneSentence(t, out, "создана более новой версией ecoz (схема 99", "установите новую версию программы")
		if sum(t, filepath.Join(dir, "ecoz.db")) != before {
			t.Error("the database changed")
		}
	})
	t.Run("corrupt database", func(t *testing.T) {
		dir := t.TempDir()
		junk := bytes.Repeat([]byte("повреждено "), 4096)
		os.WriteFile(filepath.Join(dir, "ecoz.db"), junk, 0o640)
		code, out := runBinary(t, "", "serve", "--data", dir, "--addr", freeAddr(t))
		if code != 1 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		oneSentence(t, out, "не открывается как база данных SQLite", "ecoz restore")
		if b, _ := os.ReadFile(filepath.Join(dir, "ecoz.db")); !bytes.Equal(b, junk) {
			t.Error("the corrupt file was overwritten")
		}
	})
	t.Run("demo over real data", func(t *testing.T) {
		dir := realData(t)
		before := sum(t, filepath.Join(dir, "ecoz.db"))
		code, out := runBinary(t, "", "--demo", "--data", dir, "--addr", freeAddr(t))
		if code != 1 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		oneSentence(t, out, "уже есть рабочие данные; демо-данные с ними не смешиваются")
		if sum(t, filepath.Join(dir, "ecoz.db")) != before {
			t.Error("the database changed")
		}
		db := openDB(t, filepath.Join(dir, "ecoz.db"))
		if n := countRows(t, db, "SELECT count(*) FROM users"); n != 1 {
			t.Errorf("%d users after the refusal", n)
		}
		if n := countRows(t, db, "SELECT count(*) FROM tickets"); n != 0 {
			t.Errorf("%d tickets after the refusal", n)
		}
	})
	t.Run("data folder cannot be created", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "a-file")
		os.WriteFile(file, []byte("x"), 0o640)
		code, out := runBinary(t, "", "serve", "--data", filepath.Join(file, "data"), "--addr", freeAddr(t))
		if code != 1 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		oneSentence(t, out, "не удалось создать папку данных")
	})
	t.Run("data folder read-only", func(t *testing.T) {
		if os.Geteuid() == 0 || runtime.GOOS == "windows" {
			t.Skip("root (and Windows, which ignores a folder's read-only mark) writes into read-only folders; the case above covers a folder that cannot be used")
		}
		dir := t.TempDir()
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		code, out := runBinary(t, "", "serve", "--data", dir, "--addr", freeAddr(t))
		if code != 1 {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		oneSentence(t, out, "недоступна для записи", "--data")
	})
}

// The first start with --demo loads the demo; the next reuses it, adding nothing.
func TestDemoLoadsOnceAndIsReused(t *testing.T) {
	dir := t.TempDir()
	p := startBinaryWithin(t, time.Minute, dir, "--demo")
	// The output reaches the test through a pipe: wait for it rather than race it.
	waitFor(t, "the demo accounts to be printed", func() bool { return strings.Contains(p.out.String(), "operator") })
	p.stop(t)
	db := openDB(t, filepath.Join(dir, "ecoz.db"))
	counts := func() [3]int {
		return [3]int{
			countRows(t, db, "SELECT count(*) FROM tickets"),
			countRows(t, db, "SELECT count(*) FROM users"),
			countRows(t, db, "SELECT count(*) FROM ticket_events"),
		}
	}
	first := counts()
	if first[0] < 1500 {
		t.Fatalf("the demo holds %d tickets, want about 2000", first[0])
	}
	p = startBinary(t, dir, "--demo")
	waitFor(t, "the demo accounts to be printed on the second start", func() bool { return strings.Contains(p.out.String(), "operator") })
	a := newAPI(p.addr)
	a.login(t, "operator")
	p.stop(t)
	if again := counts(); again != first {
		t.Fatalf("second start changed the demo: %v, then %v", first, again)
	}
}

// A restore waits for the server to stop; a backup does not.
func TestRestoreRefusedWhileServing(t *testing.T) {
	dir := demoDir(t)
	p := startBinary(t, dir)
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if code, out := runBinary(t, "", "backup", "--data", dir, "--out", copyPath); code != 0 {
		t.Fatalf("backup while serving: %d %s", code, out)
	}
	// The server checkpoints its -wal file into the database file whenever it
	// likes, so the file's bytes may change under it: what the refusal must not
	// do is put another file in its place or keep the old one aside.
	before, err := os.Stat(filepath.Join(dir, "ecoz.db"))
	if err != nil {
		t.Fatal(err)
	}
	names := func() string {
		ents, _ := os.ReadDir(dir)
		var n []string
		for _, e := range ents {
			n = append(n, e.Name())
		}
		return strings.Join(n, " ")
	}
	namesBefore := names()
	code, out := runBinary(t, "", "restore", "--data", dir, copyPath)
	if code != 1 {
		t.Fatalf("restore while serving: exit %d\n%s", code, out)
	}
	oneSentence(t, out, "восстановление невозможно, пока работает сервер", "ecoz service stop")
	after, err := os.Stat(filepath.Join(dir, "ecoz.db"))
	if err != nil || !os.SameFile(before, after) || names() != namesBefore {
		t.Errorf("the refused restore replaced the database (%v) or left files: %s, before %s", err, names(), namesBefore)
	}
	p.stop(t)
	code, out = runBinary(t, "", "restore", "--data", dir, copyPath)
	if code != 0 || !strings.Contains(out, "база восстановлена") || !strings.Contains(out, "прежняя база сохранена") {
		t.Fatalf("restore with the server stopped: %d %s", code, out)
	}
	integrityOK(t, filepath.Join(dir, "ecoz.db"))
	startBinary(t, dir).stop(t)
}

// A process killed with SIGKILL in the middle of writes loses none it acknowledged,
// and the database it leaves is whole.
func TestKilledMidWritesLosesNoAcknowledgedTicket(t *testing.T) {
	dir := demoDir(t)
	// A load test: one operator files far more than a person would (--staff-create-limit 0).
	p := startBinary(t, dir, "--staff-create-limit", "0")
	a := newAPI(p.addr)
	a.login(t, "operator")
	var buildings []struct{ ID int64 }
	if code, err := a.do("GET", "/api/v1/buildings?q=ленина", nil, &buildings); code != 200 || err != nil || len(buildings) == 0 {
		t.Fatalf("buildings: %d %v %v", code, err, buildings)
	}

	var mu sync.Mutex
	var acked []string
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				var tk struct{ Number string }
				code, err := a.do("POST", "/api/v1/tickets", map[string]any{
					"building_id": buildings[i%len(buildings)].ID, "apartment": fmt.Sprint(w*1000 + i), "work_type": "CW-01",
					"description": "Нет холодной воды", "reporter_name": "Жилец", "reporter_phone": "8 912 000-00-00",
				}, &tk)
				if err != nil {
					return // the server is gone
				}
				if code != 201 {
					t.Errorf("POST /tickets: %d", code)
					return
				}
				mu.Lock()
				acked = append(acked, tk.Number)
				if len(acked) >= 120 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}(w)
	}
	select {
	case <-enough:
	case <-time.After(2 * time.Minute):
		t.Fatal("the server did not take 120 tickets in 2 minutes")
	}
	p.kill() // SIGKILL, writers still writing
	wg.Wait()
	mu.Lock()
	numbers := append([]string{}, acked...)
	mu.Unlock()

	p = startBinary(t, dir)
	a = newAPI(p.addr)
	a.login(t, "operator")
	for _, n := range numbers {
		if code, err := a.do("GET", "/api/v1/tickets/"+n, nil, nil); code != 200 || err != nil {
			t.Errorf("acknowledged ticket %s after the kill: %d %v", n, code, err)
		}
	}
	p.stop(t)
	integrityOK(t, filepath.Join(dir, "ecoz.db"))
	t.Logf("%d acknowledged tickets all kept", len(numbers))
}

// On stop, a request already being served finishes and gets its answer; the
// database closes only after it.
func TestShutdownFinishesRequestInFlight(t *testing.T) {
	dir := demoDir(t)
	srv, err := cli.Prepare(cli.Env{Schema: schema, Assets: assets, Stdout: io.Discard, Stderr: io.Discard}, dir, "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	a := newAPI(srv.Addr().String())
	a.login(t, "operator")
	var buildings []struct{ ID int64 }
	if code, err := a.do("GET", "/api/v1/buildings?q=мира", nil, &buildings); code != 200 || err != nil || len(buildings) == 0 {
		t.Fatalf("buildings: %d %v", code, err)
	}

	// Hold the write lock, so that the request below waits inside the server.
	lockDB := openDB(t, filepath.Join(dir, "ecoz.db"))
	conn, err := lockDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	type result struct {
		code   int
		number string
		err    error
	}
	res := make(chan result, 1)
	post := newAPI(srv.Addr().String())
	post.token = a.token
	go func() {
		var tk struct{ Number string }
		code, err := post.do("POST", "/api/v1/tickets", map[string]any{
			"building_id": buildings[0].ID, "apartment": "1", "work_type": "HEAT-01",
			"description": "Холодные батареи", "reporter_name": "Жилец", "reporter_phone": "8 912 111-11-11",
		}, &tk)
		res <- result{code, tk.Number, err}
	}()
	// The POST comes on a connection of its own: wait until the server has it, then
	// give it a moment to be read and reach the lock.
	waitFor(t, "the request's connection", func() bool { return srv.Web().App.Server().GetOpenConnectionsCount() >= 2 })
	time.Sleep(200 * time.Millisecond)
	stopped := make(chan struct{})
	go func() { srv.Stop(nil); close(stopped) }()
	time.Sleep(300 * time.Millisecond)
	select {
	case <-stopped:
		t.Fatal("Stop returned while a request was in flight")
	case r := <-res:
		t.Fatalf("the request ended before the lock was released: %+v", r)
	default:
	}
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	r := <-res
	if r.err != nil || r.code != 201 {
		t.Fatalf("the request in flight got %d %v, want 201", r.code, r.err)
	}
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("Stop did not return after the request finished")
	}
	if _, err := http.Get("http://" + srv.Addr().String() + "/healthz"); err == nil {
		t.Error("the server still answers after Stop")
	}
	db := openDB(t, filepath.Join(dir, "ecoz.db"))
	if n := countRows(t, db, "SELECT count(*) FROM tickets WHERE number = ?", r.number); n != 1 {
		t.Fatalf("the ticket answered 201 (%s) is not in the database", r.number)
	}
}

func waitFor(t testing.TB, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
