package app

import "testing"

// Settings are checked by the domain: the normalised value, or the field's message.
func TestValidateSetting(t *testing.T) {
	for _, c := range []struct {
		key, in, want, msg string
	}{
		{SetMunicipalityCode, " usn ", "USN", ""},
		{SetMunicipalityCode, "U1", "", "Код муниципалитета — 2–8 латинских букв, например USN."},
		{SetMunicipalityName, "  Усинск ", "Усинск", ""},
		{SetCenterName, "", "", "Название — от 1 до 200 символов."},
		{SetTimeZone, "Europe/Moscow", "Europe/Moscow", ""},
		{SetTimeZone, "Local", "", "Неизвестный часовой пояс; пример: Europe/Moscow."},
		{SetAcceptHours, "1,5", "1.5", ""},
		{SetAcceptHours, "0", "", "Срок принятия в работу — число часов от 0,1 до 720, или пусто (по правилам)."},
		{SetExportEvery, "5s", "", "Интервал выгрузки — от 10s до 24h, например 15m."},
		{SetRegistryURL, "ftp://x", "", "Адрес реестра начинается с http:// или https://."},
		{SetRegistryURL, "https://registry.example", "https://registry.example", ""},
		{"colour", "red", "", "Неизвестная настройка colour."},
	} {
		got, err := ValidateSetting(c.key, c.in)
		msg := ""
		if err != nil {
			msg = ErrorFields(err)[c.key]
		}
		if got != c.want || msg != c.msg || (err != nil && ErrorMessage(err) != c.msg) {
			t.Errorf("%s=%q: %q %v, want %q %q", c.key, c.in, got, err, c.want, c.msg)
		}
	}
	if code, msg := MunicipalityCode("komi"); code != "KOMI" || msg != "" {
		t.Errorf("MunicipalityCode(komi) = %q %q", code, msg)
	}
}
