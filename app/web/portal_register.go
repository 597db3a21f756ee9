package web

import (
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// consentText is what a resident agrees to when registering (152-ФЗ, ст. 9): whose
// data, which data, for what, what is done with it, for how long and how to
// withdraw. The text agreed to is stored with the consent.
func consentText(center, municipality string) string {
	return "Я даю согласие оператору — «" + center + "» (" + municipality + ") — на обработку моих персональных данных: " +
		"фамилии, имени, номера телефона, адреса и номера квартиры, текста обращений и приложенных фотографий — " +
		"в целях регистрации и исполнения моих заявок по вопросам ЖКХ, передачи их в управляющую или ресурсоснабжающую " +
		"организацию моего дома и контроля качества работ (звонок для подтверждения). Обработка включает сбор, запись, " +
		"хранение, уточнение, использование, передачу указанным организациям и уничтожение, с использованием средств " +
		"автоматизации и без них. Согласие действует до его отзыва; отозвать его можно письменным заявлением в центр " +
		"или по телефону центра (ст. 9 Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных»). " +
		"Публично (на страницах домов и организаций) мои имя, телефон, номер квартиры и текст обращения не показываются."
}

type registerForm struct {
	Name, Phone string
	Consent     bool
	Next        string
}

func (s *Server) pageRegister(c *fiber.Ctx) error {
	if u := currentUser(c); u != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return s.showRegister(c, registerForm{Next: safeNext(c.Query("next"))}, nil)
}

func (s *Server) showRegister(c *fiber.Ctx, f registerForm, formErr error) error {
	data := fiber.Map{"Title": "Регистрация", "F": f, "Stamp": s.portal.stamp(time.Now()),
		"ConsentText": consentText(s.centerName(c), s.Store.Municipality(c.UserContext()).Name), "Fields": map[string]string{}}
	formFailed(c, data, formErr)
	return s.render(c, "portal/register", data)
}

func (s *Server) centerName(c *fiber.Ctx) string {
	return s.Store.Setting(c.UserContext(), store.SetCenterName)
}

func (s *Server) pageRegisterPost(c *fiber.Ctx) error {
	f := registerForm{
		Name:    strings.TrimSpace(c.FormValue("name")),
		Phone:   strings.TrimSpace(c.FormValue("phone")),
		Consent: c.FormValue("consent") == "1",
		Next:    safeNext(c.FormValue("next")),
	}
	now := time.Now()
	key := "register|" + s.clientIP(c)
	if s.portal.registering.Blocked(key, now) {
		return s.showRegister(c, f, app.Errorf(app.ERATELIMITED, "Слишком много попыток регистрации с вашего адреса; попробуйте через час или позвоните в центр."))
	}
	// Every attempt counts, not only failures: a bot that passes the checks must
	// still not create accounts by the thousand.
	s.portal.registering.Fail(key, now)
	if c.FormValue("website") != "" { // the hidden field only a bot fills in
		s.Log.Warn("registration refused: honeypot filled", "ip", s.clientIP(c))
		return s.showRegister(c, f, app.Errorf(app.EINVALID, "Регистрация не удалась. Если вы не робот, позвоните в центр."))
	}
	if err := s.portal.filledIn(c.FormValue("stamp"), now); err != nil {
		return s.showRegister(c, f, err)
	}
	consent := ""
	if f.Consent {
		consent = consentText(s.centerName(c), s.Store.Municipality(c.UserContext()).Name)
	}
	u := &app.User{Name: f.Name, Phone: f.Phone}
	if err := s.Store.RegisterResident(c.UserContext(), u, c.FormValue("password"), consent, s.clientIP(c)); err != nil {
		switch app.ErrorCode(err) {
		case app.EINVALID, app.ECONFLICT:
			return s.showRegister(c, f, err)
		}
		return err
	}
	sess, err := s.Store.CreateSession(c.UserContext(), u, "web", webSessionTTL)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https", MaxAge: int(webSessionTTL.Seconds())})
	next := f.Next
	if next == "/" {
		next = "/my/new"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}
