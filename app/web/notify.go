package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/notify"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// Notifications (#16): the resident's yes/no link and «stop», the resident's
// choice of channel, and the administrator's channels, duty contacts, outbox and
// message templates.

// logPath is the path as the request log shows it: a link's token answers for
// the resident, so whoever reads the log must not be able to use it.
func logPath(p string) string {
	if strings.HasPrefix(p, "/n/stop/") {
		return "/n/stop/…"
	}
	if strings.HasPrefix(p, "/n/") {
		return "/n/…"
	}
	return p
}

// linkTicket checks the token of a link and returns its ticket; a bad or expired
// token, or a ticket no longer waiting for this answer, is a page that says so.
func (s *Server) linkTicket(c *fiber.Ctx, stop bool) (*app.Ticket, notify.Token, error) {
	ctx := c.UserContext()
	secret, err := notify.Secret(ctx, s.Store)
	if err != nil {
		return nil, notify.Token{}, err
	}
	tok, err := notify.ParseToken(secret, c.Params("token"), s.Store.Now())
	if err == nil && stop != (tok.DoneAt == 0) {
		err = notify.ErrTokenBad
	}
	switch {
	case errors.Is(err, notify.ErrTokenExpired):
		return nil, tok, linkPage(c, s, fiber.StatusGone, "Срок действия ссылки истёк", "Ссылка действует 14 дней. Позвоните в единый центр, и оператор запишет ваш ответ.")
	case err != nil:
		return nil, tok, linkPage(c, s, fiber.StatusBadRequest, "Ссылка не работает", "Ссылка повреждена или неполна. Откройте её из сообщения целиком или позвоните в единый центр.")
	}
	t, err := s.Store.NotifyTicket(ctx, tok.TicketID)
	if err != nil {
		return nil, tok, linkPage(c, s, fiber.StatusNotFound, "Заявка не найдена", "Такой заявки нет.")
	}
	return t, tok, nil
}

// errHandled: the page is already written.
var errHandled = errors.New("handled")

func linkPage(c *fiber.Ctx, s *Server, status int, title, text string) error {
	c.Status(status)
	if err := s.render(c, "notify/result", fiber.Map{"Title": title, "Text": text}); err != nil {
		return err
	}
	return errHandled
}

func done(err error) error {
	if err == errHandled {
		return nil
	}
	return err
}

func (s *Server) pageAnswer(c *fiber.Ctx) error {
	t, tok, err := s.linkTicket(c, false)
	if err != nil {
		return done(err)
	}
	return s.showAnswer(c, t, tok, nil, "")
}

func (s *Server) showAnswer(c *fiber.Ctx, t *app.Ticket, tok notify.Token, formErr error, words string) error {
	if t.Status != app.StatusDone || t.DoneAt.Unix() != tok.DoneAt {
		return done(linkPage(c, s, fiber.StatusConflict, "Ответ уже получен",
			"По заявке "+t.Number+" ответ уже записан или она больше не ждёт подтверждения (сейчас: «"+t.Status.Title()+"»). Ничего не изменено."))
	}
	data := fiber.Map{"Title": "Проблема устранена?", "T": t, "Token": c.Params("token"), "Words": words,
		"Done": t.DoneAt.In(s.Store.Municipality(c.UserContext()).Location).Format(app.DateTimeLayout)}
	if formErr != nil {
		if err := formError(c, data, formErr); err != nil {
			return err
		}
	}
	return s.render(c, "notify/answer", data)
}

func (s *Server) pageAnswerPost(c *fiber.Ctx) error {
	t, tok, err := s.linkTicket(c, false)
	if err != nil {
		return done(err)
	}
	yes := c.FormValue("answer") == "yes"
	words := c.FormValue("words")
	nt, err := s.Store.AnswerByLink(c.UserContext(), tok.TicketID, tok.DoneAt, yes, words)
	switch app.ErrorCode(err) {
	case "":
	case app.ECONFLICT:
		return s.showAnswer(c, t, tok, nil, "")
	case app.EINVALID:
		return s.showAnswer(c, t, tok, err, words)
	default:
		return err
	}
	if yes {
		return done(linkPage(c, s, fiber.StatusOK, "Спасибо!", "Заявка "+nt.Number+" закрыта. Спасибо, что подтвердили."))
	}
	return done(linkPage(c, s, fiber.StatusOK, "Заявка возвращена в работу",
		"Заявка "+nt.Number+" снова у организации «"+nt.OrgName+"»: она увидит ваш ответ. Мы сообщим, когда работы будут выполнены."))
}

