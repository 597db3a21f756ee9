// Package demo fills an empty database with the demo municipality «Усинск»: its
// organisations, buildings, the work-type catalogue, the demo accounts and about
// 2,000 tickets over the past 60 days in every status, generated from a fixed seed
// relative to today so that queues, ratings and reports show something real.
package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// Accounts are the demo logins; each password equals the login.
var Accounts = []struct {
	Login string
	Role  app.Role
	Name  string
}{
	{"admin", app.RoleAdmin, "Администратор системы"},
	{"operator", app.RoleOperator, "Оператор Иванова А. С."},
	{"supervisor", app.RoleSupervisor, "Управление ЖКХ, Петров В. Н."},
	{"uk1", app.RoleOrg, "Диспетчер УК «Северный дом»"},
	{"resident", app.RoleResident, "Сидорова Мария Петровна"},
}

// Status of a database with respect to the demo.
type Status int

const (
	Empty    Status = iota // nothing in it: the demo may be loaded
	HasDemo                // the demo is loaded
	RealData               // real data: the demo must never be mixed in
)

// Check tells what the database holds.
func Check(ctx context.Context, s *store.Store) (Status, error) {
	if s.Setting(ctx, store.SetDemo) == "1" {
		return HasDemo, nil
	}
	users, err := s.Users(ctx)
	if err != nil {
		return 0, err
	}
	orgs, err := s.Organizations(ctx, "")
	if err != nil {
		return 0, err
	}
	n, err := s.CountTickets(app.WithUser(ctx, &app.User{Role: app.RoleAdmin}), store.TicketFilter{})
	if err != nil {
		return 0, err
	}
	if len(users) == 0 && len(orgs) == 0 && n == 0 {
		return Empty, nil
	}
	return RealData, nil
}

var orgs = []app.Organization{
	{Name: "ООО УК «Северный дом»", Kind: app.OrgManagement, INN: "1106012343", Phone: "8 (82144) 2-12-00"},
	{Name: "ООО «Жилсервис Усинск»", Kind: app.OrgManagement, INN: "1106023458", Phone: "8 (82144) 2-33-41"},
	{Name: "ООО УК «Комфорт»", Kind: app.OrgManagement, INN: "1106034562", Phone: "8 (82144) 4-15-70"},
	{Name: "ТСЖ «Нефтяник»", Kind: app.OrgManagement, INN: "1106045677", Phone: "8 (82144) 4-50-12"},
	{Name: "ООО «Управдом»", Kind: app.OrgManagement, INN: "1106056781", Phone: "8 (82144) 2-71-09"},
	{Name: "ООО «Усинская тепловая компания»", Kind: app.OrgSupplier, INN: "1106067896", Phone: "8 (82144) 2-05-05"},
	{Name: "МУП «Водоканал Усинск»", Kind: app.OrgSupplier, INN: "1106078908", Phone: "8 (82144) 2-44-44"},
	{Name: "ООО «Лифтсервис Коми»", Kind: app.OrgLift, INN: "1106089018", Phone: "8 (82144) 4-22-10"},
}

var streets = []string{
	"ул. Ленина", "ул. Нефтяников", "ул. Комсомольская", "ул. Мира", "ул. Молодёжная",
	"ул. Строителей", "ул. Пионерская", "ул. Возейская", "ул. Приполярная", "ул. Парковая",
	"ул. Севастопольская", "ул. 60 лет Октября", "ул. Арктическая", "ул. Геологов",
}

