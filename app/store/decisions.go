package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
)

// CreateDecision records a decision of the meeting of week, by u (the
// supervisor). The input is validated first, then the organisation, the building
// and the tickets are checked against the database; any error saves nothing.
func (s *Store) CreateDecision(ctx context.Context, u *app.User, n app.NewDecision) (*app.Decision, error) {
	loc := s.Municipality(ctx).Location
	if err := n.Validate(s.Now(), loc); err != nil {
		return nil, err
	}
	var id int64
	err := s.Write(ctx, func(tx *Tx) error {
		tx.SetUser(u)
		fe := app.FieldErrors{}
		var active bool
		if err := tx.queryRow("SELECT active FROM organizations WHERE id = ?", n.OrgID).Scan(&active); err == sql.ErrNoRows || (err == nil && !active) {
			fe.Add("organization_id", "Такой действующей организации нет.")
		} else if err != nil {
			return err
		}
		if n.BuildingID != 0 {
			var one int
			if err := tx.queryRow("SELECT 1 FROM buildings WHERE id = ?", n.BuildingID).Scan(&one); err == sql.ErrNoRows {
				fe.Add("building_id", "Такого дома нет в справочнике.")
			} else if err != nil {
				return err
			}
		}
		for i, num := range n.Tickets {
			num = strings.ToUpper(num)
			n.Tickets[i] = num
			var one int
			if err := tx.queryRow("SELECT 1 FROM tickets WHERE number = ?", num).Scan(&one); err == sql.ErrNoRows {
				fe.Add("tickets", "Нет заявки "+num+".")
			} else if err != nil {
				return err
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		tickets, _ := json.Marshal(append([]string{}, n.Tickets...))
		var building any
		if n.BuildingID != 0 {
			building = n.BuildingID
		}
		_, actor := tx.actor()
		res, err := tx.exec(`INSERT INTO decisions(meeting_week, text, organization_id, building_id, tickets, due_on, created_at, created_by)
			VALUES (?,?,?,?,?,?,?,?)`, n.MeetingWeek, n.Text, n.OrgID, building, string(tickets), n.DueOn, unix(tx.now), actor)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Decision(ctx, id)
}

// DecisionFilter selects decisions; zero fields do not filter.
type DecisionFilter struct {
	OrgID          int64
	Week           string    // made at the meeting of this week
	BeforeWeek     string    // made at meetings before this week
	NotDoneOrSince time.Time // with BeforeWeek: not done, or done since this moment
}

const decisionSelect = `SELECT d.id, d.meeting_week, d.text, d.organization_id, o.name, COALESCE(d.building_id, 0), COALESCE(b.address, ''),
  d.tickets, d.due_on, d.created_at, d.created_by, d.done_at, d.done_by, d.done_note
  FROM decisions d JOIN organizations o ON o.id = d.organization_id LEFT JOIN buildings b ON b.id = d.building_id`

func scanDecision(sc func(...any) error) (*app.Decision, error) {
	d := &app.Decision{}
	var tickets string
	var created int64
	var done sql.NullInt64
	if err := sc(&d.ID, &d.MeetingWeek, &d.Text, &d.OrgID, &d.OrgName, &d.BuildingID, &d.Address, &tickets, &d.DueOn, &created, &d.CreatedBy, &done, &d.DoneBy, &d.DoneNote); err != nil {
		return nil, err
	}
	d.CreatedAt, d.DoneAt = time.Unix(created, 0).UTC(), fromUnix(done)
	if err := json.Unmarshal([]byte(tickets), &d.Tickets); err != nil {
		return nil, err
	}
	return d, nil
}

// Decision returns one decision.
func (s *Store) Decision(ctx context.Context, id int64) (*app.Decision, error) {
	d, err := scanDecision(s.r.QueryRowContext(ctx, decisionSelect+" WHERE d.id = ?", id).Scan)
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.ENOTFOUND, "Поручение %d не найдено.", id)
	}
	return d, err
}

// Decisions lists the decisions f selects, by meeting, then in the order recorded.
func (s *Store) Decisions(ctx context.Context, f DecisionFilter) ([]*app.Decision, error) {
	var where []string
	var args []any
	if f.OrgID != 0 {
		where, args = append(where, "d.organization_id = ?"), append(args, f.OrgID)
	}
	if f.Week != "" {
		where, args = append(where, "d.meeting_week = ?"), append(args, f.Week)
	}
	if f.BeforeWeek != "" {
		where, args = append(where, "d.meeting_week < ?"), append(args, f.BeforeWeek)
		if !f.NotDoneOrSince.IsZero() {
			where, args = append(where, "(d.done_at IS NULL OR d.done_at >= ?)"), append(args, unix(f.NotDoneOrSince))
		}
	}
	q := decisionSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	out := []*app.Decision{}
	err := s.each(ctx, q+" ORDER BY d.meeting_week, d.id", args, func(sc func(...any) error) error {
		d, err := scanDecision(sc)
		if err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// MarkDecisionDone records that the decision is done, with the note, by u: the
// responsible organisation's user, or the supervisor. Another organisation's
// user, an empty note or a decision already done is refused and nothing saved.
func (s *Store) MarkDecisionDone(ctx context.Context, u *app.User, id int64, note string) (*app.Decision, error) {
	note = strings.TrimSpace(note)
	err := s.Write(ctx, func(tx *Tx) error {
		tx.SetUser(u)
		d, err := scanDecision(tx.queryRow(decisionSelect+" WHERE d.id = ?", id).Scan)
		if err == sql.ErrNoRows {
			return app.Errorf(app.ENOTFOUND, "Поручение %d не найдено.", id)
		} else if err != nil {
			return err
		}
		if err := d.CheckMarkDone(u, note); err != nil {
			return err
		}
		_, actor := tx.actor()
		_, err = tx.exec("UPDATE decisions SET done_at = ?, done_by = ?, done_note = ? WHERE id = ?", unix(tx.now), actor, note, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Decision(ctx, id)
}

// Meeting is who attended the meeting of a week.
type Meeting struct {
	Week      string
	HeldOn    string // YYYY-MM-DD, local; "" not recorded
	Attendees string
	UpdatedAt time.Time
	UpdatedBy string
}

// Meeting returns the meeting of week; a meeting not recorded yet has no attendees.
func (s *Store) Meeting(ctx context.Context, week string) (Meeting, error) {
	m := Meeting{Week: week}
	var at int64
	err := s.r.QueryRowContext(ctx, "SELECT held_on, attendees, updated_at, updated_by FROM meetings WHERE week = ?", week).Scan(&m.HeldOn, &m.Attendees, &at, &m.UpdatedBy)
	if err == sql.ErrNoRows {
		return m, nil
	}
	m.UpdatedAt = time.Unix(at, 0).UTC()
	return m, err
}

// SaveMeeting records the day and the attendees of the meeting of week.
func (s *Store) SaveMeeting(ctx context.Context, u *app.User, week, heldOn, attendees string) error {
	attendees = strings.TrimSpace(attendees)
	heldOn = strings.TrimSpace(heldOn)
	fe := app.FieldErrors{}
	if len([]rune(attendees)) > 4000 {
		fe.Add("attendees", "Список участников — не длиннее 4000 знаков.")
	}
	if _, err := time.Parse(app.DecisionLayout, heldOn); err != nil {
		fe.Add("held_on", "Дата совещания — в виде ГГГГ-ММ-ДД.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.Write(ctx, func(tx *Tx) error {
		tx.SetUser(u)
		_, actor := tx.actor()
		_, err := tx.exec(`INSERT INTO meetings(week, held_on, attendees, updated_at, updated_by) VALUES (?,?,?,?,?)
			ON CONFLICT(week) DO UPDATE SET held_on = excluded.held_on, attendees = excluded.attendees, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			week, heldOn, attendees, unix(tx.now), actor)
		return err
	})
}
