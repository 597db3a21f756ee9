package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// formError puts a failed save's message and field messages into data and sets
// the status; errors a person cannot fix by editing the form are returned as they are.
func formError(c *fiber.Ctx, data fiber.Map, err error) error {
	switch app.ErrorCode(err) {
	case app.EINVALID, app.ECONFLICT:
	default:
		return err
	}
	formFailed(c, data, err)
	return nil
}

// formFailed puts a form's error on the page that shows the form again: the
// message, each field's message, and the status (nothing when err is nil).
func formFailed(c *fiber.Ctx, data fiber.Map, err error) {
	if err == nil {
		return
	}
	data["Error"] = app.ErrorMessage(err)
	if fe := app.ErrorFields(err); fe != nil || data["Fields"] == nil {
		data["Fields"] = fe
	}
	c.Status(httpStatus(app.ErrorCode(err)))
}

// number parses a decimal the way people type it («1,5» too); a bad one is
// reported by its field.
func number(fe app.FieldErrors, field, v string) float64 {
	v = strings.ReplaceAll(strings.TrimSpace(v), ",", ".")
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		fe.Add(field, "Ожидается число.")
	}
	return f
}

// --- users ---

func (s *Server) adminUsers(c *fiber.Ctx) error {
	return s.showUsers(c, &app.User{Role: app.RoleOperator, Locale: "ru"}, nil)
}

func (s *Server) showUsers(c *fiber.Ctx, nu *app.User, formErr error) error {
	users, err := s.Store.Users(c.UserContext())
	if err != nil {
		return err
	}
	orgs, err := s.Store.Organizations(c.UserContext(), "")
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	data := fiber.Map{"Title": "Пользователи", "Users": users, "Orgs": orgs, "OrgNames": names, "U": nu, "Roles": app.Roles, "Locales": Locales, "Section": "users"}
	if formErr != nil {
		if err := formError(c, data, formErr); err != nil {
			return err
		}
	}
	return s.render(c, "admin_users", data)
}

func userFromForm(c *fiber.Ctx) *app.User {
	return &app.User{Login: strings.TrimSpace(c.FormValue("login")), Name: c.FormValue("name"), Role: app.Role(c.FormValue("role")),
		OrganizationID: max(parseID(c.FormValue("organization_id")), 0), Phone: c.FormValue("phone"), Locale: c.FormValue("locale")}
}

func (s *Server) adminUserCreate(c *fiber.Ctx) error {
	u := userFromForm(c)
	if err := s.Store.CreateUser(c.UserContext(), u, c.FormValue("password")); err != nil {
		u.ID = 0
		return s.showUsers(c, u, err)
	}
	return c.Redirect("/admin/users?saved="+u.Login, fiber.StatusSeeOther)
}

func (s *Server) adminUser(c *fiber.Ctx) error {
	u, err := s.Store.User(c.UserContext(), parseID(c.Params("id")))
	if err != nil {
		return err
	}
	return s.showUser(c, u, nil)
}

func (s *Server) showUser(c *fiber.Ctx, u *app.User, formErr error) error {
	orgs, err := s.Store.Organizations(c.UserContext(), "")
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Пользователь " + u.Login, "U": u, "Orgs": orgs, "Roles": app.Roles, "Locales": Locales, "Section": "users", "Saved": c.Query("saved") == "1"}
	if formErr != nil {
		if err := formError(c, data, formErr); err != nil {
			return err
		}
	}
	return s.render(c, "admin_user", data)
}

func (s *Server) adminUserSave(c *fiber.Ctx) error {
	old, err := s.Store.User(c.UserContext(), parseID(c.Params("id")))
	if err != nil {
		return err
	}
	f := userFromForm(c)
	up := store.UserUpdate{Name: f.Name, Role: f.Role, OrganizationID: f.OrganizationID, Disabled: c.FormValue("disabled") == "1",
		Locale: f.Locale, Password: c.FormValue("password")}
	if me := currentUser(c); me.ID == old.ID && (up.Disabled || up.Role != app.RoleAdmin) {
		err = &app.Error{Code: app.EINVALID, Message: "Себя нельзя отключить или лишить роли администратора: это сделает другой администратор.", Fields: map[string]string{"role": "Оставьте роль «Администратор»."}}
	} else {
		err = s.Store.UpdateUser(c.UserContext(), old.ID, up)
	}
	if err != nil {
		shown := *old
		shown.Name, shown.Role, shown.OrganizationID, shown.Locale, shown.Disabled = up.Name, up.Role, up.OrganizationID, up.Locale, up.Disabled
		return s.showUser(c, &shown, err)
	}
	return c.Redirect("/admin/users/"+strconv.FormatInt(old.ID, 10)+"?saved=1", fiber.StatusSeeOther)
}

