//go:build !linux

package sqlkit

import "os"

// dataSync is File.Sync where fdatasync is not there (on Windows,
// FlushFileBuffers).
func dataSync(f *os.File) error { return f.Sync() }
