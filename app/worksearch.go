package app

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/kljensen/snowball/russian"
)

// The work-type search: what a caller says («у нас течёт крыша», «затопили
// соседи», «в квартире холодно, плюс шестнадцать») against each type's name,
// category and the catalogue's everyday phrases (keywords_ru). Words are compared
// by their Snowball stems, so «течёт», «течь» and «протекает» meet where the
// language lets them; any word may match, and a type ranks by how much of what was
// said it explains — rare words weigh more than «вода» or «нет», a whole everyday
// phrase more than scattered words; one typo is forgiven in a word of five letters
// or more. A temperature said aloud picks the heating tier whose range holds it.

// WorkTypeMatch is one suggestion with its score and why it was made.
type WorkTypeMatch struct {
	Type  *WorkType
	Score float64
	Why   string // for the operator: which words matched where
}

// stopWords carry no meaning for the search.
var stopWords = map[string]bool{
	"у": true, "нас": true, "на": true, "в": true, "во": true, "с": true, "со": true, "и": true, "а": true, "по": true,
	"из": true, "за": true, "к": true, "от": true, "до": true, "о": true, "об": true, "уже": true, "есть": true, "это": true,
	"мы": true, "я": true, "меня": true, "нам": true, "наш": true, "наша": true, "наше": true, "очень": true, "тоже": true,
	"опять": true, "снова": true, "все": true, "всем": true, "весь": true, "всё": true, "всём": true, "же": true, "ли": true,
	"там": true, "тут": true, "здесь": true, "или": true, "что": true, "как": true, "плюс": true,
	"градусов": true, "градуса": true, "градус": true, "день": true, "дня": true, "дней": true, "три": true,
	"неделю": true, "месяц": true, "утра": true, "над": true, "под": true, "при": true, "для": true, "через": true,
}

var numberWords = map[string]int{
	"пять": 5, "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
	"тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18,
	"девятнадцать": 19, "двадцать": 20,
}

var (
	wordRe  = regexp.MustCompile(`[\p{L}\p{N}]+`)
	rangeRe = regexp.MustCompile(`от \+(\d+)(?: до \+(\d+))?`)
)

// searchToken is one word with its stem.
type searchToken struct{ word, stem string }

func tokens(s string) []searchToken {
	s = strings.ReplaceAll(strings.ToLower(s), "ё", "е")
	var out []searchToken
	for _, w := range wordRe.FindAllString(s, -1) {
		if stopWords[w] {
			continue
		}
		if _, ok := numberWords[w]; ok {
			continue
		}
		if _, err := strconv.Atoi(w); err == nil {
			continue
		}
		out = append(out, searchToken{w, stem(w)})
	}
	return out
}

func stem(w string) string {
	if w == "" || w[0] < 0x80 { // Latin letters and digits are kept as they are
		return w
	}
	return russian.Stem(w, false)
}

// temperature reads a room temperature said aloud: «+14», «плюс 11», «девять».
func temperature(q string) (int, bool) {
	q = strings.ToLower(q)
	for _, w := range wordRe.FindAllString(q, -1) {
		if n, ok := numberWords[w]; ok {
			return n, true
		}
		if n, err := strconv.Atoi(w); err == nil && n >= 5 && n <= 25 {
			return n, true
		}
	}
	return 0, false
}

// typeIndex is a work type's words, by where they come from.
type typeIndex struct {
	w        *WorkType
	name     []searchToken
	category []searchToken
	phrases  [][]searchToken // the everyday phrases, each whole
	phraseRU []string
	lo, hi   int // the room-temperature range in the name, if any (hi 0: open)
	hasRange bool
}

func indexType(w *WorkType) typeIndex {
	ix := typeIndex{w: w, name: tokens(w.Name), category: tokens(w.Category)}
	for _, p := range strings.Split(w.SearchText(), ";") {
		if t := tokens(p); len(t) > 0 {
			ix.phrases = append(ix.phrases, t)
			ix.phraseRU = append(ix.phraseRU, strings.TrimSpace(p))
		}
	}
	if m := rangeRe.FindStringSubmatch(w.Name); m != nil {
		ix.lo, _ = strconv.Atoi(m[1])
		ix.hi, _ = strconv.Atoi(m[2])
		ix.hasRange = true
	}
	return ix
}

