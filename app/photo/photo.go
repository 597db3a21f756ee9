// Package photo checks and re-encodes the photos residents and organisations attach
// to requests. Every photo is decoded and written anew as JPEG, so nothing of the
// original file survives but its pixels: EXIF, GPS coordinates and camera data are
// gone. Files are checked by their magic bytes and declared dimensions before they
// are decoded in full, so that a crafted header cannot make the server allocate
// gigabytes.
package photo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/ecoz/ecoz/app"
	"golang.org/x/image/draw"
)

// Limits on what is accepted and what is kept.
const (
	MaxBytes  = 5 << 20  // per file, as uploaded
	MaxPixels = 40 << 20 // declared width × height of a JPEG: a 40-megapixel camera, not more
	// MaxPNGPixels is lower: a PNG decodes to 4–8 bytes a pixel, a JPEG to 1.5–3.
	MaxPNGPixels = 16 << 20
	MaxSide      = 12000 // either side
	MaxFiles     = 3     // per upload
	FullSide     = 1600  // the long side of the kept copy
	ThumbSide    = 320   // the long side of the thumbnail
)

// Photo is a re-encoded image ready to be stored.
type Photo struct {
	Full, Thumb   []byte // JPEG
	Width, Height int    // of Full
}

func invalid(field, msg string) error {
	return &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// Kind tells JPEG and PNG apart by their first bytes, "" for anything else.
func Kind(head []byte) string {
	switch {
	case len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		return "jpeg"
	case len(head) >= 8 && bytes.Equal(head[:8], []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	}
	return ""
}

// Process reads one uploaded file (name is for messages, field names the form
// field) and returns it re-encoded, or an EINVALID error with a Russian message
// that names the file. r is read to at most MaxBytes+1 bytes.
func Process(r io.Reader, name, field string) (*Photo, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, invalid(field, fmt.Sprintf("Файл «%s» больше 5 МБ; уменьшите фотографию или выберите другую.", name))
	}
	kind := Kind(data)
	if kind == "" {
		return nil, invalid(field, fmt.Sprintf("Файл «%s» — не фотография: принимаются только JPEG и PNG.", name))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format != kind {
		return nil, invalid(field, fmt.Sprintf("Файл «%s» повреждён или не является изображением JPEG/PNG.", name))
	}
	limit := int64(MaxPixels)
	if kind == "png" {
		limit = MaxPNGPixels
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || int64(cfg.Width)*int64(cfg.Height) > limit {
		return nil, invalid(field, fmt.Sprintf("Изображение «%s» слишком большое (%d×%d точек): допустимо не более %d точек по стороне и %d мегапикселей.", name, cfg.Width, cfg.Height, MaxSide, limit>>20))
	}
	cost, err := decodeCost(data, kind)
	if err != nil {
		return nil, invalid(field, fmt.Sprintf("Файл «%s» повреждён или не является изображением JPEG/PNG.", name))
	}
	if cost > MaxDecodeBytes {
		return nil, invalid(field, fmt.Sprintf("Изображение «%s» (%d×%d точек) слишком тяжёлое для обработки: нужно %d МБ памяти, допустимо %d МБ. Сохраните его как обычную фотографию JPEG (8 бит на канал) или уменьшите.", name, cfg.Width, cfg.Height, (cost+(1<<20)-1)>>20, MaxDecodeBytes>>20))
	}
	// Decoding takes memory in proportion to that cost: the decodes running at
	// once stay within MaxDecodeBytes together, so that a burst of uploads cannot
	// exhaust a small server.
	decodes.acquire(cost)
	p, err := render(data, kind, name, field)
	decodes.release(cost)
	return p, err
}

// render decodes data and re-encodes it at the kept sizes.
func render(data []byte, kind, name, field string) (*Photo, error) {
	var img image.Image
	var err error
	if kind == "jpeg" {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, invalid(field, fmt.Sprintf("Файл «%s» повреждён: изображение не читается.", name))
	}
	// The EXIF that said which way is up is about to be dropped: turn the pixels
	// instead (after scaling down, where it is cheap).
	full := orient(scale(img, FullSide, draw.ApproxBiLinear), exifOrientation(data, kind))
	thumb := scale(full, ThumbSide, draw.CatmullRom)
	p := &Photo{Width: full.Bounds().Dx(), Height: full.Bounds().Dy()}
	if p.Full, err = encode(full, 85); err != nil {
		return nil, err
	}
	if p.Thumb, err = encode(thumb, 75); err != nil {
		return nil, err
	}
	return p, nil
}

// scale fits img into side×side keeping its proportions, on a white background
// (a transparent PNG must not turn black in JPEG).
func scale(img image.Image, side int, k draw.Interpolator) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > side || h > side {
		if w >= h {
			w, h = side, max(1, h*side/b.Dx())
		} else {
			w, h = max(1, w*side/b.Dy()), side
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	stddraw.Draw(dst, dst.Bounds(), &image.Uniform{color.White}, image.Point{}, stddraw.Src)
	if w == b.Dx() && h == b.Dy() {
		stddraw.Draw(dst, dst.Bounds(), img, b.Min, stddraw.Over)
		return dst
	}
	k.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	return dst
}

func encode(img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality})
	return buf.Bytes(), err
}
