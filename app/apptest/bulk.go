package apptest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

// BulkOrgs and BulkBuildings shape the bulk municipality.
const (
	BulkOrgs      = 20
	BulkBuildings = 2000
)

// BulkDB returns the path of a database with n tickets (and their audit trail)
// spread over the 730 days before Now, built once per schema and size and cached in
// the system's temporary folder, since building a million tickets takes a while.
// Copy it before writing to it (see OpenBulk).
func BulkDB(tb testing.TB, n int) string {
	tb.Helper()
	h := sha256.Sum256([]byte(Schema(tb) + fmt.Sprint(n, bulkVersion)))
	path := filepath.Join(os.TempDir(), "ecoz-bulk-"+hex.EncodeToString(h[:6])+".db")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + fmt.Sprint(".", os.Getpid(), ".part")
	os.Remove(tmp)
	s, err := store.Open(tmp, Schema(tb))
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	if err := fillBulk(s, n); err != nil {
		s.Close()
		tb.Fatal(err)
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("bulk database of %d tickets built in %s", n, time.Since(start).Round(time.Second))
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	return path
}

// bulkVersion changes when fillBulk changes, so that stale caches are not reused.
const bulkVersion = 2

// OpenBulk copies the bulk database of n tickets into t's temporary folder and
// opens it, clock frozen at Now.
func OpenBulk(tb testing.TB, n int) (*store.Store, *Clock) {
	tb.Helper()
	return openCopy(tb, BulkDB(tb, n))
}

// openCopy copies the database at src into the test's temporary folder and opens
// the copy, clock frozen at Now.
func openCopy(tb testing.TB, src string) (*store.Store, *Clock) {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), "ecoz.db")
	CopyFile(tb, src, dst)
	s, err := store.Open(dst, Schema(tb))
	if err != nil {
		tb.Fatal(err)
	}
	clock := &Clock{t: Now}
	s.Now = clock.Now
	tb.Cleanup(func() { s.Close() })
	return s, clock
}

// CopyFile copies the file at src to dst, synced to the disk.
func CopyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	// On the disk before the copy is used: a benchmark would otherwise measure
	// the kernel writing back a gigabyte, and wait for it at the first fsync of
	// the database file (a checkpoint's).
	if err := out.Sync(); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// fillBulk writes the catalogue, BulkOrgs organisations with BulkBuildings
