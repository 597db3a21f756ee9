package web

import (
	"encoding/xml"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/), under /open311/v2/:
// the open standard civic apps use to file and read service requests. Every
// resource comes as .json and .xml; errors are the specification's list of
// {code, description}. Nothing personal is ever returned. See docs/open311.md.

const (
	open311Spec = "http://wiki.open311.org/GeoReport_v2"
	// open311Changeset is when this implementation of the specification last
	// changed, for discovery's changeset.
	open311Changeset = "2026-11-30T00:00:00Z"
	// open311MaxDays and open311MaxResults are the specification's recommended
	// defaults, which are also our ceilings.
	open311MaxDays    = 90
	open311MaxResults = 1000
)

func (s *Server) open311Routes() {
	g := s.App.Group("/open311/v2", func(c *fiber.Ctx) error {
		// What GET returns is public, so a third party's web page may read it
		// from the browser; POST needs a key, which belongs on a server.
		if c.Method() == fiber.MethodGet {
			c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
		}
		return c.Next()
	})
	g.Get("/discovery.:format", s.o311Discovery)
	g.Get("/services.:format", s.o311Services)
	g.Get("/services/:code.:format", s.o311Service)
	g.Get("/requests.:format", s.o311Requests)
	g.Post("/requests.:format", s.o311Post)
	g.Get("/requests/:id.:format", s.o311Request)
	g.Get("/tokens/:token.:format", s.o311Token)
}

// o311Format is the response format named by the path's extension: json or xml.
func o311Format(c *fiber.Ctx) (string, error) {
	switch f := strings.ToLower(c.Params("format")); f {
	case "json", "xml":
		return f, nil
	}
	return "", app.Errorf(app.ENOTFOUND, "Формат «%s» не поддерживается: .json или .xml.", c.Params("format"))
}

// o311PathFormat guesses the format of a failed request from its path, for the
// error response.
func o311PathFormat(path string) string {
	if strings.HasSuffix(strings.ToLower(path), ".xml") {
		return "xml"
	}
	return "json"
}

// o311Write answers v as JSON, or as XML wrapped in the element root with each
// item named item (the specification's <services><service>…, <service_requests>
// <request>…).
func o311Write(c *fiber.Ctx, status int, format string, v any) error {
	if format == "json" {
		return writeJSON(c, status, v)
	}
	b, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, "text/xml; charset=utf-8")
	return c.Send(append([]byte(xml.Header), b...))
}

type o311Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

type o311Errors struct {
	XMLName xml.Name    `json:"-" xml:"errors"`
	Errors  []o311Error `xml:"error"`
}

// open311Error answers err as the specification's error list: one entry for each
// field at fault, or one for the whole request.
func (s *Server) open311Error(c *fiber.Ctx, status int, err error) error {
	var list []o311Error
	fields := app.ErrorFields(err)
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		list = append(list, o311Error{Code: status, Description: f + ": " + fields[f]})
	}
	if len(list) == 0 {
		list = []o311Error{{Code: status, Description: app.ErrorMessage(err)}}
	}
	format := o311PathFormat(c.Path())
	if format == "json" {
		return o311Write(c, status, format, list)
	}
	return o311Write(c, status, format, o311Errors{Errors: list})
}

// o311Jurisdiction checks the optional jurisdiction_id: this server is one
// municipality, named by its code.
func (s *Server) o311Jurisdiction(c *fiber.Ctx, v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	code := s.Store.Setting(c.UserContext(), store.SetMunicipalityCode)
	if !strings.EqualFold(v, code) {
		return &app.Error{Code: app.ENOTFOUND, Message: "jurisdiction_id «" + v + "» не найден: этот сервер — муниципалитет " + code + ".", Fields: map[string]string{"jurisdiction_id": "Этот сервер обслуживает только " + code + "."}}
	}
	return nil
}

// --- discovery ---

type o311Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

