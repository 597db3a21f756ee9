// Command bare is the floor that the parts of ecoz reach on this machine, for
// docs/performance.md: a Fiber page rendered through ecoz's own layout over the 50
// newest rows of a table of a million rows, and a single-row insert with
// synchronous=FULL, one transaction (one fsync) per row. No sessions, no
// permissions, no domain rules: what is left is Fiber, html/template and modernc
// SQLite. app/loadtest drives it with the same clients as the real binary.
//
//	bare -db COPY-OF-THE-MILLION.db -views assets/views -addr 127.0.0.1:8099
//
// GET /page is the page, POST /insert the insert, GET /healthz answers when ready.
// The database should be a copy: /insert adds rows to a table of its own.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing/fstest"
	"time"
	_ "time/tzdata"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
	_ "modernc.org/sqlite"
)

// page is the one view of its own; the layout and the navigation are ecoz's.
const page = `<h1>{{.Title}}</h1>
<table class="tickets"><thead><tr><th>Номер</th><th>Статус</th><th>Вид работ</th><th>Создана</th><th>Срок</th></tr></thead>
<tbody>{{range .Rows}}<tr><td><a href="/work/tickets/{{.Number}}">{{.Number}}</a></td><td>{{.Status}}</td><td>{{.WorkType}}</td><td>{{.Created}}</td><td>{{.Due}}</td></tr>
{{end}}</tbody></table>`

// lang stands in for ecoz's locale in the layout: Russian, words as they are.
type lang struct{ Code string }

func (lang) T(s string) string { return s }

type row struct {
	Number, Status, WorkType, Created, Due string
}

func main() {
	dbPath := flag.String("db", "", "файл базы SQLite с таблицей tickets (копия)")
	views := flag.String("views", "assets/views", "папка шаблонов ecoz")
	addr := flag.String("addr", "127.0.0.1:8099", "адрес")
	flag.Parse()
	if err := run(*dbPath, *views, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func dsn(path, extra string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" + extra
}

func run(dbPath, viewsDir, addr string) error {
	if dbPath == "" {
		return fmt.Errorf("укажите -db")
	}
	views := fstest.MapFS{"bare/page.html": {Data: []byte(page)}}
	for _, name := range []string{"layouts/main.html", "partials/nav.html"} {
		b, err := os.ReadFile(filepath.Join(viewsDir, name))
		if err != nil {
			return err
		}
		views[name] = &fstest.MapFile{Data: b}
	}
	engine := html.NewFileSystem(http.FS(views), ".html")
	if err := engine.Load(); err != nil {
		return err
	}
	r, err := sql.Open("sqlite", dsn(dbPath, "&_pragma=query_only(1)"))
	if err != nil {
		return err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	w, err := sql.Open("sqlite", dsn(dbPath, "&_txlock=immediate"))
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	if _, err := w.Exec("CREATE TABLE IF NOT EXISTS bare_inserts(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL)"); err != nil {
		return err
	}
	list, err := r.Prepare("SELECT number, status, work_type, created_at, due_at FROM tickets ORDER BY id DESC LIMIT 50")
	if err != nil {
		return err
	}
	insert, err := w.Prepare("INSERT INTO bare_inserts(at, body) VALUES (?, ?)")
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		return err
	}
	app := fiber.New(fiber.Config{Views: engine, ViewsLayout: "layouts/main", DisableStartupMessage: true})
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/page", func(c *fiber.Ctx) error {
		rows, err := list.QueryContext(c.UserContext())
		if err != nil {
			return err
		}
		defer rows.Close()
		out := make([]row, 0, 50)
		for rows.Next() {
			var rw row
			var created, due int64
			if err := rows.Scan(&rw.Number, &rw.Status, &rw.WorkType, &created, &due); err != nil {
				return err
			}
			rw.Created = time.Unix(created, 0).In(loc).Format("02.01.2006 15:04")
			rw.Due = time.Unix(due, 0).In(loc).Format("02.01.2006 15:04")
			out = append(out, rw)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Render("bare/page", fiber.Map{"Title": "Заявки", "Center": "Единый центр", "Municipality": "Город",
			"CenterPhone": "", "User": nil, "L": lang{"ru"}, "Rows": out})
	})
	app.Post("/insert", func(c *fiber.Ctx) error {
		if _, err := insert.ExecContext(c.UserContext(), time.Now().Unix(), string(c.Body())); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusCreated)
	})
	return app.Listen(addr)
}