// buildings, an operator and one dispatcher per organisation ("org1" …), and n
// tickets in plain SQL: the domain's one-by-one path would take hours for a million.
// Tickets older than 30 days are all closed or cancelled; the last 30 days hold
// every status, as a working centre does.
func fillBulk(s *store.Store, n int) error {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	var wts []*app.WorkType
	var opID int64
	orgUsers := map[int64]int64{}
	err := s.Write(ctx, func(tx *store.Tx) error {
		tx.SetNow(Now.Add(-800 * 24 * time.Hour))
		if err := tx.SetSetting(store.SetMunicipalityCode, "BLK"); err != nil {
			return err
		}
		f, err := os.Open(filepath.Join(Root(), "assets", "data", "work_types.csv"))
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := tx.LoadWorkTypes(f); err != nil {
			return err
		}
		all, err := tx.WorkTypes()
		if err != nil {
			return err
		}
		for _, w := range all {
			if w.Handoff == "" { // a gas smell is handed to 104, not worked as a ticket with deadlines
				wts = append(wts, w)
			}
		}
		op := &app.User{Login: "operator", Role: app.RoleOperator}
		if err := tx.CreateDemoUser(op); err != nil {
			return err
		}
		opID = op.ID
		for i := 1; i <= BulkOrgs; i++ {
			o := &app.Organization{Name: fmt.Sprintf("УК №%d", i), Kind: app.OrgManagement}
			if err := tx.SaveOrganization(o); err != nil {
				return err
			}
			u := &app.User{Login: fmt.Sprintf("org%d", i), Role: app.RoleOrg, OrganizationID: o.ID}
			if err := tx.CreateDemoUser(u); err != nil {
				return err
			}
			orgUsers[o.ID] = u.ID
		}
		for i := 0; i < BulkBuildings; i++ {
			b := &app.Building{Address: fmt.Sprintf("ул. Улица %d, д. %d", i/40+1, i%40+1), OrganizationID: int64(i%BulkOrgs + 1), Apartments: 20 + rng.IntN(150)}
			if err := tx.SaveBuilding(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	const batch = 20000
	id := int64(0)
	for done := 0; done < n; done += batch {
		err := s.Write(ctx, func(tx *store.Tx) error {
			return tx.Raw(func(exec func(q string, args ...any) error) error {
				for k := 0; k < batch && done+k < n; k++ {
					id++
					if err := bulkTicket(exec, rng, id, int64(n), wts, opID, orgUsers); err != nil {
						return err
					}
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
	}
	// Written around the domain, the tickets get their working order in one pass.
	return s.FillQueueKeys(ctx)
}

func bulkTicket(exec func(string, ...any) error, rng *rand.Rand, id, n int64, wts []*app.WorkType, opID int64, orgUsers map[int64]int64) error {
	span := int64(730 * 24 * 3600)
	created := Now.Unix() - span + span*id/n - int64(rng.IntN(600))
	wt := wts[rng.IntN(len(wts))]
	b := int64(rng.IntN(BulkBuildings) + 1)
	org := (b-1)%BulkOrgs + 1
	d := app.DeadlinesFor(wt, time.Unix(created, 0), app.DefaultNorms())
	age := Now.Unix() - created
	// How far the ticket got: old ones are finished; recent ones anywhere.
	stage := 5
	if age < 30*24*3600 {
		stage = rng.IntN(7)
	} else if rng.IntN(30) == 0 {
		stage = 6
	}
	status := []app.Status{app.StatusNew, app.StatusRouted, app.StatusAccepted, app.StatusDone, app.StatusReopened, app.StatusClosed, app.StatusCancelled}[stage]
	var acceptedAt, doneAt, closedAt, onTime any
	dueSpan := d.DueAt.Unix() - created
	t := created
	type ev struct {
		at       int64
		actor    int64
		action   app.Action
		from, to app.Status
	}
	evs := []ev{{created, opID, app.ActionCreate, "", app.StatusNew}}
	orgID := any(nil)
	reopen := 0
	if stage >= 1 && stage != 6 {
		orgID = org
		evs = append(evs, ev{t, opID, app.ActionRoute, app.StatusNew, app.StatusRouted})
	}
	if stage >= 2 && stage != 6 {
		t += int64(float64(d.AcceptDueAt.Unix()-created) * rng.Float64() * 1.3)
		acceptedAt = t
		evs = append(evs, ev{t, orgUsers[org], app.ActionAccept, app.StatusRouted, app.StatusAccepted})
	}
	if stage >= 3 && stage != 6 {
		t += int64(float64(dueSpan) * rng.Float64() * 1.2)
		doneAt = t
		evs = append(evs, ev{t, orgUsers[org], app.ActionDone, app.StatusAccepted, app.StatusDone})
	}
	if stage == 4 || (stage == 5 && rng.IntN(12) == 0) {
		t += 3600
		reopen = 1
		evs = append(evs, ev{t, opID, app.ActionReject, app.StatusDone, app.StatusReopened})
		if stage == 5 {
			t += 7200
			evs = append(evs, ev{t, orgUsers[org], app.ActionAccept, app.StatusReopened, app.StatusAccepted})
			t += 7200
			doneAt = t
			evs = append(evs, ev{t, orgUsers[org], app.ActionDone, app.StatusAccepted, app.StatusDone})
		}
	}
	if stage == 5 {
		t += 3600 * int64(1+rng.IntN(24))
		closedAt = t
		onTime = doneAt.(int64) <= d.DueAt.Unix()
		evs = append(evs, ev{t, opID, app.ActionConfirm, app.StatusDone, app.StatusClosed})
	}
	if stage == 6 {
		t += 600
		evs = append(evs, ev{t, opID, app.ActionCancel, app.StatusNew, app.StatusCancelled})
	}
	if t > Now.Unix() { // keep the history in the past
		t = Now.Unix()
	}
	var localize any
	if !d.LocalizeDueAt.IsZero() {
		localize = d.LocalizeDueAt.Unix()
	}
	if err := exec(`INSERT INTO tickets(id, number, status, source, work_type, category, emergency, building_id, apartment, description,
		reporter_name, reporter_phone, organization_id, created_at, accept_due_at, due_at, localize_due_at, accepted_at, done_at, closed_at,
		done_on_time, reopen_count, version, seq, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		id, fmt.Sprintf("BLK-%07d", id), status, app.SourcePhone, wt.Code, wt.Category, wt.Emergency, b, fmt.Sprint(1+rng.IntN(100)),
		"Описание заявки", "Житель", fmt.Sprintf("+7912%07d", rng.IntN(10000000)), orgID, created, d.AcceptDueAt.Unix(), d.DueAt.Unix(), localize,
		acceptedAt, doneAt, closedAt, onTime, reopen, len(evs), id, t); err != nil {
		return err
	}
	for _, e := range evs {
		if e.at > Now.Unix() {
			e.at = Now.Unix()
		}
		if err := exec("INSERT INTO ticket_events(ticket_id, at, actor_id, actor, action, from_status, to_status) VALUES (?,?,?,?,?,?,?)",
			id, e.at, e.actor, "bulk", e.action, e.from, e.to); err != nil {
			return err
		}
	}
	return nil
}
