package cli

import (
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/kardianos/service"
)

// systemdUnit replaces kardianos' built-in unit, whose RestartSec=120 and
// StartLimitBurst would leave an office's centre down for minutes after a crash, or
// for good after a few failed starts (a port briefly in use at boot). This one waits
// for the network, restarts after 5 s for ever, gives a graceful stop the 30 s it
// needs to finish requests in flight, and makes the rest of the system read-only to
// the service. kardianos renders it with its own small template engine.
const systemdUnit = `[Unit]
Description={{Description}}
ConditionFileIsExecutable={{Path | cmdEscape}}
After=network-online.target
Wants=network-online.target
StartLimitIntervalSec=0

[Service]
ExecStart={{Path | cmdEscape}}{{range Arguments}} {{. | cmd}}{{end}}
{{if UserName}}User={{UserName}}
{{end}}Restart=always
RestartSec=5
TimeoutStopSec=40
{{if LimitNOFILE}}LimitNOFILE={{LimitNOFILE}}
{{end}}NoNewPrivileges=yes
ProtectSystem=full
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
`

// serviceSandboxEnv names a folder that stands in for the machine in tests of
// install.sh: the systemd backend is used whatever the machine runs, and the unit
// goes to FOLDER/.config/systemd/user (systemctl is then called with --user) instead
// of /etc/systemd/system, so that a test never touches the real system.
const serviceSandboxEnv = "ECOZ_SERVICE_SANDBOX"

func platformService(cfg *service.Config) {
	cfg.Option["SystemdScript"] = systemdUnit
	dir := os.Getenv(serviceSandboxEnv)
	if dir == "" {
		return
	}
	for _, sys := range service.AvailableSystems() {
		if sys.String() == "linux-systemd" {
			service.ChooseSystem(detected{sys})
			break
		}
	}
	cfg.Option["UserService"] = true
	os.Setenv("HOME", filepath.Clean(dir))
}

// detected makes kardianos take a system even where it would not detect it.
type detected struct{ service.System }

func (detected) Detect() bool { return true }

// catchStopSignals takes SIGTERM and SIGINT from the start, for kardianos to wait
// on: it installs its own handler only after the server has started, and a stop
// that came in between (systemd stopping a service that has just started, a test)
// killed the process outright instead of shutting it down gracefully.
func catchStopSignals(cfg *service.Config) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	cfg.Option["RunWait"] = func() {
		<-sig
		signal.Stop(sig)
	}
}
