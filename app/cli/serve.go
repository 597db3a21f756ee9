package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/backup"
	"github.com/ecoz/ecoz/app/demo"
	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/ecoz/ecoz/app/logfile"
	"github.com/ecoz/ecoz/app/notify"
	"github.com/ecoz/ecoz/app/retention"
	"github.com/ecoz/ecoz/app/store"
	"github.com/ecoz/ecoz/app/web"
	"github.com/kardianos/service"
)

// runServe is ecoz serve: the centre, under the service manager when started by it.
func runServe(c *Call) error {
	dir, err := c.DataDir()
	if err != nil {
		return err
	}
	ecfg, err := exportConfig(c)
	if err != nil {
		return err
	}
	nf := notify.Flags{SMTP: c.String("smtp"), MailFrom: c.String("mail-from"), SMSURL: c.String("sms-url"),
		Webhook: c.String("webhook"), SecretFile: c.String("webhook-secret-file")}
	ncfg, err := nf.Config()
	if err != nil {
		return Usagef("%s", err.Error())
	}
	proxies, err := kit.ParseProxies(c.String("trusted-proxy"))
	if err != nil {
		return Usagef("--trusted-proxy: %s", err.Error())
	}
	cfg := serviceConfig(nil, "")
	catchStopSignals(cfg)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(web.GoMemoryLimit) // README: «Память»
	}
	srv, err := Prepare(c.Env, dir, c.String("addr"), c.Bool("demo"))
	if err != nil {
		return err
	}
	ecfg.Store, ecfg.Log = srv.st, srv.log
	srv.web.ExportJob = export.New(ecfg)
	srv.web.TrustProxies(proxies)
	srv.web.SetCreateLimits(int(c.Int64("staff-create-limit")), int(c.Int64("resident-create-limit")))
	ncfg.Store, ncfg.Log = srv.st, srv.log
	srv.web.NotifyJob = notify.New(ncfg)
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

// exportConfig checks serve's registry flags, before anything starts; each
// overrides its stored setting. The caller fills in the store.
func exportConfig(c *Call) (export.Config, error) {
	tok, err := export.TokenFrom(c.String("registry-token"), c.String("registry-token-file"), os.Getenv)
	if err != nil {
		return export.Config{}, Usagef("%s", err.Error())
	}
	cfg := export.Config{URL: c.String("registry-url"), Token: tok}
	if cfg.URL != "" {
		if _, err := app.ValidateSetting(app.SetRegistryURL, cfg.URL); err != nil {
			return cfg, Usagef("--registry-url: %s", app.ErrorMessage(err))
		}
	}
	if every := c.String("export-every"); every != "" {
		d, err := time.ParseDuration(every)
		if err != nil || d <= 0 {
			return cfg, Usagef("--export-every: ожидается длительность, например 15m или 30s")
		}
		cfg.Every = d
	}
	return cfg, nil
}

// Server is one running centre: the listener is bound and the database open before
// the service manager is told it started, so that a port in use or a bad database
// ends the command with a clear message and a non-zero exit.
type Server struct {
	dir     string
	version string
	ln      net.Listener
	st      *store.Store
	web     *web.Server
	lock    *store.DirLock
	log     *slog.Logger
	logFile *logfile.File
	cancel  context.CancelFunc
	done    chan struct{}
	bg      sync.WaitGroup // the jobs: nightly backups, rating, registry push
	err     error
}

