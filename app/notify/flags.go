package notify

import (
	"flag"
	"fmt"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// Flags are serve's notification flags (CONTRACT.md); each overrides its
// stored setting.
type Flags struct {
	smtp, mailFrom, smsURL, webhook, secretFile string
}

// Register adds the flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.smtp, "smtp", "", "почтовый сервер для уведомлений: smtp://user:pass@host:587 или smtps://… (вместо настройки)")
	fs.StringVar(&f.mailFrom, "mail-from", "", "адрес отправителя уведомлений")
	fs.StringVar(&f.smsURL, "sms-url", "", "адрес HTTP SMS-шлюза с {phone} и {text} (вместо настройки)")
	fs.StringVar(&f.webhook, "webhook", "", "адрес webhook для событий заявок (вместо настройки)")
	fs.StringVar(&f.secretFile, "webhook-secret-file", "", "файл с секретом подписи webhook (HMAC-SHA256)")
}

// Config checks the flags before anything starts; the caller fills in the store
// and the log. A bad flag is a usage error naming it.
func (f *Flags) Config() (Config, error) {
	check := func(name, key, v string) error {
		if v == "" {
			return nil
		}
		if _, err := store.ValidateSetting(key, v); err != nil {
			return fmt.Errorf("--%s: %s", name, app.ErrorMessage(err))
		}
		return nil
	}
	for _, c := range []struct{ name, key, v string }{{"smtp", store.SetSMTP, f.smtp}, {"mail-from", store.SetMailFrom, f.mailFrom},
		{"sms-url", store.SetSMSURL, f.smsURL}, {"webhook", store.SetWebhookURL, f.webhook}} {
		if err := check(c.name, c.key, c.v); err != nil {
			return Config{}, err
		}
	}
	secret, err := ReadSecretFile(f.secretFile)
	if err != nil {
		return Config{}, fmt.Errorf("--webhook-secret-file: %v", err)
	}
	return Config{SMTP: f.smtp, MailFrom: f.mailFrom, SMSURL: f.smsURL, Webhook: f.webhook, WebhookSecret: secret}, nil
}
