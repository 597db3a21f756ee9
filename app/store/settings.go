package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// Setting keys.
const (
	SetMunicipalityName = "municipality_name"
	SetMunicipalityCode = "municipality_code"
	SetTimeZone         = "timezone"
	SetAcceptHours      = "accept_hours"
	SetCenterName       = "center_name"
	SetCenterPhone      = "center_phone"
	SetRegistryURL      = "registry_url"
	SetRegistryToken    = "registry_token"
	SetExportEvery      = "export_every"
	SetDemo             = "demo"
	// SetRetentionYears: years after closure that a ticket's personal data is kept.
	SetRetentionYears = "retention_years"
)

var settingDefaults = map[string]string{
	SetMunicipalityName: "Муниципалитет",
	SetMunicipalityCode: "MUN",
	SetTimeZone:         "Europe/Moscow",
	SetAcceptHours:      "24",
	SetCenterName:       "Единый центр обработки заявок",
	SetCenterPhone:      "",
	SetExportEvery:      "15m",
	SetRetentionYears:   strconv.Itoa(app.DefaultRetentionYears),
}

// Settings returns all settings, defaults filled in.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	s.mu.RLock()
	m, gen := s.settings, s.cacheGen
	s.mu.RUnlock()
	if m != nil {
		return m, nil
	}
	rows, err := s.r.QueryContext(ctx, "SELECT key, value FROM settings")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m = make(map[string]string, len(settingDefaults))
	for k, v := range settingDefaults {
		m[k] = v
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cacheGen == gen { // not dropped by a commit while we read
		s.settings = m
	}
	s.mu.Unlock()
	return m, nil
}

// Setting returns one setting ("" when unset and without default).
func (s *Store) Setting(ctx context.Context, key string) string {
	m, err := s.Settings(ctx)
	if err != nil {
		return settingDefaults[key]
	}
	return m[key]
}

var codeRe = regexp.MustCompile(`^[A-Z]{2,8}$`)

// ValidateSetting checks a value before it is stored.
func ValidateSetting(key, value string) (string, error) {
	value = strings.TrimSpace(value)
	bad := func(msg string) (string, error) {
		return "", &app.Error{Code: app.EINVALID, Message: msg, Fields: map[string]string{key: msg}}
	}
	switch key {
	case SetMunicipalityCode:
		value = strings.ToUpper(value)
		if !codeRe.MatchString(value) {
			return bad("Код муниципалитета — 2–8 латинских букв, например USN.")
		}
	case SetMunicipalityName, SetCenterName:
		if value == "" || len([]rune(value)) > 200 {
			return bad("Название — от 1 до 200 символов.")
		}
	case SetTimeZone:
		if _, err := time.LoadLocation(value); err != nil || value == "" || value == "Local" {
			return bad("Неизвестный часовой пояс; пример: Europe/Moscow.")
		}
	case SetAcceptHours:
		h, err := strconv.ParseFloat(strings.ReplaceAll(value, ",", "."), 64)
		if err != nil || h <= 0 || h > 720 {
			return bad("Срок принятия в работу — число часов от 0,1 до 720.")
		}
		value = strconv.FormatFloat(h, 'f', -1, 64)
	case SetCenterPhone:
		if value != "" {
			if _, err := app.NormalizePhone(value); err != nil {
				return bad(err.Error())
			}
		}
	case SetExportEvery:
		d, err := time.ParseDuration(value)
		if err != nil || d < 10*time.Second || d > 24*time.Hour {
			return bad("Интервал выгрузки — от 10s до 24h, например 15m.")
		}
	case SetRegistryURL:
		if value != "" && !strings.HasPrefix(value, "http://") && !strings.HasPrefix(value, "https://") {
			return bad("Адрес реестра начинается с http:// или https://.")
		}
	case SetRetentionYears:
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > app.MaxRetentionYears {
			return bad(fmt.Sprintf("Срок хранения персональных данных — целое число лет от 1 до %d.", app.MaxRetentionYears))
		}
		value = strconv.Itoa(n)
	case SetRegistryToken, SetDemo:
	default:
		return bad("Неизвестная настройка " + key + ".")
	}
	return value, nil
}

// SetSetting validates and stores one setting.
func (tx *Tx) SetSetting(key, value string) error {
	v, err := ValidateSetting(key, value)
	if err != nil {
		return err
	}
	tx.dropSettings = true
	_, err = tx.exec("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, v)
	return err
}

// SaveSettings stores several settings in one transaction.
func (s *Store) SaveSettings(ctx context.Context, kv map[string]string) error {
	return s.Write(ctx, func(tx *Tx) error {
		fe := app.FieldErrors{}
		for k, v := range kv {
			if err := tx.SetSetting(k, v); err != nil {
				for f, m := range app.ErrorFields(err) {
					fe.Add(f, m)
				}
			}
		}
		return fe.Err()
	})
}

func (tx *Tx) setting(key string) (string, error) {
	var v string
	err := tx.queryRow("SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if err == sql.ErrNoRows {
		return settingDefaults[key], nil
	}
	return v, err
}

// Municipality is who this install serves.
type Municipality struct {
	Name     string
	Code     string
	Location *time.Location
}

// Municipality returns the municipality's name, code and time zone.
func (s *Store) Municipality(ctx context.Context) Municipality {
	m := Municipality{Name: s.Setting(ctx, SetMunicipalityName), Code: s.Setting(ctx, SetMunicipalityCode), Location: time.UTC}
	if loc, err := loadLocation(s.Setting(ctx, SetTimeZone)); err == nil {
		m.Location = loc
	}
	return m
}

// AcceptHours is the municipal default for taking a request into work.
func (s *Store) AcceptHours(ctx context.Context) float64 {
	h, err := strconv.ParseFloat(s.Setting(ctx, SetAcceptHours), 64)
	if err != nil || h <= 0 {
		return app.DefaultAcceptHours
	}
	return h
}
