//go:build linux

// The install script and the service commands are tested on Linux only: they
// drive systemd (played by stand-ins in a sandbox), which is Linux's.

package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/store"
)

// The stand-ins play the machine for install.sh: each logs its call to $STANDIN_LOG.
// systemctl keeps the unit's state like systemd does, and on start really runs the
// unit's ExecStart line, so that the test sees the installed binary serve from the
// installed data folder. It refuses to act without --user: the binary must have
// put the unit in the sandbox (ECOZ_SERVICE_SANDBOX), never in /etc.
var standIns = map[string]string{
	"systemctl": `#!/bin/sh
echo "systemctl $*" >>"$STANDIN_LOG"
user=0 action= 
for a in "$@"; do
	case $a in
	--user) user=1 ;;
	*) [ -z "$action" ] && action=$a ;;
	esac
done
[ "$action" = --version ] && { echo "systemd 252 (252.22-1)"; exit 0; }
[ $user = 1 ] || { echo "stand-in systemctl: called without --user, the real system would be touched" >&2; exit 99; }
unit="$ECOZ_SERVICE_SANDBOX/.config/systemd/user/ecoz.service"
pidf="$ECOZ_SERVICE_SANDBOX/ecoz.pid"
running() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
stop() {
	if running; then
		pid=$(cat "$pidf"); kill -TERM "$pid"
		while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	fi
	rm -f "$pidf"
}
case $action in
daemon-reload) ;;
enable|disable) [ -f "$unit" ] || { echo "Unit file ecoz.service does not exist." >&2; exit 1; } ;;
start)
	[ -f "$unit" ] || { echo "Unit ecoz.service not found." >&2; exit 5; }
	running && exit 0
	eval "set -- $(sed -n 's/^ExecStart=//p' "$unit")"
	"$@" </dev/null >>"$ECOZ_SERVICE_SANDBOX/ecoz.out" 2>&1 &
	echo $! >"$pidf" ;;
stop) stop ;;
restart) stop; exec "$0" start --user ;;
is-active) if running; then echo active; else echo inactive; exit 3; fi ;;
list-unit-files) [ -f "$unit" ] && echo "ecoz.service enabled" ;;
*) echo "stand-in systemctl: unexpected $*" >&2; exit 98 ;;
esac
`,
	"id": `#!/bin/sh
echo "id $*" >>"$STANDIN_LOG"
if [ "$1" = -u ] && [ -z "$2" ]; then echo "${STANDIN_UID:-0}"; exit 0; fi
[ -f "$ECOZ_SERVICE_SANDBOX/user-$2" ] && { echo 999; exit 0; }
echo "id: '$2': no such user" >&2; exit 1
`,
	"useradd": `#!/bin/sh
echo "useradd $*" >>"$STANDIN_LOG"
for last; do :; done
touch "$ECOZ_SERVICE_SANDBOX/user-$last"
`,
	"userdel": `#!/bin/sh
echo "userdel $*" >>"$STANDIN_LOG"
rm -f "$ECOZ_SERVICE_SANDBOX/user-$1"
`,
	"chown": `#!/bin/sh
echo "chown $*" >>"$STANDIN_LOG"
`,
}

// machine is a temporary folder set up as a Linux box for install.sh.
type machine struct {
	root, prefix, data, sandbox, log string
	env                              []string
}

func newMachine(t *testing.T) *machine {
	root := t.TempDir()
	m := &machine{
		root:    root,
		prefix:  filepath.Join(root, "opt", "ecoz"),
		data:    filepath.Join(root, "var", "lib", "ecoz"),
		sandbox: filepath.Join(root, "sandbox"),
		log:     filepath.Join(root, "standin.log"),
	}
	bin := filepath.Join(root, "bin")
	for _, d := range []string{bin, m.sandbox} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range standIns {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m.env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"ECOZ_PREFIX="+m.prefix,
		"ECOZ_DATA="+m.data,
		"ECOZ_SERVICE_SANDBOX="+m.sandbox,
		"STANDIN_LOG="+m.log,
	)
	t.Cleanup(func() {
		// Whatever happened, leave no server running.
		if b, err := os.ReadFile(filepath.Join(m.sandbox, "ecoz.pid")); err == nil {
			exec.Command("kill", "-KILL", strings.TrimSpace(string(b))).Run()
		}
	})
	return m
}

