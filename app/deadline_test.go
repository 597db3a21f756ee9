package app

import (
	"os"
	"testing"
	"time"
)

var msk = func() *time.Location {
	l, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return l
}()

// Work types as the catalogue has them (the figures copied by hand from
// assets/data/work_types.csv).
var (
	win01   = WorkType{Code: "WIN-01", FederalHours: 72, ColdHours: 24, Responsible: OrgManagement}
	waste01 = WorkType{Code: "WASTE-01", FederalHours: 24, ColdHours: 72, Responsible: OrgWasteOperator}
	chute01 = WorkType{Code: "CHUTE-01", Emergency: true, FederalHours: 2, ClockHours: ClockWindow{8, 23}}
	cw01    = WorkType{Code: "CW-01", Emergency: true, FederalHours: 72, LocalizeMinutes: 30}
	cw05    = WorkType{Code: "CW-05", FederalHours: 24}
	gas01   = WorkType{Code: "GAS-01", Emergency: true, Handoff: "104", Responsible: OrgGasService}
	roof03  = WorkType{Code: "ROOF-03", LocalHours: 24}
	srv02   = WorkType{Code: "SRV-02", LocalHours: 336}
	lift02  = WorkType{Code: "LIFT-02", Emergency: true, FederalHours: 0.5, Responsible: OrgLift}
	el01    = WorkType{Code: "EL-01", Emergency: true, FederalHours: 2, LocalizeMinutes: 30}
)

func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, msk) }

