package app

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

type phoneError string

func (e phoneError) Error() string { return string(e) }

// NormalizePhone turns a number in any form residents dictate it — «(82144) 2-12-00»,
// «8 912 345-67-89», «+7 912 3456789» — into E.164 (+79123456789).
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	// A Russian mobile number already in E.164, as the API and the portal's
	// stored numbers send it, is its own normal form: no parse by the phone
	// library (about 10 µs, on the single writer's path when a ticket is filed;
	// TestNormalizePhoneMobileAsTheLibrary).
	if isMobileE164(s) {
		return s, nil
	}
	if s == "" {
		return "", phoneError("Укажите номер телефона.")
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-()./", r):
		default:
			return "", phoneError("Номер телефона может содержать только цифры, пробелы, скобки, дефисы и «+».")
		}
	}
	if digits < 10 || digits > 15 {
		return "", phoneError("Неполный номер телефона: нужно 10–11 цифр с кодом города или оператора.")
	}
	n, err := phonenumbers.Parse(s, "RU")
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return "", phoneError("Не удалось распознать номер телефона; пример: 8 912 345-67-89.")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// FormatPhone shows an E.164 number the way Russian operators read it out.
func FormatPhone(e164 string) string {
	// A Russian mobile number, most of what residents leave, without the phone
	// library's parse (about 6 µs each, 50 of them on the «Обзвон» tab): the same
	// «8 (912) 345-67-89» it writes (TestFormatPhoneMobileAsTheLibrary).
	if isMobileE164(e164) {
		return "8 (" + e164[2:5] + ") " + e164[5:8] + "-" + e164[8:10] + "-" + e164[10:]
	}
	return formatPhone(e164)
}

// isMobileE164 reports whether s is a Russian mobile number written +79XXXXXXXXX.
func isMobileE164(s string) bool {
	return len(s) == 12 && strings.HasPrefix(s, "+79") && strings.Trim(s[1:], "0123456789") == ""
}

func formatPhone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "RU")
	if err != nil {
		return e164
	}
	if n.GetCountryCode() == 7 {
		return "8 " + phonenumbers.Format(n, phonenumbers.NATIONAL)[2:]
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}