// Prepare readies the centre of the data folder dir on addr (the demo loaded when
// withDemo); Start serves it, Stop ends it. runServe hands it to the service
// manager; tests drive it directly.
func Prepare(env Env, dir, addr string, withDemo bool) (*Server, error) {
	if env.Version == "" {
		env.Version = buildVersion()
	}
	lock, err := store.LockDir(dir)
	if err != nil {
		return nil, err
	}
	srv := &Server{dir: dir, version: env.Version, lock: lock, done: make(chan struct{})}
	fail := func(err error) (*Server, error) {
		srv.cleanup()
		return nil, err
	}
	lf, err := logfile.Open(filepath.Join(dir, "logs", "ecoz.log"), 10<<20, 5)
	if err != nil {
		return fail(fmt.Errorf("журнал %s не открывается: %w", filepath.Join(dir, "logs"), err))
	}
	srv.logFile = lf
	srv.log = slog.New(slog.NewTextHandler(io.MultiWriter(env.Stderr, lf), nil))
	// The port first: when it is taken, say so before the database is opened, let
	// alone filled with the demo. Connections wait in the backlog until Start.
	if srv.ln, err = net.Listen("tcp", addr); err != nil {
		return fail(fmt.Errorf("не удалось занять адрес %s (%v): порт занят другой программой или адрес неверен; укажите другой через --addr", addr, err))
	}
	if srv.st, err = openStore(env, dir); err != nil {
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
			f, err := env.Assets.Open("assets/data/work_types.csv")
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
	srv.web, err = web.New(web.Config{Store: srv.st, Views: env.Sub("assets/views"), Static: env.Sub("assets/static"), I18n: env.Sub("assets/i18n"), Log: srv.log, Version: env.Version, DataDir: dir})
	if err != nil {
		return fail(err)
	}
	url := "http://" + displayAddr(srv.ln.Addr().String())
	if withDemo {
		demo.PrintAccounts(env.Stdout, url)
	}
	fmt.Fprintf(env.Stdout, "ecoz %s: %s, данные в %s\n", env.Version, url, dir)
	return srv, nil
}

// Start is called by the service manager: serve, and run the jobs.
func (srv *Server) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	srv.cancel = cancel
	jobs := []func(context.Context){
		// The Go heap handed back to the system after 20 s without requests.
		func(ctx context.Context) { srv.web.ReleaseMemoryWhenIdle(ctx, 20*time.Second) },
		// Nightly copies, at a quiet moment: requests and writes count as activity.
		backup.New(srv.st, filepath.Join(srv.dir, "backups"), func() int64 { return srv.web.Requests() + srv.st.WriteStats().Writes }, srv.log).Run,
		srv.web.Rating.Run,
	}
	if srv.web.ExportJob != nil { // nil: a server prepared without a push job (tests)
		jobs = append(jobs, srv.web.ExportJob.Run)
	}
	// Personal data past its retention period, nightly (app/retention).
	jobs = append(jobs, (&retention.Job{Store: srv.st, Uploads: filepath.Join(srv.dir, "uploads"), Log: srv.log}).Run)
	if srv.web.NotifyJob != nil { // likewise without a notification sender
		jobs = append(jobs, srv.web.NotifyJob.Run)
	}
	for _, job := range jobs {
		srv.bg.Add(1)
		go func() {
			defer srv.bg.Done()
			job(ctx)
		}()
	}
	go func() {
		defer close(srv.done)
		if err := srv.web.App.Listener(srv.ln); err != nil && ctx.Err() == nil {
			srv.err = err
			srv.log.Error("server stopped", "err", err)
			srv.cleanup()
			os.Exit(1)
		}
	}()
	srv.log.Info("started", "addr", srv.ln.Addr().String(), "data", srv.dir, "version", srv.version)
	return nil
}

// Stop finishes the requests in flight, then closes the database cleanly.
func (srv *Server) Stop(service.Service) error {
	srv.log.Info("stopping")
	srv.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.web.Shutdown(ctx); err != nil {
		srv.log.Error("shutdown", "err", err)
	}
	<-srv.done
	srv.bg.Wait() // a nightly copy or a push in progress ends (cancelled) before the database closes
	srv.cleanup()
	return nil
}

func (srv *Server) cleanup() {
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

// Addr is the address the centre listens on.
func (srv *Server) Addr() net.Addr { return srv.ln.Addr() }

// Web is the centre's web side.
func (srv *Server) Web() *web.Server { return srv.web }
