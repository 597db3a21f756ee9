package notify

import (
	"fmt"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// Flags are serve's notification flags (CONTRACT.md; the command table in
// app/cli declares them); each overrides its stored setting.
type Flags struct {
	SMTP, MailFrom, SMSURL, Webhook, SecretFile string
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
	for _, c := range []struct{ name, key, v string }{{"smtp", store.SetSMTP, f.SMTP}, {"mail-from", store.SetMailFrom, f.MailFrom},
		{"sms-url", store.SetSMSURL, f.SMSURL}, {"webhook", store.SetWebhookURL, f.Webhook}} {
		if err := check(c.name, c.key, c.v); err != nil {
			return Config{}, err
		}
	}
	secret, err := ReadSecretFile(f.SecretFile)
	if err != nil {
		return Config{}, fmt.Errorf("--webhook-secret-file: %v", err)
	}
	return Config{SMTP: f.SMTP, MailFrom: f.MailFrom, SMSURL: f.SMSURL, Webhook: f.Webhook, WebhookSecret: secret}, nil
}
