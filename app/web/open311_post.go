package web

import (
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/photo"
	"github.com/gofiber/fiber/v2"
)

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
	// The photo last: everything that can be refused without the network is.
	var atts []*app.Attachment
	undo := func() {}
	if raw := strings.TrimSpace(p["media_url"]); raw != "" {
		ph, err := s.o311Media(ctx, raw)
		if err != nil {
			return err
		}
		if atts, undo, err = s.savePhotos([]*photo.Photo{ph}); err != nil {
			return err
		}
	}
	t, token, err := s.Store.FileViaApp(ctx, key, n, p["email"], atts)
	if err != nil {
		undo()
		return o311Fields(err)
	}
	notice := "Заявка " + t.Number + " зарегистрирована"
	if t.OrgName != "" {
		notice += " и направлена в " + t.OrgName
	}
	notice += "; срок устранения — до " + t.DueAt.In(s.loc(c)).Format(app.DateTimeLayout) + "."
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
