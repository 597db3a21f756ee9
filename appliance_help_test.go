package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app/cli"
)

// runStdout runs ecoz and returns its exit code, standard output and standard error.
func runStdout(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(ecozBin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errOut.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

// ecoz help lists every command with its summary; ecoz help CMD and ecoz CMD --help
// show every flag of the command with its description: on standard output, exit 0.
func TestHelpShowsEveryCommandAndFlag(t *testing.T) {
	code, out, errOut := runStdout(t, "help")
	if code != 0 || errOut != "" || !strings.Contains(out, "Использование:") {
		t.Fatalf("ecoz help: exit %d, stderr %q:\n%s", code, errOut, out)
	}
	cmds := cli.Commands()
	if len(cmds) < 20 {
		t.Fatalf("the table has %d commands", len(cmds))
	}
	for _, c := range cmds {
		if !strings.Contains(out, c.Name) || !strings.Contains(out, c.Summary) {
			t.Errorf("ecoz help lacks «%s — %s»", c.Name, c.Summary)
		}
	}
	for _, c := range cmds {
		words := strings.Fields(c.Name)
		for _, args := range [][]string{append(append([]string{}, words...), "--help"), append([]string{"help"}, words...), append(append([]string{}, words...), "-h")} {
			code, out, errOut := runStdout(t, args...)
			if code != 0 || errOut != "" {
				t.Errorf("ecoz %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
				continue
			}
			if !strings.Contains(out, "ecoz "+c.Name+" — "+c.Summary) {
				t.Errorf("ecoz %s does not name the command and its summary:\n%s", strings.Join(args, " "), out)
			}
			for _, f := range c.Flags {
				if f.Usage == "" || !strings.Contains(out, "--"+f.Name) || !strings.Contains(out, f.Usage) {
					t.Errorf("ecoz %s lacks the flag --%s with its description %q:\n%s", strings.Join(args, " "), f.Name, f.Usage, out)
				}
			}
		}
	}
	// Defaults are shown where a flag has one.
	_, out, _ = runStdout(t, "registry", "serve", "--help")
	for _, want := range []string{"--addr АДРЕС:ПОРТ", "(по умолчанию :8080)", "(по умолчанию 1h0m0s)", "(по умолчанию 20)"} {
		if !strings.Contains(out, want) {
			t.Errorf("ecoz registry serve --help lacks %q:\n%s", want, out)
		}
	}
	// A group's help lists its commands.
	_, out, _ = runStdout(t, "help", "service")
	for _, a := range []string{"install", "uninstall", "start", "stop", "restart", "status"} {
		if !strings.Contains(out, "ecoz service "+a+" — ") {
			t.Errorf("ecoz help service lacks %s:\n%s", a, out)
		}
	}
}

// Exit statuses: 0 success, 1 failure («ошибка: …»), 2 bad usage («ecoz: …» and
// the command's help, on standard error).
func TestExitStatuses(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args      []string
		code      int
		stdout    string
		stderr    string
		stderrNot string
	}{
		{[]string{"version"}, 0, "ecoz ", "", ""},
		{[]string{"help", "frobnicate"}, 2, "", "неизвестная команда «frobnicate»", ""},
		{[]string{"backup", "--data", dir, "--frobnicate"}, 2, "", "ecoz backup — резервная копия", ""},
		{[]string{"backup", "--data", dir, "--out", dir + "/x.db", "extra"}, 2, "", "лишние аргументы: extra", ""},
		{[]string{"restore", "--data", dir, dir + "/missing.db"}, 1, "", "ошибка: ", "Использование:"},
		{[]string{"registry", "municipality", "add", "--data", dir, "--code", "11"}, 2, "", "нужен --name НАЗВАНИЕ", ""},
		{[]string{"registry", "municipality", "frobnicate"}, 2, "", "после «registry municipality» ожидается add, revoke или reissue", ""},
	} {
		t.Run(fmt.Sprint(c.args), func(t *testing.T) {
			code, out, errOut := runStdout(t, c.args...)
			if code != c.code || !strings.Contains(out, c.stdout) || !strings.Contains(errOut, c.stderr) || (c.stderrNot != "" && strings.Contains(errOut, c.stderrNot)) {
				t.Errorf("exit %d (want %d), stdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
		})
	}
}
