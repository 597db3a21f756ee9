package web

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// The rows of a ticket list and the pinned emergencies above a queue are written
// here, in Go, not by html/template. A queue page shows 70 of them (50 rows and
// 20 emergencies) and refreshes itself every 15 seconds for everybody at work;
// in a template every {{…}} of a row is a reflective call of its value and of its
// escaper, about 2 ms of CPU of a page's 3 on a million tickets. Written here the
// rows cost a tenth of that (docs/performance.md: «What keeps the queue pages
// cheap»). The page around them (partials/ticket_table, partials/queue) stays a
// template; what is written here escapes every value as html/template would in
// the same place (text, a quoted attribute, a URL's path), so the markup is the
// same byte for byte.

// listView is what a row needs of its page: the language, the tab (its buttons),
// who looks, the CSRF token and where a button's form comes back to.
type listView struct {
	L      Lang
	Active string // the queue's tab; "" outside the queues
	Role   app.Role
	CSRF   string
	Back   string
}

func newListView(d fiber.Map) listView {
	v := listView{}
	v.L, _ = d["L"].(Lang)
	v.Active, _ = d["Active"].(string)
	v.CSRF, _ = d["CSRF"].(string)
	v.Back, _ = d["Back"].(string)
	if u, ok := d["User"].(*app.User); ok && u != nil {
		v.Role = u.Role
	}
	return v
}

// ticketRows writes the <tr> of every row of d["Rows"] (partials/ticket_table).
func ticketRows(d fiber.Map) template.HTML {
	rows, _ := d["Rows"].([]row)
	v := newListView(d)
	var w htmlWriter
	w.Grow(len(rows) * 1200)
	for i := range rows {
		v.row(&w, &rows[i])
	}
	return template.HTML(w.String())
}

