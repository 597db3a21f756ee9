package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/ecoz/ecoz/app"
)

// Setting keys: the domain's (app), named here too for the store's callers.
const (
	SetMunicipalityName  = app.SetMunicipalityName
	SetMunicipalityCode  = app.SetMunicipalityCode
	SetTimeZone          = app.SetTimeZone
	SetAcceptHours       = app.SetAcceptHours
	SetColdPeriod        = app.SetColdPeriod
	SetCenterName        = app.SetCenterName
	SetCenterPhone       = app.SetCenterPhone
	SetRegistryURL       = app.SetRegistryURL
	SetRegistryToken     = app.SetRegistryToken
	SetExportEvery       = app.SetExportEvery
	SetDemo              = app.SetDemo
	SetMapTiles          = app.SetMapTiles
	SetMapAttribution    = app.SetMapAttribution
	SetRetentionYears    = app.SetRetentionYears
	SetOpen311MediaHosts = app.SetOpen311MediaHosts
)

var settingDefaults = map[string]string{
	SetMunicipalityName: "Муниципалитет",
	SetMunicipalityCode: "MUN",
	SetTimeZone:         "Europe/Moscow",
	SetAcceptHours:      "",
	SetColdPeriod:       "01.10-30.04",
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

// ValidateSetting checks a value before it is stored (the domain's rule,
// app.ValidateSetting).
func ValidateSetting(key, value string) (string, error) {
	if v, ok, err := validateNotifySetting(key, value); ok {
		return v, err
	}
	return app.ValidateSetting(key, value)
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

// Norms are the municipality's settings the deadlines depend on.
func (s *Store) Norms(ctx context.Context) app.Norms {
	m, err := s.Settings(ctx)
	if err != nil {
		m = settingDefaults
	}
	return normsOf(func(k string) string { return m[k] })
}

// norms is Norms inside the transaction.
func (tx *Tx) norms() app.Norms {
	return normsOf(func(k string) string { v, _ := tx.cachedSetting(k); return v })
}

func normsOf(get func(string) string) app.Norms {
	n := app.Norms{Loc: time.UTC, Cold: app.DefaultColdPeriod}
	if loc, err := loadLocation(get(SetTimeZone)); err == nil {
		n.Loc = loc
	}
	if p, err := app.ParseColdPeriod(get(SetColdPeriod)); err == nil {
		n.Cold = p
	}
	if h, err := strconv.ParseFloat(get(SetAcceptHours), 64); err == nil && h > 0 {
		n.AcceptHours = h
	}
	return n
}
