package app

import "testing"

func TestValidINN(t *testing.T) {
	for inn, want := range map[string]bool{
		"7707083893":   true,  // a 10-digit organisation number
		"1106012343":   true,  // used by the fixtures
		"7707083894":   false, // last check digit off by one
		"500100732259": true,  // a 12-digit entrepreneur's number
		"500100732258": false, // second check digit wrong
		"500100732269": false, // first check digit wrong
		"770708389":    false, // too short
		"77070838931":  false, // 11 digits
		"77070838a3":   false,
		"":             false,
	} {
		if got := ValidINN(inn); got != want {
			t.Errorf("ValidINN(%q) = %v, want %v", inn, got, want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"(82144) 2-12-00":    "+78214421200",
		"8 912 345-67-89":    "+79123456789",
		"+7 912 3456789":     "+79123456789",
		"89123456789":        "+79123456789",
		"9123456789":         "+79123456789",
		"+7 (821) 444-12-00": "+78214441200",
	} {
		got, err := NormalizePhone(in)
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "12-00", "8 912 ABC-67-89", "+7 912 345 67 89 12 34 5", "телефон"} {
		if got, err := NormalizePhone(bad); err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", bad, got)
		}
	}
}

func TestAddressTokens(t *testing.T) {
	for in, want := range map[string]string{
		"ул. Ленина, д. 5":         "ленина 5",
		"ленина 5":                 "ленина 5",
		"ул. Берёзовая, д. 2":      "березовая 2",
		"ул. Мира, д. 12, корп. 2": "мира 12 к2",
		"мира 12к2":                "мира 12 к2",
		"Парковая 3 строение 1":    "парковая 3 с1",
		"парковая 3стр1":           "парковая 3 с1",
		"пр-т Космонавтов, д. 5а":  "космонавтов 5а",
	} {
		if got := AddressKey(in); got != want {
			t.Errorf("AddressKey(%q) = %q, want %q", in, got, want)
		}
	}
}
