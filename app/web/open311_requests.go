package web

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// --- requests ---

type o311Request struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	AddressID         int64    `json:"address_id" xml:"address_id"`
	Zipcode           string   `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat,omitempty" xml:"lat,omitempty"`
	Long              *float64 `json:"long,omitempty" xml:"long,omitempty"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
}

type o311RequestList struct {
	XMLName  xml.Name `json:"-" xml:"service_requests"`
	Requests []any    `xml:"request"`
}

func requestOf(r app.ServiceRequest, loc *time.Location) o311Request {
	out := o311Request{
		ServiceRequestID: r.Number, Status: r.Status.Open311Status(), StatusNotes: r.StatusNotes,
		ServiceName: r.ServiceName, ServiceCode: r.ServiceCode, Description: r.Description, AgencyResponsible: r.Agency,
		RequestedDatetime: app.FormatTime(r.CreatedAt, loc), UpdatedDatetime: app.FormatTime(r.UpdatedAt, loc),
		ExpectedDatetime: app.FormatTime(r.DueAt, loc), Address: r.Address, AddressID: r.BuildingID,
	}
	if r.Geo != nil {
		lat, lon := r.Geo.Lat, r.Geo.Lon
		out.Lat, out.Long = &lat, &lon
	}
	return out
}

// writeList answers a list of service requests (or of POST results, or tokens):
// a JSON array, or <service_requests><request>… in XML.
func writeList[T any](c *fiber.Ctx, status int, format string, items []T) error {
	if format == "json" {
		return o311Write(c, status, format, items)
	}
	list := o311RequestList{Requests: make([]any, len(items))}
	for i := range items {
		list.Requests[i] = items[i]
	}
	return o311Write(c, status, format, list)
}

// o311Time parses a w3c datetime (RFC 3339); a bare date is midnight in the
// municipality's time zone.
func o311Time(v string, loc *time.Location) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// o311Filter reads GET requests' parameters: service_request_id (a comma
// separated list, which overrides the rest), service_code, start_date, end_date,
// status, and the page: page_size (at most 1,000) and page. Without dates, the
// last 90 days; a range may not span more than 90 days.
func (s *Server) o311Filter(c *fiber.Ctx) (store.ServiceRequestFilter, error) {
	var f store.ServiceRequestFilter
	fe := app.FieldErrors{}
	loc := s.loc(c)
	if v := strings.TrimSpace(c.Query("service_request_id")); v != "" {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				f.Numbers = append(f.Numbers, n)
			}
		}
		if len(f.Numbers) > open311MaxResults {
			fe.Add("service_request_id", "Не больше 1000 номеров за один запрос.")
		}
		f.Limit = open311MaxResults
		return f, fe.Err()
	}
	if v := strings.TrimSpace(c.Query("service_code")); v != "" {
		if _, err := s.activeWorkType(c, v, "service_code", app.EINVALID); err != nil {
			return f, err
		}
		f.ServiceCode = v
	}
	now := s.Store.Now()
	var from, to time.Time
	if v := c.Query("start_date"); v != "" {
		t, ok := o311Time(v, loc)
		if !ok {
			fe.Add("start_date", "Дата и время в формате W3C, например 2026-11-01T00:00:00+03:00.")
		}
		from = t
	}
	if v := c.Query("end_date"); v != "" {
		t, ok := o311Time(v, loc)
		if !ok {
			fe.Add("end_date", "Дата и время в формате W3C, например 2026-11-30T00:00:00+03:00.")
		}
		to = t
	}
	switch {
	case from.IsZero() && to.IsZero():
		to, from = now, now.AddDate(0, 0, -open311MaxDays)
	case from.IsZero():
		from = to.AddDate(0, 0, -open311MaxDays)
	case to.IsZero():
		to = from.AddDate(0, 0, open311MaxDays)
	}
	if len(fe) == 0 {
		if to.Before(from) {
			fe.Add("end_date", "end_date раньше start_date.")
		} else if to.Sub(from) > open311MaxDays*24*time.Hour {
			fe.Add("end_date", "Диапазон дат — не больше 90 дней.")
		}
	}
	f.From, f.To = from, to
	if v := strings.TrimSpace(c.Query("status")); v != "" {
		open, closed := false, false
		for _, p := range strings.Split(v, ",") {
			switch strings.ToLower(strings.TrimSpace(p)) {
			case "open":
				open = true
			case "closed":
				closed = true
			default:
				fe.Add("status", "Статус — open или closed (через запятую).")
			}
		}
		if open != closed {
			f.Open = &open
		}
	}
	size, err := queryInt(c, "page_size", open311MaxResults)
	if err != nil || size < 1 || size > open311MaxResults {
		fe.Add("page_size", "page_size — от 1 до 1000.")
	}
	page, err := queryInt(c, "page", 1)
	if err != nil || page < 1 || page > 1000000 {
		fe.Add("page", "page — целое число от 1.")
	}
	f.Limit, f.Offset = int(size), int((page-1)*size)
	return f, fe.Err()
}

func (s *Server) o311Requests(c *fiber.Ctx) error {
	format, err := o311Format(c)
	if err != nil {
		return err
	}
	if err := s.o311Jurisdiction(c, c.Query("jurisdiction_id")); err != nil {
		return err
	}
	f, err := s.o311Filter(c)
	if err != nil {
		return err
	}
	list, err := s.Store.ServiceRequests(c.UserContext(), f)
	if err != nil {
		return err
	}
	loc := s.loc(c)
	out := make([]o311Request, len(list))
	for i, r := range list {
		out[i] = requestOf(r, loc)
	}
	return writeList(c, fiber.StatusOK, format, out)
}

func (s *Server) o311Request(c *fiber.Ctx) error {
	format, err := o311Format(c)
	if err != nil {
		return err
	}
	if err := s.o311Jurisdiction(c, c.Query("jurisdiction_id")); err != nil {
		return err
	}
	id := c.Params("id")
	list, err := s.Store.ServiceRequests(c.UserContext(), store.ServiceRequestFilter{Numbers: []string{id}, Limit: 1})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return app.Errorf(app.ENOTFOUND, "Заявка %s не найдена.", id)
	}
	return writeList(c, fiber.StatusOK, format, []o311Request{requestOf(list[0], s.loc(c))})
}

type o311Token struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	Token            string   `json:"token" xml:"token"`
}

func (s *Server) o311Token(c *fiber.Ctx) error {
	format, err := o311Format(c)
	if err != nil {
		return err
	}
	if err := s.o311Jurisdiction(c, c.Query("jurisdiction_id")); err != nil {
		return err
	}
	token := c.Params("token")
	number, err := s.Store.ServiceRequestByToken(c.UserContext(), token)
	if err != nil {
		return err
	}
	return writeList(c, fiber.StatusOK, format, []o311Token{{ServiceRequestID: number, Token: token}})
}
