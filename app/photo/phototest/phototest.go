// Package phototest makes image files for tests: real small JPEGs and PNGs, a
// JPEG carrying EXIF with GPS data, headers that declare absurd dimensions, and
// deep PNGs that are small as sent and large decoded.
package phototest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
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

// PNG returns a real w×h PNG.
func PNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// DeepPNG is a real, valid w×h PNG of the given bit depth and colour type
// (2: RGB, 6: RGBA), all pixels black: it compresses to almost nothing and
// decodes to w×h×(bytes a pixel) — the worst case for memory per byte sent.
// It is written row by row, so that making it costs the test no more memory
// than the file.
func DeepPNG(w, h uint32, depth, colorType byte) []byte {
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
	ihdr[8], ihdr[9] = depth, colorType
	chunk("IHDR", ihdr)
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[colorType]
	row := make([]byte, 1+int(w)*channels*int(depth)/8) // filter byte 0, then black
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	for y := uint32(0); y < h; y++ {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}