func TestDeadlinesFor(t *testing.T) {
	norms := Norms{Loc: msk, Cold: DefaultColdPeriod}
	local8 := norms
	local8.AcceptHours = 8
	cw05own := cw05
	cw05own.LocalAcceptHours = 2
	none := time.Time{}
	for _, c := range []struct {
		name                  string
		w                     WorkType
		n                     Norms
		reg                   time.Time
		accept, due, localize time.Time
		title                 string
	}{
		// The cold period, both sides of both ends (Moscow time).
		{"glass on the last day of summer", win01, norms, at(2026, 9, 30, 23, 59), at(2026, 10, 1, 23, 59), at(2026, 10, 3, 23, 59), none, "3 сут, летний период"},
		{"glass on the first minute of the cold period", win01, norms, at(2026, 10, 1, 0, 0), at(2026, 10, 1, 12, 0), at(2026, 10, 2, 0, 0), none, "1 сут, зимний период"},
		{"glass on the last minute of the cold period", win01, norms, at(2026, 4, 30, 23, 59), at(2026, 5, 1, 11, 59), at(2026, 5, 1, 23, 59), none, "1 сут, зимний период"},
		{"glass on the first day of summer", win01, norms, at(2026, 5, 1, 0, 0), at(2026, 5, 2, 0, 0), at(2026, 5, 4, 0, 0), none, "3 сут, летний период"},
		{"glass at 00:30 Moscow, still 30 September in UTC", win01, norms, time.Date(2026, 9, 30, 21, 30, 0, 0, time.UTC), at(2026, 10, 1, 12, 30), at(2026, 10, 2, 0, 30), none, "1 сут, зимний период"},
		{"waste in winter: 3 days", waste01, norms, at(2026, 1, 15, 10, 0), at(2026, 1, 16, 10, 0), at(2026, 1, 18, 10, 0), none, "3 сут, зимний период"},
		{"waste in summer: 1 day", waste01, norms, at(2026, 7, 15, 10, 0), at(2026, 7, 15, 22, 0), at(2026, 7, 16, 10, 0), none, "1 сут, летний период"},
		{"a municipality's own cold period", win01, Norms{Loc: msk, Cold: ColdPeriod{MonthDay{9, 15}, MonthDay{5, 15}}}, at(2026, 9, 20, 10, 0), at(2026, 9, 20, 22, 0), at(2026, 9, 21, 10, 0), none, "1 сут, зимний период"},
		// The chute's clock runs 08:00–23:00 only.
		{"chute at 07:00", chute01, norms, at(2026, 11, 30, 7, 0), at(2026, 11, 30, 8, 30), at(2026, 11, 30, 10, 0), none, "2 ч, с 8 до 23 ч"},
		{"chute at 21:00", chute01, norms, at(2026, 11, 30, 21, 0), at(2026, 11, 30, 21, 30), at(2026, 11, 30, 23, 0), none, "2 ч, с 8 до 23 ч"},
		{"chute at 22:30", chute01, norms, at(2026, 11, 30, 22, 30), at(2026, 11, 30, 23, 0), at(2026, 12, 1, 9, 30), none, "2 ч, с 8 до 23 ч"},
		{"chute in the window's last minute, 22:59", chute01, norms, at(2026, 11, 30, 22, 59), at(2026, 12, 1, 8, 29), at(2026, 12, 1, 9, 59), none, "2 ч, с 8 до 23 ч"},
		{"chute at 23:00 sharp", chute01, norms, at(2026, 11, 30, 23, 0), at(2026, 12, 1, 8, 30), at(2026, 12, 1, 10, 0), none, "2 ч, с 8 до 23 ч"},
		{"chute at 23:30", chute01, norms, at(2026, 11, 30, 23, 30), at(2026, 12, 1, 8, 30), at(2026, 12, 1, 10, 0), none, "2 ч, с 8 до 23 ч"},
		{"chute on New Year's Eve at 22:30", chute01, norms, at(2026, 12, 31, 22, 30), at(2026, 12, 31, 23, 0), at(2027, 1, 1, 9, 30), none, "2 ч, с 8 до 23 ч"},
		// Acceptance: an emergency's is its localisation clock; otherwise min(24 h, half).
		{"burst riser: accept = localise = 30 min, fix 3 days", cw01, norms, at(2026, 11, 30, 3, 12), at(2026, 11, 30, 3, 42), at(2026, 12, 3, 3, 12), at(2026, 11, 30, 3, 42), "3 сут"},
		{"power outage: localise 30 min, fix 2 h", el01, norms, at(2026, 11, 30, 12, 0), at(2026, 11, 30, 12, 30), at(2026, 11, 30, 14, 0), at(2026, 11, 30, 12, 30), "2 ч"},
		{"trapped in a lift: 30 min for both", lift02, norms, at(2026, 11, 30, 12, 0), at(2026, 11, 30, 12, 30), at(2026, 11, 30, 12, 30), none, "30 мин"},
		{"tap: half of 1 day", cw05, norms, at(2026, 11, 30, 12, 0), at(2026, 12, 1, 0, 0), at(2026, 12, 1, 12, 0), none, "1 сут"},
		{"written request: 24 h, not half of 14 days", srv02, norms, at(2026, 11, 30, 12, 0), at(2026, 12, 1, 12, 0), at(2026, 12, 14, 12, 0), none, "14 сут (местный норматив)"},
		{"icicles: a local norm", roof03, norms, at(2026, 11, 30, 12, 0), at(2026, 12, 1, 0, 0), at(2026, 12, 1, 12, 0), none, "1 сут (местный норматив)"},
		{"the municipality's own acceptance norm", cw05, local8, at(2026, 11, 30, 12, 0), at(2026, 11, 30, 20, 0), at(2026, 12, 1, 12, 0), none, "1 сут"},
		{"…does not loosen an emergency's", cw01, local8, at(2026, 11, 30, 12, 0), at(2026, 11, 30, 12, 30), at(2026, 12, 3, 12, 0), at(2026, 11, 30, 12, 30), "3 сут"},
		{"a type's own acceptance norm", cw05own, local8, at(2026, 11, 30, 12, 0), at(2026, 11, 30, 14, 0), at(2026, 12, 1, 12, 0), none, "1 сут"},
		// A hand-off type has no deadline at all.
		{"gas smell", gas01, norms, at(2026, 11, 30, 3, 12), none, none, none, "передать в 104, срока нет"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := DeadlinesFor(&c.w, c.reg, c.n)
			if !d.AcceptDueAt.Equal(c.accept) || !d.DueAt.Equal(c.due) || !d.LocalizeDueAt.Equal(c.localize) {
				t.Errorf("accept %s, due %s, localise %s; want %s, %s, %s", show(d.AcceptDueAt), show(d.DueAt), show(d.LocalizeDueAt), show(c.accept), show(c.due), show(c.localize))
			}
			if got := c.w.TitleAt(c.reg, c.n); got != c.title {
				t.Errorf("title %q, want %q", got, c.title)
			}
		})
	}
}