// setLocale lets any signed-in staff member choose the language of their screens.
func (s *Server) setLocale(c *fiber.Ctx) error {
	u := currentUser(c)
	loc := c.FormValue("locale")
	if loc != "ru" && loc != "en" {
		return app.Errorf(app.EINVALID, "Неизвестный язык.")
	}
	err := s.Store.UpdateUser(c.UserContext(), u.ID, store.UserUpdate{Name: u.Name, Role: u.Role, OrganizationID: u.OrganizationID, Locale: loc})
	if err != nil {
		return err
	}
	return c.Redirect(safeNext(c.FormValue("back")), fiber.StatusSeeOther)
}

// --- organisations ---

func (s *Server) adminOrgs(c *fiber.Ctx) error {
	return s.showOrgs(c, &app.Organization{Kind: app.OrgManagement}, nil)
}

func (s *Server) showOrgs(c *fiber.Ctx, o *app.Organization, formErr error) error {
	orgs, err := s.Store.Organizations(c.UserContext(), "")
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "Организации", "Orgs": orgs, "O": o, "Kinds": app.OrgKinds, "Section": "orgs"}
	if formErr != nil {
		if err := formError(c, data, formErr); err != nil {
			return err
		}
	}
	view := "admin_orgs"
	if o.ID != 0 {
		view = "admin_org"
	}
	return s.render(c, view, data)
}

func (s *Server) adminOrg(c *fiber.Ctx) error {
	o, err := s.Store.Organization(c.UserContext(), parseID(c.Params("id")))
	if err != nil {
		return err
	}
	return s.showOrgs(c, o, nil)
}

func (s *Server) adminOrgSave(c *fiber.Ctx) error {
	o := &app.Organization{Name: c.FormValue("name"), Kind: app.OrgKind(c.FormValue("kind")), INN: c.FormValue("inn"), Phone: c.FormValue("phone"), Active: true}
	if id := c.Params("id"); id != "" {
		old, err := s.Store.Organization(c.UserContext(), parseID(id))
		if err != nil {
			return err
		}
		o.ID, o.Active = old.ID, c.FormValue("active") == "1"
	}
	if err := s.Store.SaveOrganization(c.UserContext(), o); err != nil {
		return s.showOrgs(c, o, err)
	}
	return c.Redirect("/admin/orgs", fiber.StatusSeeOther)
}

// --- buildings ---

func (s *Server) adminBuildings(c *fiber.Ctx) error {
	return s.showBuildings(c, &app.Building{}, nil)
}

func (s *Server) showBuildings(c *fiber.Ctx, b *app.Building, formErr error) error {
	ctx := c.UserContext()
	orgs, err := s.Store.Organizations(ctx, "")
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.Query("q"))
	var list []app.Building
	total := 0
	if q != "" {
		list, err = s.Store.SearchBuildings(ctx, q, 50)
	} else {
		list, err = s.Store.Buildings(ctx, 0)
		total = len(list)
		if len(list) > 200 {
			list = list[:200]
		}
	}
	if err != nil {
		return err
	}
	typed := map[string]string{}
	nums := map[string]float64{"apartments": float64(b.Apartments), "area_m2": b.AreaM2, "year_built": float64(b.YearBuilt)}
	if b.Geo != nil {
		nums["lat"], nums["lon"] = b.Geo.Lat, b.Geo.Lon
	}
	for k, v := range nums {
		if v != 0 {
			typed[k] = fmt.Sprint(v)
		}
		if formErr != nil {
			typed[k] = c.FormValue(k)
		}
	}
	data := fiber.Map{"Title": "Дома", "Buildings": list, "Total": total, "Q": q, "B": b, "Typed": typed, "Orgs": orgs, "Section": "buildings"}
	if formErr != nil {
		if err := formError(c, data, formErr); err != nil {
			return err
		}
	}
	view := "admin_buildings"
	if b.ID != 0 {
		view = "admin_building"
	}
	return s.render(c, view, data)
}