// install runs install.sh with args; it returns the exit code and the output.
func (m *machine) install(t *testing.T, extraEnv []string, args ...string) (int, string) {
	t.Helper()
	os.Remove(m.log)
	cmd := exec.Command("bash", append([]string{"install.sh"}, args...)...)
	cmd.Env = append(append([]string{}, m.env...), extraEnv...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("install.sh %v: %s", args, time.Since(start).Round(time.Millisecond))
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func (m *machine) calls(t *testing.T) string {
	b, _ := os.ReadFile(m.log)
	return string(b)
}

func (m *machine) unit(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(m.sandbox, ".config", "systemd", "user", "ecoz.service"))
	if err != nil {
		t.Fatalf("no unit file: %v", err)
	}
	return string(b)
}

func (m *machine) pid() string {
	b, _ := os.ReadFile(filepath.Join(m.sandbox, "ecoz.pid"))
	return strings.TrimSpace(string(b))
}

func waitHealthy(t *testing.T, addr string, m *machine) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	out, _ := os.ReadFile(filepath.Join(m.sandbox, "ecoz.out"))
	t.Fatalf("the installed service does not answer on %s\n%s", addr, out)
}

func processGone(pid string) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat("/proc/" + pid); err != nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// TestInstallScript installs, upgrades and removes the service the way an IT
// person would, with systemd, useradd and chown played by stand-ins.
func TestInstallScript(t *testing.T) {
	m := newMachine(t)
	addr := freeAddr(t)

	// A fresh install: user, data folder, binary, unit, running service.
	code, out := m.install(t, nil, "--addr", addr, ecozBin)
	if code != 0 {
		t.Fatalf("install.sh: exit %d\n%s", code, out)
	}
	calls := m.calls(t)
	mustContain(t, "stand-in calls", calls,
		"useradd --system --home-dir "+m.data,
		"chown -R ecoz:ecoz "+m.data,
		"systemctl enable --user ecoz.service",
		"systemctl daemon-reload --user",
		"systemctl start --user ecoz.service")
	unit := m.unit(t)
	mustContain(t, "unit", unit,
		"ExecStart="+m.prefix+`/ecoz "serve" "--data" "`+m.data+`" "--addr" "`+addr+`"`,
		"User=ecoz", "Restart=always", "RestartSec=5", "WantedBy=multi-user.target")
	if fi, err := os.Stat(filepath.Join(m.prefix, "ecoz")); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("binary not installed executable: %v", err)
	}
	waitHealthy(t, addr, m)
	if _, err := os.Stat(filepath.Join(m.data, "ecoz.db")); err != nil {
		t.Fatalf("the service does not keep its database in the data folder: %v", err)
	}
	// Something to keep: a user added while the service runs.
	if code, out := runBinary(t, "secret-pass\n", "user", "add", "--data", m.data, "--login", "keeper", "--role", "admin"); code != 0 {
		t.Fatalf("user add: %d %s", code, out)
	}
	firstPID := m.pid()

	// Running it again with a new binary upgrades: stop, replace, start; the user,
	// the data and the address chosen before stay.
	// The "new release" is the same program with bytes appended (an ELF file runs
	// with trailing data), so that the installed file shows which one it is
	// without building a second binary.
	newBin := filepath.Join(t.TempDir(), "ecoz")
	b, err := os.ReadFile(ecozBin)
	if err != nil {
		t.Fatal(err)
	}
	newRelease := append(b, []byte("\x00ecoz-upgrade-marker")...)
	if err := os.WriteFile(newBin, newRelease, 0o755); err != nil {
		t.Fatal(err)
	}
	code, out = m.install(t, nil, newBin)
	if code != 0 {
		t.Fatalf("upgrade: exit %d\n%s", code, out)
	}
	calls = m.calls(t)
	if strings.Contains(calls, "useradd") {
		t.Errorf("upgrade created the user again:\n%s", calls)
	}
	if i, j := strings.Index(calls, "systemctl stop"), strings.LastIndex(calls, "systemctl start"); i < 0 || j < i {
		t.Errorf("upgrade must stop, then start the service:\n%s", calls)
	}
	if !processGone(firstPID) {
		t.Errorf("the old server (PID %s) still runs after the upgrade", firstPID)
	}
	mustContain(t, "unit after upgrade", m.unit(t), `"--addr" "`+addr+`"`)
	waitHealthy(t, addr, m)
	if installed, err := os.ReadFile(filepath.Join(m.prefix, "ecoz")); err != nil || !bytes.Equal(installed, newRelease) {
		t.Fatalf("the installed binary is not the new release (%v)", err)
	}
	if b, err := os.ReadFile("/proc/" + m.pid() + "/exe"); err == nil && !bytes.Equal(b, newRelease) {
		t.Fatal("the service runs something else than the new release")
	}

	// --uninstall stops and removes the service and the binary, keeps the data.
	pid := m.pid()
	code, out = m.install(t, nil, "--uninstall")
	if code != 0 {
		t.Fatalf("uninstall: exit %d\n%s", code, out)
	}
	if !processGone(pid) {
		t.Errorf("the server still runs after --uninstall")
	}
	mustContain(t, "uninstall calls", m.calls(t), "systemctl stop --user ecoz.service", "systemctl disable --user ecoz.service")
	if _, err := os.Stat(filepath.Join(m.sandbox, ".config", "systemd", "user", "ecoz.service")); !os.IsNotExist(err) {
		t.Errorf("unit file left behind: %v", err)
	}
	if _, err := os.Stat(filepath.Join(m.prefix, "ecoz")); !os.IsNotExist(err) {
		t.Errorf("binary left behind: %v", err)
	}
	st, err := store.Open(filepath.Join(m.data, "ecoz.db"), schema)
	if err != nil {
		t.Fatalf("data not kept: %v", err)
	}
	users, err := st.Users(context.Background())
	st.Close()
	if err != nil || len(users) != 1 || users[0].Login != "keeper" {
		t.Fatalf("the data kept lost its user: %v %v", users, err)
	}

	// --uninstall --purge removes the data and the user too.
	if code, out := m.install(t, nil, "--addr", addr, ecozBin); code != 0 {
		t.Fatalf("reinstall: exit %d\n%s", code, out)
	}
	waitHealthy(t, addr, m)
	code, out = m.install(t, nil, "--uninstall", "--purge")
	if code != 0 {
		t.Fatalf("purge: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(m.data); !os.IsNotExist(err) {
		t.Errorf("--purge left the data: %v", err)
	}
	mustContain(t, "purge calls", m.calls(t), "userdel ecoz")
}

