package app

// The formats times are shown in, on every page, report and export (Russian usage).
const (
	DateLayout     = "02.01.2006"
	DateTimeLayout = "02.01.2006 15:04"
)