var descriptions = map[string][]string{
	"":     {"Просьба устранить как можно скорее.", "Жалуются соседи по подъезду.", "Повторное обращение, ранее не устранено.", "Дома пожилые люди, просим ускорить."},
	"ROOF": {"Капает с потолка в комнате после дождя.", "Течь с крыши на 5 этаже, подставили вёдра."},
	"CW":   {"Нет холодной воды с утра.", "Течь под раковиной на кухне.", "Слабый напор, вода еле идёт."},
	"HW":   {"Горячей воды нет вторые сутки.", "Вода из крана горячей воды чуть тёплая."},
	"HEAT": {"Батареи холодные, в квартире +16.", "Течёт радиатор в комнате."},
	"SEW":  {"Засор в канализации, вода не уходит.", "Запах канализации в подъезде."},
	"EL":   {"Не горит свет на лестничной площадке 3 этажа.", "Искрит щиток на этаже."},
	"LIFT": {"Лифт стоит с утра.", "В лифте не работают кнопки."},
	"YARD": {"Двор не чистят от снега.", "Гололёд у подъезда, люди падают."},
	"ENT":  {"В подъезде не убирают неделю.", "Сломаны перила между 2 и 3 этажами."},
}

var firstNames = []string{"Анна", "Иван", "Ольга", "Сергей", "Наталья", "Алексей", "Елена", "Дмитрий", "Татьяна", "Николай", "Светлана", "Андрей"}
var lastNames = []string{"Попова", "Канев", "Терентьева", "Хозяинов", "Истомина", "Артеев", "Чупрова", "Семяшкин", "Рочева", "Филиппов", "Носова", "Витязев"}

// Load fills an empty database with the demo municipality; now anchors the 60 days
// of history. It writes everything in one transaction: all or nothing.
func Load(ctx context.Context, s *store.Store, catalogue io.Reader, now time.Time) error {
	rng := rand.New(rand.NewPCG(20261128, 416))
	return s.Write(ctx, func(tx *store.Tx) error {
		tx.SetNow(now.Add(-61 * 24 * time.Hour))
		for k, v := range map[string]string{
			store.SetMunicipalityName: "Усинск", store.SetMunicipalityCode: "USN", store.SetTimeZone: "Europe/Moscow",
			store.SetCenterName: "Открытый Усинск", store.SetCenterPhone: "8 (82144) 2-00-00", store.SetDemo: "1",
		} {
			if err := tx.SetSetting(k, v); err != nil {
				return err
			}
		}
		if _, err := tx.LoadWorkTypes(catalogue); err != nil {
			return err
		}
		var mgmt, suppliers []int64
		for i := range orgs {
			o := orgs[i]
			if err := tx.SaveOrganization(&o); err != nil {
				return fmt.Errorf("demo org %s: %w", o.Name, err)
			}
			switch o.Kind {
			case app.OrgManagement:
				mgmt = append(mgmt, o.ID)
			case app.OrgSupplier:
				suppliers = append(suppliers, o.ID)
			}
		}
		var buildings []app.Building
		seen := map[string]bool{}
		for len(buildings) < 60 {
			st := streets[rng.IntN(len(streets))]
			num := fmt.Sprint(1 + rng.IntN(45))
			switch rng.IntN(8) {
			case 0:
				num += "а"
			case 1:
				num += ", корп. 2"
			}
			addr := st + ", д. " + num
			if seen[app.AddressKey(addr)] {
				continue
			}
			seen[app.AddressKey(addr)] = true
			b := app.Building{
				Address: addr, OrganizationID: mgmt[len(buildings)%len(mgmt)], SupplierID: suppliers[0], // the heat company: hot water
				Apartments: []int{36, 45, 54, 60, 72, 80, 90, 108, 120}[rng.IntN(9)], YearBuilt: 1970 + rng.IntN(45),
			}
			b.AreaM2 = float64(b.Apartments) * (45 + float64(rng.IntN(20)))
			if err := tx.SaveBuilding(&b); err != nil {
				return fmt.Errorf("demo building %s: %w", addr, err)
			}
			buildings = append(buildings, b)
		}
		users := map[app.Role]*app.User{}
		for _, a := range Accounts {
			u := &app.User{Login: a.Login, Role: a.Role, Name: a.Name}
			if a.Role == app.RoleOrg {
				u.OrganizationID = mgmt[0]
			}
			if a.Role == app.RoleResident {
				u.Phone = "+79121234567"
			}
			if err := tx.CreateDemoUser(u); err != nil {
				return err
			}
			users[a.Role] = u
		}
		// Dispatchers of the other organisations act on their tickets in the history.
		orgUsers := map[int64]*app.User{mgmt[0]: users[app.RoleOrg]}
		for i, id := range append(append([]int64{}, mgmt[1:]...), suppliers...) {
			u := &app.User{Login: fmt.Sprintf("uk%d", i+2), Role: app.RoleOrg, OrganizationID: id, Name: "Диспетчер"}
			if err := tx.CreateDemoUser(u); err != nil {
				return err
			}
			orgUsers[id] = u
		}
		wts, err := tx.WorkTypes()
		if err != nil {
			return err
		}
		return history(tx, rng, now, buildings, wts, users, orgUsers)
	})
}

