package store

import (
	"fmt"
	"sync"
)

// The fsync off the writer's path. The writer connection commits with
// synchronous=NORMAL (sqlkit.Schema.DeferSync): a commit writes its pages to the
// -wal file and returns. The syncer then fsyncs the file and only then tells the
// group's writers that their writes are done; the next group runs meanwhile. One
// fsync covers every group committed before it began, so the groups that commit
// while one is under way share the next. As before, no write is acknowledged
// before it is durable; what changes is that the single writer no longer waits
// for the disk, and that a write can be seen by others a moment (the fsync)
// before it is acknowledged.
type syncer struct {
	sync func() error // sqlkit.DB.SyncWAL

	mu     sync.Mutex
	groups [][]*writeReq // committed, waiting for the fsync
	closed bool
	wake   chan struct{} // signalled when groups were added
	done   chan struct{} // closed when the loop has ended
}

func newSyncer(syncWAL func() error) *syncer {
	y := &syncer{sync: syncWAL, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go y.loop()
	return y
}

// add hands a committed group over; its writers are told once it is durable.
func (y *syncer) add(group []*writeReq) {
	y.mu.Lock()
	if y.closed {
		// The store is closing: make it durable here.
		y.mu.Unlock()
		finish(group, y.sync())
		return
	}
	y.groups = append(y.groups, group)
	y.mu.Unlock()
	select {
	case y.wake <- struct{}{}:
	default:
	}
}

func (y *syncer) loop() {
	defer close(y.done)
	for range y.wake {
		y.mu.Lock()
		groups := y.groups
		y.groups = nil
		closed := y.closed
		y.mu.Unlock()
		if len(groups) > 0 {
			err := y.sync()
			for _, g := range groups {
				finish(g, err)
			}
		}
		if closed {
			return
		}
	}
}

// close makes what is waiting durable and ends the loop.
func (y *syncer) close() {
	y.mu.Lock()
	if y.closed {
		y.mu.Unlock()
		return
	}
	y.closed = true
	y.mu.Unlock()
	select {
	case y.wake <- struct{}{}:
	default:
	}
	<-y.done
}

// finish tells each writer of a committed group that its write is done; when the
// fsync failed, the writes that succeeded are reported as not saved (they may not
// survive a power cut).
func finish(group []*writeReq, err error) {
	for _, r := range group {
		if err != nil && r.err == nil {
			r.err = fmt.Errorf("запись не сохранена на диск (%v); проверьте диск и повторите", err)
		}
		close(r.done)
	}
}
