package export

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// TokenEnv is the environment variable that may carry the municipality's push
// token, so that it appears neither in the process list nor in a service
// definition (a systemd drop-in's Environment= or EnvironmentFile= can set it).
const TokenEnv = "ECOZ_REGISTRY_TOKEN"

// TokenFrom is the push token given on the command line or in the environment,
// "" when none is (the administrator's stored setting then holds): the
// --registry-token flag (flag, discouraged: any user can read it with ps), the
// first line of the file named by --registry-token-file (file), or the
// environment variable TokenEnv. Only one of them may be given. A file others
// may read is refused: the token lets anyone push in the municipality's name.
func TokenFrom(flag, file string, getenv func(string) string) (string, error) {
	env := strings.TrimSpace(getenv(TokenEnv))
	given := 0
	for _, v := range []string{flag, file, env} {
		if v != "" {
			given++
		}
	}
	if given > 1 {
		return "", fmt.Errorf("токен реестра задан несколькими способами (--registry-token, --registry-token-file, %s); оставьте один", TokenEnv)
	}
	switch {
	case flag != "":
		return strings.TrimSpace(flag), nil
	case env != "":
		return env, nil
	case file == "":
		return "", nil
	}
	fi, err := os.Stat(file)
	if err != nil {
		return "", fmt.Errorf("файл токена реестра %s не читается: %w", file, err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o004 != 0 {
		return "", fmt.Errorf("файл токена реестра %s доступен на чтение всем пользователям; выполните chmod o-r %s", file, file)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("файл токена реестра %s не читается: %w", file, err)
	}
	tok, _, _ := strings.Cut(string(b), "\n")
	if tok = strings.TrimSpace(tok); tok == "" {
		return "", fmt.Errorf("файл токена реестра %s пуст", file)
	}
	return tok, nil
}
