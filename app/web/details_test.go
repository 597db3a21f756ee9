package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
)

// TestCentrePhoneAsResidentsKnowIt: «8 (82144) 2-00-00» as the administrator wrote
// it, not the phone library's «8 (821) 442-00-00»; the link dials E.164.
func TestCentrePhoneAsResidentsKnowIt(t *testing.T) {
	s := smallTown(t)
	base, _ := portalServer(t, s, -1)
	c := newPortalClient(t, base)
	c.get("/")
	c.has("8 (82144) 2-00-00", `href="tel:&#43;78214420000"`)
	if strings.Contains(c.last, "8 (821) 442-00-00") {
		t.Error("the centre's phone is grouped by the library")
	}
}

// TestHistoryShowsNames: the ticket's history names the people who acted, not
// their logins.
func TestHistoryShowsNames(t *testing.T) {
	f := newFixture(t)
	f.addOperator(t, "ivanova", "Иванова А. С.")
	tk := f.file(t, "ivanova", f.newTicket("ROOF-01"))
	_, body := f.page(t, "supervisor").get("/work/tickets/" + tk.Number)
	if !strings.Contains(body, `<span class="actor">(Иванова А. С.)</span>`) || strings.Contains(body, `<span class="actor">(ivanova)</span>`) {
		t.Errorf("history actors: %v", regexp.MustCompile(`<span class="actor">[^<]*</span>`).FindAllString(body, -1))
	}
}

// TestOrgAcceptFormHasNoCommentBox: on a ticket routed to it the dispatcher sees
// one comment box (the comment's), not a second one inside «Принять в работу».
func TestOrgAcceptFormHasNoCommentBox(t *testing.T) {
	f := newFixture(t)
	tk := f.file(t, "operator", f.newTicket("ROOF-01"))
	_, body := f.page(t, "org").get("/work/tickets/" + tk.Number)
	accept := regexp.MustCompile(`(?s)<form[^>]*id="act-accept".*?</form>`).FindString(body)
	if accept == "" || strings.Contains(accept, `name="note"`) {
		t.Errorf("accept form: %q", accept)
	}
	if n := strings.Count(body, "<label>Комментарий"); n != 1 {
		t.Errorf("%d «Комментарий» boxes on the dispatcher's page", n)
	}
}

// TestCallerEarlierAddresses: a caller known from two addresses gets both offered
// and neither chosen for the operator; from one address, it is chosen.
func TestCallerEarlierAddresses(t *testing.T) {
	f := newFixture(t)
	two := f.newTicket("ROOF-01")
	two["reporter_phone"] = "+79125550001"
	f.file(t, "operator", two)
	two["building_id"], two["apartment"] = f.mira.ID, "3"
	f.file(t, "operator", two)
	one := f.newTicket("ROOF-01")
	one["reporter_phone"] = "+79125550002"
	f.file(t, "operator", one)
	f.file(t, "operator", one)
	op := f.page(t, "operator")

	_, body := op.get("/work/lookup/caller?reporter_phone=" + url.QueryEscape("+79125550001"))
	for _, b := range []*app.Building{f.lenina, f.mira} {
		if !strings.Contains(body, `value="`+itoa(b.ID)+`">`) {
			t.Errorf("%s not offered unchosen: %s", b.Address, body)
		}
	}
	if strings.Contains(body, " checked") || strings.Contains(body, `id="apartment"`) || !strings.Contains(body, "нескольких адресов") {
		t.Errorf("two addresses: one was chosen for the operator")
	}
	_, body = op.get("/work/lookup/caller?reporter_phone=" + url.QueryEscape("+79125550002"))
	if !strings.Contains(body, `value="`+itoa(f.lenina.ID)+`" checked>`) || !strings.Contains(body, `id="apartment" name="apartment" value="12"`) {
		t.Errorf("one address is not chosen: %s", body)
	}
}
