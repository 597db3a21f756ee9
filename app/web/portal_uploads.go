package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/photo"
	"github.com/gofiber/fiber/v2"
)

// formPhotos reads the photos of a multipart form (field "photos") and re-encodes
// them. Each is checked for size, type and declared dimensions before it is
// decoded (app/photo). A form without files gives none; an error names the file.
func formPhotos(c *fiber.Ctx) ([]*photo.Photo, error) {
	form, err := c.MultipartForm()
	if err != nil {
		return nil, nil // not a multipart form: no files
	}
	var files []*multipart.FileHeader
	for _, fh := range form.File["photos"] {
		if fh.Filename != "" || fh.Size > 0 { // a file input left empty sends an empty part
			files = append(files, fh)
		}
	}
	if len(files) > photo.MaxFiles {
		msg := fmt.Sprintf("Можно приложить не больше %d фотографий; выбрано %d.", photo.MaxFiles, len(files))
		return nil, &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{"photos": msg}}
	}
	out := make([]*photo.Photo, 0, len(files))
	for _, fh := range files {
		name := filepath.Base(fh.Filename)
		if fh.Size > photo.MaxBytes { // refused before it is even opened
			msg := fmt.Sprintf("Файл «%s» больше 5 МБ; уменьшите фотографию или выберите другую.", name)
			return nil, &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{"photos": msg}}
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		p, err := photo.Process(f, name, "photos")
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// savePhotos writes photos to the uploads folder and returns them as attachments
// to record, and a function that removes the files again should the record fail.
func (s *Server) savePhotos(list []*photo.Photo) ([]*app.Attachment, func(), error) {
	var written []string
	undo := func() {
		for _, f := range written {
			os.Remove(f)
		}
	}
	if len(list) == 0 {
		return nil, undo, nil
	}
	rel := time.Now().UTC().Format("2006/01")
	dir := filepath.Join(s.portal.uploads, filepath.FromSlash(rel))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, undo, fmt.Errorf("папка для фотографий %s недоступна: %w", dir, err)
	}
	out := make([]*app.Attachment, 0, len(list))
	for _, p := range list {
		b := make([]byte, 16)
		rand.Read(b)
		name := hex.EncodeToString(b)
		a := &app.Attachment{File: rel + "/" + name + ".jpg", Thumb: rel + "/" + name + "_t.jpg", Width: p.Width, Height: p.Height, Bytes: len(p.Full)}
		for _, w := range []struct {
			rel  string
			data []byte
		}{{a.File, p.Full}, {a.Thumb, p.Thumb}} {
			path := filepath.Join(s.portal.uploads, filepath.FromSlash(w.rel))
			if err := os.WriteFile(path, w.data, 0o640); err != nil {
				undo()
				return nil, undo, fmt.Errorf("фотография не сохранена: %w", err)
			}
			written = append(written, path)
		}
		out = append(out, a)
	}
	return out, undo, nil
}

// photoView is a photo as a page links it.
type photoView struct {
	ID            int64
	Kind          string
	Width, Height int
}

func (s *Server) photoViews(c *fiber.Ctx, number string) (report, done []photoView, err error) {
	list, err := s.Store.Attachments(c.UserContext(), number)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range list {
		v := photoView{a.ID, a.Kind, a.Width, a.Height}
		if a.Kind == app.AttachDone {
			done = append(done, v)
		} else {
			report = append(report, v)
		}
	}
	return report, done, nil
}

// photoFile serves a photo (or its thumbnail) to a signed-in user who may see its
// ticket; to anyone else it does not exist.
func (s *Server) photoFile(c *fiber.Ctx) error {
	a, err := s.Store.Attachment(c.UserContext(), parseID(c.Params("id")))
	if err != nil {
		return err
	}
	rel := a.File
	if strings.HasSuffix(c.Path(), "/thumb") {
		rel = a.Thumb
	}
	data, err := os.ReadFile(filepath.Join(s.portal.uploads, filepath.FromSlash(rel)))
	if err != nil {
		if os.IsNotExist(err) {
			return app.Errorf(app.ENOTFOUND, "Файл фотографии не найден в папке данных.")
		}
		return err
	}
	c.Set(fiber.HeaderContentType, "image/jpeg")
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	return c.Send(data)
}
