package web_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
)

var formats = []string{"json", "xml"}

func TestOpen311Discovery(t *testing.T) {
	f, _ := o311Fixture(t)
	sch := schemas(t)
	if err := f.s.SaveSettings(f.as("admin"), map[string]string{store.SetCenterName: "Открытый Тест", store.SetCenterPhone: "8 (82144) 2-00-00"}); err != nil {
		t.Fatal(err)
	}
	type endpoint struct {
		Specification string   `json:"specification" xml:"specification"`
		URL           string   `json:"url" xml:"url"`
		Type          string   `json:"type" xml:"type"`
		Formats       []string `json:"formats" xml:"formats>format"`
	}
	type discovery struct {
		Changeset string     `json:"changeset" xml:"changeset"`
		Contact   string     `json:"contact" xml:"contact"`
		Endpoints []endpoint `json:"endpoints" xml:"endpoints>endpoint"`
	}
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			c := newOpen311Client(f, "", format)
			r := c.get(t, "discovery", nil)
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			if format == "json" {
				valid(t, sch, "discovery", r.Body)
			}
			if r.CORS != "*" {
				t.Errorf("public GET without CORS: %q", r.CORS)
			}
			var d discovery
			c.decode(t, r, &d)
			if d.Contact != "Открытый Тест, телефон 8 (82144) 2-00-00" || d.Changeset != "2026-11-30T00:00:00Z" {
				t.Fatalf("discovery %+v", d)
			}
			want := endpoint{"http://wiki.open311.org/GeoReport_v2", "http://ecoz.test/open311/v2", "production", []string{"text/xml", "application/json"}}
			if len(d.Endpoints) != 1 || d.Endpoints[0].URL != want.URL || d.Endpoints[0].Specification != want.Specification ||
				d.Endpoints[0].Type != want.Type || strings.Join(d.Endpoints[0].Formats, ",") != "text/xml,application/json" {
				t.Fatalf("endpoints %+v", d.Endpoints)
			}
		})
	}
}

func TestOpen311Services(t *testing.T) {
	f, _ := o311Fixture(t)
	sch := schemas(t)
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			c := newOpen311Client(f, "", format)
			if format == "json" {
				valid(t, sch, "services", c.get(t, "services", nil).Body)
			}
			list := c.services(t)
			// assets/data/work_types.csv has 70 work types, 69 of them active
			// (WIN-02 is retired, merged into WIN-01).
			if len(list) != 69 {
				t.Fatalf("%d services", len(list))
			}
			var lift *specService
			for i := range list {
				if list[i].Code == "LIFT-01" {
					lift = &list[i]
				}
			}
			want := specService{Code: "LIFT-01", Name: "Лифт не работает (остановлен)", Description: "Срок устранения: 1 сут (не более 1 суток).",
				Metadata: true, Type: "realtime", Group: "Лифт"}
			if lift == nil || lift.Code != want.Code || lift.Name != want.Name || lift.Description != want.Description ||
				lift.Metadata != want.Metadata || lift.Type != want.Type || lift.Group != want.Group {
				t.Fatalf("LIFT-01 = %+v, want %+v", lift, want)
			}
		})
	}
	// A work type the administrator switched off is not offered.
	ctx := f.as("admin")
	w, err := f.s.WorkType(ctx, "LIFT-01")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.UpdateWorkType(ctx, "LIFT-01", store.WorkTypeEdit{LocalHours: w.LocalHours, AcceptHours: w.AcceptHours, RouteOverride: w.RouteOverride, LocalKeywords: w.LocalKeywords, Active: false}); err != nil {
		t.Fatal(err)
	}
	c := newOpen311Client(f, "", "json")
	for _, s := range c.services(t) {
		if s.Code == "LIFT-01" {
			t.Fatal("an inactive work type is listed")
		}
	}
	if r := c.get(t, "services/LIFT-01", nil); r.Status != 404 {
		t.Fatalf("inactive definition: %d", r.Status)
	}
}

func TestOpen311ServiceDefinition(t *testing.T) {
	f, _ := o311Fixture(t)
	sch := schemas(t)
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			c := newOpen311Client(f, "", format)
			r := c.get(t, "services/HEAT-03", nil)
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			if format == "json" {
				valid(t, sch, "service_definition", r.Body)
			}
			var d specDefinition
			c.decode(t, r, &d)
			want := []specAttribute{
				{Variable: true, Code: "apartment", Datatype: "string", Required: false, Order: 1, Description: "Номер квартиры (если неисправность в квартире)"},
				{Variable: true, Code: "room_temp", Datatype: "number", Required: true, Order: 2, Description: "Температура воздуха в квартире, °C"},
			}
			if d.ServiceCode != "HEAT-03" || len(d.Attributes) != 2 || d.Attributes[0] != want[0] || d.Attributes[1] != want[1] {
				t.Fatalf("definition %+v", d)
			}
			r = c.get(t, "services/NOPE-1", nil)
			if r.Status != 404 {
				t.Fatalf("unknown service: %d", r.Status)
			}
			if format == "json" {
				valid(t, sch, "errors", r.Body)
			}
			if e := c.errors(t, r); len(e) != 1 || e[0].Code != 404 || !strings.Contains(e[0].Description, "NOPE-1") {
				t.Fatalf("errors %+v", e)
			}
		})
	}
}