func (v listView) row(w *htmlWriter, r *row) {
	t := v.L.T
	w.raw("\n<tr class=\"")
	if r.LocalizeOverdue {
		w.raw("em-loud ")
	}
	if r.Overdue {
		w.raw("overdue")
	} else if r.AcceptOverdue {
		w.raw("late")
	}
	if r.WorkType.Emergency {
		w.raw(" emergency")
	}
	w.raw("\">\n  <td>")
	w.ticketLink(r.Number)
	w.raw("<br><small>")
	w.text(r.Created)
	w.raw("</small></td>\n  <td>")
	w.text(r.Address)
	if r.Apartment != "" {
		w.raw(", ")
		w.text(t("кв."))
		w.raw(" ")
		w.text(r.Apartment)
	}
	w.raw("</td>\n  <td>")
	if r.WorkType.Emergency {
		w.badge("em", t("авария"))
		w.raw(" ")
	}
	w.text(r.WorkType.Name)
	w.raw("</td>\n  <td>")
	w.text(t(r.Status.Title()))
	if r.ReopenCount != 0 {
		w.aside(t("повторно:"), strconv.Itoa(r.ReopenCount))
	}
	w.raw("</td>\n  <td>")
	w.text(r.OrgName)
	w.raw("</td>\n  <td>")
	w.text(r.Due)
	if r.Clock != "" {
		w.raw("<br>")
		v.clock(w, r, r.Clock == "локализовать")
	}
	if r.Overdue {
		w.raw(" ")
		w.badge("over", t("просрочена"))
	} else if r.AcceptOverdue {
		w.raw(" ")
		w.badge("late", t("не принята"))
	}
	w.raw("</td>\n  ")
	switch v.Active {
	case "done":
		v.phone(w, r)
		w.raw("<td>")
		w.text(r.DoneWhen)
		w.raw("</td><td>")
		w.int(int64(r.CallAttempts))
		w.raw("</td><td>")
		w.text(r.LastCall)
		if r.RetryWhen != "" {
			w.aside(t("перезвонить в"), r.RetryWhen)
		}
		w.raw("</td>\n  <td>")
		if r.CallerOther != "" {
			w.badge("late", t("звонит")+" "+r.CallerOther)
		} else {
			w.raw("<form method=\"post\" action=\"/work/tickets/")
			w.url(r.Number)
			w.raw("/claim\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"")
			w.text(v.CSRF)
			w.raw("\"><input type=\"hidden\" name=\"back\" value=\"/work/call/")
			w.url(r.Number)
			w.raw("\"><button type=\"submit\" class=\"btn-claim\">")
			if r.CallerMe != "" {
				w.text(t("Продолжить звонок"))
			} else {
				w.text(t("Звоню"))
			}
			w.raw("</button></form>")
		}
		w.raw("</td>\n  \n  \n  \n</tr>\n")
		return
	case "unreached":
		w.raw("\n  ")
		v.phone(w, r)
		w.raw("<td>")
		w.text(r.DoneWhen)
		w.raw("</td><td>")
		w.int(int64(r.CallAttempts))
		w.raw("</td><td>")
		w.text(r.GaveUp)
		w.raw("</td>\n  \n  \n</tr>\n")
		return
	case "incoming":
		w.raw("\n  \n  ")
		v.button(w, r, "accept", "btn-accept", "", t("Принять"))
		w.raw("\n  \n</tr>\n")
		return
	case "new":
		if v.Role != app.RoleAdmin {
			w.raw("\n  \n  \n  ")
			v.button(w, r, "route", "btn-route", t("в организацию, обслуживающую дом"), t("Направить в УО"))
			w.raw("\n</tr>\n")
			return
		}
	}
	w.raw("\n  \n  \n  \n</tr>\n")
}

// clock is a row's or an emergency's live countdown; localize marks the
// localisation clock of an emergency row.
func (v listView) clock(w *htmlWriter, r *row, localize bool) {
	t := v.L.T
	w.raw("<span class=\"clock")
	if r.ClockOver {
		w.raw(" clock-over")
	}
	if localize {
		w.raw(" clock-localize")
	}
	w.raw("\" data-clock-at=\"")
	w.int(r.ClockAt)
	w.raw("\" data-clock-kind=\"")
	w.text(t(r.Clock))
	w.raw("\" data-over=\"")
	w.text(t("просрочено на"))
	w.raw("\">")
	w.text(t(r.Clock))
	w.raw(": ")
	if r.ClockOver {
		w.text(t("просрочено на"))
		w.raw(" ")
	}
	w.text(r.ClockLeft)
	w.raw("</span>")
}

func (v listView) phone(w *htmlWriter, r *row) {
	w.raw("<td>")
	if r.ReporterPhone != "" {
		w.raw("<a href=\"tel:")
		w.url(r.ReporterPhone)
		w.raw("\">")
		w.text(app.FormatPhone(r.ReporterPhone))
		w.raw("</a>")
	}
	w.raw("</td>")
}

// button is a row's one-click action: accept or route, with the ticket's version
// so that a click on a row someone else changed meanwhile is refused.
func (v listView) button(w *htmlWriter, r *row, action, class, title, label string) {
	w.raw("<td><form method=\"post\" action=\"/work/tickets/")
	w.url(r.Number)
	w.raw("/" + action + "\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"")
	w.text(v.CSRF)
	w.raw("\"><input type=\"hidden\" name=\"version\" value=\"")
	w.int(r.Version)
	w.raw("\"><input type=\"hidden\" name=\"back\" value=\"")
	w.text(v.Back)
	w.raw("\"><button type=\"submit\" class=\"" + class + "\"")
	if title != "" {
		w.raw(" title=\"")
		w.text(title)
		w.raw("\"")
	}
	w.raw(">")
	w.text(label)
	w.raw("</button></form></td>")
}

// emergencyItems writes the <li> of every pinned emergency of d["Emergencies"]
// (partials/queue).
func emergencyItems(d fiber.Map) template.HTML {
	rows, _ := d["Emergencies"].([]row)
	v := newListView(d)
	t := v.L.T
	var w htmlWriter
	w.Grow(len(rows) * 700)
	for i := range rows {
		r := &rows[i]
		w.raw("\n    <li class=\"em-item")
		if r.LocalizeOverdue {
			w.raw(" em-loud")
		}
		w.raw("\" id=\"em-")
		w.text(r.Number)
		w.raw("\">\n      ")
		if r.LocalizeOverdue {
			w.raw("<strong class=\"em-alarm\">")
			w.text(t("НЕ ЛОКАЛИЗОВАНА"))
			w.raw("</strong> ")
		}
		w.raw("\n      ")
		w.ticketLink(r.Number)
		w.raw(" · ")
		w.text(r.Address)
		w.raw(" · ")
		w.text(r.WorkType.Name)
		if r.OrgName != "" {
			w.raw(" · ")
			w.text(r.OrgName)
		}
		w.raw("\n      ")
		if r.Clock != "" {
			v.clock(&w, r, false)
		} else if r.WorkType.Handoff != "" {
			w.raw("<span class=\"clock\">")
			w.text(t("передано в"))
			w.raw(" ")
			w.text(r.WorkType.Handoff)
			w.raw("</span>")
		}
		w.raw("\n    </li>\n  ")
	}
	return template.HTML(w.String())
}

// htmlWriter writes markup, escaping values as html/template escapes them.
type htmlWriter struct{ strings.Builder }

// ticketLink writes the link to a ticket's page, its number the link's text.
func (w *htmlWriter) ticketLink(number string) {
	w.raw("<a href=\"/work/tickets/")
	w.url(number)
	w.raw("\">")
	w.text(number)
	w.raw("</a>")
}

// aside writes « (label value)» in small print after a cell's text.
func (w *htmlWriter) aside(label, value string) {
	w.raw(" <small>(")
	w.text(label)
	w.raw(" ")
	w.text(value)
	w.raw(")</small>")
}

// badge writes a badge of class («em», «over», «late») saying text.
func (w *htmlWriter) badge(class, text string) {
	w.raw("<span class=\"badge " + class + "\">")
	w.text(text)
	w.raw("</span>")
}

// raw writes trusted markup.
func (w *htmlWriter) raw(s string) { w.WriteString(s) }

func (w *htmlWriter) int(n int64) {
	var b [20]byte
	w.Write(strconv.AppendInt(b[:0], n, 10))
}

// text writes s as text or as a quoted attribute's value: html/template's
// escaper for both (it also escapes «+», and a NUL becomes U+FFFD).
func (w *htmlWriter) text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(r)
		last = i + 1
	}
	w.WriteString(s[last:])
}

// url writes s as a part of a URL's path in a quoted attribute, as html/template
// normalises it there: what a URL may not hold is percent-encoded, and the
// attribute's own escaping follows.
func (w *htmlWriter) url(s string) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			w.WriteByte(c)
		case strings.IndexByte("-._~!#$*,/:;=?@[]", c) >= 0:
			w.WriteByte(c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]): // an escape already (html/template's very test)
			w.WriteByte(c)
		case c == '&':
			w.WriteString("&amp;")
		case c == '+':
			w.WriteString("&#43;")
		default:
			w.WriteByte('%')
			w.WriteByte(hex[c>>4])
			w.WriteByte(hex[c&15])
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
