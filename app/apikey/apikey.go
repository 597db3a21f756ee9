// Package apikey is the command line of Open311 API keys: `ecoz apikey add --name N
// [--rate R]` issues a key for a third-party application and prints it once (the
// last line of the output is the key alone, for scripts); `ecoz apikey revoke
// --name N` revokes it at once.
package apikey

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// Command holds the flags of `ecoz apikey add|revoke`.
type Command struct {
	name *string
	rate *int
}

// Flags registers the command's flags on fs.
func Flags(fs *flag.FlagSet) *Command {
	return &Command{
		name: fs.String("name", "", "название приложения"),
		rate: fs.Int("rate", app.DefaultAPIKeyRate, "сколько заявок в минуту приложение может подать (0 — без ограничения)"),
	}
}

// ErrUsage is returned for a command line that names no application.
var ErrUsage = errors.New("нужен --name: название приложения")

// Run performs action ("add" or "revoke") on st.
func (c *Command) Run(ctx context.Context, st *store.Store, action string, stdout io.Writer) error {
	if *c.name == "" {
		return ErrUsage
	}
	switch action {
	case "add":
		key, err := st.AddAPIKey(ctx, *c.name, *c.rate)
		if err != nil {
			return errors.New(app.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "ключ для приложения «%s» выдан (лимит: %d заявок в минуту); он показывается один раз — сохраните его:\n%s\n", *c.name, *c.rate, key)
		return nil
	case "revoke":
		if err := st.RevokeAPIKey(ctx, *c.name); err != nil {
			return errors.New(app.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "ключ приложения «%s» отозван\n", *c.name)
		return nil
	}
	return fmt.Errorf("после «apikey» ожидается «add» или «revoke»")
}
