// Command ecoz is the unified request processing centre for housing and utility
// complaints: one binary that serves the centre's web screens and JSON API from an
// SQLite file, installs itself as a system service, and backs its data up.
package main

import (
	"bufio"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the municipality's time zone on machines without a zone database (Windows)

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/demo"
	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/importer"
	"github.com/ecoz/ecoz/app/logfile"
	"github.com/ecoz/ecoz/app/store"
	"github.com/ecoz/ecoz/app/web"
	"github.com/kardianos/service"
	"golang.org/x/term"
)

//go:embed schema.sql
var schema string

//go:embed assets
var assets embed.FS

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `ecoz — Единый центр обработки заявок ЖКХ

Использование:
  ecoz [serve] [--data DIR] [--addr HOST:PORT] [--demo]   запустить сервер
        [--registry-url URL] [--registry-token T] [--export-every 15m]
  ecoz service install|uninstall|start|stop|restart|status [--data DIR] [--addr HOST:PORT] [--user USER]
  ecoz user add --login L --role R [--org ID] [--name N]  пароль читается со стандартного ввода
  ecoz import buildings|organizations [--data DIR] [--skip-bad] FILE
                                                           загрузить справочник из CSV (сервер остановлен)
  ecoz backup --out FILE [--data DIR]                      копия базы (сервер может работать)
  ecoz restore [--data DIR] FILE                           вернуть копию (сервер остановлен)
  ecoz export --out FILE [--since SEQ] [--data DIR]         выгрузка для реестра в файл
  ecoz registry serve [--data DIR] [--addr] [--tls-cert F --tls-key F] [--stale-after 1h]
  ecoz registry municipality add|revoke|reissue --code C [--name N]
  ecoz registry user add --login L                         пароль читается со стандартного ввода
  ecoz registry import [--data DIR] FILE                   загрузить файл выгрузки в реестр
  ecoz rating compute [--date ГГГГ-ММ-ДД] [--data DIR]     пересчитать рейтинг УО за день (по умолчанию — вчера)
  ecoz version

Роли: admin, operator, supervisor, org, resident.
Папка данных по умолчанию: ecoz-data рядом с программой (при go run — в текущей папке).
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(args, stdout, stderr)
	case "service":
		err = cmdService(args, stdout, stderr)
	case "user":
		if len(args) == 0 || args[0] != "add" {
			return usageError(stderr, "после «user» ожидается «add»")
		}
		err = cmdUserAdd(args[1:], stdin, stdout, stderr)
	case "import":
		err = cmdImport(args, stdout, stderr)
	case "backup":
		err = cmdBackup(args, stdout, stderr)
	case "restore":
		err = cmdRestore(args, stdout, stderr)
	case "export":
		err = cmdExport(args, stdout)
	case "registry":
		err = cmdRegistry(args, stdin, stdout, stderr)
	case "rating":
		err = cmdRating(args, stdout)
	case "version":
		fmt.Fprintln(stdout, "ecoz", appVersion())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		return usageError(stderr, fmt.Sprintf("неизвестная команда «%s»", cmd))
	}
	var ue usageErr
	if errors.As(err, &ue) {
		return usageError(stderr, ue.msg)
	}
	if err != nil {
		fmt.Fprintln(stderr, "ошибка:", err)
		return 1
	}
	return 0
}

type usageErr struct{ msg string }

func (u usageErr) Error() string { return u.msg }

func usageError(w io.Writer, msg string) int {
	fmt.Fprintf(w, "ecoz: %s\n\n%s", msg, usage)
	return 2
}

// parseFlags parses fs quietly: a bad flag is a usage error (exit 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageErr{"справка"}
		}
		return usageErr{translateFlagError(err)}
	}
	return nil
}

func translateFlagError(err error) string {
	s := err.Error()
	if f, ok := strings.CutPrefix(s, "flag provided but not defined: "); ok {
		return "неизвестный флаг " + f
	}
	if strings.HasPrefix(s, "flag needs an argument: ") {
		return "у флага нет значения: " + strings.TrimPrefix(s, "flag needs an argument: ")
	}
	return s
}

func appVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			if dirty {
				rev += "+"
			}
			return "0.1.0 (" + rev + ")"
		}
	}
	return "0.1.0-dev"
}

// defaultDataDir is ecoz-data beside the executable (a Windows service starts in
// System32, so the working directory is no place for data), or in the working
// directory when run by `go run`, whose executable lives in a temporary folder.
func defaultDataDir() string {
	exe, err := os.Executable()
	if err != nil {
		return "ecoz-data"
	}
	exe, _ = filepath.EvalSymlinks(exe)
	dir := filepath.Dir(exe)
	if strings.Contains(exe, "go-build") || strings.HasPrefix(dir, filepath.Clean(os.TempDir())) {
		return "ecoz-data"
	}
	return filepath.Join(dir, "ecoz-data")
}

type commonFlags struct {
	data string
	addr string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", "", "папка данных")
	fs.StringVar(&c.addr, "addr", ":8080", "адрес для приёма соединений")
}

func (c *commonFlags) dataDir() (string, error) {
	d := c.data
	if d == "" {
		d = defaultDataDir()
	}
	return filepath.Abs(d)
}

func dbPath(dir string) string { return filepath.Join(dir, "ecoz.db") }

func subFS(dir string) fs.FS {
	f, err := fs.Sub(assets, dir)
	if err != nil {
		panic(err)
	}
	return f
}

// openStore opens the database and brings its work-type catalogue up to date with
// the embedded one (new types added, federal facts updated, local edits kept).
func openStore(dir string) (*store.Store, error) {
	s, err := store.Open(dbPath(dir), schema)
	if err != nil {
		return nil, err
	}
	err = s.Write(context.Background(), func(tx *store.Tx) error {
		f, err := assets.Open("assets/data/work_types.csv")
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = tx.LoadWorkTypes(f)
		return err
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	withDemo := fs.Bool("demo", false, "загрузить демо-данные")
	staffLimit := fs.Int("staff-create-limit", web.DefaultStaffCreateLimit, "заявок в минуту от одного сотрудника (0 — без ограничения)")
	residentLimit := fs.Int("resident-create-limit", web.DefaultResidentCreateLimit, "заявок в час от одного жителя (0 — без ограничения)")
	var ef exportFlags
	ef.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr{"лишние аргументы: " + strings.Join(fs.Args(), " ")}
	}
	dir, err := cf.dataDir()
	if err != nil {
		return err
	}
	ecfg, err := ef.config()
	if err != nil {
		return err
	}
	cfg := serviceConfig(nil, "")
	catchStopSignals(cfg)
	srv, err := prepare(dir, cf.addr, *withDemo, stdout, stderr)
	if err != nil {
		return err
	}
	ecfg.Store, ecfg.Log = srv.st, srv.log
	srv.web.ExportJob = export.New(ecfg)
	srv.web.SetCreateLimits(*staffLimit, *residentLimit)
	svc, err := service.New(srv, cfg)
	if err != nil {
		srv.cleanup()
		return err
	}
	if err := svc.Run(); err != nil {
		srv.cleanup()
		return err
	}
	return srv.err
}

// server is one running centre: the listener is bound and the database open before
// the service manager is told it started, so that a port in use or a bad database
// ends the command with a clear message and a non-zero exit.
type server struct {
	dir     string
	ln      net.Listener
	st      *store.Store
	web     *web.Server
	lock    *store.DirLock
	log     *slog.Logger
	logFile *logfile.File
	cancel  context.CancelFunc
	done    chan struct{}
	bg      sync.WaitGroup // the nightly backups
	err     error

	exportDone chan struct{}
}

func prepare(dir, addr string, withDemo bool, stdout, stderr io.Writer) (*server, error) {
	lock, err := store.LockDir(dir)
	if err != nil {
		return nil, err
	}
	srv := &server{dir: dir, lock: lock, done: make(chan struct{})}
	fail := func(err error) (*server, error) {
		srv.cleanup()
		return nil, err
	}
	lf, err := logfile.Open(filepath.Join(dir, "logs", "ecoz.log"), 10<<20, 5)
	if err != nil {
		return fail(fmt.Errorf("журнал %s не открывается: %w", filepath.Join(dir, "logs"), err))
	}
	srv.logFile = lf
	srv.log = slog.New(slog.NewTextHandler(io.MultiWriter(stderr, lf), nil))
	// The port first: when it is taken, say so before the database is opened, let
	// alone filled with the demo. Connections wait in the backlog until Start.
	if srv.ln, err = net.Listen("tcp", addr); err != nil {
		return fail(fmt.Errorf("не удалось занять адрес %s (%v): порт занят другой программой или адрес неверен; укажите другой через --addr", addr, err))
	}
	if srv.st, err = openStore(dir); err != nil {
		return fail(err)
	}
	ctx := context.Background()
	if withDemo {
		st, err := demo.Check(ctx, srv.st)
		if err != nil {
			return fail(err)
		}
		switch st {
		case demo.RealData:
			return fail(fmt.Errorf("в базе %s уже есть рабочие данные; демо-данные с ними не смешиваются. Запустите без --demo или укажите пустую папку: --data ДРУГАЯ_ПАПКА", dbPath(dir)))
		case demo.Empty:
			f, err := assets.Open("assets/data/work_types.csv")
			if err != nil {
				return fail(err)
			}
			err = demo.Load(ctx, srv.st, f, time.Now())
			f.Close()
			if err != nil {
				return fail(fmt.Errorf("демо-данные не загружены: %w", err))
			}
		}
	}
	srv.web, err = web.New(web.Config{Store: srv.st, Views: subFS("assets/views"), Static: subFS("assets/static"), Log: srv.log, Version: appVersion(), DataDir: dir})
	if err != nil {
		return fail(err)
	}
	url := "http://" + displayAddr(srv.ln.Addr().String())
	if withDemo {
		demo.PrintAccounts(stdout, url)
	}
	fmt.Fprintf(stdout, "ecoz %s: %s, данные в %s\n", appVersion(), url, dir)
	return srv, nil
}

func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// Start is called by the service manager: serve, and run the nightly backup.
func (srv *server) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	srv.cancel = cancel
	srv.bg.Add(2)
	go func() {
		defer srv.bg.Done()
		srv.backups(ctx)
	}()
	go func() {
		defer srv.bg.Done()
		srv.web.Rating.Run(ctx)
	}()
	srv.startExport(ctx)
	go func() {
		defer close(srv.done)
		if err := srv.web.App.Listener(srv.ln); err != nil && ctx.Err() == nil {
			srv.err = err
			srv.log.Error("server stopped", "err", err)
			srv.cleanup()
			os.Exit(1)
		}
	}()
	srv.log.Info("started", "addr", srv.ln.Addr().String(), "data", srv.dir, "version", appVersion())
	return nil
}

// Stop finishes the requests in flight, then closes the database cleanly.
func (srv *server) Stop(service.Service) error {
	srv.log.Info("stopping")
	srv.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.web.Shutdown(ctx); err != nil {
		srv.log.Error("shutdown", "err", err)
	}
	<-srv.done
	srv.bg.Wait() // a nightly copy in progress ends (cancelled) before the database closes
	srv.waitExport()
	srv.cleanup()
	return nil
}

func (srv *server) cleanup() {
	if srv.ln != nil {
		srv.ln.Close() // already closed after a shutdown; needed when prepare fails
	}
	if srv.st != nil {
		if err := srv.st.Close(); err != nil && srv.log != nil {
			srv.log.Error("closing database", "err", err)
		}
		srv.st = nil
	}
	if srv.log != nil && srv.cancel != nil {
		srv.log.Info("stopped")
	}
	if srv.logFile != nil {
		srv.logFile.Close()
		srv.logFile = nil
	}
	srv.lock.Release()
}

// backups keeps a nightly copy in DATA/backups (the last 14), taken after 03:00
// local time, and one at start-up if today's is missing.
func (srv *server) backups(ctx context.Context) {
	dir := filepath.Join(srv.dir, "backups")
	for {
		loc := srv.st.Municipality(ctx).Location
		now := time.Now().In(loc)
		if now.Hour() >= 3 {
			if out, err := srv.st.NightlyBackup(ctx, dir, now, 14); err != nil {
				if ctx.Err() != nil {
					return // stopped mid-copy: the partial file is gone, the next start copies again
				}
				srv.log.Error("nightly backup", "err", err)
			} else {
				srv.log.Debug("nightly backup", "file", out)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Minute):
		}
	}
}

func serviceConfig(extra []string, user string) *service.Config {
	cfg := &service.Config{
		Name:        "ecoz",
		DisplayName: "ecoz — Единый центр обработки заявок",
		Description: "Единый центр обработки заявок ЖКХ (ecoz): веб-интерфейс и API.",
		Arguments:   append([]string{"serve"}, extra...),
		UserName:    user,
		Option: service.KeyValue{
			"Restart":                "always",
			"OnFailure":              "restart",
			"OnFailureDelayDuration": "5s",
			"LimitNOFILE":            8192,
		},
	}
	platformService(cfg)
	return cfg
}

func cmdService(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr{"после «service» ожидается install, uninstall, start, stop, restart или status"}
	}
	action := args[0]
	fs := flag.NewFlagSet("service", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	user := fs.String("user", "", "системный пользователь службы (Linux)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	var extra []string
	if action == "install" {
		dir, err := cf.dataDir()
		if err != nil {
			return err
		}
		extra = []string{"--data", dir, "--addr", cf.addr}
	}
	svc, err := service.New(nil, serviceConfig(extra, *user))
	if err != nil {
		return err
	}
	switch action {
	case "status":
		st, err := svc.Status()
		if errors.Is(err, service.ErrNotInstalled) {
			return errors.New("служба ecoz не установлена: ecoz service install")
		}
		if err != nil {
			return fmt.Errorf("служба ecoz: %v", err)
		}
		fmt.Fprintln(stdout, map[service.Status]string{service.StatusRunning: "работает", service.StatusStopped: "остановлена"}[st])
		if st == service.StatusUnknown {
			fmt.Fprintln(stdout, "состояние неизвестно")
		}
		return nil
	case "install", "uninstall", "start", "stop", "restart":
		if action != "install" {
			// The service manager's own answer for a missing service is a bare exit status.
			if _, err := svc.Status(); errors.Is(err, service.ErrNotInstalled) {
				return serviceError(action, err)
			}
		}
		if err := service.Control(svc, action); err != nil {
			return serviceError(action, err)
		}
		fmt.Fprintf(stdout, "служба ecoz: %s — готово\n", action)
		return nil
	}
	return usageErr{"неизвестное действие службы «" + action + "»"}
}

func cmdUserAdd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	login := fs.String("login", "", "логин")
	role := fs.String("role", "", "роль")
	org := fs.Int64("org", 0, "организация (для роли org)")
	name := fs.String("name", "", "имя")
	phone := fs.String("phone", "", "телефон (для жителя)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *login == "" || *role == "" {
		return usageErr{"нужны --login и --role"}
	}
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	dir, err := cf.dataDir()
	if err != nil {
		return err
	}
	st, err := openStore(dir)
	if err != nil {
		return err
	}
	defer st.Close()
	u := &app.User{Login: *login, Role: app.Role(*role), OrganizationID: *org, Name: *name, Phone: *phone}
	if err := st.CreateUser(context.Background(), u, pw); err != nil {
		msg := app.ErrorMessage(err)
		for f, m := range app.ErrorFields(err) {
			msg += fmt.Sprintf("\n  --%s: %s", strings.ReplaceAll(f, "organization_id", "org"), m)
		}
		return errors.New(msg)
	}
	fmt.Fprintf(stdout, "пользователь %s (%s) добавлен\n", u.Login, u.Role.Title())
	return nil
}

// readPassword reads one line from stdin, without echo when it is a terminal.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Пароль: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("пароль не получен: передайте его на стандартный ввод")
	}
	return line, nil
}

func cmdBackup(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	out := fs.String("out", "", "файл копии")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageErr{"нужен --out ФАЙЛ"}
	}
	dir, err := cf.dataDir()
	if err != nil {
		return err
	}
	if err := store.BackupFile(context.Background(), dbPath(dir), *out); err != nil {
		return err
	}
	if err := store.CheckFile(context.Background(), *out); err != nil {
		return fmt.Errorf("копия %s не прошла проверку: %w", *out, err)
	}
	fmt.Fprintf(stdout, "резервная копия записана: %s\n", *out)
	return nil
}

func cmdRestore(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr{"нужен ровно один файл копии: ecoz restore [--data DIR] ФАЙЛ"}
	}
	dir, err := cf.dataDir()
	if err != nil {
		return err
	}
	lock, err := store.LockDir(dir)
	if err != nil {
		return fmt.Errorf("восстановление невозможно, пока работает сервер: %w", err)
	}
	defer lock.Release()
	kept, err := store.Restore(context.Background(), fs.Arg(0), dbPath(dir))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "база восстановлена из %s\n", fs.Arg(0))
	if kept != "" {
		fmt.Fprintf(stdout, "прежняя база сохранена как %s\n", kept)
	}
	return nil
}

// cmdImport loads organisations or buildings from a CSV file (see app/importer for
// the columns). A file with a bad row imports nothing unless --skip-bad.
func cmdImport(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != string(importer.Buildings) && args[0] != string(importer.Organizations)) {
		return usageErr{"после «import» ожидается «buildings» или «organizations»"}
	}
	kind := importer.Kind(args[0])
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	skipBad := fs.Bool("skip-bad", false, "импортировать верные строки, пропустив строки с ошибками")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr{"нужен ровно один файл: ecoz import " + string(kind) + " [--data DIR] [--skip-bad] ФАЙЛ"}
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("не удалось прочитать %s: %w", fs.Arg(0), err)
	}
	dir, err := cf.dataDir()
	if err != nil {
		return err
	}
	// The running server keeps the catalogues in memory: it must not miss the change.
	lock, err := store.LockDir(dir)
	if err != nil {
		return fmt.Errorf("импорт из командной строки невозможен, пока работает сервер (загрузите файл в веб-интерфейсе администратора или остановите сервер): %w", err)
	}
	defer lock.Release()
	st, err := openStore(dir)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := importer.Apply(context.Background(), st, kind, data, *skipBad)
	if p != nil {
		for _, e := range p.Errors {
			fmt.Fprintln(stderr, e.String())
		}
	}
	if err != nil {
		return errors.New(app.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "%s (%s, разделитель «%s»): добавлено %d, обновлено %d", fs.Arg(0), p.Encoding, p.Separator, p.New, p.Updated)
	if len(p.Errors) > 0 {
		fmt.Fprintf(stdout, ", пропущено строк с ошибками: %d", len(p.Errors))
	}
	fmt.Fprintln(stdout)
	return nil
}
