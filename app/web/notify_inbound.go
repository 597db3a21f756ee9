package web

import (
	"crypto/subtle"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// apiSMSInbound takes a resident's reply by SMS, posted by the municipality's
// SMS gateway (#16): «СТОП» (stop, отписаться) withdraws the consent to SMS for
// the phone it came from. The gateway proves itself with the shared secret of
// the setting notify_sms_inbound_secret, in the header X-Ecoz-Secret or as the
// field (or query parameter) secret; the message comes as the fields phone and
// text, form-encoded or JSON. Any other text is acknowledged and ignored: the
// gateway must not retry a resident's «спасибо».
func (s *Server) apiSMSInbound(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var in struct {
		Phone  string `json:"phone"`
		Text   string `json:"text"`
		Secret string `json:"secret"`
	}
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		if err := decodeJSON(c, &in, false); err != nil {
			return err
		}
	} else {
		in.Phone, in.Text, in.Secret = c.FormValue("phone"), c.FormValue("text"), c.FormValue("secret")
	}
	given := c.Get("X-Ecoz-Secret")
	if given == "" {
		given = in.Secret
	}
	if given == "" {
		given = c.Query("secret")
	}
	want := s.Store.Setting(ctx, store.SetSMSInboundSecret)
	if want == "" {
		return app.Errorf(app.EFORBIDDEN, "Приём входящих SMS не настроен: задайте секрет входящих SMS в настройках уведомлений.")
	}
	if subtle.ConstantTimeCompare([]byte(given), []byte(want)) != 1 {
		return app.Errorf(app.EFORBIDDEN, "Неверный секрет входящих SMS: сообщение не принято.")
	}
	fe := app.FieldErrors{}
	phone, err := app.NormalizePhone(in.Phone)
	if err != nil {
		fe.Add("phone", "Номер отправителя: "+err.Error())
	}
	if strings.TrimSpace(in.Text) == "" {
		fe.Add("text", "Пустой текст сообщения.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if !app.IsSMSStop(in.Text) {
		return writeJSON(c, fiber.StatusOK, fiber.Map{"stopped": false})
	}
	r, err := s.Store.StopSMS(ctx, phone, c.IP())
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, fiber.Map{"stopped": true, "tickets": r.Tickets, "residents": r.Residents, "cancelled": r.Cancelled})
}