func (s *Server) adminBuilding(c *fiber.Ctx) error {
	b, err := s.Store.Building(c.UserContext(), parseID(c.Params("id")))
	if err != nil {
		return err
	}
	return s.showBuildings(c, b, nil)
}

func (s *Server) adminBuildingSave(c *fiber.Ctx) error {
	fe := app.FieldErrors{}
	b := &app.Building{Address: c.FormValue("address"), OrganizationID: max(parseID(c.FormValue("organization_id")), 0),
		SupplierID: max(parseID(c.FormValue("supplier_id")), 0), LiftOrgID: max(parseID(c.FormValue("lift_org_id")), 0), AreaM2: number(fe, "area_m2", c.FormValue("area_m2"))}
	b.Apartments = int(number(fe, "apartments", c.FormValue("apartments")))
	b.YearBuilt = int(number(fe, "year_built", c.FormValue("year_built")))
	b.Geo = geoFromForm(fe, c.FormValue("lat"), c.FormValue("lon"))
	if id := c.Params("id"); id != "" {
		old, err := s.Store.Building(c.UserContext(), parseID(id))
		if err != nil {
			return err
		}
		b.ID = old.ID
	}
	if len(fe) > 0 { // say every mistake at once, not one after the other
		for f, m := range app.ErrorFields(b.Validate()) {
			fe.Add(f, m)
		}
	}
	err := fe.Err()
	if err == nil {
		err = s.Store.SaveBuilding(c.UserContext(), b)
	}
	if err != nil {
		return s.showBuildings(c, b, err)
	}
	return c.Redirect("/admin/buildings?q="+url.QueryEscape(b.Address), fiber.StatusSeeOther)
}

// geoFromForm reads a building's coordinates: both or neither.
func geoFromForm(fe app.FieldErrors, lat, lon string) *app.GeoPoint {
	if strings.TrimSpace(lat) == "" && strings.TrimSpace(lon) == "" {
		return nil
	}
	if strings.TrimSpace(lat) == "" || strings.TrimSpace(lon) == "" {
		fe.Add("lat", "Укажите и широту, и долготу (или оставьте обе пустыми).")
		return nil
	}
	p := &app.GeoPoint{Lat: number(fe, "lat", lat), Lon: number(fe, "lon", lon)}
	return p
}

// --- work types ---

func (s *Server) adminWorkTypes(c *fiber.Ctx) error {
	wts, err := s.Store.WorkTypes(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, "admin_worktypes", fiber.Map{"Title": "Виды работ", "WorkTypes": wts, "Section": "worktypes"})
}

type wtChange struct {
	store.WorkTypeChange
	When string
}

func (s *Server) adminWorkType(c *fiber.Ctx) error {
	return s.showWorkType(c, nil, nil)
}

func (s *Server) showWorkType(c *fiber.Ctx, e *store.WorkTypeEdit, formErr error) error {
	ctx := c.UserContext()
	w, err := s.Store.WorkType(ctx, c.Params("code"))
	if err != nil {
		return err
	}
	hist, err := s.Store.WorkTypeHistory(ctx, w.Code)
	if err != nil {
		return err
	}
	hv := make([]wtChange, len(hist))
	for i, h := range hist {
		hv[i] = wtChange{h, time.Unix(h.At, 0).In(s.loc(c)).Format(app.DateTimeLayout)}
	}
	if e == nil {
		e = &store.WorkTypeEdit{LocalHours: w.LocalHours, AcceptHours: w.LocalAcceptHours, RouteOverride: w.RouteOverride, LocalKeywords: w.LocalKeywords, Active: w.Active}
	}
	typed := map[string]string{"local_hours": fmt.Sprint(e.LocalHours), "accept_hours": fmt.Sprint(e.AcceptHours)}
	if formErr != nil { // the numbers exactly as typed, «abc» included
		typed["local_hours"], typed["accept_hours"] = c.FormValue("local_hours"), c.FormValue("accept_hours")
	}
	data := fiber.Map{"Title": "Вид работ " + w.Code, "W": w, "E": e, "Typed": typed, "History": hv, "Section": "worktypes", "Kinds": app.OrgKinds}
	if formErr != nil {
		if err := formError(c, data, formErr); err != nil {
			return err
		}
	}
	return s.render(c, "admin_worktype", data)
}

