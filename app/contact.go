package app

import (
	"net/mail"
	"strings"
)

// Notification channels a resident may choose (issue #16).
const (
	NotifySMS   = "sms"
	NotifyEmail = "email"
	NotifyNone  = "none"
)

type emailError string

func (e emailError) Error() string { return string(e) }

// NormalizeEmail checks an e-mail address and returns it bare.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return "", emailError("Неверный адрес электронной почты; пример: ivanov@mail.ru.")
	}
	return s, nil
}

// checkContact validates the channel a caller chose (field notify) and their
// e-mail (field reporter_email): e-mail needs an address, SMS a phone. An empty
// channel stays empty: the portal resident's own preference applies then.
func checkContact(fe FieldErrors, channel *string, phone string, email *string) {
	*channel = strings.ToLower(strings.TrimSpace(*channel))
	if *email = strings.TrimSpace(*email); *email != "" {
		if e, err := NormalizeEmail(*email); err != nil {
			fe.Add("reporter_email", err.Error())
		} else {
			*email = e
		}
	}
	switch *channel {
	case "", NotifyNone:
	case NotifyEmail:
		if *email == "" {
			fe.Add("reporter_email", "Для уведомлений по почте укажите адрес.")
		}
	case NotifySMS:
		if phone == "" {
			fe.Add("notify", "Для SMS нужен номер телефона.")
		}
	default:
		fe.Add("notify", "Канал уведомлений: sms, email или none.")
	}
}

// IsSMSStop reports whether a resident's reply by SMS asks for no more SMS:
// «стоп», «stop» or «отписаться», in any case, with spaces and a final
// punctuation mark around it.
func IsSMSStop(text string) bool {
	w := strings.ToLower(strings.Trim(strings.TrimSpace(text), " \t\r\n.!«»\"'"))
	switch w {
	case "стоп", "stop", "отписаться":
		return true
	}
	return false
}