// match says how well query word q meets word t: 1 the same stem, 0.8 one stem
// starting the other, 0.7 one typo in a longer word, 0 not at all.
func match(q, t searchToken) float64 {
	switch {
	case q.stem == t.stem || q.word == t.word:
		return 1
	case len([]rune(q.stem)) >= 4 && len([]rune(t.stem)) >= 4 && (strings.HasPrefix(t.stem, q.stem) || strings.HasPrefix(q.stem, t.stem)):
		return 0.8
	case len([]rune(q.word)) >= 5 && len([]rune(t.stem)) >= 4 && oneEdit(q.stem, t.stem):
		return 0.7
	}
	return 0
}

// oneEdit reports whether a and b differ by at most one insertion, deletion,
// substitution or transposition of neighbours.
func oneEdit(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	if len(y)-len(x) > 1 {
		return false
	}
	i := 0
	for i < len(x) && x[i] == y[i] {
		i++
	}
	if i == len(x) {
		return true
	}
	if len(x) == len(y) {
		if string(x[i+1:]) == string(y[i+1:]) {
			return true
		}
		return i+1 < len(x) && x[i] == y[i+1] && x[i+1] == y[i] && string(x[i+2:]) == string(y[i+2:])
	}
	return string(x[i:]) == string(y[i+1:])
}

func best(q searchToken, list []searchToken) float64 {
	m := 0.0
	for _, t := range list {
		m = math.Max(m, match(q, t))
	}
	return m
}

// RankWorkTypes orders the active work types by how well they explain q, best
// first, leaving out those q says nothing about.
func RankWorkTypes(all []*WorkType, q string) []WorkTypeMatch {
	qs := tokens(q)
	temp, hasTemp := temperature(q)
	if len(qs) == 0 && !hasTemp {
		return nil
	}
	idx := make([]typeIndex, 0, len(all))
	for _, w := range all {
		if w.Active && !w.Retired {
			idx = append(idx, indexType(w))
		}
	}
	// How many types each word could point to: a word that fits every second
	// type («вода», «нет») says less than one that fits two («крыша»).
	idf := make([]float64, len(qs))
	for i, qt := range qs {
		df := 0
		for _, ix := range idx {
			if best(qt, ix.name) > 0 || best(qt, ix.category) > 0 || anyPhrase(qt, ix.phrases) > 0 {
				df++
			}
		}
		idf[i] = math.Log(1 + float64(len(idx))/float64(1+df))
	}
	var out []WorkTypeMatch
	for _, ix := range idx {
		score := 0.0
		var matched []string
		for i, qt := range qs {
			m := math.Max(math.Max(best(qt, ix.name), 0.6*best(qt, ix.category)), 1.1*anyPhrase(qt, ix.phrases))
			if m > 0 {
				score += m * idf[i]
				matched = append(matched, qt.word)
			}
		}
		// A whole everyday phrase said is worth more than its words apart.
		phrase := ""
		for p, pt := range ix.phrases {
			n := 0
			for _, t := range pt {
				for _, qt := range qs {
					if match(qt, t) >= 0.7 {
						n++
						break
					}
				}
			}
			if n == len(pt) && len(pt) >= 2 && phrase == "" {
				score += 0.6 * float64(len(pt))
				phrase = ix.phraseRU[p]
			}
		}
		if hasTemp && ix.hasRange {
			if temp >= ix.lo && (ix.hi == 0 || temp < ix.hi) {
				score += 1.5
				matched = append(matched, "+"+strconv.Itoa(temp)+" °C")
			} else {
				score -= 1.5
			}
		}
		if score <= 0 || len(matched) == 0 {
			continue
		}
		why := "совпало: " + strings.Join(matched, ", ")
		if phrase != "" {
			why += " (фраза «" + phrase + "»)"
		}
		out = append(out, WorkTypeMatch{Type: ix.w, Score: score, Why: why})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

func anyPhrase(q searchToken, phrases [][]searchToken) float64 {
	m := 0.0
	for _, p := range phrases {
		m = math.Max(m, best(q, p))
	}
	return m
}

// ClearBest reports whether the first suggestion stands clearly above the second,
// so that Enter may take it even when it is an emergency: an emergency sends a
// crew at night, and a vague «холодно» must not.
func ClearBest(list []WorkTypeMatch) bool {
	if len(list) == 0 {
		return false
	}
	if len(list) == 1 {
		return true
	}
	return list[0].Score >= 1.3*list[1].Score
}