// TestOpen311RoundTrip is a city app's life with ecoz: it lists the services,
// files a request by coordinates, reads it back by id and by token, and sees it
// change as the organisation works on it, until it is closed.
func TestOpen311RoundTrip(t *testing.T) {
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			f, key := o311Fixture(t)
			sch := schemas(t)
			c := newOpen311Client(f, key, format)
			var heat *specService
			for _, s := range c.services(t) {
				if s.Code == "HEAT-03" {
					heat = &s
				}
			}
			if heat == nil {
				t.Fatal("HEAT-03 not offered")
			}
			// 20 m north of ул. Ленина, д. 5.
			r := c.post(t, url.Values{"service_code": {heat.Code}, "lat": {"65.99518"}, "long": {"57.5300"},
				"first_name": {"Анна"}, "last_name": {"Попова"}, "phone": {"8 912 111-22-33"}, "email": {"anna@example.org"},
				"description": {"Холодно в квартире Поповой, кв. 12"}, "attribute[room_temp]": {"16"}, "attribute[apartment]": {"12"}})
			if r.Status != 201 {
				t.Fatalf("post: %d %s", r.Status, r.Body)
			}
			if format == "json" {
				valid(t, sch, "post_response", r.Body)
			}
			created := c.requests(t, r)
			if len(created) != 1 || created[0].ID != "TST-000001" || created[0].Token == "" ||
				created[0].ServiceNotice != "Заявка TST-000001 зарегистрирована и направлена в УК Север; срок устранения — до 17.11.2026 12:00." {
				t.Fatalf("created %+v", created)
			}
			// What the centre holds: the reporter, the flat, the temperature, the application.
			tk, err := f.s.Ticket(f.as("operator"), "TST-000001")
			if err != nil {
				t.Fatal(err)
			}
			if tk.ReporterName != "Анна Попова" || tk.ReporterPhone != "+79121112233" || tk.Apartment != "12" || tk.BuildingID != f.lenina.ID ||
				tk.Description != "Холодно в квартире Поповой, кв. 12\nТемпература воздуха в квартире: 16 °C" || tk.Status != app.StatusRouted || tk.OrganizationID != f.org.ID {
				t.Fatalf("stored %+v", tk)
			}
			if name, _ := f.s.TicketApplication(f.as("operator"), tk.ID); name != "Мобильный Усинск" {
				t.Fatalf("application %q", name)
			}

			read := func(path string) specRequest {
				t.Helper()
				r := c.get(t, path, nil)
				if r.Status != 200 {
					t.Fatalf("%s: %d %s", path, r.Status, r.Body)
				}
				if format == "json" {
					valid(t, sch, map[bool]string{true: "tokens", false: "requests"}[strings.HasPrefix(path, "tokens/")], r.Body)
				}
				list := c.requests(t, r)
				if len(list) != 1 {
					t.Fatalf("%s: %d items", path, len(list))
				}
				for _, leak := range []string{"Попова", "Анна", "9121112233", "anna@", "кв. 12", "16 °C"} {
					if strings.Contains(string(r.Body), leak) {
						t.Fatalf("%s shows %q: %s", path, leak, r.Body)
					}
				}
				return list[0]
			}
			if got := read("tokens/" + created[0].Token); got.ID != "TST-000001" || got.Token != created[0].Token {
				t.Fatalf("token %+v", got)
			}
			got := read("requests/TST-000001")
			if got.Status != "open" || got.ServiceCode != "HEAT-03" || got.ServiceName != "Низкая температура воздуха в квартире" ||
				got.AgencyResponsible != "УК Север" || got.Address != "ул. Ленина, д. 5" || got.AddressID != f.lenina.ID ||
				got.Lat == nil || *got.Lat != 65.995 || *got.Long != 57.53 || got.Description != "" || got.StatusNotes != "" ||
				got.RequestedDatetime != "2026-11-16T12:00:00+03:00" || got.ExpectedDatetime != "2026-11-17T12:00:00+03:00" {
				t.Fatalf("read back %+v", got)
			}

			// The organisation accepts it and tells the resident when; the change
			// shows in status_notes and updated_datetime.
			f.clock.Advance(2 * 3600e9)
			f.act(t, "org", "TST-000001", app.ActionAccept, nil)
			f.act(t, "org", "TST-000001", app.ActionComment, map[string]any{"note": "Слесарь придёт завтра с 9 до 12", "public": true})
			got = read("requests/TST-000001")
			if got.Status != "open" || got.StatusNotes != "Слесарь придёт завтра с 9 до 12" {
				t.Fatalf("after accept %+v", got)
			}
			// A resident's own words do not become status_notes.
			if err := f.s.PublishText(f.as("operator"), "TST-000001", "Низкая температура в квартире, просят проверить стояк"); err != nil {
				t.Fatal(err)
			}
			if got = read("requests/TST-000001"); got.Description != "Низкая температура в квартире, просят проверить стояк" {
				t.Fatalf("published text %+v", got)
			}
			f.clock.Advance(3600e9)
			f.act(t, "org", "TST-000001", app.ActionDone, map[string]any{"note": "Отрегулирован стояк"})
			f.act(t, "operator", "TST-000001", app.ActionConfirm, nil)
			got = read("requests/TST-000001")
			if got.Status != "closed" || got.UpdatedDatetime != "2026-11-16T15:00:00+03:00" || got.StatusNotes != "Отрегулирован стояк" {
				t.Fatalf("after closing %+v", got)
			}
			// And the list: closed today, open none.
			list := c.requests(t, c.get(t, "requests", url.Values{"status": {"closed"}}))
			if len(list) != 1 || list[0].ID != "TST-000001" {
				t.Fatalf("closed list %+v", list)
			}
			if list := c.requests(t, c.get(t, "requests", url.Values{"status": {"open"}})); len(list) != 0 {
				t.Fatalf("open list %+v", list)
			}
		})
	}
}

