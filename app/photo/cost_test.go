package photo

import (
	"bytes"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/photo/phototest"
)

// TestDeepPNGRefusedByCost: the 16-bit 4096×4096 PNG of the report is 16
// megapixels (within the pixel limit) but 128 MB decoded; it is refused from its
// header, by what it would cost, and nothing is decoded.
func TestDeepPNGRefusedByCost(t *testing.T) {
	data := phototest.DeepPNG(4096, 4096, 16, 2)
	if len(data) > 200<<10 {
		t.Fatalf("the trap is %d bytes, not a small file", len(data))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Process(bytes.NewReader(data), "deep.png", "photos")
	runtime.ReadMemStats(&after)
	want := "Изображение «deep.png» (4096×4096 точек) слишком тяжёлое для обработки: нужно 128 МБ памяти, допустимо 64 МБ."
	if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Errorf("refusing it allocated %d MB: it was decoded", grew>>20)
	}
}

func TestDecodeCost(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		kind string
		want int64
	}{
		{"PNG 8-bit RGB", phototest.DeepPNG(100, 50, 8, 2), "png", 100 * 50 * 4},
		{"PNG 16-bit RGBA", phototest.DeepPNG(100, 50, 16, 6), "png", 100 * 50 * 8},
		{"PNG 8-bit grey", phototest.DeepPNG(100, 50, 8, 0), "png", 100 * 50},
		{"JPEG grey, header only", phototest.HugeJPEG(1000, 2000), "jpeg", 1000 * 2000},
		{"JPEG 4:2:0", phototest.JPEG(t, 64, 32), "jpeg", 64 * 32 * 3 / 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeCost(c.data, c.kind)
			if err != nil || got != c.want {
				t.Fatalf("cost %d (%v), want %d", got, err, c.want)
			}
		})
	}
	progressive := append([]byte{}, phototest.HugeJPEG(1000, 1000)...)
	progressive[bytes.Index(progressive, []byte{0xFF, 0xC0})+1] = 0xC2
	if got, _ := decodeCost(progressive, "jpeg"); got != 3*1000*1000 {
		t.Errorf("progressive grey JPEG: cost %d, want 3,000,000 (image and coefficients)", got)
	}
	for _, bad := range [][]byte{[]byte("\x89PNG\r\n\x1a\n"), {0xFF, 0xD8, 0xFF, 0xC0, 0x00}, {0xFF, 0xD8, 0x00}} {
		if _, err := decodeCost(bad, map[bool]string{true: "png", false: "jpeg"}[bad[0] == 0x89]); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestBudget: at most two decodes at once, and never more declared memory
// together than the budget.
func TestBudget(t *testing.T) {
	b := newBudget(100)
	var running, peak, mem, peakMem atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		cost := int64(10 + 20*(i%4)) // 10, 30, 50, 70
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.acquire(cost)
			r, m := running.Add(1), mem.Add(cost)
			for p := peak.Load(); r > p && !peak.CompareAndSwap(p, r); p = peak.Load() {
			}
			for p := peakMem.Load(); m > p && !peakMem.CompareAndSwap(p, m); p = peakMem.Load() {
			}
			time.Sleep(2 * time.Millisecond)
			running.Add(-1)
			mem.Add(-cost)
			b.release(cost)
		}()
	}
	wg.Wait()
	if peak.Load() > 2 || peakMem.Load() > 100 {
		t.Fatalf("peak %d decodes, %d of 100 bytes", peak.Load(), peakMem.Load())
	}
}
