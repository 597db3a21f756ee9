// Package cli is ecoz's command line: one table of commands (commands.go), each
// with its one-line summary, its flags and their descriptions, and what it runs.
// The help, the parsing, the data folder and the error format are here, once.
//
// Exit status: 0 success (help included), 1 failure, 2 bad usage. A failure is one
// line «ошибка: …» on standard error; bad usage is «ecoz: …» followed by the
// command's help.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// Env is what main hands over: the embedded schema and assets, the version, and
// the standard streams.
type Env struct {
	Schema  string
	Assets  fs.FS  // holds assets/… as embedded by main
	Version string // set at build time; empty: from the build information
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
}

// Command is one row of the table.
type Command struct {
	Name    string // words after ecoz, e.g. "registry municipality add"
	Summary string // one line, shown by ecoz help
	Args    string // positional arguments, e.g. "ФАЙЛ"; empty: none are taken
	Flags   []Flag
	// Password: the command reads a password from standard input before it
	// runs (Call.Password), once flags and arguments have been checked.
	Password bool
	Run      func(c *Call) error
}

// Group is a word that only leads to commands ("service", "registry"): what to say
// when the next word is missing or unknown.
type Group struct {
	Name    string
	Expect  string // the message when the next word is missing (and unknown, unless Unknown)
	Unknown string // the message for an unknown next word, with %s for it
}

// Flag is one flag of a command. Its type follows Default: string, bool, int64,
// float64 or time.Duration.
type Flag struct {
	Name     string
	Default  any
	Arg      string // the value's placeholder in the help, e.g. "ФАЙЛ"
	Usage    string
	Required bool // the command refuses to run without it (bad usage)
}

// Call is one run of a command: its flags and arguments, the streams, and the
// data folder's helpers (data.go).
type Call struct {
	Env
	Cmd  *Command
	Args []string
	// Password is what the command read from standard input (Command.Password).
	Password string
	fs       *flag.FlagSet

	closers []func() error
}

// String returns a string flag's value (Bool, Int64, Float64 and Duration likewise).
func (c *Call) String(name string) string          { return c.get(name).(string) }
func (c *Call) Bool(name string) bool              { return c.get(name).(bool) }
func (c *Call) Int64(name string) int64            { return c.get(name).(int64) }
func (c *Call) Float64(name string) float64        { return c.get(name).(float64) }
func (c *Call) Duration(name string) time.Duration { return c.get(name).(time.Duration) }

func (c *Call) get(name string) any {
	f := c.fs.Lookup(name)
	if f == nil {
		panic("cli: command «" + c.Cmd.Name + "» has no flag --" + name)
	}
	return f.Value.(flag.Getter).Get()
}

// run reads the password if the command takes one, and runs the command.
func (c *Call) run() error {
	if c.Cmd.Password {
		pw, err := c.readPassword()
		if err != nil {
			return err
		}
		c.Password = pw
	}
	return c.Cmd.Run(c)
}

// usageErr is bad usage: exit 2 with the command's help.
type usageErr struct{ msg string }

func (u usageErr) Error() string { return u.msg }

// Usagef makes a bad-usage error.
func Usagef(format string, a ...any) error { return usageErr{fmt.Sprintf(format, a...)} }

// Main runs the command line args (without the program's name) and returns the
// exit status.
func Main(env Env, args []string) int {
	if env.Version == "" {
		env.Version = buildVersion()
	}
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		return help(env, args[1:])
	}
	cmd, rest, err := find(args)
	if err != nil {
		return usage(env, nil, err.Error())
	}
	c := &Call{Env: env, Cmd: cmd}
	defer c.close()
	c.fs = flagSet(cmd)
	if err := c.fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(env.Stdout, commandHelp(cmd))
			return 0
		}
		return usage(env, cmd, translateFlagError(err))
	}
	c.Args = c.fs.Args()
	if cmd.Args == "" && len(c.Args) > 0 {
		return usage(env, cmd, "лишние аргументы: "+strings.Join(c.Args, " "))
	}
	if msg := missing(cmd, c.fs); msg != "" {
		return usage(env, cmd, msg)
	}
	err = c.run()
	if cerr := c.close(); err == nil && cerr != nil {
		err = cerr
	}
	var ue usageErr
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return usage(env, cmd, ue.msg)
	default:
		fmt.Fprintln(env.Stderr, "ошибка:", Message(err))
		return 1
	}
}

