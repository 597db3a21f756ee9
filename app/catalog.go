package app

import (
	"math"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// WorkType is a kind of complaint with its normative deadlines. The federal facts
// (deadlines, localisation, clock window, hand-off, source, note, keywords) come from
// the catalogue and are updated with it; LocalHours, AcceptHours, LocalKeywords,
// RouteOverride and Active are the municipality's own and survive an upgrade.
type WorkType struct {
	Code       string `json:"code"`
	Category   string `json:"category"`
	Name       string `json:"name"`
	CategoryEN string `json:"category_en,omitempty"`
	NameEN     string `json:"name_en,omitempty"`
	Emergency  bool   `json:"emergency"`
	// FederalHours is the resolution deadline of a federal source; 0: none.
	FederalHours float64 `json:"-"`
	// ColdHours, where set, replaces FederalHours during the cold period.
	ColdHours float64 `json:"-"`
	// LocalHours is the municipality's own norm where there is no federal one.
	LocalHours float64 `json:"-"`
	// LocalizeMinutes, where set, is the second clock of an emergency: localised
	// (water shut off, power isolated, area fenced) within this many minutes.
	LocalizeMinutes int `json:"localize_minutes,omitempty"`
	// ClockHours is the part of the day the deadline's clock runs in.
	ClockHours ClockWindow `json:"-"`
	// Responsible is who the catalogue sends it to; RouteOverride, where set, is
	// the municipality's own choice instead.
	Responsible   OrgKind `json:"responsible"`
	RouteOverride OrgKind `json:"-"`
	// Handoff is the number the call is handed to at once (104 for a gas smell):
	// such a type has no deadline in hours and is not accepted online.
	Handoff string `json:"handoff,omitempty"`
	// AcceptHours is this type's own (local) acceptance norm; 0: by the rules.
	AcceptHours float64 `json:"accept_hours"`
	Note        string  `json:"deadline_note"`
	Source      string  `json:"-"`
	// Keywords are the catalogue's everyday phrases (keywords_ru), «a; b»;
	// LocalKeywords the administrator's additions.
	Keywords      string `json:"-"`
	LocalKeywords string `json:"-"`
	// Active: offered to operators and residents. A retired type (the catalogue's
	// active = 0) is never active, but its old tickets still show it.
	Active  bool `json:"active"`
	Retired bool `json:"-"`

	DeadlineHours float64 `json:"deadline_hours"`
	DeadlineKind  string  `json:"deadline_source"` // "federal" or "local"
}

// Routes is the kind of organisation the type goes to: the municipality's
// override, else the catalogue's.
func (w *WorkType) Routes() OrgKind {
	if w.RouteOverride != "" {
		return w.RouteOverride
	}
	if w.Responsible == "" {
		return OrgManagement
	}
	return w.Responsible
}

// SearchText is every phrase the type is found by: the catalogue's and the
// administrator's.
func (w *WorkType) SearchText() string {
	if w.LocalKeywords == "" {
		return w.Keywords
	}
	if w.Keywords == "" {
		return w.LocalKeywords
	}
	return w.Keywords + "; " + w.LocalKeywords
}

// Defaults for deadlines the catalogue does not give.
const (
	EmergencyAcceptHours = 0.5 // ПП № 416, п. 13: localisation within 30 minutes
	DefaultAcceptHours   = 24  // municipal default for taking a request into work
	FallbackHours        = 72  // no federal and no local norm at all
)

// Resolve fills DeadlineHours/DeadlineKind and AcceptHours from the catalogue
// figures; defaultAccept is the municipality's acceptance norm.
func (w *WorkType) Resolve(defaultAccept float64) {
	switch {
	case w.FederalHours > 0:
		w.DeadlineHours, w.DeadlineKind = w.FederalHours, "federal"
	case w.LocalHours > 0:
		w.DeadlineHours, w.DeadlineKind = w.LocalHours, "local"
	default:
		w.DeadlineHours, w.DeadlineKind = FallbackHours, "local"
	}
	if w.AcceptHours <= 0 {
		if w.Emergency {
			w.AcceptHours = EmergencyAcceptHours
		} else {
			w.AcceptHours = defaultAccept
		}
	}
}

// DeadlineTitle says the deadline as a person reads it, and whose norm it is.
func (w *WorkType) DeadlineTitle() string {
	s := HumanHours(w.DeadlineHours)
	if w.DeadlineKind == "local" {
		return s + " (местный норматив)"
	}
	return s
}

func hoursDur(h float64) time.Duration {
	return time.Duration(math.Round(h*3600)) * time.Second
}

// Deadlines are fixed at registration and never move afterwards.
type Deadlines struct {
	AcceptDueAt   time.Time
	DueAt         time.Time
	LocalizeDueAt time.Time
}

// DeadlinesFor computes the deadlines of a ticket of work type w registered at at:
// the clock starts at registration (ПП № 416: «с момента регистрации заявки»).
func DeadlinesFor(w *WorkType, at time.Time) Deadlines {
	d := Deadlines{AcceptDueAt: at.Add(hoursDur(w.AcceptHours)), DueAt: at.Add(hoursDur(w.DeadlineHours))}
	if w.Emergency {
		d.LocalizeDueAt = at.Add(30 * time.Minute)
		if d.AcceptDueAt.After(d.LocalizeDueAt) {
			d.AcceptDueAt = d.LocalizeDueAt
		}
	}
	if d.AcceptDueAt.After(d.DueAt) {
		d.AcceptDueAt = d.DueAt
	}
	return d
}

// HumanHours writes a duration in hours the way the norms do: «30 мин», «4 ч», «3 сут».
func HumanHours(h float64) string {
	d := hoursDur(h)
	switch {
	case d < time.Hour:
		return itoa(int(d.Minutes())) + " мин"
	case d%(24*time.Hour) == 0:
		return itoa(int(d.Hours()/24)) + " сут"
	case d%time.Hour == 0:
		return itoa(int(d.Hours())) + " ч"
	}
	return itoa(int(d.Hours())) + " ч " + itoa(int(d.Minutes())%60) + " мин"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// OrgKind is what an organisation is to the centre. The kinds other than
// management are also the catalogue's «responsible» values.
type OrgKind string

const (
	OrgManagement    OrgKind = "management"     // управляющая организация
	OrgSupplier      OrgKind = "supplier"       // ресурсоснабжающая организация
	OrgLift          OrgKind = "lift"           // лифтовая организация
	OrgWasteOperator OrgKind = "waste_operator" // региональный оператор по обращению с ТКО
	OrgGasService    OrgKind = "gas_service"    // аварийная газовая служба
)

// OrgKinds lists the kinds in the order forms offer them.
var OrgKinds = []OrgKind{OrgManagement, OrgSupplier, OrgLift, OrgWasteOperator, OrgGasService}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, x := range OrgKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Responsible reports whether k may be a work type's «responsible».
func (k OrgKind) Responsible() bool { return k.Valid() }

// Title is the Russian name of the kind.
func (k OrgKind) Title() string {
	switch k {
	case OrgManagement:
		return "Управляющая организация"
	case OrgSupplier:
		return "Ресурсоснабжающая организация"
	case OrgLift:
		return "Лифтовая организация"
	case OrgWasteOperator:
		return "Региональный оператор по ТКО"
	case OrgGasService:
		return "Аварийная газовая служба"
	}
	return string(k)
}

// Organization is a management organisation, a resource supplier, a lift
// contractor, the regional waste operator or the gas service.
type Organization struct {
	ID     int64   `json:"id"`
	Name   string  `json:"name"`
	Kind   OrgKind `json:"kind"`
	INN    string  `json:"inn"`
	Phone  string  `json:"phone"`
	Active bool    `json:"-"`
}

// Validate normalises and checks o.
func (o *Organization) Validate() error {
	fe := FieldErrors{}
	o.Name = strings.TrimSpace(o.Name)
	o.INN = strings.TrimSpace(o.INN)
	if o.Name == "" {
		fe.Add("name", "Укажите название организации.")
	} else if utf8.RuneCountInString(o.Name) > 300 {
		fe.Add("name", "Название — не длиннее 300 символов.")
	}
	if o.Kind == "" {
		o.Kind = OrgManagement
	}
	if !o.Kind.Valid() {
		fe.Add("kind", "Тип организации: management (УО), supplier (РСО), lift (лифтовая), waste_operator (регоператор ТКО) или gas_service (газовая служба).")
	}
	if o.INN != "" && !ValidINN(o.INN) {
		fe.Add("inn", "ИНН неверен: 10 или 12 цифр с верными контрольными цифрами.")
	}
	if strings.TrimSpace(o.Phone) != "" {
		p, err := NormalizePhone(o.Phone)
		if err != nil {
			fe.Add("phone", err.Error())
		}
		o.Phone = p
	}
	return fe.Err()
}

// ValidINN checks a Russian taxpayer number (ИНН) with its check digits: 10 digits
// for an organisation, 12 for an individual entrepreneur.
func ValidINN(s string) bool {
	d := make([]int, 0, 12)
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
		d = append(d, int(r-'0'))
	}
	check := func(w []int) int {
		sum := 0
		for i, k := range w {
			sum += k * d[i]
		}
		return sum % 11 % 10
	}
	switch len(d) {
	case 10:
		return check([]int{2, 4, 10, 3, 5, 9, 4, 6, 8}) == d[9]
	case 12:
		return check([]int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) == d[10] &&
			check([]int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) == d[11]
	}
	return false
}

// Building is an apartment block (многоквартирный дом).
type Building struct {
	ID             int64   `json:"id"`
	Address        string  `json:"address"`
	OrganizationID int64   `json:"organization_id"`
	SupplierID     int64   `json:"supplier_id,omitempty"`
	Apartments     int     `json:"apartments"`
	AreaM2         float64 `json:"area_m2"`
	YearBuilt      int     `json:"year_built,omitempty"`
	OrgName        string  `json:"-"`
}

// Validate normalises and checks b.
func (b *Building) Validate() error {
	fe := FieldErrors{}
	b.Address = strings.Join(strings.Fields(b.Address), " ")
	if b.Address == "" {
		fe.Add("address", "Укажите адрес.")
	} else if utf8.RuneCountInString(b.Address) > 300 {
		fe.Add("address", "Адрес — не длиннее 300 символов.")
	}
	if b.OrganizationID <= 0 {
		fe.Add("organization_id", "Укажите управляющую организацию.")
	}
	if b.Apartments < 0 || b.Apartments > 10000 {
		fe.Add("apartments", "Число квартир — от 0 до 10000.")
	}
	if b.AreaM2 < 0 || b.AreaM2 > 1e7 {
		fe.Add("area_m2", "Площадь — от 0 до 10 000 000 м².")
	}
	if b.YearBuilt != 0 && (b.YearBuilt < 1700 || b.YearBuilt > 2100) {
		fe.Add("year_built", "Год постройки — от 1700 до 2100.")
	}
	return fe.Err()
}

// addressNoise are the words of an address that carry no meaning for matching:
// «ул. Ленина, д. 5» and «ленина 5» are the same house.
var addressNoise = map[string]bool{
	"ул": true, "улица": true, "д": true, "дом": true, "г": true, "город": true,
	"пр": true, "пр-т": true, "проспект": true, "пер": true, "переулок": true,
	"пл": true, "площадь": true, "б-р": true, "бульвар": true, "ш": true, "шоссе": true,
	"наб": true, "набережная": true, "мкр": true, "микрорайон": true, "пос": true, "п": true,
	"проезд": true, "туп": true, "тупик": true,
}

// addressMarks are words that stand for a part of a number: «корп. 2» is «к2».
var addressMarks = map[string]string{"корп": "к", "корпус": "к", "к": "к", "стр": "с", "строение": "с", "с": "с", "лит": "л", "литера": "л"}

// AddressTokens splits an address into normalised tokens for matching: lower case,
// ё → е, punctuation and noise words dropped, «корп. 2» → «к2», «5а» kept whole.
func AddressTokens(s string) []string {
	s = strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(s, "ё", "е"), "Ё", "Е"))
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '/')
	})
	var out []string
	for i := 0; i < len(words); i++ {
		w := strings.Trim(words[i], "-/")
		if w == "" || addressNoise[w] {
			continue
		}
		if m, ok := addressMarks[w]; ok && i+1 < len(words) && isDigits(words[i+1]) {
			out = append(out, m+words[i+1])
			i++
			continue
		}
		// «12к2», «3стр1», «7корп.1» typed as one word are the house and its part.
		if p := compactHouse.FindStringSubmatch(w); p != nil {
			out = append(out, p[1], addressMarks[p[2]]+p[3])
			continue
		}
		out = append(out, w)
	}
	return out
}

var compactHouse = regexp.MustCompile(`^(\d+[а-я]?)(корпус|корп|к|строение|стр|с|литера|лит)(\d+)$`)

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// AddressKey is the normalised form under which an address is unique.
func AddressKey(s string) string { return strings.Join(AddressTokens(s), " ") }
