package photo_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/photo"
	"github.com/ecoz/ecoz/app/photo/phototest"
)

func TestProcessRefuses(t *testing.T) {
	big := append(phototest.JPEG(t, 16, 16), make([]byte, photo.MaxBytes)...)
	cases := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"not an image", "notes.txt", []byte("это не фотография, а текст"), "не фотография"},
		{"pdf renamed", "scan.jpg", []byte("%PDF-1.4 ..."), "только JPEG и PNG"},
		{"over 5 MB", "big.jpg", big, "больше 5 МБ"},
		{"huge PNG", "huge.png", phototest.HugePNG(50000, 50000), "слишком большое (50000×50000"},
		{"PNG over 16 MP", "scan.png", phototest.HugePNG(5000, 5000), "5000×5000 точек): допустимо не более 12000 точек по стороне и 16 мегапикселей"},
		{"huge JPEG", "huge.jpg", phototest.HugeJPEG(50000, 50000), "слишком большое (50000×50000"},
		{"truncated JPEG", "cut.jpg", phototest.JPEG(t, 64, 64)[:40], "повреждён"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := photo.Process(bytes.NewReader(c.data), c.file, "photos")
			if app.ErrorCode(err) != app.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			msg := app.ErrorMessage(err)
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, c.file) {
				t.Errorf("message %q lacks %q or the file name", msg, c.want)
			}
			if app.ErrorFields(err)["photos"] == "" {
				t.Errorf("no field error on photos: %v", app.ErrorFields(err))
			}
		})
	}
}

// The declared-huge image is refused from its header: decoding 50,000×50,000 in
// full would need 10 GB, so the test would not finish (or run out of memory) if
// Process decoded before checking.
func TestProcessHugeIsCheap(t *testing.T) {
	allocs := testing.AllocsPerRun(3, func() {
		photo.Process(bytes.NewReader(phototest.HugePNG(50000, 50000)), "huge.png", "photos")
	})
	if allocs > 200 {
		t.Errorf("%v allocations refusing a header-only PNG: decoded too far", allocs)
	}
}

func TestProcessStripsEXIF(t *testing.T) {
	const marker = "GPS-64.1234N-57.5678E-SECRET"
	in := phototest.WithEXIF(phototest.JPEG(t, 200, 100), 6, marker)
	if !bytes.Contains(in, []byte(marker)) || !bytes.Contains(in, []byte("Exif\x00\x00")) {
		t.Fatal("fixture carries no EXIF")
	}
	p, err := photo.Process(bytes.NewReader(in), "phone.jpg", "photos")
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string][]byte{"full": p.Full, "thumb": p.Thumb} {
		if bytes.Contains(out, []byte(marker)) || bytes.Contains(out, []byte("Exif")) {
			t.Errorf("%s still carries EXIF", name)
		}
		if photo.Kind(out) != "jpeg" {
			t.Errorf("%s is not a JPEG", name)
		}
	}
	// Orientation 6 (rotate 90° clockwise): the upright photo is 100×200.
	if p.Width != 100 || p.Height != 200 {
		t.Errorf("size %d×%d, want the EXIF orientation applied: 100×200", p.Width, p.Height)
	}
}

func TestProcessScales(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 3200, 800))
	var b bytes.Buffer
	png.Encode(&b, img) // transparent: must come out white, not black
	p, err := photo.Process(&b, "wide.png", "photos")
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != photo.FullSide || p.Height != 400 {
		t.Errorf("full %d×%d, want %d×400", p.Width, p.Height, photo.FullSide)
	}
	th, err := jpeg.Decode(bytes.NewReader(p.Thumb))
	if err != nil {
		t.Fatal(err)
	}
	if th.Bounds().Dx() != photo.ThumbSide || th.Bounds().Dy() != 80 {
		t.Errorf("thumb %v", th.Bounds())
	}
	if r, _, _, _ := th.At(10, 10).RGBA(); r < 0xF000 {
		t.Errorf("transparent PNG came out dark: %v", th.At(10, 10))
	}
}