// xmlShape lists the element paths of an XML document in order, each once: the
// shape of the specification's examples, without their values.
func xmlShape(t *testing.T, body []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack, out []string
	seen := map[string]bool{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			p := strings.Join(stack, "/")
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

// TestOpen311XMLFollowsTheSpecificationExamples: each XML document has the
// elements of the specification's example, in its order (the GeoReport v2 wiki's
// examples of discovery, GET services, GET service definition, GET requests,
// POST requests and errors).
func TestOpen311XMLFollowsTheSpecificationExamples(t *testing.T) {
	f, key := o311Fixture(t)
	c := newOpen311Client(f, key, "xml")
	posted := c.post(t, url.Values{"service_code": {"LIFT-01"}, "address_id": {itoa(f.lenina.ID)}, "phone": {"+79121112233"}})
	req := "service_requests/request/"
	spec := map[string][]string{
		"discovery": {"discovery", "discovery/changeset", "discovery/contact", "discovery/key_service", "discovery/endpoints", "discovery/endpoints/endpoint",
			"discovery/endpoints/endpoint/specification", "discovery/endpoints/endpoint/url", "discovery/endpoints/endpoint/changeset",
			"discovery/endpoints/endpoint/type", "discovery/endpoints/endpoint/formats", "discovery/endpoints/endpoint/formats/format"},
		"services": {"services", "services/service", "services/service/service_code", "services/service/service_name", "services/service/description",
			"services/service/metadata", "services/service/type", "services/service/keywords", "services/service/group"},
		"services/HEAT-03": {"service_definition", "service_definition/service_code", "service_definition/attributes", "service_definition/attributes/attribute",
			"service_definition/attributes/attribute/variable", "service_definition/attributes/attribute/code", "service_definition/attributes/attribute/datatype",
			"service_definition/attributes/attribute/required", "service_definition/attributes/attribute/datatype_description",
			"service_definition/attributes/attribute/order", "service_definition/attributes/attribute/description"},
		"requests": {"service_requests", "service_requests/request", req + "service_request_id", req + "status", req + "status_notes", req + "service_name",
			req + "service_code", req + "description", req + "agency_responsible", req + "service_notice", req + "requested_datetime",
			req + "updated_datetime", req + "expected_datetime", req + "address", req + "address_id", req + "zipcode", req + "lat", req + "long", req + "media_url"},
		"tokens/" + c.requests(t, posted)[0].Token: {"service_requests", "service_requests/request", req + "service_request_id", req + "token"},
		"requests/NOPE": {"errors", "errors/error", "errors/error/code", "errors/error/description"},
	}
	for path, want := range spec {
		if got := xmlShape(t, c.get(t, path, nil).Body); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s:\n got %v\nwant %v", path, got, want)
		}
	}
	want := []string{"service_requests", "service_requests/request", req + "service_request_id", req + "token", req + "service_notice", req + "account_id"}
	if got := xmlShape(t, posted.Body); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("POST:\n got %v\nwant %v", got, want)
	}
}
