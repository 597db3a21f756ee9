package web

import (
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// TestDictionariesRefused: a dictionary that is missing, malformed, or lacks a key
// the other locale has stops the server at start-up, with a message naming it.
func TestDictionariesRefused(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	ru := file(`{"Новые": "Новые", "Заявки": "Заявки"}`)
	en := file(`{"Новые": "New", "Заявки": "Tickets"}`)
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"no English", fstest.MapFS{"ru.json": ru}, "en.json"},
		{"key missing in English", fstest.MapFS{"ru.json": ru, "en.json": file(`{"Новые": "New"}`)}, `в en.json нет ключей, которые есть в ru.json: "Заявки"`},
		{"key missing in Russian", fstest.MapFS{"ru.json": file(`{"Новые": "Новые"}`), "en.json": en}, `в ru.json нет ключей, которые есть в en.json: "Заявки"`},
		{"not JSON", fstest.MapFS{"ru.json": ru, "en.json": file(`{"Новые": "New",}`)}, "en.json"},
		{"not an object", fstest.MapFS{"ru.json": ru, "en.json": file(`["New"]`)}, "ожидался объект"},
		{"not a string", fstest.MapFS{"ru.json": ru, "en.json": file(`{"Новые": 1, "Заявки": "Tickets"}`)}, `"Новые"`},
		{"key twice", fstest.MapFS{"ru.json": ru, "en.json": file(`{"Новые": "New", "Заявки": "Tickets", "Новые": "Fresh"}`)}, `ключ "Новые" повторяется`},
		{"empty text", fstest.MapFS{"ru.json": ru, "en.json": file(`{"Новые": "", "Заявки": "Tickets"}`)}, "пустой текст"},
		{"data after the object", fstest.MapFS{"ru.json": ru, "en.json": file(`{"Новые": "New", "Заявки": "Tickets"} {}`)}, "ещё данные"},
		{"unknown locale", fstest.MapFS{"ru.json": ru, "en.json": en, "de.json": en}, "de.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Views: os.DirFS("../../assets/views"), I18n: tc.files})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error with %q", err, tc.want)
			}
		})
	}
	if _, err := New(Config{Views: os.DirFS("../../assets/views")}); err == nil {
		t.Fatal("New without dictionaries started")
	}
}

// TestDictionaries: the shipped dictionaries load, Russian is the default, and a
// text the dictionary lacks is shown as it is.
func TestDictionaries(t *testing.T) {
	langs, err := loadLangs(os.DirFS("../../assets/i18n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := langs["en"].T("Новые"); got != "New" {
		t.Errorf("en: %q", got)
	}
	if got := langs[Locales[0]].T("Новые"); got != "Новые" {
		t.Errorf("%s: %q", Locales[0], got)
	}
	if got := langs["en"].T("Нет такого ключа"); got != "Нет такого ключа" {
		t.Errorf("unknown key: %q", got)
	}
}

// TestViewsTextsInDictionaries: every text a view translates by its literal
// ({{$.L.T "…"}}) is in the dictionaries, so that no screen is left half in
// Russian for an English user.
func TestViewsTextsInDictionaries(t *testing.T) {
	langs, err := loadLangs(os.DirFS("../../assets/i18n"))
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`\.L\.T\s+("(?:[^"\\]|\\.)*")`)
	views := os.DirFS("../../assets/views")
	n := 0
	err = fs.WalkDir(views, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := fs.ReadFile(views, path)
		if err != nil {
			return err
		}
		for _, m := range literal.FindAllSubmatch(b, -1) {
			key, err := strconv.Unquote(string(m[1]))
			if err != nil {
				t.Errorf("%s: %s: %v", path, m[1], err)
				continue
			}
			n++
			if _, ok := langs[Locales[0]].m[key]; !ok {
				t.Errorf("%s: %q is not in assets/i18n", path, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d texts found in the views: is the pattern still right?", n)
	}
}
