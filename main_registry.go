package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/ecoz/ecoz/app/logfile"
	"github.com/ecoz/ecoz/app/registry"
	"github.com/ecoz/ecoz/app/store"
)

// exportFlags are serve's registry flags; each overrides its stored setting.
type exportFlags struct {
	url, token, tokenFile, every string
}

func (e *exportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.url, "registry-url", "", "адрес республиканского реестра (вместо настройки)")
	fs.StringVar(&e.token, "registry-token", "", "токен муниципалитета для реестра (вместо настройки; виден в списке процессов — лучше --registry-token-file или "+export.TokenEnv+")")
	fs.StringVar(&e.tokenFile, "registry-token-file", "", "файл с токеном муниципалитета для реестра (первая строка)")
	fs.StringVar(&e.every, "export-every", "", "интервал выгрузки в реестр, например 15m (вместо настройки)")
}

// config checks the flags, before anything starts; main fills in the store.
func (e *exportFlags) config() (export.Config, error) {
	tok, err := export.TokenFrom(e.token, e.tokenFile, os.Getenv)
	if err != nil {
		return export.Config{}, usageErr{err.Error()}
	}
	cfg := export.Config{URL: e.url, Token: tok}
	if e.url != "" {
		if _, err := store.ValidateSetting(store.SetRegistryURL, e.url); err != nil {
			return cfg, usageErr{"--registry-url: " + app.ErrorMessage(err)}
		}
	}
	if e.every != "" {
		d, err := time.ParseDuration(e.every)
		if err != nil || d <= 0 {
			return cfg, usageErr{"--export-every: ожидается длительность, например 15m или 30s"}
		}
		cfg.Every = d
	}
	return cfg, nil
}

// startExport runs the push job until ctx ends; Stop waits for it before the
// database closes.
func (srv *server) startExport(ctx context.Context) {
	if srv.web.ExportJob == nil { // a server prepared without a push job (tests)
		return
	}
	srv.exportDone = make(chan struct{})
	go func() {
		defer close(srv.exportDone)
		srv.web.ExportJob.Run(ctx)
	}()
}

func (srv *server) waitExport() {
	if srv.exportDone != nil {
		<-srv.exportDone
	}
}

func cmdExport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	out := fs.String("out", "", "файл выгрузки")
	since := fs.Int64("since", 0, "выгрузить изменения после этого номера (seq)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || *since < 0 {
		return usageErr{"нужен --out ФАЙЛ (и --since N ≥ 0, если нужен)"}
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
	tmp := *out + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("файл %s не создаётся: %w", *out, err)
	}
	n, last, err := export.WriteFile(context.Background(), st, f, *since)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, *out)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if n == 0 {
		fmt.Fprintf(stdout, "новых изменений после %d нет; файл %s пуст\n", *since, *out)
	} else {
		fmt.Fprintf(stdout, "выгружено записей: %d (изменения %d–%d) в %s\n", n, *since+1, last, *out)
	}
	fmt.Fprintf(stdout, "следующая выгрузка файлом: ecoz export --out ФАЙЛ --since %d\n", last)
	return nil
}

const registryUsage = "после «registry» ожидается serve, municipality add|revoke|reissue, user add или import"

func cmdRegistry(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr{registryUsage}
	}
	switch args[0] {
	case "serve":
		return cmdRegistryServe(args[1:], stdout, stderr)
	case "import":
		return cmdRegistryImport(args[1:], stdout)
	case "municipality":
		if len(args) < 2 {
			return usageErr{registryUsage}
		}
		return cmdRegistryMunicipality(args[1], args[2:], stdout)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			return usageErr{registryUsage}
		}
		return cmdRegistryUserAdd(args[2:], stdin, stdout, stderr)
	}
	return usageErr{registryUsage}
}

func openRegistry(cf commonFlags) (*registry.DB, error) {
	dir, err := cf.dataDir()
	if err != nil {
		return nil, err
	}
	return registry.Open(filepath.Join(dir, registry.DBFile))
}