func (s *Server) pageStop(c *fiber.Ctx) error {
	t, _, err := s.linkTicket(c, true)
	if err != nil {
		return done(err)
	}
	return s.render(c, "notify/stop", fiber.Map{"Title": "Отказ от уведомлений", "T": t, "Token": c.Params("token")})
}

func (s *Server) pageStopPost(c *fiber.Ctx) error {
	t, _, err := s.linkTicket(c, true)
	if err != nil {
		return done(err)
	}
	if err := s.Store.StopNotifications(c.UserContext(), t.ID); err != nil {
		return err
	}
	return done(linkPage(c, s, fiber.StatusOK, "Уведомления отключены", "Сообщения о заявке "+t.Number+" больше не будут приходить."))
}

// --- the resident's choice ---

func (s *Server) pageMyNotify(c *fiber.Ctx) error {
	u := currentUser(c)
	p, err := s.Store.NotifyPrefOf(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	return s.render(c, "portal/notify", fiber.Map{"Title": "Уведомления", "P": p, "Consent": store.NotifyConsentText, "Phone": app.FormatPhone(u.Phone)})
}

func (s *Server) pageMyNotifyPost(c *fiber.Ctx) error {
	u := currentUser(c)
	p := store.NotifyPref{Channel: c.FormValue("channel"), Email: strings.TrimSpace(c.FormValue("email"))}
	err := s.Store.SaveNotifyPref(c.UserContext(), u.ID, p.Channel, p.Email, c.FormValue("consent") == "1", c.IP())
	data := fiber.Map{"Title": "Уведомления", "P": p, "Consent": store.NotifyConsentText, "Phone": app.FormatPhone(u.Phone)}
	if err != nil {
		if err := formError(c, data, err); err != nil {
			return err
		}
		return s.render(c, "portal/notify", data)
	}
	data["Saved"] = true
	return s.render(c, "portal/notify", data)
}

// --- administrator ---

// notifySettings are the keys of the channels' screen, in its order.
var notifySettings = []string{store.SetSMTP, store.SetMailFrom, store.SetSMSURL, store.SetSMSBody, store.SetWebhookURL, store.SetWebhookSecret,
	store.SetSMSInboundSecret, store.SetBaseURL, store.SetDutyPhone, store.SetDutyEmail, store.SetSupervisorPhone, store.SetSupervisorEmail}

const masked = "••••••"

// maskURL hides the password of a URL with credentials.
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "PASSWORD")
		return strings.Replace(u.String(), "PASSWORD", masked, 1)
	}
	return raw
}

// unmaskURL puts the stored password back where the form still shows the mask.
func unmaskURL(posted, stored string) string {
	if !strings.Contains(posted, masked) {
		return posted
	}
	su, err := url.Parse(stored)
	if err != nil || su.User == nil {
		return strings.Replace(posted, masked, "", 1)
	}
	pw, _ := su.User.Password()
	return strings.Replace(posted, masked, url.QueryEscape(pw), 1)
}

func (s *Server) adminNotify(c *fiber.Ctx) error { return s.showNotify(c, nil, nil) }