type plan struct {
	at time.Time
	wt *app.WorkType
	b  app.Building
}

// history files about 2,000 tickets over 60 days and walks each through its life
// as far as the clock allows: some late, some reopened, some linked, some cancelled.
func history(tx *store.Tx, rng *rand.Rand, now time.Time, buildings []app.Building, wts []*app.WorkType, users map[app.Role]*app.User, orgUsers map[int64]*app.User) error {
	// Some buildings and categories are weak spots: they get more calls.
	weights := make([]int, len(buildings))
	for i := range weights {
		weights[i] = 1 + rng.IntN(3)
		if i%11 == 3 {
			weights[i] = 8
		}
	}
	pickBuilding := func() app.Building {
		total := 0
		for _, w := range weights {
			total += w
		}
		n := rng.IntN(total)
		for i, w := range weights {
			if n < w {
				return buildings[i]
			}
			n -= w
		}
		return buildings[0]
	}
	var plans []plan
	start := now.Add(-60 * 24 * time.Hour)
	for i := 0; i < 2000; i++ {
		at := start.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour))))
		// Calls come by day more than by night.
		if h := at.Hour(); h < 6 && rng.IntN(3) > 0 {
			at = at.Add(8 * time.Hour)
		}
		if at.After(now) {
			at = now.Add(-time.Duration(rng.IntN(3600)) * time.Second)
		}
		plans = append(plans, plan{at: at, wt: wts[rng.IntN(len(wts))], b: pickBuilding()})
	}
	sort.Slice(plans, func(i, j int) bool { return plans[i].at.Before(plans[j].at) })
	// Each org has its own habits, so that the rating has something to tell apart.
	speed := map[int64]float64{}
	for id := range orgUsers {
		speed[id] = 0.3 + rng.Float64()*0.9
	}
	var recent []*app.Ticket
	for _, p := range plans {
		filer := users[app.RoleOperator]
		if rng.IntN(6) == 0 {
			filer = users[app.RoleResident]
		}
		tx.SetNow(p.at)
		tx.SetUser(filer)
		phone := fmt.Sprintf("+7912%07d", rng.IntN(10000000))
		name := firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
		if filer.Role == app.RoleResident {
			phone, name = "", ""
		}
		t, err := tx.CreateTicket(app.NewTicket{
			BuildingID: p.b.ID, Apartment: fmt.Sprint(1 + rng.IntN(max(p.b.Apartments, 1))), WorkType: p.wt.Code,
			Description: describe(rng, p.wt), ReporterName: name, ReporterPhone: phone,
		})
		if err != nil {
			return fmt.Errorf("demo ticket: %w", err)
		}
		if err := walk(tx, rng, now, t, users, orgUsers, speed, recent); err != nil {
			return fmt.Errorf("demo ticket %s: %w", t.Number, err)
		}
		recent = append(recent, t)
		if len(recent) > 40 {
			recent = recent[1:]
		}
	}
	return nil
}

func describe(rng *rand.Rand, wt *app.WorkType) string {
	prefix := strings.SplitN(wt.Code, "-", 2)[0]
	list := descriptions[prefix]
	if len(list) == 0 || rng.IntN(3) == 0 {
		list = descriptions[""]
	}
	return wt.Name + ". " + list[rng.IntN(len(list))]
}

