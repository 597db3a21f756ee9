package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DirLock is held by the process that owns a data folder (the server), so that a
// second server or a restore cannot touch the database under it.
type DirLock struct {
	f *os.File
}

// LockDir takes the data folder's lock or says who holds it.
func LockDir(dir string) (*DirLock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("не удалось создать папку данных %s: %v", dir, err)
	}
	path := filepath.Join(dir, "ecoz.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("папка данных %s недоступна для записи: %v; укажите другую через --data или выдайте права на запись", dir, err)
	}
	if err := lockFile(f); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		pid := strings.TrimSpace(string(b))
		if pid == "" {
			pid = "?"
		}
		return nil, fmt.Errorf("папка данных %s занята другим запущенным ecoz (PID %s); остановите его (ecoz service stop) и повторите", dir, pid)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &DirLock{f: f}, nil
}

// Release lets the folder go.
func (l *DirLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	l.f.Truncate(0)
	unlockFile(l.f)
	l.f.Close()
	l.f = nil
}