func cmdRegistryMunicipality(action string, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("registry municipality", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	code := fs.String("code", "", "код муниципалитета")
	name := fs.String("name", "", "название")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *code == "" || (action == "add" && *name == "") {
		return usageErr{"нужны --code и (для add) --name"}
	}
	db, err := openRegistry(cf)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	var token string
	switch action {
	case "add":
		token, err = db.AddMunicipality(ctx, *code, *name)
	case "reissue":
		token, err = db.ReissueToken(ctx, *code)
	case "revoke":
		if err = db.RevokeToken(ctx, *code); err == nil {
			fmt.Fprintf(stdout, "токен муниципалитета %s отозван\n", strings.ToUpper(*code))
		}
		return cliError(err)
	default:
		return usageErr{"после «registry municipality» ожидается add, revoke или reissue"}
	}
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "токен выгрузки муниципалитета %s (показывается один раз; укажите его в центре: --registry-token или настройка registry_token):\n", strings.ToUpper(*code))
	fmt.Fprintln(stdout, token)
	return nil
}

// cliError shows an app error's message and its fields, one a line.
func cliError(err error) error {
	if err == nil {
		return nil
	}
	msg := app.ErrorMessage(err)
	for f, m := range app.ErrorFields(err) {
		if !strings.Contains(msg, m) {
			msg += fmt.Sprintf("\n  %s: %s", f, m)
		}
	}
	return errors.New(msg)
}

func cmdRegistryUserAdd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("registry user add", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	login := fs.String("login", "", "логин")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *login == "" {
		return usageErr{"нужен --login"}
	}
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	db, err := openRegistry(cf)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.AddUser(context.Background(), *login, pw); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "пользователь реестра %s добавлен\n", *login)
	return nil
}

func cmdRegistryImport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("registry import", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr{"нужен ровно один файл выгрузки: ecoz registry import [--data DIR] ФАЙЛ"}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("файл %s не открывается: %w", fs.Arg(0), err)
	}
	defer f.Close()
	db, err := openRegistry(cf)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Import(context.Background(), f, filepath.Base(fs.Arg(0)))
	if err != nil {
		return cliError(err)
	}
	for code, r := range res {
		fmt.Fprintf(stdout, "%s: принято %d, пропущено (уже есть такая или более новая версия) %d\n", code, r.Accepted, r.Ignored)
	}
	return nil
}

// cmdRegistryServe runs the republic registry in the foreground until SIGINT or
// SIGTERM, over TLS when given a certificate and key.
func cmdRegistryServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("registry serve", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	cert := fs.String("tls-cert", "", "сертификат TLS (PEM)")
	key := fs.String("tls-key", "", "закрытый ключ TLS (PEM)")
	stale := fs.Duration("stale-after", time.Hour, "предупреждать, если муниципалитет не присылал данные дольше")
	rate := fs.Float64("rate", 20, "запросов в секунду на один токен")
	proxy := fs.String("trusted-proxy", "", "адреса или сети обратных прокси через запятую, чьему X-Forwarded-For верить")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	proxies, err := kit.ParseProxies(*proxy)
	if err != nil {
		return usageErr{"--trusted-proxy: " + err.Error()}
	}
	if (*cert == "") != (*key == "") {
		return usageErr{"--tls-cert и --tls-key указываются вместе"}
	}
	dir, err := cf.dataDir()
	if err != nil {
		return err
	}
	lock, err := store.LockDir(dir)
	if err != nil {
		return err
	}
	defer lock.Release()
	lf, err := logfile.Open(filepath.Join(dir, "logs", "registry.log"), 10<<20, 5)
	if err != nil {
		return err
	}
	defer lf.Close()
	log := slog.New(slog.NewTextHandler(io.MultiWriter(stderr, lf), nil))
	db, err := registry.Open(filepath.Join(dir, registry.DBFile))
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := registry.New(registry.Config{DB: db, Views: subFS("assets/registry"), Static: subFS("assets/static"), Log: log,
		Version: appVersion(), StaleAfter: *stale, Rate: *rate, TrustedProxies: proxies})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cf.addr)
	if err != nil {
		return fmt.Errorf("не удалось занять адрес %s (%v); укажите другой через --addr", cf.addr, err)
	}
	scheme := "http"
	if *cert != "" {
		if ln, err = tlsListener(ln, *cert, *key); err != nil {
			return err
		}
		scheme = "https"
	}
	fmt.Fprintf(stdout, "ecoz registry %s: %s://%s, данные в %s\n", appVersion(), scheme, displayAddr(ln.Addr().String()), dir)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- srv.App.Listener(ln) }()
	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-sig:
		log.Info("stopping")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Error("shutdown", "err", err)
		}
	}
	return nil
}