type o311Discovery struct {
	XMLName    xml.Name       `json:"-" xml:"discovery"`
	Changeset  string         `json:"changeset" xml:"changeset"`
	Contact    string         `json:"contact" xml:"contact"`
	KeyService string         `json:"key_service" xml:"key_service"`
	Endpoints  []o311Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

func (s *Server) o311Discovery(c *fiber.Ctx) error {
	format, err := o311Format(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	center, phone := s.Store.Setting(ctx, store.SetCenterName), s.Store.Setting(ctx, store.SetCenterPhone)
	contact := center
	if phone != "" {
		contact += ", телефон " + phone
	}
	return o311Write(c, fiber.StatusOK, format, o311Discovery{
		Changeset:  open311Changeset,
		Contact:    contact,
		KeyService: "Ключ для приложения выдаёт администратор центра «" + center + "»: обратитесь в центр.",
		Endpoints: []o311Endpoint{{
			Specification: open311Spec, URL: c.BaseURL() + "/open311/v2", Changeset: open311Changeset,
			Type: "production", Formats: []string{"text/xml", "application/json"},
		}},
	})
}

// --- services ---

type o311Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

type o311ServiceList struct {
	XMLName  xml.Name      `json:"-" xml:"services"`
	Services []o311Service `xml:"service"`
}

func serviceOf(w *app.WorkType) o311Service {
	var kw []string
	for _, k := range strings.Split(w.Keywords, ";") {
		if k = strings.TrimSpace(k); k != "" {
			kw = append(kw, k)
		}
	}
	return o311Service{
		ServiceCode: w.Code, ServiceName: w.Name, Description: w.ServiceDescription(),
		Metadata: len(w.Attributes()) > 0, Type: "realtime", Keywords: strings.Join(kw, ", "), Group: w.Category,
	}
}

func (s *Server) o311Services(c *fiber.Ctx) error {
	format, err := o311Format(c)
	if err != nil {
		return err
	}
	if err := s.o311Jurisdiction(c, c.Query("jurisdiction_id")); err != nil {
		return err
	}
	list, err := s.Store.WorkTypes(c.UserContext())
	if err != nil {
		return err
	}
	out := o311ServiceList{Services: []o311Service{}}
	for _, w := range list {
		if w.Active {
			out.Services = append(out.Services, serviceOf(w))
		}
	}
	if format == "json" {
		return o311Write(c, fiber.StatusOK, format, out.Services)
	}
	return o311Write(c, fiber.StatusOK, format, out)
}

type o311Attribute struct {
	Variable            bool   `json:"variable" xml:"variable"`
	Code                string `json:"code" xml:"code"`
	Datatype            string `json:"datatype" xml:"datatype"`
	Required            bool   `json:"required" xml:"required"`
	DatatypeDescription string `json:"datatype_description" xml:"datatype_description"`
	Order               int    `json:"order" xml:"order"`
	Description         string `json:"description" xml:"description"`
}

type o311Definition struct {
	XMLName     xml.Name        `json:"-" xml:"service_definition"`
	ServiceCode string          `json:"service_code" xml:"service_code"`
	Attributes  []o311Attribute `json:"attributes" xml:"attributes>attribute"`
}

// activeWorkType returns the active work type code, or ENOTFOUND naming field.
func (s *Server) activeWorkType(c *fiber.Ctx, code, field string, status string) (*app.WorkType, error) {
	w, err := s.Store.WorkType(c.UserContext(), strings.ToUpper(strings.TrimSpace(code)))
	if app.ErrorCode(err) == app.ENOTFOUND || (err == nil && !w.Active) {
		return nil, &app.Error{Code: status, Message: "Неизвестный service_code «" + code + "».", Fields: map[string]string{field: "Неизвестный вид работ «" + code + "»; список — services.json."}}
	}
	return w, err
}

func (s *Server) o311Service(c *fiber.Ctx) error {
	format, err := o311Format(c)
	if err != nil {
		return err
	}
	if err := s.o311Jurisdiction(c, c.Query("jurisdiction_id")); err != nil {
		return err
	}
	w, err := s.activeWorkType(c, c.Params("code"), "service_code", app.ENOTFOUND)
	if err != nil {
		return err
	}
	def := o311Definition{ServiceCode: w.Code, Attributes: []o311Attribute{}}
	for _, a := range w.Attributes() {
		dd := ""
		if a.Datatype == "number" {
			dd = "Число от " + strconv.FormatFloat(a.Min, 'f', -1, 64) + " до " + strconv.FormatFloat(a.Max, 'f', -1, 64) + " (" + a.Unit + ")"
		}
		def.Attributes = append(def.Attributes, o311Attribute{Variable: true, Code: a.Code, Datatype: a.Datatype, Required: a.Required,
			DatatypeDescription: dd, Order: a.Order, Description: a.Description})
	}
	return o311Write(c, fiber.StatusOK, format, def)
}

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

// --- POST requests ---

type o311Created struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	Token            string   `json:"token" xml:"token"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        *string  `json:"account_id" xml:"-"` // null: ecoz has no accounts for apps' users
	AccountIDXML     string   `json:"-" xml:"account_id"` // <account_id/>, as the specification's example
}

// keyLimiter counts the requests each API key filed in the current minute.
type keyLimiter struct {
	mu     sync.Mutex
	minute int64
	counts map[int64]int
}

// allow records one request of key k at now, unless k used up its limit.
func (l *keyLimiter) allow(k *app.APIKey, now time.Time) bool {
	if k.RateLimit <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := now.Unix() / 60; m != l.minute || l.counts == nil {
		l.minute, l.counts = m, map[int64]int{}
	}
	if l.counts[k.ID] >= k.RateLimit {
		return false
	}
	l.counts[k.ID]++
	return true
}

// o311Form reads the POST's parameters (form-encoded, as the specification says,
// or multipart) into a map, the attribute[CODE] answers apart.
func o311Form(c *fiber.Ctx) (map[string]string, map[string]string, error) {
	params, attrs := map[string]string{}, map[string]string{}
	put := func(k, v string) {
		if strings.HasPrefix(k, "attribute[") && strings.HasSuffix(k, "]") {
			attrs[strings.TrimSuffix(strings.TrimPrefix(k, "attribute["), "]")] = v
			return
		}
		params[k] = v
	}
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		form, err := c.MultipartForm()
		if err != nil {
			return nil, nil, app.Errorf(app.EINVALID, "Неверная форма запроса.")
		}
		if len(form.File) > 0 {
			return nil, nil, &app.Error{Code: app.EINVALID, Message: "Файлы не принимаются.", Fields: map[string]string{"media": "Фотографии принимаются на портале жителя, не через Open311."}}
		}
		for k, v := range form.Value {
			if len(v) > 0 {
				put(k, v[0])
			}
		}
		return params, attrs, nil
	}
	vals, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		return nil, nil, app.Errorf(app.EINVALID, "Неверная форма запроса: ожидается application/x-www-form-urlencoded.")
	}
	for k, v := range vals {
		put(k, v[0])
	}
	return params, attrs, nil
}

func (s *Server) o311Post(c *fiber.Ctx) error {
	format, err := o311Format(c)
	if err != nil {
		return err
	}
	if len(c.Body()) > MaxJSONBody {
		return app.Errorf(app.ETOOLARGE, "Слишком большой запрос: не больше %d КБ.", MaxJSONBody>>10)
	}
	p, attrs, err := o311Form(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	key, err := s.Store.APIKeyFor(ctx, p["api_key"])
	if err != nil {
		return err
	}
	if err := s.o311Jurisdiction(c, p["jurisdiction_id"]); err != nil {
		return err
	}
	if !s.o311Limit.allow(key, s.Store.Now()) {
		return app.Errorf(app.ERATELIMITED, "Приложение «%s» исчерпало свой лимит: %d заявок в минуту.", key.Name, key.RateLimit)
	}
	if strings.TrimSpace(p["media_url"]) != "" {
		// Fetching a URL a client names would make this server fetch anything on
		// the internet (or the office network) on request; photos come through the
		// residents' portal, where they are checked and stripped of their metadata.
		return &app.Error{Code: app.EINVALID, Message: "media_url не принимается.", Fields: map[string]string{"media_url": "Фотографии не принимаются по ссылке; житель может приложить их на портале."}}
	}
	wt, err := s.activeWorkType(c, p["service_code"], "service_code", app.EINVALID)
	if err != nil {
		return err
	}
	b, err := s.o311Building(c, p)
	if err != nil {
		return err
	}
	n := app.NewTicket{
		BuildingID: b.ID, WorkType: wt.Code, Description: strings.TrimSpace(p["description"]),
		ReporterName: strings.TrimSpace(p["first_name"] + " " + p["last_name"]), ReporterPhone: p["phone"],
	}
	if err := wt.ApplyAttributes(&n, attrs); err != nil {
		return err
	}
	if n.Description == "" {
		n.Description = wt.Name
	}
	if strings.TrimSpace(n.ReporterPhone) == "" {
		return &app.Error{Code: app.EINVALID, Message: "Нужен телефон заявителя.", Fields: map[string]string{"phone": "Укажите телефон: центр звонит жителю, чтобы подтвердить выполнение работ."}}
	}
	t, token, err := s.Store.FileViaApp(ctx, key, n, p["email"])
	if err != nil {
		return o311Fields(err)
	}
	notice := "Заявка " + t.Number + " зарегистрирована"
	if t.OrgName != "" {
		notice += " и направлена в " + t.OrgName
	}
	notice += "; срок устранения — до " + t.DueAt.In(s.loc(c)).Format("02.01.2006 15:04") + "."
	c.Set(fiber.HeaderLocation, "/open311/v2/requests/"+t.Number+"."+format)
	return writeList(c, fiber.StatusCreated, format, []o311Created{{ServiceRequestID: t.Number, Token: token, ServiceNotice: notice}})
}

// o311Fields renames the fields of the native API's errors to Open311's
// parameters, so that a client knows which of its own parameters is at fault.
func o311Fields(err error) error {
	f := app.ErrorFields(err)
	if len(f) == 0 {
		return err
	}
	names := map[string]string{"reporter_phone": "phone", "reporter_name": "first_name", "building_id": "address_id", "work_type": "service_code", "description": "description", "apartment": "attribute[apartment]"}
	out := map[string]string{}
	for k, v := range f {
		if n, ok := names[k]; ok {
			k = n
		}
		out[k] = v
	}
	return &app.Error{Code: app.ErrorCode(err), Message: app.ErrorMessage(err), Fields: out}
}

// o311Building finds the building a POST is about: by address_id, by lat/long
// (the nearest building within 50 m, inside the municipality), or by
// address_string (one building must match).
func (s *Server) o311Building(c *fiber.Ctx, p map[string]string) (app.Building, error) {
	ctx := c.UserContext()
	bad := func(field, msg string) (app.Building, error) {
		return app.Building{}, &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
	}
	if v := strings.TrimSpace(p["address_id"]); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return bad("address_id", "address_id — номер дома из списка адресов (число).")
		}
		b, err := s.Store.Building(ctx, id)
		if app.ErrorCode(err) == app.ENOTFOUND {
			return bad("address_id", "Дом с address_id "+v+" не найден.")
		} else if err != nil {
			return app.Building{}, err
		}
		return *b, nil
	}
	latS, lonS := strings.TrimSpace(p["lat"]), strings.TrimSpace(p["long"])
	if latS != "" || lonS != "" {
		lat, err1 := strconv.ParseFloat(latS, 64)
		lon, err2 := strconv.ParseFloat(lonS, 64)
		pt := app.GeoPoint{Lat: lat, Lon: lon}
		if err1 != nil || err2 != nil || !pt.Valid() {
			return bad("lat", "lat и long — широта и долгота в градусах WGS 84, например 65.9936 и 57.5293.")
		}
		all, err := s.Store.Buildings(ctx, 0)
		if err != nil {
			return app.Building{}, err
		}
		if !app.BoundsOf(all, app.MunicipalityMarginMeters).Contains(pt) {
			return bad("lat", "Точка "+latS+", "+lonS+" — за пределами муниципалитета.")
		}
		b, d, ok := app.NearestBuilding(all, pt)
		if !ok || d > app.NearestBuildingMeters {
			msg := "В пределах 50 м от точки нет многоквартирного дома, который обслуживает центр"
			if ok {
				msg += " (ближайший — " + b.Address + ", в " + strconv.Itoa(int(d+0.5)) + " м)"
			}
			return bad("lat", msg+"; укажите address_id или address_string.")
		}
		return b, nil
	}
	if v := strings.TrimSpace(p["address_string"]); v != "" {
		hits, err := s.Store.SearchBuildings(ctx, v, 2)
		if err != nil {
			return app.Building{}, err
		}
		switch {
		case len(hits) == 0:
			return bad("address_string", "Адрес «"+v+"» не найден среди домов, которые обслуживает центр.")
		case len(hits) == 1 || app.AddressKey(hits[0].Address) == app.AddressKey(v):
			return hits[0], nil
		}
		return bad("address_string", "Адрес «"+v+"» неоднозначен: например, «"+hits[0].Address+"» и «"+hits[1].Address+"»; уточните номер дома или укажите address_id.")
	}
	return bad("lat", "Укажите место: lat и long, address_string или address_id.")
}
