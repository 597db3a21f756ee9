package photo

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/photo/phototest"
)

// FuzzProcess feeds arbitrary files to the photo check: it must never panic,
// never decode what its header says costs more than MaxDecodeBytes (the fuzzer
// would run out of memory), refuse with a Russian message in valid UTF-8 that
// names the file, and return only photos within the kept size. The corpus in
// testdata/fuzz/FuzzProcess runs as a regression test.
func FuzzProcess(f *testing.F) {
	f.Add(phototest.JPEG(f, 16, 8))
	f.Add(phototest.PNG(f, 8, 16))
	f.Add(phototest.DeepPNG(64, 64, 16, 6))
	f.Add(phototest.HugePNG(50000, 50000))
	f.Add(phototest.HugeJPEG(60000, 60000))
	f.Add(phototest.WithEXIF(phototest.JPEG(f, 8, 8), 6, "GPS"))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xC2, 0x00, 0x0B, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x01, 0x11, 0x00})
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if cost, err := decodeCost(data, Kind(data)); Kind(data) != "" && err == nil && cost < 0 {
			t.Fatalf("negative cost %d", cost)
		}
		p, err := Process(bytes.NewReader(data), "снимок.jpg", "photos")
		if err != nil {
			msg := app.ErrorMessage(err)
			if app.ErrorCode(err) != app.EINVALID || !utf8.ValidString(msg) || !strings.Contains(msg, "снимок.jpg") {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if p.Width < 1 || p.Height < 1 || p.Width > FullSide || p.Height > FullSide || len(p.Full) == 0 || len(p.Thumb) == 0 {
			t.Fatalf("photo %dx%d, %d and %d bytes", p.Width, p.Height, len(p.Full), len(p.Thumb))
		}
	})
}