func (s *Server) adminWorkTypeSave(c *fiber.Ctx) error {
	fe := app.FieldErrors{}
	e := store.WorkTypeEdit{LocalHours: number(fe, "local_hours", c.FormValue("local_hours")), AcceptHours: number(fe, "accept_hours", c.FormValue("accept_hours")),
		RouteOverride: app.OrgKind(c.FormValue("route_override")), LocalKeywords: c.FormValue("local_keywords"), Active: c.FormValue("active") == "1"}
	err := fe.Err()
	if err == nil {
		err = s.Store.UpdateWorkType(c.UserContext(), c.Params("code"), e)
	}
	if err != nil {
		return s.showWorkType(c, &e, err)
	}
	return c.Redirect("/admin/work-types/"+strings.ToUpper(c.Params("code")), fiber.StatusSeeOther)
}

// --- settings ---

// settingFields are the settings the administrator edits here, in form order.
var settingFields = []struct{ Key, Title, Hint string }{
	{store.SetMunicipalityName, "Муниципалитет", "как его видят жители"},
	{store.SetMunicipalityCode, "Код муниципалитета", "2–8 латинских букв; начало номеров заявок"},
	{store.SetTimeZone, "Часовой пояс", "например Europe/Moscow"},
	{store.SetCenterName, "Название центра", ""},
	{store.SetCenterPhone, "Телефон центра", "как его знают жители, например 8 (82144) 2-00-00"},
	{store.SetAcceptHours, "Срок принятия в работу, ч", "местный норматив для неаварийных заявок; пусто — меньшее из 24 ч и половины срока устранения"},
	{store.SetColdPeriod, "Холодный период", "ДД.ММ-ДД.ММ, например 01.10-30.04: в нём действуют зимние сроки"},
	{store.SetRouteMinutes, "Срок направления центром, мин", "муниципальная норма центра"},
	{store.SetCallbackAttempts, "Попыток дозвониться", "до «Не удалось связаться», не менее чем за 2 дня"},
	{store.SetRegistryURL, "Адрес республиканского реестра", "https://…"},
	{store.SetExportEvery, "Интервал выгрузки в реестр", "например 15m"},
	{store.SetMapTiles, "Сервер подложки карты", "https://…/{z}/{x}/{y}.png; пусто — карта без подложки, без обращений в интернет"},
	{store.SetMapAttribution, "Подпись подложки карты", "например © участники OpenStreetMap"},
	{store.SetOpen311MediaHosts, "Серверы фотографий для Open311", "media_url заявок Open311 загружается только с этих серверов муниципалитета, через запятую; пусто — media_url не принимается"},
	{store.SetRetentionYears, "Срок хранения персональных данных, лет", "после закрытия заявки; затем имя, телефон, квартира и текст обезличиваются (152-ФЗ)"},
}

type settingView struct {
	Key, Title, Hint, Value, Error string
}

func (s *Server) adminSettings(c *fiber.Ctx) error {
	m, err := s.Store.Settings(c.UserContext())
	if err != nil {
		return err
	}
	return s.showSettings(c, m, nil)
}

func (s *Server) showSettings(c *fiber.Ctx, vals map[string]string, formErr error) error {
	fields := app.ErrorFields(formErr)
	list := make([]settingView, len(settingFields))
	for i, f := range settingFields {
		list[i] = settingView{Key: f.Key, Title: f.Title, Hint: f.Hint, Value: vals[f.Key], Error: fields[f.Key]}
	}
	data := fiber.Map{"Title": "Настройки", "Settings": list, "Section": "settings", "Saved": c.Query("saved") == "1"}
	if formErr != nil {
		if err := formError(c, data, formErr); err != nil {
			return err
		}
	}
	return s.render(c, "admin_settings", data)
}

func (s *Server) adminSettingsSave(c *fiber.Ctx) error {
	kv := map[string]string{}
	for _, f := range settingFields {
		kv[f.Key] = c.FormValue(f.Key)
	}
	if err := s.Store.SaveSettings(c.UserContext(), kv); err != nil {
		return s.showSettings(c, kv, err)
	}
	return c.Redirect("/admin/settings?saved=1", fiber.StatusSeeOther)
}
