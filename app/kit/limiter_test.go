package kit_test

import (
	"testing"
	"time"

	"github.com/ecoz/ecoz/app/kit"
)

// One request a second, two at once: the third waits a second, half a second
// later half; keys are apart.
func TestLimiter(t *testing.T) {
	l := kit.NewLimiter(1, 2)
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for i, want := range []time.Duration{0, 0, time.Second} {
		if got := l.Take("a", t0); got != want {
			t.Errorf("take %d: wait %v, want %v", i+1, got, want)
		}
	}
	if got := l.Take("a", t0.Add(500*time.Millisecond)); got != 500*time.Millisecond {
		t.Errorf("half a second on: wait %v, want 500ms", got)
	}
	if got := l.Take("b", t0); got != 0 {
		t.Errorf("another key waits %v", got)
	}
	if !kit.ConstantEq("token", "token") || kit.ConstantEq("token", "tokeN") || kit.ConstantEq("", "x") {
		t.Error("ConstantEq")
	}
}
