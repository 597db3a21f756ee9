package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/ecoz/ecoz/app/apikey"
)

// cmdAPIKey runs `ecoz apikey add|revoke --name N`: the logic is app/apikey's.
func cmdAPIKey(args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "revoke") {
		return usageErr{"после «apikey» ожидается «add» или «revoke»"}
	}
	fs := flag.NewFlagSet("apikey "+args[0], flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	cmd := apikey.Flags(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
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
	err = cmd.Run(context.Background(), st, args[0], stdout)
	if errors.Is(err, apikey.ErrUsage) {
		return usageErr{err.Error()}
	}
	return err
}
