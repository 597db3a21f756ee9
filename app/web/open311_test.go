package web_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/ecoz/ecoz/app/web"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Coordinates of the fixture's buildings, for the Open311 tests: two houses about
// 770 m apart in Усинск.
var (
	leninaAt = app.GeoPoint{Lat: 65.9950, Lon: 57.5300}
	miraAt   = app.GeoPoint{Lat: 65.9900, Lon: 57.5450}
)

// o311Fixture is the fixture with its two main buildings located and one API key.
func o311Fixture(t *testing.T) (*fixture, string) {
	t.Helper()
	f := newFixture(t)
	ctx := f.as("admin")
	for b, at := range map[*app.Building]app.GeoPoint{f.lenina: leninaAt, f.mira: miraAt} {
		b.Geo = &at
		if err := f.s.SaveBuilding(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	key, err := f.s.AddAPIKey(ctx, "Мобильный Усинск", 60)
	if err != nil {
		t.Fatal(err)
	}
	return f, key
}

// appTransport sends an http.Client's requests into the Fiber app, so that the
// Open311 client below speaks real HTTP requests and reads real responses.
type appTransport struct{ srv *web.Server }

func (a appTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return a.srv.App.Test(req, -1)
}

// open311Client is an Open311 GeoReport v2 client written from the
// specification, the way a city app is: it knows the base URL and its API key,
// and nothing of ecoz.
type open311Client struct {
	base, key, format string
	hc                *http.Client
}

func newOpen311Client(f *fixture, key, format string) *open311Client {
	return &open311Client{base: "http://ecoz.test/open311/v2", key: key, format: format, hc: &http.Client{Transport: appTransport{f.srv}}}
}

// o311Reply is one answer: the status, the content type and the body.
type o311Reply struct {
	Status      int
	ContentType string
	Body        []byte
	CORS        string // Access-Control-Allow-Origin
}

func (c *open311Client) get(t *testing.T, path string, q url.Values) o311Reply {
	t.Helper()
	u := c.base + "/" + path + "." + c.format
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	res, err := c.hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return readReply(t, res)
}

func (c *open311Client) post(t *testing.T, form url.Values) o311Reply {
	t.Helper()
	if c.key != "" && form.Get("api_key") == "" {
		form.Set("api_key", c.key)
	}
	res, err := c.hc.Post(c.base+"/requests."+c.format, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	return readReply(t, res)
}

func readReply(t *testing.T, res *http.Response) o311Reply {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return o311Reply{res.StatusCode, res.Header.Get("Content-Type"), b, res.Header.Get("Access-Control-Allow-Origin")}
}

// decode reads a reply in the client's format into v (the XML form of v is the
// specification's element names).
func (c *open311Client) decode(t *testing.T, r o311Reply, v any) {
	t.Helper()
	var err error
	if c.format == "json" {
		if r.ContentType != "application/json; charset=utf-8" {
			t.Fatalf("content type %q", r.ContentType)
		}
		err = json.Unmarshal(r.Body, v)
	} else {
		if r.ContentType != "text/xml; charset=utf-8" || !bytes.HasPrefix(r.Body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
			t.Fatalf("content type %q, body %.80s", r.ContentType, r.Body)
		}
		err = xml.Unmarshal(r.Body, v)
	}
	if err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// The specification's objects, as a client declares them.
type specService struct {
	Code        string `json:"service_code" xml:"service_code"`
	Name        string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

type specServices struct {
	Services []specService `xml:"service"`
}

type specAttribute struct {
	Variable    bool   `json:"variable" xml:"variable"`
	Code        string `json:"code" xml:"code"`
	Datatype    string `json:"datatype" xml:"datatype"`
	Required    bool   `json:"required" xml:"required"`
	Order       int    `json:"order" xml:"order"`
	Description string `json:"description" xml:"description"`
}

type specDefinition struct {
	ServiceCode string          `json:"service_code" xml:"service_code"`
	Attributes  []specAttribute `json:"attributes" xml:"attributes>attribute"`
}

type specRequest struct {
	ID                string   `json:"service_request_id" xml:"service_request_id"`
	Token             string   `json:"token" xml:"token"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	AddressID         int64    `json:"address_id" xml:"address_id"`
	Lat               *float64 `json:"lat" xml:"lat"`
	Long              *float64 `json:"long" xml:"long"`
}

type specRequests struct {
	XMLName  xml.Name      `xml:"service_requests"`
	Requests []specRequest `xml:"request"`
}

type specError struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type specErrors struct {
	XMLName xml.Name    `xml:"errors"`
	Errors  []specError `xml:"error"`
}

func (c *open311Client) services(t *testing.T) []specService {
	t.Helper()
	r := c.get(t, "services", nil)
	if r.Status != 200 {
		t.Fatalf("services: %d %s", r.Status, r.Body)
	}
	if c.format == "json" {
		var out []specService
		c.decode(t, r, &out)
		return out
	}
	var out specServices
	c.decode(t, r, &out)
	return out.Services
}

// requests reads a list of service requests (GET requests, requests/{id},
// tokens/{token}, or a POST's answer).
func (c *open311Client) requests(t *testing.T, r o311Reply) []specRequest {
	t.Helper()
	if c.format == "json" {
		var out []specRequest
		c.decode(t, r, &out)
		return out
	}
	var out specRequests
	c.decode(t, r, &out)
	return out.Requests
}

func (c *open311Client) errors(t *testing.T, r o311Reply) []specError {
	t.Helper()
	if c.format == "json" {
		var out []specError
		c.decode(t, r, &out)
		return out
	}
	var out specErrors
	c.decode(t, r, &out)
	return out.Errors
}

// schemas compiles the GeoReport v2 JSON schemas of testdata/open311.
func schemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	out := map[string]*jsonschema.Schema{}
	files, _ := filepath.Glob(filepath.Join("testdata", "open311", "*.schema.json"))
	if len(files) != 7 {
		t.Fatalf("schemas: %v", files)
	}
	for _, p := range files {
		sch, err := c.Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".schema.json")] = sch
	}
	return out
}

// valid checks a JSON body against the named schema.
func valid(t *testing.T, sch map[string]*jsonschema.Schema, name string, body []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v: %s", name, err, body)
	}
	if err := sch[name].Validate(v); err != nil {
		t.Fatalf("%s does not match the GeoReport v2 schema: %v\n%s", name, err, body)
	}
}

func countTickets(t *testing.T, f *fixture) int {
	t.Helper()
	n, err := f.s.CountTickets(f.as("operator"), store.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