// walk takes a fresh ticket through its lifecycle at plausible moments, stopping
// where the next step would be in the future.
func walk(tx *store.Tx, rng *rand.Rand, now time.Time, t *app.Ticket, users map[app.Role]*app.User, orgUsers map[int64]*app.User, speed map[int64]float64, recent []*app.Ticket) error {
	at := t.CreatedAt
	step := func(d time.Duration, u *app.User, a app.Action, in store.ActInput) (bool, error) {
		at = at.Add(d)
		if at.After(now) {
			return false, nil
		}
		tx.SetNow(at)
		tx.SetUser(u)
		nt, err := tx.Act(t.Number, a, in)
		if err != nil {
			return false, err
		}
		*t = *nt
		return true, nil
	}
	op := users[app.RoleOperator]
	if t.Status == app.StatusNew { // nobody known to take it: an operator routes it within the centre's norm
		if ok, err := step(time.Duration(3+rng.IntN(25))*time.Minute, op, app.ActionRoute, store.ActInput{}); !ok || err != nil {
			return err
		}
	}
	// A few calls are about an incident already registered, or not for the centre.
	switch r := rng.IntN(100); {
	case r < 3 && len(recent) > 0:
		for _, p := range recent {
			if p.BuildingID == t.BuildingID && p.Status.WorkOpen() && p.ParentID == 0 {
				_, err := step(time.Minute, op, app.ActionLink, store.ActInput{Parent: p.Number, Note: "Тот же случай"})
				return err
			}
		}
	case r < 6:
		_, err := step(time.Duration(10+rng.IntN(120))*time.Minute, op, app.ActionCancel, store.ActInput{Note: "Дубль обращения"})
		return err
	}
	disp := orgUsers[t.OrganizationID]
	if disp == nil {
		return nil
	}
	sp := speed[t.OrganizationID]
	if rng.IntN(40) == 0 {
		if ok, err := step(time.Duration(30+rng.IntN(300))*time.Minute, disp, app.ActionReturn, store.ActInput{Note: "Дом не в нашем управлении"}); !ok || err != nil {
			return err
		}
		// The operator checks the register within minutes and sends it back: a working
		// centre leaves nothing waiting to be routed.
		if ok, err := step(time.Duration(5+rng.IntN(20))*time.Minute, op, app.ActionRoute, store.ActInput{Note: "По реестру дом в управлении вашей организации"}); !ok || err != nil {
			return err
		}
	}
	for round := 0; round < 3; round++ {
		acceptIn := time.Duration(float64(t.AcceptDueAt.Sub(at)) * (0.1 + rng.Float64()*1.4*sp))
		if ok, err := step(acceptIn, disp, app.ActionAccept, store.ActInput{}); !ok || err != nil {
			return err
		}
		workIn := time.Duration(float64(t.DueAt.Sub(t.CreatedAt)) * (0.1 + rng.Float64()*1.5*sp))
		if round > 0 {
			workIn = time.Duration(2+rng.IntN(30)) * time.Hour
		}
		if ok, err := step(workIn, disp, app.ActionDone, store.ActInput{Note: "Работы выполнены"}); !ok || err != nil {
			return err
		}
		for rng.IntN(5) == 0 {
			if ok, err := step(time.Duration(1+rng.IntN(5))*time.Hour, op, app.ActionCallFailed, store.ActInput{}); !ok || err != nil {
				return err
			}
		}
		callIn := time.Duration(1+rng.IntN(20)) * time.Hour
		if rng.Float64() < 0.12*sp+0.02 {
			if ok, err := step(callIn, op, app.ActionReject, store.ActInput{Note: "Житель: проблема осталась"}); !ok || err != nil {
				return err
			}
			continue
		}
		_, err := step(callIn, op, app.ActionConfirm, store.ActInput{Note: "Житель доволен"})
		return err
	}
	return nil
}

// PrintAccounts writes the demo logins for the person who started the server.
func PrintAccounts(w io.Writer, addr string) {
	fmt.Fprintf(w, "Демо-данные «Усинск» загружены. Откройте %s и войдите (пароль = логин):\n", addr)
	for _, a := range Accounts {
		fmt.Fprintf(w, "  %-10s  %s\n", a.Login, a.Role.Title())
	}
}
