package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// Importer reads a file of buildings or organisations (CSV or XLSX) and loads it.
// The admin screens depend only on this interface, so that the importer package
// the command line uses (`ecoz import`) can take the place of basicImporter
// without touching the screens.
type Importer interface {
	// Check parses and validates the whole file without writing anything.
	Check(ctx context.Context, kind, name string, data []byte) (*ImportReport, error)
	// Apply loads the file in one transaction: with bad rows and !skipBad it
	// imports nothing. progress is called as rows are written.
	Apply(ctx context.Context, kind, name string, data []byte, skipBad bool, progress func(done, total int)) (*ImportReport, error)
}

// ImportKinds are what can be imported, with their Russian names.
var ImportKinds = []struct{ Key, Title string }{{"buildings", "Дома"}, {"organizations", "Организации"}}

// ImportReport is what a check or an import found.
type ImportReport struct {
	Header   []string
	Preview  [][]string // the first rows as read
	Rows     int        // data rows (the header not counted)
	Bad      []ImportRowError
	Imported int
}

// ImportRowError is one bad row: its line in the file and the reason, in Russian.
type ImportRowError struct {
	Line   int
	Reason string
}

// importJob is one uploaded file, from its preview to the end of its import.
type importJob struct {
	ID, Kind, Name string
	data           []byte
	Report         *ImportReport
	Created        time.Time

	mu          sync.Mutex
	Running     bool
	Done, Total int
	Finished    bool
	Err         string
	Result      *ImportReport
}

func (j *importJob) state() (running, finished bool, done, total int, errMsg string, res *ImportReport) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.Running, j.Finished, j.Done, j.Total, j.Err, j.Result
}

// importJobs holds the recent uploads in memory: a preview lives until it is
// imported or pushed out by newer ones; nothing of an upload is written before the
// administrator confirms.
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*importJob
}

func (js *importJobs) add(j *importJob) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.jobs == nil {
		js.jobs = map[string]*importJob{}
	}
	if len(js.jobs) >= 20 {
		var old []*importJob
		for _, x := range js.jobs {
			old = append(old, x)
		}
		sort.Slice(old, func(a, b int) bool { return old[a].Created.Before(old[b].Created) })
		for _, x := range old[:len(old)-19] {
			if r, f, _, _, _, _ := x.state(); !r || f {
				delete(js.jobs, x.ID)
			}
		}
	}
	js.jobs[j.ID] = j
}

func (js *importJobs) get(id string) (*importJob, error) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if j, ok := js.jobs[id]; ok {
		return j, nil
	}
	return nil, app.Errorf(app.ENOTFOUND, "Загрузка не найдена: загрузите файл ещё раз.")
}

func (s *Server) adminImport(c *fiber.Ctx) error {
	return s.render(c, "admin_import", fiber.Map{"Title": "Импорт", "Kinds": ImportKinds, "Kind": c.Query("kind", "buildings"), "Section": "import"})
}

// adminImportUpload checks an uploaded file and shows its preview with every bad row.
func (s *Server) adminImportUpload(c *fiber.Ctx) error {
	kind := c.FormValue("kind")
	data := fiber.Map{"Title": "Импорт", "Kinds": ImportKinds, "Kind": kind, "Section": "import"}
	fail := func(field, msg string) error {
		formFailed(c, data, &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{field: msg}})
		return s.render(c, "admin_import", data)
	}
	if kind != "buildings" && kind != "organizations" {
		return fail("kind", "Выберите, что импортировать.")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return fail("file", "Выберите файл CSV или XLSX.")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	body, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return fail("file", "Файл пуст.")
	}
	rep, err := s.importer.Check(c.UserContext(), kind, fh.Filename, body)
	if err != nil {
		if app.ErrorCode(err) == app.EINVALID {
			return fail("file", app.ErrorMessage(err))
		}
		return err
	}
	b := make([]byte, 12)
	rand.Read(b)
	j := &importJob{ID: hex.EncodeToString(b), Kind: kind, Name: fh.Filename, data: body, Report: rep, Created: time.Now()}
	s.imports.add(j)
	return c.Redirect("/admin/import/"+j.ID, fiber.StatusSeeOther)
}

// adminImportJob shows a preview, the progress of a running import, or its result;
// htmx polls it while the import runs.
func (s *Server) adminImportJob(c *fiber.Ctx) error {
	j, err := s.imports.get(c.Params("id"))
	if err != nil {
		return err
	}
	running, finished, done, total, errMsg, res := j.state()
	pct := 0
	if total > 0 {
		pct = done * 100 / total
	}
	data := fiber.Map{"Title": "Импорт: " + j.Name, "J": j, "Running": running && !finished, "Finished": finished, "DoneRows": done, "Total": total,
		"Pct": pct, "ImportError": errMsg, "Result": res, "Kinds": ImportKinds, "Section": "import"}
	if c.Get("HX-Request") == "true" {
		return s.renderPartial(c, "partials/import_progress", data)
	}
	return s.render(c, "admin_import_job", data)
}

// adminImportApply starts the import in the background and shows its progress.
func (s *Server) adminImportApply(c *fiber.Ctx) error {
	j, err := s.imports.get(c.Params("id"))
	if err != nil {
		return err
	}
	skip := c.FormValue("skip_bad") == "1"
	if len(j.Report.Bad) > 0 && !skip {
		return app.Errorf(app.EINVALID, "В файле есть ошибочные строки: исправьте файл или отметьте «пропустить ошибочные строки».")
	}
	j.mu.Lock()
	if j.Running {
		j.mu.Unlock()
		return c.Redirect("/admin/import/"+j.ID, fiber.StatusSeeOther)
	}
	j.Running, j.Total = true, j.Report.Rows
	j.mu.Unlock()
	s.startImport(j, currentUser(c), skip)
	return c.Redirect("/admin/import/"+j.ID, fiber.StatusSeeOther)
}

// startImport runs j's import in the background. It outlives the request: it runs
// as the administrator u, on the server's own context, which Shutdown cancels only
// when its time is up; Shutdown waits for it before the store may be closed.
func (s *Server) startImport(j *importJob, u *app.User, skip bool) {
	ctx := app.WithUser(s.bg, u)
	s.inflight.Add(1)
	go func() {
		defer s.inflight.Done()
		res, err := s.importer.Apply(ctx, j.Kind, j.Name, j.data, skip, func(done, total int) {
			j.mu.Lock()
			j.Done, j.Total = done, total
			j.mu.Unlock()
		})
		j.mu.Lock()
		defer j.mu.Unlock()
		j.Finished, j.Result = true, res
		if err != nil {
			j.Err = app.ErrorMessage(err)
			if app.ErrorCode(err) == app.EINTERNAL {
				s.Log.Error("import", "file", j.Name, "err", err)
			}
		}
	}()
}