// Message is the one way an error is shown: an app error's message and its fields
// (as flags), one a line; any other error (a wrapped one included) as it is.
func Message(err error) string {
	if _, ok := err.(*app.Error); !ok {
		return err.Error()
	}
	msg := app.ErrorMessage(err)
	fields := app.ErrorFields(err)
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	slices.Sort(names)
	for _, f := range names {
		if m := fields[f]; !strings.Contains(msg, m) {
			msg += fmt.Sprintf("\n  --%s: %s", flagOfField(f), m)
		}
	}
	return msg
}

// flagOfField names the flag that sets a field of an app error.
func flagOfField(f string) string {
	if f == "organization_id" {
		return "org"
	}
	return f
}

// find returns the row named by the longest run of leading words of args, and the
// rest; no command word at all is serve.
func find(args []string) (*Command, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return lookup("serve"), args, nil
	}
	if i, n := longest(len(commands), func(i int) string { return commands[i].Name }, args); n > 0 {
		return &commands[i], args[n:], nil
	}
	gi, gLen := longest(len(groups), func(i int) string { return groups[i].Name }, args)
	if gLen == 0 {
		return nil, nil, fmt.Errorf("неизвестная команда «%s»", args[0])
	}
	g := &groups[gi]
	if gLen < len(args) && !strings.HasPrefix(args[gLen], "-") && g.Unknown != "" {
		return nil, nil, fmt.Errorf(g.Unknown, args[gLen])
	}
	return nil, nil, errors.New(g.Expect)
}

// longest is the index of the name (of count, by name(i)) that is the longest run
// of leading words of args, and how many words it has (0: none is).
func longest(count int, name func(int) string, args []string) (best, words int) {
	for i := 0; i < count; i++ {
		w := strings.Fields(name(i))
		if len(w) > words && len(w) <= len(args) && slices.Equal(w, args[:len(w)]) {
			best, words = i, len(w)
		}
	}
	return best, words
}

func lookup(name string) *Command {
	for i := range commands {
		if commands[i].Name == name {
			return &commands[i]
		}
	}
	return nil
}

// flagSet declares a command's flags from its row.
func flagSet(cmd *Command) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for _, f := range cmd.Flags {
		switch d := f.Default.(type) {
		case string:
			fs.String(f.Name, d, f.Usage)
		case bool:
			fs.Bool(f.Name, d, f.Usage)
		case int64:
			fs.Int64(f.Name, d, f.Usage)
		case float64:
			fs.Float64(f.Name, d, f.Usage)
		case time.Duration:
			fs.Duration(f.Name, d, f.Usage)
		default:
			panic(fmt.Sprintf("cli: flag --%s of «%s»: unsupported default %T", f.Name, cmd.Name, f.Default))
		}
	}
	return fs
}

