package kit

import "syscall"

// lowerPriority makes the calling thread ten steps nicer than the process
// (at most 19): Linux schedules threads, and a nice value set on one thread's id
// applies to it alone.
func lowerPriority() {
	tid := syscall.Gettid()
	v, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid) // the kernel answers 20 − nice
	if err != nil {
		return
	}
	syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(20-v+10, 19))
}
