package photo_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/photo"
)

// JPEG returns a real w×h JPEG.
func JPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// WithEXIF inserts an APP1 EXIF segment after the SOI of a JPEG: a TIFF header
// with the orientation tag, a GPS IFD pointer, and a marker string the output must
// not contain.
func WithEXIF(jpg []byte, orientation uint16, marker string) []byte {
	var tiff bytes.Buffer
	le := binary.LittleEndian
	tiff.WriteString("II")
	binary.Write(&tiff, le, uint16(42))
	binary.Write(&tiff, le, uint32(8))
	binary.Write(&tiff, le, uint16(2)) // two entries
	// Orientation, SHORT, 1 value.
	binary.Write(&tiff, le, []uint16{0x0112, 3})
	binary.Write(&tiff, le, uint32(1))
	binary.Write(&tiff, le, []uint16{orientation, 0})
	// GPSInfo IFD pointer (points at the marker bytes: enough for a reader to see GPS data is there).
	binary.Write(&tiff, le, []uint16{0x8825, 4})
	binary.Write(&tiff, le, uint32(1))
	binary.Write(&tiff, le, uint32(8+2+24+4))
	binary.Write(&tiff, le, uint32(0)) // next IFD: none
	tiff.WriteString(marker)
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(jpg[:2])
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, binary.BigEndian, uint16(len(seg)+2))
	out.Write(seg)
	out.Write(jpg[2:])
	return out.Bytes()
}

// HugePNG is a PNG whose header declares w×h pixels, followed by a valid but tiny
// IDAT: enough for DecodeConfig, and a trap for anything that decodes it in full.
func HugePNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		c := crc32.NewIEEE()
		c.Write([]byte(typ))
		c.Write(data)
		binary.Write(&b, binary.BigEndian, c.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// HugeJPEG is a JPEG whose SOF0 declares w×h pixels, with no image data after it.
func HugeJPEG(w, h uint16) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xD8})
	// JFIF APP0: with it the decoder reports the size as soon as it reads SOF.
	b.Write([]byte{0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00})
	// A quantisation table, which the decoder wants before SOF.
	b.Write([]byte{0xFF, 0xDB, 0x00, 0x43, 0x00})
	for i := 0; i < 64; i++ {
		b.WriteByte(1)
	}
	b.Write([]byte{0xFF, 0xC0, 0x00, 0x0B, 0x08})
	binary.Write(&b, binary.BigEndian, h)
	binary.Write(&b, binary.BigEndian, w)
	b.Write([]byte{0x01, 0x01, 0x11, 0x00})
	b.Write([]byte{0xFF, 0xD9})
	return b.Bytes()
}

func TestProcessRefuses(t *testing.T) {
	big := append(JPEG(t, 16, 16), make([]byte, photo.MaxBytes)...)
	cases := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"not an image", "notes.txt", []byte("это не фотография, а текст"), "не фотография"},
		{"pdf renamed", "scan.jpg", []byte("%PDF-1.4 ..."), "только JPEG и PNG"},
		{"over 5 MB", "big.jpg", big, "больше 5 МБ"},
		{"huge PNG", "huge.png", HugePNG(50000, 50000), "слишком большое (50000×50000"},
		{"huge JPEG", "huge.jpg", HugeJPEG(50000, 50000), "слишком большое (50000×50000"},
		{"truncated JPEG", "cut.jpg", JPEG(t, 64, 64)[:40], "повреждён"},
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
		photo.Process(bytes.NewReader(HugePNG(50000, 50000)), "huge.png", "photos")
	})
	if allocs > 200 {
		t.Errorf("%v allocations refusing a header-only PNG: decoded too far", allocs)
	}
}

func TestProcessStripsEXIF(t *testing.T) {
	const marker = "GPS-64.1234N-57.5678E-SECRET"
	in := WithEXIF(JPEG(t, 200, 100), 6, marker)
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