// missing names the required flags not given: «нужен --out ФАЙЛ», «нужны --login
// ЛОГИН и --role РОЛЬ».
func missing(cmd *Command, fs *flag.FlagSet) string {
	var names []string
	for _, f := range cmd.Flags {
		if f.Required && fs.Lookup(f.Name).Value.String() == fmt.Sprint(f.Default) {
			names = append(names, strings.TrimSpace("--"+f.Name+" "+f.Arg))
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return "нужен " + names[0]
	}
	return "нужны " + strings.Join(names[:len(names)-1], ", ") + " и " + names[len(names)-1]
}

func translateFlagError(err error) string {
	s := err.Error()
	if f, ok := strings.CutPrefix(s, "flag provided but not defined: "); ok {
		return "неизвестный флаг " + f
	}
	if f, ok := strings.CutPrefix(s, "flag needs an argument: "); ok {
		return "у флага нет значения: " + f
	}
	return s
}

// usage reports bad usage: the message, then the command's help (or the overview).
func usage(env Env, cmd *Command, msg string) int {
	text := overview()
	if cmd != nil {
		text = commandHelp(cmd)
	}
	fmt.Fprintf(env.Stderr, "ecoz: %s\n\n%s", msg, text)
	return 2
}

// help is ecoz help [CMD…]: the overview, a command's help, or a group's commands.
func help(env Env, topic []string) int {
	if len(topic) == 0 {
		fmt.Fprint(env.Stdout, overview())
		return 0
	}
	name := strings.Join(topic, " ")
	if cmd := lookup(name); cmd != nil {
		fmt.Fprint(env.Stdout, commandHelp(cmd))
		return 0
	}
	var b strings.Builder
	for i := range commands {
		if strings.HasPrefix(commands[i].Name, name+" ") {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(commandHelp(&commands[i]))
		}
	}
	if b.Len() == 0 {
		return usage(env, nil, fmt.Sprintf("неизвестная команда «%s»", name))
	}
	fmt.Fprint(env.Stdout, b.String())
	return 0
}

const header = "ecoz — Единый центр обработки заявок ЖКХ\n\n"

const footer = `Роли: admin, operator, supervisor, org, resident.
Папка данных по умолчанию: ecoz-data рядом с программой (при go run — в текущей папке).
`

func overview() string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("Использование:\n  ecoz КОМАНДА [ФЛАГИ]   (без команды — serve)\n\nКоманды:\n")
	width := 0
	for _, c := range commands {
		width = max(width, len([]rune(synopsisHead(&c))))
	}
	for _, c := range commands {
		head := synopsisHead(&c)
		fmt.Fprintf(&b, "  %s%s  %s\n", head, strings.Repeat(" ", width-len([]rune(head))), c.Summary)
	}
	b.WriteString("\nФлаги команды: ecoz help КОМАНДА или ecoz КОМАНДА --help.\n\n")
	b.WriteString(footer)
	return b.String()
}

func synopsisHead(c *Command) string {
	if c.Args == "" {
		return c.Name
	}
	return c.Name + " " + c.Args
}

// commandHelp is a command's synopsis, summary and every flag with its description.
func commandHelp(c *Command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ecoz %s — %s\n\nИспользование:\n  ecoz %s", c.Name, c.Summary, c.Name)
	if len(c.Flags) > 0 {
		b.WriteString(" [ФЛАГИ]")
	}
	if c.Args != "" {
		b.WriteString(" " + c.Args)
	}
	b.WriteString("\n")
	if len(c.Flags) == 0 {
		return b.String()
	}
	b.WriteString("\nФлаги:\n")
	cols := make([]string, len(c.Flags))
	width := 0
	for i, f := range c.Flags {
		cols[i] = "--" + f.Name
		if _, isBool := f.Default.(bool); !isBool {
			arg := f.Arg
			if arg == "" {
				arg = "ЗНАЧЕНИЕ"
			}
			cols[i] += " " + arg
		}
		width = max(width, len([]rune(cols[i])))
	}
	for i, f := range c.Flags {
		fmt.Fprintf(&b, "  %s%s  %s", cols[i], strings.Repeat(" ", width-len([]rune(cols[i]))), f.Usage)
		if f.Required {
			b.WriteString(" (обязательно)")
		}
		if def := defaultText(f.Default); def != "" {
			fmt.Fprintf(&b, " (по умолчанию %s)", def)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func defaultText(d any) string {
	switch v := d.(type) {
	case string:
		return v
	case bool:
		return ""
	case int64:
		if v != 0 {
			return fmt.Sprint(v)
		}
	case float64:
		if v != 0 {
			return fmt.Sprint(v)
		}
	case time.Duration:
		if v != 0 {
			return v.String()
		}
	}
	return ""
}

// Commands returns the table, for tests and documentation.
func Commands() []Command { return slices.Clone(commands) }

func (c *Call) close() error {
	var errs []error
	for i := len(c.closers) - 1; i >= 0; i-- {
		errs = append(errs, c.closers[i]())
	}
	c.closers = nil
	return errors.Join(errs...)
}

// defer runs f when the command ends (the data folder's helpers close what they open).
func (c *Call) onClose(f func() error) { c.closers = append(c.closers, f) }
