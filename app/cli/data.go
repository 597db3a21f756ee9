package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/ecoz/ecoz/app/registry/regstore"
	"github.com/ecoz/ecoz/app/store"
	"golang.org/x/term"
)

// dataFlag is every command's --data.
// regDBFlag puts a registry on PostgreSQL (or on an SQLite file elsewhere).
var regDBFlag = Flag{Name: "db", Default: "", Arg: "БАЗА", Usage: "база реестра: postgres://… (PostgreSQL; пароль лучше в PGPASSWORD или ~/.pgpass) или файл SQLite; по умолчанию registry.db в папке данных"}

var dataFlag = Flag{Name: "data", Default: "", Arg: "ПАПКА", Usage: "папка данных (по умолчанию ecoz-data рядом с программой)"}

// DataDir is the data folder of --data (or the default), as an absolute path.
func (c *Call) DataDir() (string, error) {
	d := c.String("data")
	if d == "" {
		d = defaultDataDir()
	}
	return filepath.Abs(d)
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

func dbPath(dir string) string { return filepath.Join(dir, "ecoz.db") }

// Lock takes the data folder for this command alone (no server running on it);
// why says what cannot be done while it is taken. It is released when the command
// ends.
func (c *Call) Lock(why string) (string, error) {
	dir, err := c.DataDir()
	if err != nil {
		return "", err
	}
	lock, err := store.LockDir(dir)
	if err != nil {
		if why != "" {
			return "", fmt.Errorf("%s: %w", why, err)
		}
		return "", err
	}
	c.onClose(func() error { lock.Release(); return nil })
	return dir, nil
}

// Store opens the centre's database of the data folder (closed when the command
// ends), loading the default work-type catalogue into a new one.
func (c *Call) Store() (*store.Store, error) {
	dir, err := c.DataDir()
	if err != nil {
		return nil, err
	}
	s, err := openStore(c.Env, dir)
	if err != nil {
		return nil, err
	}
	c.onClose(s.Close)
	return s, nil
}

// openStore opens the database and brings its work-type catalogue up to date with
// the embedded one (new types added, federal facts updated, local edits kept).
func openStore(env Env, dir string) (*store.Store, error) {
	s, err := store.Open(dbPath(dir), env.Schema)
	if err != nil {
		return nil, err
	}
	err = s.Write(context.Background(), func(tx *store.Tx) error {
		f, err := env.Assets.Open("assets/data/work_types.csv")
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

// Registry opens the registry's database of the data folder (closed when the
// command ends).
func (c *Call) Registry() (*regstore.DB, error) {
	dir, err := c.DataDir()
	if err != nil {
		return nil, err
	}
	dsn := c.String("db")
	if dsn == "" {
		dsn = filepath.Join(dir, regstore.DBFile)
	}
	db, err := regstore.Open(dsn)
	if err != nil {
		return nil, err
	}
	c.onClose(db.Close)
	return db, nil
}

// Sub is a folder of the embedded assets, e.g. "assets/views".
func (e Env) Sub(dir string) fs.FS {
	f, err := fs.Sub(e.Assets, dir)
	if err != nil {
		panic(err)
	}
	return f
}

// readPassword reads one line from standard input, without echo when it is a terminal.
func (c *Call) readPassword() (string, error) {
	if f, ok := c.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(c.Stderr, "Пароль: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.Stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(c.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("пароль не получен: передайте его на стандартный ввод")
	}
	return line, nil
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

// buildVersion is the version when none was set at build time: 0.1.0 and the
// commit of the build.
func buildVersion() string {
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
