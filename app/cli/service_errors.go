package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/kardianos/service"
)

// serviceError says in one sentence why a service action failed and what to do:
// kardianos' own messages are English and, for a service installed twice, blame
// nothing a person would recognise.
func serviceError(action string, err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("служба ecoz: %s не выполнено: нет прав (%v); запустите от имени администратора (Windows) или через sudo (Linux)", action, err)
	case errors.Is(err, service.ErrNotInstalled) || strings.Contains(msg, "does not exist") || strings.Contains(msg, "not installed"):
		return fmt.Errorf("служба ecoz не установлена (%v); сначала: ecoz service install --data ПАПКА", err)
	case strings.Contains(msg, "already exists"):
		return fmt.Errorf("служба ecoz уже установлена (%v); чтобы изменить её параметры: ecoz service uninstall, затем ecoz service install", err)
	}
	return fmt.Errorf("служба ecoz: %s не выполнено: %v; если не хватает прав — запустите от имени администратора (Windows) или через sudo (Linux)", action, err)
}
