// Command ecoz is the unified request processing centre for housing and utility
// complaints: one binary that serves the centre's web screens and JSON API from an
// SQLite file, installs itself as a system service, and backs its data up. The
// command line is app/cli; this file only embeds what the binary carries.
package main

import (
	"embed"
	"os"
	_ "time/tzdata" // the municipality's time zone on machines without a zone database (Windows)

	"github.com/ecoz/ecoz/app/cli"
)

//go:embed schema.sql
var schema string

//go:embed assets
var assets embed.FS

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	os.Exit(cli.Main(cli.Env{Schema: schema, Assets: assets, Version: version,
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:]))
}
