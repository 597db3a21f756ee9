package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Backup writes a consistent copy of the database to out while the server runs
// and writes: VACUUM INTO reads one snapshot of the WAL database.
func (s *Store) Backup(ctx context.Context, out string) error {
	return BackupFile(ctx, s.Path, out)
}

// BackupFile copies the database at path to out (which must not exist).
func BackupFile(ctx context.Context, path, out string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("базы данных %s нет: %w", path, err)
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("файл %s уже есть; укажите новое имя", out)
	}
	if dir := filepath.Dir(out); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("не удалось создать папку %s: %w", dir, err)
		}
	}
	db, err := sql.Open("sqlite", fileURI(path, "_pragma=busy_timeout(10000)"))
	if err != nil {
		return err
	}
	defer db.Close()
	tmp := out + ".part"
	os.Remove(tmp)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("резервная копия не создана: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, out)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// CheckFile opens a database file read-only and verifies it: integrity_check is
// ok and its schema is one this binary knows.
func CheckFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("файла %s нет", path)
	}
	db, err := sql.Open("sqlite", fileURI(path, "mode=ro"))
	if err != nil {
		return err
	}
	defer db.Close()
	var ok string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		return fmt.Errorf("%s — не целая база данных SQLite (integrity_check: %v %s)", path, err, ok)
	}
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v == 0 {
		return fmt.Errorf("%s — не база данных ecoz", path)
	}
	if v > SchemaVersion {
		return fmt.Errorf("%s создан более новой версией ecoz (схема %d, эта программа знает до %d)", path, v, SchemaVersion)
	}
	return nil
}

// Restore puts the backup from into place as the database at path. The database
// being replaced is kept beside it (path.before-restore-TIME), never deleted.
// The caller makes sure no server runs.
func Restore(ctx context.Context, from, path string) (kept string, err error) {
	if err := CheckFile(ctx, from); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", err
	}
	tmp := path + ".restore"
	if err := copyFile(from, tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("не удалось скопировать %s: %w", from, err)
	}
	if _, err := os.Stat(path); err == nil {
		kept = path + ".before-restore-" + time.Now().UTC().Format("20060102-150405")
		// Fold the WAL into the old file first so that the kept copy is whole.
		if db, err := sql.Open("sqlite", fileURI(path, "_pragma=busy_timeout(10000)")); err == nil {
			db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
			db.Close()
		}
		if err := os.Rename(path, kept); err != nil {
			os.Remove(tmp)
			return "", err
		}
	}
	for _, ext := range []string{"-wal", "-shm"} {
		os.Remove(path + ext)
	}
	if err := os.Rename(tmp, path); err != nil {
		return kept, err
	}
	return kept, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// NightlyBackup writes DIR/ecoz-DATE.db for today (local date) unless it exists,
// and keeps the newest keep copies.
func (s *Store) NightlyBackup(ctx context.Context, dir string, now time.Time, keep int) (string, error) {
	out := filepath.Join(dir, "ecoz-"+now.Format("2006-01-02")+".db")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := s.Backup(ctx, out); err != nil {
		return "", err
	}
	// The whole-file check that start-up leaves out runs here, on the copy, where it
	// holds no lock on the live database: a damaged database shows up in the log
	// the morning after, not on the day someone needs the copy.
	if err := CheckFile(ctx, out); err != nil {
		if ctx.Err() != nil {
			// Stopped during the check (it reads the whole copy): the copy is
			// probably fine, but unverified; the next start makes a new one.
			os.Remove(out)
			return "", ctx.Err()
		}
		os.Rename(out, out+".bad")
		return "", fmt.Errorf("ночная копия %s не прошла проверку, база может быть повреждена: %w", out, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return out, err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, "ecoz-") && strings.HasSuffix(n, ".db") && !e.IsDir() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for len(names) > keep {
		os.Remove(filepath.Join(dir, names[0]))
		names = names[1:]
	}
	return out, nil
}

// fileURI is the SQLite URI of a file with query: the path escaped, as DSN does,
// so that '?', '#' or '%' in a folder name (or a Windows path) reach SQLite intact.
func fileURI(path, query string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + query
}
