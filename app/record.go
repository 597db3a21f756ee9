package app

import "time"

// TicketJSON is the ticket as the contract's JSON API shows it: the record and
// what the centre alone holds — the flat, the resident's own words and, only for
// those allowed to see it, the reporter.
type TicketJSON struct {
	TicketRecord
	Apartment   string        `json:"apartment"`
	Description string        `json:"description"`
	Reporter    *ReporterJSON `json:"reporter,omitempty"`
}

// TicketRecord is the ticket as the republic registry receives it (the
// contract's "Registry export"): nothing personal. No flat number, no free text
// (a description or a comment can name a person or a phone, and no masking
// catches every way of writing one): the work type says what the problem is.
// Municipality is set only in the registry export.
type TicketRecord struct {
	Municipality  string          `json:"municipality,omitempty"`
	Number        string          `json:"number"`
	Status        Status          `json:"status"`
	Source        Source          `json:"source"`
	WorkType      WorkTypeRef     `json:"work_type"`
	Building      BuildingRef     `json:"building"`
	Organization  *OrganizationRf `json:"organization"`
	Parent        *string         `json:"parent"`
	CreatedAt     string          `json:"created_at"`
	AcceptDueAt   *string         `json:"accept_due_at"` // null: a hand-off type has no deadline
	DueAt         *string         `json:"due_at"`
	LocalizeDueAt *string         `json:"localize_due_at"`
	LocalizedAt   *string         `json:"localized_at"`
	Handoff       *string         `json:"handoff"` // the number the call was handed to (104)
	AcceptedAt    *string         `json:"accepted_at"`
	DoneAt        *string         `json:"done_at"`
	ClosedAt      *string         `json:"closed_at"`
	Overdue       bool            `json:"overdue"`
	DoneOnTime    *bool           `json:"done_on_time"`
	ReopenCount   int             `json:"reopen_count"`
	CallAttempts  int             `json:"call_attempts"`
	Callback      *CallbackJSON   `json:"callback,omitempty"` // the centre's only
	Version       int64           `json:"version"`
	UpdatedAt     string          `json:"updated_at"`
}

// WorkTypeRef is the work type as embedded in a ticket.
type WorkTypeRef struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Category  string `json:"category"`
	Emergency bool   `json:"emergency"`
}

// BuildingRef is the building as embedded in a ticket.
type BuildingRef struct {
	ID      int64  `json:"id"`
	Address string `json:"address"`
	// Apartments is the building's flat count (0: unknown), which the republic's
	// rating needs for its load component: requests per 100 apartments.
	Apartments int `json:"apartments,omitempty"`
}

// OrganizationRf is the organisation as embedded in a ticket.
type OrganizationRf struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// TicketBrief is a possible duplicate as the answer to filing a ticket lists it
// (POST /api/v1/tickets, possible_duplicates): what tells the operator whether
// it is the same fault, and its number to link to. Nothing of who reported it:
// the whole ticket is one GET away for those who may see it.
type TicketBrief struct {
	Number      string
	Status      Status
	WorkType    WorkTypeRef
	Apartment   string
	Description string
	CreatedAt   time.Time
}

// TicketBriefJSON is a TicketBrief as the API shows it: the same names as a
// ticket's (TicketJSON) for the same fields.
type TicketBriefJSON struct {
	Number      string      `json:"number"`
	Status      Status      `json:"status"`
	WorkType    WorkTypeRef `json:"work_type"`
	Apartment   string      `json:"apartment"`
	Description string      `json:"description"`
	CreatedAt   string      `json:"created_at"`
}

// JSON shows b in loc.
func (b TicketBrief) JSON(loc *time.Location) TicketBriefJSON {
	return TicketBriefJSON{Number: b.Number, Status: b.Status, WorkType: b.WorkType, Apartment: b.Apartment,
		Description: b.Description, CreatedAt: FormatTime(b.CreatedAt, loc)}
}

// ReporterJSON is who called.
type ReporterJSON struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// FormatTime writes t as RFC 3339 in loc; the zero time is "".
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

func optTime(t time.Time, loc *time.Location) *string {
	if t.IsZero() {
		return nil
	}
	s := FormatTime(t, loc)
	return &s
}

// JSON shows t as of now in loc; withReporter adds the reporter's name and phone.
func (t *Ticket) JSON(loc *time.Location, now time.Time, withReporter bool) TicketJSON {
	j := TicketJSON{TicketRecord: t.Record(loc, now), Apartment: t.Apartment, Description: t.Description}
	if withReporter {
		j.Reporter = &ReporterJSON{Name: t.ReporterName, Phone: t.ReporterPhone}
	}
	return j
}

// Record shows t as of now in loc without anything personal.
func (t *Ticket) Record(loc *time.Location, now time.Time) TicketRecord {
	j := TicketRecord{
		Number:        t.Number,
		Status:        t.Status,
		Source:        t.Source,
		WorkType:      WorkTypeRef{Code: t.WorkType.Code, Name: t.WorkType.Name, Category: t.WorkType.Category, Emergency: t.WorkType.Emergency},
		Building:      BuildingRef{ID: t.BuildingID, Address: t.Address, Apartments: t.BuildingApartments},
		CreatedAt:     FormatTime(t.CreatedAt, loc),
		AcceptDueAt:   optTime(t.AcceptDueAt, loc),
		DueAt:         optTime(t.DueAt, loc),
		LocalizeDueAt: optTime(t.LocalizeDueAt, loc),
		LocalizedAt:   optTime(t.LocalizedAt, loc),
		AcceptedAt:    optTime(t.AcceptedAt, loc),
		DoneAt:        optTime(t.DoneAt, loc),
		ClosedAt:      optTime(t.ClosedAt, loc),
		Overdue:       t.Overdue(now),
		DoneOnTime:    t.DoneOnTime,
		ReopenCount:   t.ReopenCount,
		CallAttempts:  t.CallAttempts,
		Version:       t.Version,
		UpdatedAt:     FormatTime(t.UpdatedAt, loc),
	}
	if t.WorkType.Handoff != "" {
		h := t.WorkType.Handoff
		j.Handoff = &h
	}
	if t.OrganizationID != 0 {
		j.Organization = &OrganizationRf{ID: t.OrganizationID, Name: t.OrgName}
	}
	if t.ParentNumber != "" {
		p := t.ParentNumber
		j.Parent = &p
	}
	return j
}

// SeesReporter reports whether u may see who filed t: the centre, the organisation
// doing the work (it has to reach the flat), and the resident themself.
func SeesReporter(u *User, t *Ticket) bool {
	return u != nil && CanSee(u, t)
}
