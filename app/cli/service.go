package cli

import (
	"errors"
	"fmt"

	"github.com/kardianos/service"
)

func serviceConfig(extra []string, user string) *service.Config {
	cfg := &service.Config{
		Name:        "ecoz",
		DisplayName: "ecoz — Единый центр обработки заявок",
		Description: "Единый центр обработки заявок ЖКХ (ecoz): веб-интерфейс и API.",
		Arguments:   append([]string{"serve"}, extra...),
		UserName:    user,
		Option: service.KeyValue{
			"Restart":                "always",
			"OnFailure":              "restart",
			"OnFailureDelayDuration": "5s",
			"LimitNOFILE":            8192,
		},
	}
	platformService(cfg)
	return cfg
}

// runService returns the run of «ecoz service ACTION».
func runService(action string) func(c *Call) error {
	return func(c *Call) error {
		var extra []string
		user := ""
		if action == "install" {
			dir, err := c.DataDir()
			if err != nil {
				return err
			}
			extra, user = []string{"--data", dir, "--addr", c.String("addr")}, c.String("user")
		}
		svc, err := service.New(nil, serviceConfig(extra, user))
		if err != nil {
			return err
		}
		if action == "status" {
			st, err := svc.Status()
			if errors.Is(err, service.ErrNotInstalled) {
				return errors.New("служба ecoz не установлена: ecoz service install")
			}
			if err != nil {
				return fmt.Errorf("служба ecoz: %v", err)
			}
			fmt.Fprintln(c.Stdout, map[service.Status]string{service.StatusRunning: "работает", service.StatusStopped: "остановлена"}[st])
			if st == service.StatusUnknown {
				fmt.Fprintln(c.Stdout, "состояние неизвестно")
			}
			return nil
		}
		if action != "install" {
			// The service manager's own answer for a missing service is a bare exit status.
			if _, err := svc.Status(); errors.Is(err, service.ErrNotInstalled) {
				return serviceError(action, err)
			}
		}
		if err := service.Control(svc, action); err != nil {
			return serviceError(action, err)
		}
		fmt.Fprintf(c.Stdout, "служба ecoz: %s — готово\n", action)
		return nil
	}
}
