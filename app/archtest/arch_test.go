// Package archtest holds the architecture test: the layering STYLE.md asks for,
// checked on every package's source (tests excepted: they may look at a database
// or serve a page from anywhere).
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/ecoz/ecoz"

// storePackages may speak SQL; webPackages may speak HTTP through Fiber.
var (
	storePackages = []string{"app/store", "app/registry/regstore", "app/kit/sqlkit", "app/kit/pgkit", "app/kit/pgkit/pgtest"}
	webPackages   = []string{"app/web", "app/registry", "app/kit", "app/httperr"}
	// fixtures builds the benchmarks' large databases with plain INSERTs through
	// the store's Raw hook (tests only; it imports no database/sql).
	fixtures = []string{"app/apptest"}
	// bare is the measuring stick of docs/performance.md: the bare limits of the
	// parts (a Fiber page over a million-row table, a single-row insert), written
	// without the product's layers on purpose. It is a command, not a layer.
	bare = "app/loadtest/bare"
)

// sqlText is what SQL looks like in a string: a statement's opening words, in
// capitals as this code writes them (prose that says "select … from" is not SQL).
var sqlText = regexp.MustCompile(`(?s)\b(SELECT\s.+\sFROM\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(TABLE|INDEX|TRIGGER|VIEW)\s|PRAGMA\s+\w+|ALTER\s+TABLE\s)`)

type pkg struct {
	dir     string // relative to the repository, e.g. "app/web"
	imports map[string]string
	sql     []string // where string literals hold SQL
}

func root(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("go.mod not found")
		}
		dir = up
	}
}

// packages reads every package of the module but testdata, its non-test files.
func packages(t *testing.T) map[string]*pkg {
	t.Helper()
	top := root(t)
	out := map[string]*pkg{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != top && (n == "testdata" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(top, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		p := out[rel]
		if p == nil {
			p = &pkg{dir: rel, imports: map[string]string{}}
			out[rel] = p
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		name := filepath.Base(path)
		for _, im := range f.Imports {
			ip, _ := strconv.Unquote(im.Path.Value)
			p.imports[ip] = name
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && sqlText.MatchString(s) {
					p.sql = append(p.sql, fset.Position(lit.Pos()).String())
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func in(list []string, dir string) bool {
	for _, x := range list {
		if x == dir {
			return true
		}
	}
	return false
}

// SQL only in the store packages, HTTP (Fiber) only in the web packages, and the
// domain (app) imports nothing of the project.
func TestLayers(t *testing.T) {
	pkgs := packages(t)
	for _, must := range append(append([]string{"app", "app/cli"}, storePackages...), webPackages...) {
		if pkgs[must] == nil {
			t.Fatalf("package %s not found: the test no longer describes the tree", must)
		}
	}
	for dir, p := range pkgs {
		if dir == bare {
			continue
		}
		if !in(storePackages, dir) {
			for ip, file := range p.imports {
				if ip == "database/sql" || strings.HasPrefix(ip, "modernc.org/sqlite") {
					t.Errorf("%s/%s imports %s: SQL belongs in the store packages %v", dir, file, ip, storePackages)
				}
			}
			for _, at := range p.sql {
				if in(fixtures, dir) {
					continue
				}
				t.Errorf("%s: SQL outside the store packages %v", at, storePackages)
			}
		}
		if !in(webPackages, dir) {
			for ip, file := range p.imports {
				if strings.HasPrefix(ip, "github.com/gofiber/") || strings.HasPrefix(ip, "github.com/valyala/fasthttp") {
					t.Errorf("%s/%s imports %s: HTTP belongs in the web packages %v", dir, file, ip, webPackages)
				}
			}
		}
		if dir == "app" {
			for ip, file := range p.imports {
				if strings.HasPrefix(ip, module+"/") {
					t.Errorf("the domain imports %s (%s): it must import nothing of the project", ip, file)
				}
			}
		}
	}
}

// The rule is real: a package that breaks it is caught.
func TestLayersCatchABreach(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", `package x
import "database/sql"
var q = "SELECT id FROM tickets WHERE id = ?"
var r = "Выберите заявку из списка"
var _ *sql.DB`, 0)
	if err != nil {
		t.Fatal(err)
	}
	var hits []string
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && sqlText.MatchString(lit.Value) {
			hits = append(hits, lit.Value)
		}
		return true
	})
	if len(hits) != 1 || !strings.Contains(hits[0], "SELECT id FROM tickets") {
		t.Errorf("the SQL detector found %q, want the one SELECT", hits)
	}
	for _, s := range []string{"INSERT INTO settings(key) VALUES (?)", "UPDATE tickets SET status = ?", "DELETE FROM sessions", "PRAGMA user_version", "CREATE INDEX x ON t(a)"} {
		if !sqlText.MatchString(s) {
			t.Errorf("not taken for SQL: %s", s)
		}
	}
	for _, s := range []string{"Выберите, что обновить", "select the text from the list", "Update the settings"} {
		if sqlText.MatchString(s) {
			t.Errorf("taken for SQL: %s", s)
		}
	}
}
