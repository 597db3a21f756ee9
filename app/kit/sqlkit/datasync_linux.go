package sqlkit

import (
	"os"
	"syscall"
)

// dataSync makes f's data durable with fdatasync, as SQLite itself does on Linux:
// the file's contents and its size, without its times. The -wal file is written
// over from its start after each restart at the same size, so most of its syncs
// need no journal commit of the file system for a changed modification time.
func dataSync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			if err != nil {
				return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
			}
			return nil
		}
	}
}
