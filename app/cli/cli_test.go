package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
)

// The table is whole: every command has a summary and a run, every flag a
// description and a supported type, names are unique, and every word that leads
// to commands says what follows it.
func TestTable(t *testing.T) {
	seen := map[string]bool{}
	firsts := map[string]bool{}
	for _, c := range commands {
		if seen[c.Name] {
			t.Errorf("command %q twice", c.Name)
		}
		seen[c.Name] = true
		if c.Summary == "" || c.Run == nil {
			t.Errorf("command %q lacks a summary or a run", c.Name)
		}
		flagSet(&c) // panics on an unsupported default
		flags := map[string]bool{}
		for _, f := range c.Flags {
			if f.Usage == "" || flags[f.Name] {
				t.Errorf("%s --%s: no description, or declared twice", c.Name, f.Name)
			}
			flags[f.Name] = true
		}
		if w := strings.Fields(c.Name); len(w) > 1 {
			firsts[strings.Join(w[:len(w)-1], " ")] = true
		}
	}
	for g := range firsts {
		found := false
		for _, x := range groups {
			found = found || x.Name == g
		}
		if !found {
			t.Errorf("«%s» leads to commands but has no Group row", g)
		}
	}
}

func run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Main(Env{Version: "test", Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}, args)
	return code, out.String(), errOut.String()
}

func TestDispatch(t *testing.T) {
	for _, c := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"version"}, 0, "ecoz test\n", ""},
		{[]string{"help"}, 0, "Команды:", ""},
		{[]string{"--help"}, 0, "Команды:", ""},
		{[]string{"help", "registry", "serve"}, 0, "--tls-cert ФАЙЛ", ""},
		{[]string{"backup", "-h"}, 0, "--out ФАЙЛ", ""},
		{[]string{"backup"}, 2, "", "ecoz: нужен --out ФАЙЛ\n\necoz backup — "},
		{[]string{"user", "add"}, 2, "", "ecoz: нужны --login ЛОГИН и --role РОЛЬ"},
		{[]string{"service", "frobnicate"}, 2, "", "ecoz: неизвестное действие службы «frobnicate»"},
		{[]string{"service"}, 2, "", "после «service» ожидается install"},
		{[]string{"registry", "user"}, 2, "", "после «registry user» ожидается «add»"},
		{[]string{"version", "now"}, 2, "", "лишние аргументы: now"},
		{[]string{"frobnicate"}, 2, "", "ecoz: неизвестная команда «frobnicate»\n\necoz — Единый центр"},
	} {
		code, out, errOut := run(c.args...)
		if code != c.code || !strings.Contains(out, c.stdout) || !strings.Contains(errOut, c.stderr) || (c.stdout == "" && out != "") {
			t.Errorf("ecoz %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), code, out, errOut)
		}
	}
}

// One error format: an app error's message with its fields as flags, one a line;
// a field that repeats the message is not shown twice.
func TestMessage(t *testing.T) {
	err := &app.Error{Code: app.EINVALID, Message: "Проверьте выделенные поля.", Fields: map[string]string{"organization_id": "Укажите организацию.", "login": "Укажите логин."}}
	want := "Проверьте выделенные поля.\n  --login: Укажите логин.\n  --org: Укажите организацию."
	if got := Message(err); got != want {
		t.Errorf("Message:\n%s\nwant:\n%s", got, want)
	}
	same := &app.Error{Code: app.EINVALID, Message: "Код муниципалитета — 2–8 латинских букв.", Fields: map[string]string{"code": "Код муниципалитета — 2–8 латинских букв."}}
	if got := Message(same); got != same.Message {
		t.Errorf("a field repeating the message is shown twice: %q", got)
	}
}
