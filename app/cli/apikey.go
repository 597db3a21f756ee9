package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/ecoz/ecoz/app"
)

// runAPIKeyAdd issues an Open311 key for a third-party application and prints it
// once: the last line of the output is the key alone, for scripts.
func runAPIKeyAdd(c *Call) error {
	name, rate := c.String("name"), int(c.Int64("rate"))
	if name == "" {
		return Usagef("нужен --name: название приложения")
	}
	s, err := c.Store()
	if err != nil {
		return err
	}
	key, err := s.AddAPIKey(context.Background(), name, rate)
	if err != nil {
		return errors.New(app.ErrorMessage(err)) // one line: the message, not the form's field notes
	}
	fmt.Fprintf(c.Stdout, "ключ для приложения «%s» выдан (лимит: %d заявок в минуту); он показывается один раз — сохраните его:\n%s\n", name, rate, key)
	return nil
}

// runAPIKeyRevoke revokes an application's key at once.
func runAPIKeyRevoke(c *Call) error {
	name := c.String("name")
	if name == "" {
		return Usagef("нужен --name: название приложения")
	}
	s, err := c.Store()
	if err != nil {
		return err
	}
	if err := s.RevokeAPIKey(context.Background(), name); err != nil {
		return errors.New(app.ErrorMessage(err))
	}
	fmt.Fprintf(c.Stdout, "ключ приложения «%s» отозван\n", name)
	return nil
}

var apiKeyNameFlag = Flag{Name: "name", Default: "", Arg: "НАЗВАНИЕ", Usage: "название приложения (обязательно)"}

var apiKeyRateFlag = Flag{Name: "rate", Default: int64(app.DefaultAPIKeyRate), Arg: "N", Usage: "сколько заявок в минуту приложение может подать (0 — без ограничения)"}
