//go:build !linux

package kit

// lowerPriority does nothing where a thread's priority cannot be lowered
// portably; the pool's size alone bounds the hashing.
func lowerPriority() {}
