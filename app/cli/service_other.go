//go:build !linux

package cli

import "github.com/kardianos/service"

// platformService has nothing to add outside Linux: the Windows Service Control
// Manager's settings come from serviceConfig's options.
func platformService(*service.Config) {}

// catchStopSignals is left to kardianos outside Linux: on Windows it ignores
// RunWait and waits for Ctrl+C or the Service Control Manager itself.
func catchStopSignals(*service.Config) {}