func (s *Server) showNotify(c *fiber.Ctx, posted map[string]string, formErr error) error {
	ctx := c.UserContext()
	vals := map[string]string{}
	for _, k := range notifySettings {
		vals[k] = s.Store.Setting(ctx, k)
	}
	vals[store.SetSMTP] = maskURL(vals[store.SetSMTP])
	secretSet := vals[store.SetWebhookSecret] != ""
	inboundSet := vals[store.SetSMSInboundSecret] != ""
	vals[store.SetWebhookSecret], vals[store.SetSMSInboundSecret] = "", ""
	for k, v := range posted {
		vals[k] = v
	}
	orgs, err := s.Store.Organizations(ctx, "")
	if err != nil {
		return err
	}
	duty, err := s.Store.DutyContacts(ctx)
	if err != nil {
		return err
	}
	type orgDuty struct {
		ID          int64
		Name        string
		Phone, Mail string
	}
	var rows []orgDuty
	for _, o := range orgs {
		d := duty[o.ID]
		rows = append(rows, orgDuty{o.ID, o.Name, d.Phone, d.Email})
	}
	var ch notify.Channels
	if s.NotifyJob != nil {
		ch = s.NotifyJob.Channels(ctx)
	}
	data := fiber.Map{"Title": "Уведомления", "Section": "notify", "V": vals, "SecretSet": secretSet, "InboundSet": inboundSet, "Orgs": rows,
		"Running": s.NotifyJob != nil, "ChanErrors": ch.Errors, "Email": ch.Email != nil, "SMS": ch.SMS != nil, "Webhook": ch.Webhook != nil,
		"Saved": c.Query("saved") == "1"}
	if formErr != nil {
		if err := formError(c, data, formErr); err != nil {
			return err
		}
	}
	return s.render(c, "admin_notify", data)
}

func (s *Server) adminNotifySave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	kv := map[string]string{}
	for _, k := range notifySettings {
		kv[k] = strings.TrimSpace(c.FormValue(k))
	}
	kv[store.SetSMTP] = unmaskURL(kv[store.SetSMTP], s.Store.Setting(ctx, store.SetSMTP))
	if kv[store.SetWebhookSecret] == "" && c.FormValue("clear_secret") != "1" {
		delete(kv, store.SetWebhookSecret) // empty: keep the one stored
	}
	if kv[store.SetSMSInboundSecret] == "" && c.FormValue("clear_inbound_secret") != "1" {
		delete(kv, store.SetSMSInboundSecret)
	}
	if err := s.Store.SaveSettings(ctx, kv); err != nil {
		kv[store.SetSMTP] = maskURL(kv[store.SetSMTP])
		kv[store.SetWebhookSecret], kv[store.SetSMSInboundSecret] = "", ""
		return s.showNotify(c, kv, err)
	}
	if s.NotifyJob != nil {
		s.NotifyJob.Kick()
	}
	return c.Redirect("/admin/notify?saved=1", fiber.StatusSeeOther)
}

func (s *Server) adminDutySave(c *fiber.Ctx) error {
	d := store.DutyContact{OrganizationID: parseID(c.FormValue("organization_id")), Phone: c.FormValue("duty_phone"), Email: c.FormValue("duty_email")}
	if err := s.Store.SetDutyContact(c.UserContext(), d); err != nil {
		return s.showNotify(c, nil, err)
	}
	return c.Redirect("/admin/notify?saved=1", fiber.StatusSeeOther)
}

func (s *Server) adminOutbox(c *fiber.Ctx) error {
	ctx := c.UserContext()
	status := c.Query("status")
	switch status {
	case "", "pending", "sent", "failed":
	default:
		status = ""
	}
	msgs, err := s.Store.Outbox(ctx, store.OutboxFilter{Status: status, Limit: 200})
	if err != nil {
		return err
	}
	counts, err := s.Store.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	loc := s.Store.Municipality(ctx).Location
	configured := map[string]bool{}
	if s.NotifyJob != nil {
		ch := s.NotifyJob.Channels(ctx)
		configured = map[string]bool{store.ChanEmail: ch.Email != nil, store.ChanSMS: ch.SMS != nil, store.ChanWebhook: ch.Webhook != nil}
	}
	type row struct {
		store.Message
		Title, Created, Next, Sent, To string
		Unconfigured                   bool // waits for its channel to be set up
	}
	rows := make([]row, 0, len(msgs))
	for _, m := range msgs {
		r := row{Message: m, Title: notify.KindTitles[m.Kind], Created: m.CreatedAt.In(loc).Format("02.01 15:04:05"), To: maskRecipient(m)}
		if m.Status == "pending" {
			r.Next = m.NextAt.In(loc).Format("02.01 15:04:05")
			r.Unconfigured = !configured[m.Channel]
		}
		if !m.SentAt.IsZero() {
			r.Sent = m.SentAt.In(loc).Format("02.01 15:04:05")
		}
		rows = append(rows, r)
	}
	return s.render(c, "admin_outbox", fiber.Map{"Title": "Исходящие сообщения", "Section": "outbox", "Rows": rows, "Counts": counts, "Status": status,
		"Job": s.NotifyJob.Status()})
}

