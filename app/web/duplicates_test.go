package web_test

import (
	"strings"
	"testing"
)

// TestIntakeDuplicatesSayWhy: the intake's duplicate hint names why a ticket
// matches, and a tap matches only in the same flat while a roof matches the building.
func TestIntakeDuplicatesSayWhy(t *testing.T) {
	f := newFixture(t)
	tap := f.file(t, "operator", f.newTicket("CW-05")) // Ленина 5, кв. 12
	roof := f.file(t, "operator", f.newTicket("ROOF-01"))
	op := f.page(t, "operator")
	b := itoa(f.lenina.ID)
	_, body := op.get("/work/lookup/duplicates?building_id=" + b + "&work_type=CW-06&apartment=12")
	if !strings.Contains(body, tap.Number) || !strings.Contains(textOf(body), "та же квартира и категория «Санитарно-техническое оборудование»") {
		t.Errorf("same flat: %q", textOf(body))
	}
	_, body = op.get("/work/lookup/duplicates?building_id=" + b + "&work_type=CW-06&apartment=30")
	if strings.Contains(body, tap.Number) {
		t.Errorf("another flat's tap offered: %q", textOf(body))
	}
	_, body = op.get("/work/lookup/duplicates?building_id=" + b + "&work_type=ROOF-03&apartment=30")
	if !strings.Contains(body, roof.Number) || !strings.Contains(textOf(body), "тот же дом и категория «Кровля»: общее имущество дома") {
		t.Errorf("roof from another flat: %q", textOf(body))
	}
}