func show(t time.Time) string {
	if t.IsZero() {
		return "нет"
	}
	return t.In(msk).Format("02.01 15:04")
}

func TestAcceptTitles(t *testing.T) {
	norms := Norms{Loc: msk, Cold: DefaultColdPeriod}
	for _, c := range []struct {
		w    WorkType
		n    Norms
		want string
	}{
		{cw01, norms, "30 мин (срок локализации)"},
		{lift02, norms, "30 мин (авария: сразу)"},
		{cw05, norms, "12 ч"},
		{cw05, Norms{Loc: msk, AcceptHours: 8}, "8 ч (местный норматив)"},
		{gas01, norms, "—"},
	} {
		w := c.w
		w.Resolve(at(2026, 11, 30, 12, 0), c.n)
		if got := w.AcceptTitle(); got != c.want {
			t.Errorf("%s: %q, want %q", w.Code, got, c.want)
		}
	}
}

// TestHumanHoursRoundsEveryCatalogueDuration: every duration in the catalogue,
// written as a person reads it; rounded, never floored.
func TestHumanHoursRoundsEveryCatalogueDuration(t *testing.T) {
	want := map[float64]string{
		0.083: "5 мин", 0.5: "30 мин", 2: "2 ч", 3: "3 ч", 4: "4 ч", 8: "8 ч", 12: "12 ч", 16: "16 ч",
		24: "1 сут", 48: "2 сут", 72: "3 сут", 120: "5 сут", 168: "7 сут", 240: "10 сут", 336: "14 сут",
		// Not in the catalogue: half hours, a near-hour, and under a minute (a
		// positive time is never «0 мин»).
		1.5: "1 ч 30 мин", 0.999: "1 ч", 36: "36 ч", 0.001: "1 мин", 0.0083: "1 мин",
	}
	for h, s := range want {
		if got := HumanHours(h); got != s {
			t.Errorf("HumanHours(%v) = %q, want %q", h, got, s)
		}
	}
	f, err := os.Open("../assets/data/work_types.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := ParseCatalogue(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range list {
		for _, h := range []float64{w.FederalHours, w.ColdHours, w.LocalHours, float64(w.LocalizeMinutes) / 60} {
			if h == 0 {
				continue
			}
			if _, ok := want[h]; !ok {
				t.Errorf("%s: the duration %v h is in the catalogue but not in this table", w.Code, h)
			}
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{11*time.Minute + 40*time.Second, "12 мин"}, {-3 * time.Minute, "3 мин"}, {25 * time.Hour, "25 ч"}} {
		if got := HumanDuration(c.d); got != c.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestColdPeriodSetting(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool
		want ColdPeriod
	}{
		{"01.10-30.04", true, DefaultColdPeriod},
		{"15.09 - 15.05", true, ColdPeriod{MonthDay{9, 15}, MonthDay{5, 15}}},
		{"29.02-01.03", true, ColdPeriod{MonthDay{2, 29}, MonthDay{3, 1}}},
		{"31.04-01.05", false, ColdPeriod{}},
		{"01.13-30.04", false, ColdPeriod{}},
		{"октябрь-апрель", false, ColdPeriod{}},
		{"01.10", false, ColdPeriod{}},
	} {
		p, err := ParseColdPeriod(c.in)
		if (err == nil) != c.ok || p != c.want {
			t.Errorf("%q: %v %v", c.in, p, err)
		}
	}
	// A period inside one year.
	p := ColdPeriod{MonthDay{1, 10}, MonthDay{3, 1}}
	if !p.Contains(at(2026, 2, 1, 0, 0)) || p.Contains(at(2026, 3, 2, 0, 0)) || p.Contains(at(2026, 1, 9, 23, 59)) {
		t.Error("a period inside one year")
	}
}
