package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// render fills the data every page needs (who is signed in, the CSRF token, the
// municipality) and renders view in the main layout.
func (s *Server) render(c *fiber.Ctx, view string, data fiber.Map) error {
	return s.renderAs(c, view, data, false)
}

// renderPartial renders view without the layout: a fragment htmx swaps into a page.
func (s *Server) renderPartial(c *fiber.Ctx, view string, data fiber.Map) error {
	return s.renderAs(c, view, data, true)
}

func (s *Server) renderAs(c *fiber.Ctx, view string, data fiber.Map, partial bool) error {
	if data == nil {
		data = fiber.Map{}
	}
	m := s.Store.Municipality(c.UserContext())
	data["Municipality"] = m.Name
	data["Center"] = s.Store.Setting(c.UserContext(), store.SetCenterName)
	// The centre's phone as residents know it and as the administrator wrote it
	// («8 (82144) 2-00-00»): the phone library would group a five-digit area code
	// as «8 (821) 442-00-00». Links dial the number in E.164.
	centerPhone := s.Store.Setting(c.UserContext(), store.SetCenterPhone)
	data["CenterPhone"] = centerPhone
	if tel, err := app.NormalizePhone(centerPhone); err == nil {
		data["CenterTel"] = tel
	}
	data["User"] = currentUser(c)
	data["Version"] = s.cfg.Version
	data["L"] = s.lang(c)
	if sess := session(c); sess != nil {
		data["CSRF"] = sess.CSRF
	} else {
		data["CSRF"] = s.preCSRF(c)
	}
	if _, ok := data["Title"]; !ok {
		data["Title"] = data["Center"]
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if partial {
		return c.Render(view, data, "")
	}
	return c.Render(view, data)
}

// preCSRF gives an anonymous visitor a CSRF token in a cookie, for the sign-in form.
func (s *Server) preCSRF(c *fiber.Ctx) string {
	if v := c.Cookies("ecoz_csrf"); v != "" {
		return v
	}
	b := make([]byte, 24)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: "ecoz_csrf", Value: v, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https"})
	return v
}

func (s *Server) pageHome(c *fiber.Ctx) error {
	if u := currentUser(c); u != nil && u.Role != app.RoleResident {
		return c.Redirect("/work/")
	}
	return s.portalHome(c)
}

func (s *Server) pageLogin(c *fiber.Ctx) error {
	return s.render(c, "login", fiber.Map{"Title": "Вход", "Next": safeNext(c.Query("next"))})
}

// safeNext keeps a redirect after sign-in on this site: a local path with one
// leading slash, or "/". Browsers read "//host" and "/\\host" as another site,
// and drop tabs and line breaks before reading, so a control character, a
// backslash or a second slash at the start is refused, and so is anything a URL
// parser sees a scheme or a host in.
func safeNext(n string) string {
	if len(n) < 1 || n[0] != '/' || len(n) > 1 && (n[1] == '/' || n[1] == '\\') {
		return "/"
	}
	for _, r := range n {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	if u, err := url.Parse(n); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return n
}

func (s *Server) pageLoginPost(c *fiber.Ctx) error {
	login, next := strings.TrimSpace(c.FormValue("login")), safeNext(c.FormValue("next"))
	u, err := s.login(c, login, c.FormValue("password"))
	if err != nil {
		if code := app.ErrorCode(err); code != app.EUNAUTHORIZED && code != app.ERATELIMITED {
			return err
		}
		c.Status(httpStatus(app.ErrorCode(err)))
		return s.render(c, "login", fiber.Map{"Title": "Вход", "Error": app.ErrorMessage(err), "Login": login, "Next": next})
	}
	sess, err := s.Store.CreateSession(c.UserContext(), u, "web", webSessionTTL)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https", MaxAge: int(webSessionTTL.Seconds())})
	if next == "/" && u.Role != app.RoleResident {
		next = "/work/"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (s *Server) pageLogout(c *fiber.Ctx) error {
	if tok := c.Cookies(sessionCookie); tok != "" {
		if err := s.Store.DeleteSession(c.UserContext(), tok); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(1, 0), HTTPOnly: true})
	return c.Redirect("/", fiber.StatusSeeOther)
}

// queue is one tab of the workspace.
type queue struct {
	Key, Title string
	Filter     store.TicketFilter
	Count      int
}

func queuesFor(u *app.User) []queue {
	switch u.Role {
	case app.RoleOrg:
		return []queue{
			{Key: "incoming", Title: "Входящие", Filter: store.TicketFilter{Statuses: []app.Status{app.StatusRouted}}},
			{Key: "work", Title: "В работе", Filter: store.TicketFilter{Statuses: []app.Status{app.StatusAccepted}}},
			{Key: "reopened", Title: "Открыты повторно", Filter: store.TicketFilter{Statuses: []app.Status{app.StatusReopened}}},
			{Key: "overdue", Title: "Просрочены", Filter: store.TicketFilter{Overdue: true}},
			{Key: "done", Title: "Ждут подтверждения", Filter: store.TicketFilter{Statuses: []app.Status{app.StatusDone}}},
		}
	}
	return []queue{
		{Key: "new", Title: "Новые", Filter: store.TicketFilter{Statuses: []app.Status{app.StatusNew}}},
		{Key: "routed", Title: "Ждут принятия", Filter: store.TicketFilter{Statuses: []app.Status{app.StatusRouted}}},
		{Key: "overdue", Title: "Просрочены", Filter: store.TicketFilter{Overdue: true}},
		{Key: "work", Title: "В работе", Filter: store.TicketFilter{Statuses: []app.Status{app.StatusAccepted}}},
		{Key: "done", Title: "Обзвон", Filter: store.TicketFilter{CallbackDue: true}},
		{Key: "reopened", Title: "Открыты повторно", Filter: store.TicketFilter{Statuses: []app.Status{app.StatusReopened}}},
		{Key: "unreached", Title: "Не удалось связаться", Filter: store.TicketFilter{CallbackFailed: true}},
	}
}

// row is a ticket as a list shows it.
type row struct {
	*app.Ticket
	// The ticket's fields a list shows on every row, copied: html/template finds a
	// field of an embedded struct by a breadth-first search through reflection, on
	// every row and every use (a quarter of a queue page's rendering on a million
	// tickets), and a field of row itself at once. They shadow the ticket's own.
	Number, Address, Apartment, OrgName, ReporterPhone string
	WorkType                                           app.WorkType
	Status                                             app.Status
	ReopenCount, CallAttempts                          int
	Version                                            int64

	Overdue         bool
	AcceptOverdue   bool
	LocalizeOverdue bool
	Created, Due    string
	// Clock is the nearest unmet clock of open work, for the queues' live
	// countdown: what it is («локализовать», «принять», «устранить»), when, and
	// as the page first shows it («локализовать: 12 мин»).
	Clock, ClockLeft string // the clock's name; the time left (or past it), «12 мин»
	ClockAt          int64  // unix seconds; 0: none
	ClockOver        bool
	callbackView
}

func (s *Server) rows(c *fiber.Ctx, list []*app.Ticket) []row {
	loc, now, u := s.loc(c), s.Store.Now(), currentUser(c)
	out := make([]row, len(list))
	for i, t := range list {
		out[i] = row{Ticket: t, Number: t.Number, Address: t.Address, Apartment: t.Apartment, OrgName: t.OrgName, ReporterPhone: t.ReporterPhone,
			WorkType: t.WorkType, Status: t.Status, ReopenCount: t.ReopenCount, CallAttempts: t.CallAttempts, Version: t.Version,
			Overdue: t.Overdue(now), AcceptOverdue: t.AcceptOverdue(now), LocalizeOverdue: t.LocalizeOverdue(now),
			Created: t.CreatedAt.In(loc).Format("02.01 15:04"), Due: shortTime(t.DueAt, loc),
			callbackView: newCallbackView(t, u, loc, now)}
		if k, at := t.NextClock(); k != "" {
			out[i].Clock, out[i].ClockAt, out[i].ClockLeft, out[i].ClockOver = k, at.Unix(), app.HumanDuration(at.Sub(now)), !now.Before(at)
		}
	}
	return out
}

func (s *Server) pageWork(c *fiber.Ctx) error {
	u := currentUser(c)
	qs := queuesFor(u)
	cur := c.Query("q", qs[0].Key)
	var active *queue
	for i := range qs {
		n, err := s.Store.CountTickets(c.UserContext(), qs[i].Filter)
		if err != nil {
			return err
		}
		qs[i].Count = n
		if qs[i].Key == cur {
			active = &qs[i]
		}
	}
	if active == nil {
		active = &qs[0]
	}
	qf, err := readQueueFilter(c, u)
	if err != nil {
		return err
	}
	f := qf.apply(active.Filter)
	f.Limit, f.After = 50, c.Query("after")
	list, next, err := s.Store.Tickets(c.UserContext(), f)
	if err != nil {
		return err
	}
	ems, err := s.Store.OpenEmergencies(c.UserContext(), 20)
	if err != nil {
		return err
	}
	// The counts beside each filter choice read every ticket of the tab: they are
	// computed for whoever filters or asks for them, not on every self-refresh.
	counts := qf.any() || c.Query("counts") == "1"
	facets, err := s.queueFacets(c, active.Filter, counts)
	if err != nil {
		return err
	}
	shown := active.Count
	if qf.any() {
		if shown, err = s.Store.CountTickets(c.UserContext(), f); err != nil {
			return err
		}
	}
	var orgs []*app.Organization
	if u.Role != app.RoleOrg {
		if orgs, err = s.Store.Organizations(c.UserContext(), ""); err != nil {
			return err
		}
	}
	self := "/work/?q=" + active.Key + qf.query()
	if counts && !qf.any() {
		self += "&counts=1"
	}
	data := fiber.Map{"Title": "Рабочее место", "Queues": qs, "Active": active.Key, "Rows": s.rows(c, list), "Next": next,
		"After": c.Query("after"), "Back": self, "Self": self, "QF": qf, "Facets": facets, "Counts": counts, "Shown": shown, "Orgs": orgs,
		"Emergencies": s.rows(c, ems), "ServerNow": s.Store.Now().Unix()}
	if c.Get("HX-Request") == "true" {
		return s.renderPartial(c, "partials/queue", data)
	}
	return s.render(c, "work", data)
}

type eventView struct {
	app.Event
	When string
}

func (s *Server) pageTicket(c *fiber.Ctx) error {
	return s.showTicket(c, "ticket", nil, actForm{})
}

// pageCall is the confirmation call's screen of a ticket.
func (s *Server) pageCall(c *fiber.Ctx) error {
	return s.showTicket(c, "call", nil, actForm{})
}

// shortTime writes t in loc for a list; «—» for none (a hand-off ticket).
func shortTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("02.01 15:04")
}

// fullTime writes t in loc for a ticket page; "" for none.
func fullTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(app.DateTimeLayout)
}

// normNotes say which norm set a ticket's deadlines: «1 сут, зимний период»,
// «12 ч», «30 мин (срок локализации)», «3 сут (местный норматив)».
type normNotes struct{ Due, Accept, Handoff string }

// ticketNorms works out, from the work type and the municipality's norms, which
// norm applied when t was registered. A later edit of a local norm is not shown
// for old tickets' sake: the deadlines themselves never move.
func (s *Server) ticketNorms(c *fiber.Ctx, t *app.Ticket) normNotes {
	w, err := s.Store.WorkType(c.UserContext(), t.WorkType.Code)
	if err != nil {
		return normNotes{}
	}
	w.Resolve(t.CreatedAt, s.Store.Norms(c.UserContext()))
	return normNotes{Due: w.DeadlineTitle(), Accept: w.AcceptTitle(), Handoff: w.Handoff}
}

// actForm is what a person typed into an action's form, kept for a re-render.
type actForm struct {
	Action         app.Action
	Note, Executor string
	Parent, Back   string
	OrganizationID int64
	RetryAt        string
}

func (s *Server) showTicket(c *fiber.Ctx, view string, formErr error, f actForm) error {
	t, err := s.Store.Ticket(c.UserContext(), c.Params("number"))
	if err != nil {
		return err
	}
	evs, err := s.Store.Events(c.UserContext(), t.Number)
	if err != nil {
		return err
	}
	loc := s.loc(c)
	views := make([]eventView, len(evs))
	for i, e := range evs {
		views[i] = eventView{e, e.At.In(loc).Format(app.DateTimeLayout)}
	}
	var orgs []*app.Organization
	if u := currentUser(c); u.Role == app.RoleOperator || u.Role == app.RoleSupervisor {
		if orgs, err = s.Store.Organizations(c.UserContext(), ""); err != nil {
			return err
		}
	}
	created, err := s.created(c, t)
	if err != nil {
		return err
	}
	if created != nil { // where it went, when not where its work type asks: the operator tells the caller
		for _, e := range evs {
			if e.Action == app.ActionRoute && e.Note != "" && t.WorkType.Handoff == "" {
				created.RouteWhy = e.Note
			}
		}
	}
	reportPhotos, donePhotos, err := s.photoViews(c, t.Number)
	if err != nil {
		return err
	}
	u := currentUser(c)
	application, err := s.Store.TicketApplication(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	publicText, err := s.Store.PublicText(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	data := fiber.Map{
		"Application": application, "PublicText": publicText, "CanPublish": u.Role == app.RoleOperator || u.Role == app.RoleSupervisor,
		"ReportPhotos": reportPhotos, "DonePhotos": donePhotos,
		"CanAttach": u.Can(app.PermPhotos) && !t.Status.Final(),
		"Title":     "Заявка " + t.Number, "T": s.rows(c, []*app.Ticket{t})[0], "Events": views,
		"Actions": app.Allowed(currentUser(c), t), "Orgs": orgs, "Form": f, "Created": created,
		"AcceptDue": fullTime(t.AcceptDueAt, loc), "DueFull": fullTime(t.DueAt, loc),
		"Norms": s.ticketNorms(c, t), "LocalizeDue": fullTime(t.LocalizeDueAt, loc), "LocalizedAt": fullTime(t.LocalizedAt, loc),
	}
	formFailed(c, data, formErr)
	return s.render(c, view, data)
}

func (s *Server) pageTicketAct(c *fiber.Ctx) error {
	number, action := c.Params("number"), app.Action(c.Params("action"))
	if app.FindTransition(action) == nil {
		return app.Errorf(app.ENOTFOUND, "Неизвестное действие.")
	}
	f := actForm{Action: action, Note: c.FormValue("note"), Executor: strings.TrimSpace(c.FormValue("executor")),
		Parent: c.FormValue("parent"), Back: c.FormValue("back")}
	in := store.ActInput{Note: f.Note, Parent: f.Parent, Public: c.FormValue("public") == "1"}
	if v := c.FormValue("organization_id"); v != "" {
		in.OrganizationID = parseID(v)
		f.OrganizationID = in.OrganizationID
	}
	if v := c.FormValue("version"); v != "" {
		in.Version = parseID(v)
	}
	view := "ticket"
	if c.FormValue("screen") == "call" {
		view = "call"
	}
	// The web form of «done» asks who did the work: the centre calls the resident
	// back and the organisation answers for its executor.
	var err error
	in.RetryAt, err = parseRetryAt(c.FormValue("retry_at"), s.loc(c))
	f.RetryAt = c.FormValue("retry_at")
	if err == nil && action == app.ActionDone && c.Request().PostArgs().Has("executor") {
		if f.Executor == "" {
			err = &app.Error{Code: app.EINVALID, Message: "Укажите исполнителя работ.", Fields: map[string]string{"executor": "Кто выполнил работу (ФИО или бригада)."}}
		} else {
			in.Note = strings.TrimSpace("Исполнитель: " + f.Executor + ". " + strings.TrimSpace(f.Note))
		}
	}
	if err == nil {
		_, err = s.Store.Act(c.UserContext(), number, action, in)
	}
	if err != nil {
		switch app.ErrorCode(err) {
		case app.EINVALID, app.ECONFLICT, app.EFORBIDDEN:
			return s.showTicket(c, view, err, f)
		}
		return err
	}
	if back := safeNext(f.Back); f.Back != "" && back != "/" {
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	return c.Redirect("/work/tickets/"+strings.ToUpper(number), fiber.StatusSeeOther)
}

func parseID(s string) int64 {
	var n int64
	for _, r := range strings.TrimSpace(s) {
		if r < '0' || r > '9' {
			return -1
		}
		n = n*10 + int64(r-'0')
		if n > 1<<50 {
			return -1
		}
	}
	return n
}
