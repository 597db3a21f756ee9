package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/ecoz/ecoz/app/kit"
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

	"github.com/ecoz/ecoz/app/kit/pgkit"
	"github.com/ecoz/ecoz/app/logfile"
	"github.com/ecoz/ecoz/app/registry"
	"github.com/ecoz/ecoz/app/registry/regstore"
)

// runRegistryMunicipality returns the run of «ecoz registry municipality ACTION».
func runRegistryMunicipality(action string) func(c *Call) error {
	return func(c *Call) error {
		code, name := c.String("code"), ""
		if action == "add" {
			name = c.String("name")
		}
		db, err := c.Registry()
		if err != nil {
			return err
		}
		ctx := context.Background()
		var token string
		switch action {
		case "add":
			token, err = db.AddMunicipality(ctx, code, name)
		case "reissue":
			token, err = db.ReissueToken(ctx, code)
		case "revoke":
			if err = db.RevokeToken(ctx, code); err == nil {
				fmt.Fprintf(c.Stdout, "токен муниципалитета %s отозван\n", strings.ToUpper(code))
			}
			return err
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "токен выгрузки муниципалитета %s (показывается один раз; укажите его в центре: --registry-token или настройка registry_token):\n", strings.ToUpper(code))
		fmt.Fprintln(c.Stdout, token)
		return nil
	}
}

func runRegistryUserAdd(c *Call) error {
	db, err := c.Registry()
	if err != nil {
		return err
	}
	if err := db.AddUser(context.Background(), c.String("login"), c.Password); err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "пользователь реестра %s добавлен\n", c.String("login"))
	return nil
}

func runRegistryImport(c *Call) error {
	if len(c.Args) != 1 {
		return Usagef("нужен ровно один файл выгрузки: ecoz registry import [--data DIR] ФАЙЛ")
	}
	f, err := os.Open(c.Args[0])
	if err != nil {
		return fmt.Errorf("файл %s не открывается: %w", c.Args[0], err)
	}
	defer f.Close()
	db, err := c.Registry()
	if err != nil {
		return err
	}
	res, err := db.Import(context.Background(), f, filepath.Base(c.Args[0]))
	if err != nil {
		return err
	}
	for code, r := range res {
		fmt.Fprintf(c.Stdout, "%s: принято %d, пропущено (уже есть такая или более новая версия) %d\n", code, r.Accepted, r.Ignored)
	}
	return nil
}

// runRegistryServe runs the republic registry in the foreground until SIGINT or
// SIGTERM, over TLS when given a certificate and key.
func runRegistryServe(c *Call) error {
	cert, key, addr := c.String("tls-cert"), c.String("tls-key"), c.String("addr")
	if (cert == "") != (key == "") {
		return Usagef("--tls-cert и --tls-key указываются вместе")
	}
	proxies, err := kit.ParseProxies(c.String("trusted-proxy"))
	if err != nil {
		return Usagef("--trusted-proxy: %s", err.Error())
	}
	dir, err := c.Lock("")
	if err != nil {
		return err
	}
	lf, err := logfile.Open(filepath.Join(dir, "logs", "registry.log"), 10<<20, 5)
	if err != nil {
		return err
	}
	defer lf.Close()
	log := slog.New(slog.NewTextHandler(io.MultiWriter(c.Stderr, lf), nil))
	db, err := c.Registry()
	if err != nil {
		return err
	}
	srv, err := registry.New(registry.Config{DB: db, Views: c.Sub("assets/registry"), Static: c.Sub("assets/static"), Log: log,
		Version: c.Version, StaleAfter: c.Duration("stale-after"), RatingEvery: c.Duration("rating-every"), Rate: c.Float64("rate"), TrustedProxies: proxies})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("не удалось занять адрес %s (%v); укажите другой через --addr", addr, err)
	}
	scheme := "http"
	if cert != "" {
		if ln, err = tlsListener(ln, cert, key); err != nil {
			return err
		}
		scheme = "https"
	}
	fmt.Fprintf(c.Stdout, "ecoz registry %s: %s://%s, данные в %s\n", c.Version, scheme, displayAddr(ln.Addr().String()), dir)
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

// runRegistryMigrate copies a republic's SQLite registry into an empty
// PostgreSQL database, and checks the counts.
func runRegistryMigrate(c *Call) error {
	from, to := c.String("from"), c.String("to")
	if !pgkit.IsURL(to) {
		return Usagef("--to: нужен адрес базы PostgreSQL (postgres://…)")
	}
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("файл реестра %s не найден: %w", from, err)
	}
	src, err := regstore.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := regstore.Open(to)
	if err != nil {
		return err
	}
	defer dst.Close()
	rep, err := regstore.Copy(context.Background(), src, dst, func(table string, n int64) {
		fmt.Fprintf(c.Stderr, "%s: %d\n", table, n)
	})
	if err != nil {
		return err
	}
	for _, t := range rep {
		fmt.Fprintf(c.Stdout, "%s: перенесено %d, в источнике %d\n", t.Table, t.Copied, t.Source)
	}
	fmt.Fprintln(c.Stdout, "перенос закончен, числа записей сходятся")
	return nil
}