// TestInstallScriptRefuses: without root, or without a binary that runs, the script
// says what is wrong and changes nothing.
func TestInstallScriptRefuses(t *testing.T) {
	m := newMachine(t)
	notABinary := filepath.Join(t.TempDir(), "ecoz")
	os.WriteFile(notABinary, []byte("not a program"), 0o755)
	for _, c := range []struct {
		name string
		env  []string
		args []string
		want string
		code int
	}{
		{"not root", []string{"STANDIN_UID=1000"}, []string{ecozBin}, "нужны права root", 1},
		{"no binary", nil, []string{filepath.Join(m.root, "missing")}, "нет файла программы", 1},
		{"binary does not run", nil, []string{notABinary}, "не запускается", 1},
		{"unknown option", nil, []string{"--frobnicate"}, "неизвестный параметр --frobnicate", 2},
		{"purge without uninstall", nil, []string{"--purge"}, "--purge используется только с --uninstall", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out := m.install(t, c.env, c.args...)
			if code != c.code || !strings.Contains(out, c.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, c.code, c.want, out)
			}
			if strings.Contains(m.calls(t), "systemctl") || strings.Contains(m.calls(t), "useradd") {
				t.Errorf("changed the machine:\n%s", m.calls(t))
			}
			if _, err := os.Stat(m.prefix); !os.IsNotExist(err) {
				t.Errorf("created %s", m.prefix)
			}
		})
	}
}

// The service commands of the binary, in the sandbox: a second install or an
// uninstall of nothing says so in Russian, and status tells running from stopped.
func TestServiceCommandsSayWhatIsWrong(t *testing.T) {
	m := newMachine(t)
	data := filepath.Join(m.root, "data")
	run := func(args ...string) (int, string) {
		cmd := exec.Command(ecozBin, args...)
		cmd.Env = m.env
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"service", "status"}, 1, "служба ecoz не установлена"},
		{[]string{"service", "install", "--data", data}, 0, "install — готово"},
		{[]string{"service", "install", "--data", data}, 1, "служба ecoz уже установлена"},
		{[]string{"service", "status"}, 0, "остановлена"},
		{[]string{"service", "uninstall"}, 0, "uninstall — готово"},
		{[]string{"service", "uninstall"}, 1, "служба ecoz не установлена"},
	} {
		code, out := run(c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("ecoz %s: exit %d, want %d with %q:\n%s", strings.Join(c.args, " "), code, c.code, c.want, out)
		}
	}
}
