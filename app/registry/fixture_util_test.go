package registry

import "os"

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build centrefill: " + e.err.Error() + "\n" + e.out }

func osMkdirTemp() (string, error) { return os.MkdirTemp("", "ecoz-centrefill-") }
