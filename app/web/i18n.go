package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// The UI is written in Russian, and Russian text is the message key: a view says
// {{$.L.T "Новые"}} and a user whose locale is "en" reads "New". A text that is
// not in the dictionary is shown as it is, so a screen never shows a bare key.
// The dictionaries are files, assets/i18n/<locale>.json, one object of key → text
// each, read once by New: every locale holds the same keys, and a file that is
// missing, malformed, or differs from the others in its keys stops the start-up.
// A small set of files was chosen over go-i18n: the staff UI has two locales and
// no plural forms worth a library, and keying by the Russian text keeps the views
// readable to the people who check them.

// Locales are the languages a user may choose, the first one the default.
var Locales = []string{"ru", "en"}

// Lang translates the UI's Russian messages into one locale.
type Lang struct {
	Code string
	m    map[string]string
}

// T returns ru in the user's language.
func (l Lang) T(ru string) string {
	if v, ok := l.m[ru]; ok {
		return v
	}
	return ru
}

// lang is the language of the signed-in user (the default one for everybody else).
func (s *Server) lang(c *fiber.Ctx) Lang {
	if u := currentUser(c); u != nil {
		if l, ok := s.langs[u.Locale]; ok {
			return l
		}
	}
	return s.langs[Locales[0]]
}

// loadLangs reads the dictionary of every locale from fsys (assets/i18n) and
// checks that they hold the same keys.
func loadLangs(fsys fs.FS) (map[string]Lang, error) {
	if fsys == nil {
		return nil, errors.New("переводы интерфейса (assets/i18n) не заданы")
	}
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if !slices.Contains(Locales, strings.TrimSuffix(f, ".json")) {
			return nil, fmt.Errorf("переводы интерфейса: %s — не язык интерфейса (языки: %s)", f, strings.Join(Locales, ", "))
		}
	}
	langs := make(map[string]Lang, len(Locales))
	for _, code := range Locales {
		name := code + ".json"
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("переводы интерфейса: %w", err)
		}
		m, err := parseDictionary(b)
		if err != nil {
			return nil, fmt.Errorf("переводы интерфейса: %s: %w", name, err)
		}
		langs[code] = Lang{Code: code, m: m}
	}
	first := Locales[0]
	for _, code := range Locales[1:] {
		if missing := missingKeys(langs[first].m, langs[code].m); len(missing) > 0 {
			return nil, fmt.Errorf("переводы интерфейса: в %s.json нет ключей, которые есть в %s.json: %s", code, first, quoteSome(missing))
		}
		if extra := missingKeys(langs[code].m, langs[first].m); len(extra) > 0 {
			return nil, fmt.Errorf("переводы интерфейса: в %s.json нет ключей, которые есть в %s.json: %s", first, code, quoteSome(extra))
		}
	}
	return langs, nil
}

// parseDictionary reads one JSON object of strings. Unlike json.Unmarshal it
// refuses a key given twice (the second would silently win) and an empty text.
func parseDictionary(b []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("ожидался объект JSON { \"ключ\": \"текст\", … }")
	}
	m := map[string]string{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := t.(string) // an object's key is always a string
		var text string
		if err := dec.Decode(&text); err != nil {
			return nil, fmt.Errorf("%q: %w", key, err)
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("ключ %q повторяется", key)
		}
		if text == "" {
			return nil, fmt.Errorf("ключ %q: пустой текст", key)
		}
		m[key] = text
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("после объекта есть ещё данные")
	}
	return m, nil
}

// missingKeys lists the keys of a that b lacks, sorted.
func missingKeys(a, b map[string]string) []string {
	var out []string
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// quoteSome quotes the first few keys of a list, for an error message.
func quoteSome(keys []string) string {
	const few = 5
	q := make([]string, 0, few)
	for _, k := range keys[:min(len(keys), few)] {
		q = append(q, fmt.Sprintf("%q", k))
	}
	s := strings.Join(q, ", ")
	if len(keys) > few {
		s += fmt.Sprintf(" и ещё %d", len(keys)-few)
	}
	return s
}
