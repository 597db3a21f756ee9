package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// APIKey is a third-party application's key for Open311 (issue #18). Only a hash of
// the key itself is stored.
type APIKey struct {
	ID        int64
	Name      string
	RateLimit int // requests filed a minute; 0: no limit
	CreatedAt time.Time
	RevokedAt time.Time // zero: in force
	Tickets   int       // tickets filed through it
}

// DefaultAPIKeyRate is the rate limit of a new key: a busy city app files a few
// requests a minute; a runaway one is stopped before it floods the queues.
const DefaultAPIKeyRate = 60

// ValidateAPIKeyName checks the name of an application.
func ValidateAPIKeyName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", &Error{Code: EINVALID, Message: "Название приложения — от 1 до 100 символов.", Fields: map[string]string{"name": "От 1 до 100 символов."}}
	}
	return name, nil
}

// ServiceAttribute is a question a work type asks of the person filing (Open311's
// service definition attribute).
type ServiceAttribute struct {
	Code        string
	Datatype    string // string, number, datetime, text, singlevaluelist, multivaluelist
	Required    bool
	Description string
	Order       int
	Unit        string  // shown after a number in the ticket's description
	Min, Max    float64 // bounds of a number
}

// apartmentAttribute is asked of every work type: the centre needs the flat for
// anything inside one, and nothing else in Open311 carries it.
var apartmentAttribute = ServiceAttribute{Code: "apartment", Datatype: "string", Description: "Номер квартиры (если неисправность в квартире)", Order: 1}

// attributesByCode are the further questions of particular work types: a cold
// flat or lukewarm tap water is judged by a measured temperature (ПП № 354,
// прил. 1: +18 °C in a living room, +60 °C for hot water), so it is asked for.
var attributesByCode = map[string][]ServiceAttribute{
	"HEAT-02": {{Code: "room_temp", Datatype: "number", Required: true, Description: "Температура воздуха в квартире, °C", Order: 2, Unit: "°C", Min: -40, Max: 40}},
	"HEAT-03": {{Code: "room_temp", Datatype: "number", Required: true, Description: "Температура воздуха в квартире, °C", Order: 2, Unit: "°C", Min: -40, Max: 40}},
	"HW-04":   {{Code: "water_temp", Datatype: "number", Required: true, Description: "Температура горячей воды в кране, °C", Order: 2, Unit: "°C", Min: 0, Max: 100}},
}

// Attributes lists the questions of work type w, in order.
func (w *WorkType) Attributes() []ServiceAttribute {
	return append([]ServiceAttribute{apartmentAttribute}, attributesByCode[w.Code]...)
}

// ApplyAttributes checks the answers given to w's questions (by code) and puts
// them into n (only when all are right): the apartment into its field, the rest
// as lines of the description. Answers to questions w does not ask are an error, so that a typo
// in a client is not silently dropped.
func (w *WorkType) ApplyAttributes(n *NewTicket, answers map[string]string) error {
	fe := FieldErrors{}
	known := map[string]bool{}
	var lines []string
	apartment := n.Apartment
	for _, a := range w.Attributes() {
		known[a.Code] = true
		v := strings.TrimSpace(answers[a.Code])
		field := "attribute[" + a.Code + "]"
		if v == "" {
			if a.Required {
				fe.Add(field, "Обязательный вопрос: "+a.Description+".")
			}
			continue
		}
		switch a.Datatype {
		case "number":
			f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
			if err != nil || f < a.Min || f > a.Max {
				fe.Add(field, fmt.Sprintf("%s: число от %g до %g.", a.Description, a.Min, a.Max))
				continue
			}
			lines = append(lines, fmt.Sprintf("%s: %s %s", strings.TrimSuffix(a.Description, ", "+a.Unit), strconv.FormatFloat(f, 'f', -1, 64), a.Unit))
		default:
			if utf8.RuneCountInString(v) > 200 {
				fe.Add(field, a.Description+": не длиннее 200 символов.")
				continue
			}
			if a.Code == apartmentAttribute.Code {
				apartment = v
				continue
			}
			lines = append(lines, a.Description+": "+v)
		}
	}
	for code := range answers {
		if !known[code] {
			fe.Add("attribute["+code+"]", "У вида работ «"+w.Name+"» нет такого вопроса.")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	n.Apartment = apartment
	if len(lines) > 0 {
		n.Description = strings.TrimSpace(n.Description + "\n" + strings.Join(lines, "\n"))
	}
	return nil
}

// ServiceDescription says in words what the centre promises for work type w: the
// deadline and whose norm it is.
func (w *WorkType) ServiceDescription() string {
	s := "Срок устранения: " + w.DeadlineTitle()
	if w.Emergency {
		s = "Аварийная заявка. " + s
	}
	if w.Note != "" {
		s += " (" + w.Note + ")"
	}
	return s + "."
}

// ServiceRequest is a ticket as Open311 shows it to anyone: nothing personal (no
// reporter, no apartment) and a description only where the centre published one.
type ServiceRequest struct {
	Number      string
	Status      Status
	StatusNotes string // the last note the centre or the organisation made public
	ServiceCode string
	ServiceName string
	Description string // the centre's published text; "" when none
	Agency      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DueAt       time.Time
	Address     string
	BuildingID  int64
	Geo         *GeoPoint
}

// Open311Status is the specification's two statuses: closed covers closed and
// cancelled, everything else is open.
func (s Status) Open311Status() string {
	if s == StatusClosed || s == StatusCancelled {
		return "closed"
	}
	return "open"
}