// maskRecipient shows enough of an address to tell messages apart, not the whole of it.
func maskRecipient(m store.Message) string {
	r := []rune(m.Recipient)
	switch m.Channel {
	case store.ChanSMS:
		if len(r) > 6 {
			return string(r[:len(r)-6]) + "***" + string(r[len(r)-3:])
		}
	case store.ChanEmail:
		if i := strings.Index(m.Recipient, "@"); i > 0 {
			return string([]rune(m.Recipient[:i])[:1]) + "***" + m.Recipient[i:]
		}
	case store.ChanWebhook:
		return "webhook"
	}
	return m.Recipient
}

func (s *Server) adminResend(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return app.Errorf(app.ENOTFOUND, "Сообщение не найдено.")
	}
	if err := s.Store.Resend(c.UserContext(), id); err != nil {
		return err
	}
	if s.NotifyJob != nil {
		s.NotifyJob.Kick()
	}
	return c.Redirect("/admin/outbox?status=pending", fiber.StatusSeeOther)
}

func (s *Server) adminTemplates(c *fiber.Ctx) error {
	return s.showTemplates(c, nil, nil, c.Query("ticket"))
}

type tplRow struct {
	Kind, Title, Text, Error, Preview string
}

func (s *Server) showTemplates(c *fiber.Ctx, posted map[string]string, errs map[string]string, number string) error {
	ctx := c.UserContext()
	var t *app.Ticket
	var previewErr string
	if number = strings.TrimSpace(number); number != "" {
		var err error
		if t, err = s.Store.Ticket(ctx, number); err != nil {
			previewErr = app.ErrorMessage(err)
		}
	}
	rows := make([]tplRow, 0, len(store.Kinds))
	for _, k := range store.Kinds {
		r := tplRow{Kind: k, Title: notify.KindTitles[k], Text: notify.Template(ctx, s.Store, k), Error: errs[k]}
		if v, ok := posted[k]; ok {
			r.Text = v
		}
		if t != nil && r.Error == "" {
			link := ""
			if k == store.KindDone || k == store.KindCallback {
				link = notify.BaseURL(ctx, s.Store) + "/n/…"
			}
			_, r.Preview = notify.RenderWith(ctx, s.Store, k, r.Text, t, link)
		}
		rows = append(rows, r)
	}
	data := fiber.Map{"Title": "Тексты сообщений", "Section": "notify", "Rows": rows, "Ticket": number, "PreviewError": previewErr,
		"Saved": c.Query("saved") == "1"}
	if len(errs) > 0 {
		data["Error"] = "Шаблоны с ошибками не сохранены; исправьте отмеченные."
		c.Status(fiber.StatusBadRequest)
	}
	return s.render(c, "admin_templates", data)
}

func (s *Server) adminTemplatesSave(c *fiber.Ctx) error {
	posted, errs, kv := map[string]string{}, map[string]string{}, map[string]string{}
	for _, k := range store.Kinds {
		v := strings.ReplaceAll(c.FormValue("tpl_"+k), "\r\n", "\n")
		posted[k] = v
		if strings.TrimSpace(v) == "" || strings.TrimSpace(v) == strings.TrimSpace(notify.DefaultTemplates[k]) {
			kv[store.SetTemplatePrefix+k] = "" // the default
			continue
		}
		if _, err := notify.ParseTemplate(k, v); err != nil {
			errs[k] = err.Error()
			continue
		}
		kv[store.SetTemplatePrefix+k] = v
	}
	number := c.FormValue("ticket")
	if len(errs) > 0 || c.FormValue("preview") == "1" {
		return s.showTemplates(c, posted, errs, number)
	}
	if err := s.Store.SaveSettings(c.UserContext(), kv); err != nil {
		return err
	}
	return c.Redirect("/admin/notify/templates?saved=1&ticket="+url.QueryEscape(number), fiber.StatusSeeOther)
}
