//go:build !linux

package main

import "github.com/kardianos/service"

// platformService has nothing to add outside Linux: the Windows Service Control
// Manager's settings come from serviceConfig's options.
func platformService(*service.Config) {}
