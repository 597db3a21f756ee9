package web

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// queueFilter is what a person chose above a queue: the order and the filters.
type queueFilter struct {
	Sort           string
	OrganizationID int64
	Category       string
	Emergency      bool
	Overdue        bool
}

// readQueueFilter reads the queue's form. The working order is the default for
// everybody who works a queue; a value the form never offers is refused.
func readQueueFilter(c *fiber.Ctx, u *app.User) (queueFilter, error) {
	qf := queueFilter{Sort: c.Query("sort", app.SortClock), Category: strings.TrimSpace(c.Query("category"))}
	fe := app.FieldErrors{}
	if qf.Sort != app.SortClock && qf.Sort != app.SortCreated {
		fe.Add("sort", "Допустимо: clock (по срокам) или created (по регистрации).")
	}
	if v := c.Query("organization_id"); v != "" && u.Role != app.RoleOrg {
		if qf.OrganizationID = parseID(v); qf.OrganizationID <= 0 {
			fe.Add("organization_id", "Ожидается номер организации.")
		}
	}
	for name, dst := range map[string]*bool{"emergency": &qf.Emergency, "overdue": &qf.Overdue} {
		switch c.Query(name) {
		case "", "0", "false":
		case "1", "true":
			*dst = true
		default:
			fe.Add(name, "Ожидается 1 или 0.")
		}
	}
	if len(fe) > 0 {
		msgs := make([]string, 0, len(fe))
		for _, m := range fe {
			msgs = append(msgs, m)
		}
		sort.Strings(msgs)
		return qf, &app.Error{Code: app.EINVALID, Message: "Неверный выбор в очереди. " + strings.Join(msgs, " "), Fields: fe}
	}
	return qf, nil
}

func (qf queueFilter) any() bool {
	return qf.OrganizationID != 0 || qf.Category != "" || qf.Emergency || qf.Overdue
}

// apply narrows a tab's filter by the person's choice.
func (qf queueFilter) apply(f store.TicketFilter) store.TicketFilter {
	f.Sort = qf.Sort
	if qf.OrganizationID != 0 {
		f.OrganizationID = qf.OrganizationID
	}
	if qf.Category != "" {
		f.Category = qf.Category
	}
	f.Emergency = f.Emergency || qf.Emergency
	f.Overdue = f.Overdue || qf.Overdue
	return f
}

// query is the choice as a query string to carry over to the next page, the
// self-refresh and the back links ("" for the defaults).
func (qf queueFilter) query() string {
	v := url.Values{}
	if qf.Sort != app.SortClock {
		v.Set("sort", qf.Sort)
	}
	if qf.OrganizationID != 0 {
		v.Set("organization_id", strconv.FormatInt(qf.OrganizationID, 10))
	}
	if qf.Category != "" {
		v.Set("category", qf.Category)
	}
	if qf.Emergency {
		v.Set("emergency", "1")
	}
	if qf.Overdue {
		v.Set("overdue", "1")
	}
	if len(v) == 0 {
		return ""
	}
	return "&" + v.Encode()
}

// queueFacets are the filter choices of a tab: with their counts when asked, else
// the catalogue's categories alone (cached, free).
func (s *Server) queueFacets(c *fiber.Ctx, f store.TicketFilter, counts bool) (store.Facets, error) {
	if counts {
		return s.Store.QueueFacets(c.UserContext(), f)
	}
	cats, err := s.Store.Categories(c.UserContext())
	if err != nil {
		return store.Facets{}, err
	}
	fc := store.Facets{Categories: make([]store.QueueCategory, len(cats))}
	for i, cat := range cats {
		fc.Categories[i].Category = cat
	}
	return fc, nil
}
