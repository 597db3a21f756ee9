package web

import (
	"encoding/xml"
	"sort"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/), under /open311/v2/:
// the open standard civic apps use to file and read service requests. Every
// resource comes as .json and .xml; errors are the specification's list of
// {code, description}. Nothing personal is ever returned. See docs/open311.md.

const (
	open311Spec = "http://wiki.open311.org/GeoReport_v2"
	// open311Changeset is when this implementation of the specification last
	// changed, for discovery's changeset.
	open311Changeset = "2026-11-30T00:00:00Z"
	// open311MaxDays and open311MaxResults are the specification's recommended
	// defaults, which are also our ceilings.
	open311MaxDays    = 90
	open311MaxResults = 1000
)

// open311CORS lets a third party's web page read what GET returns from the
// browser: it is public. POST needs a key, which belongs on a server.
func open311CORS(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet {
		c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	}
	return c.Next()
}

// o311Format is the response format named by the path's extension: json or xml.
func o311Format(c *fiber.Ctx) (string, error) {
	switch f := strings.ToLower(c.Params("format")); f {
	case "json", "xml":
		return f, nil
	}
	return "", app.Errorf(app.ENOTFOUND, "Формат «%s» не поддерживается: .json или .xml.", c.Params("format"))
}

// o311PathFormat guesses the format of a failed request from its path, for the
// error response.
func o311PathFormat(path string) string {
	if strings.HasSuffix(strings.ToLower(path), ".xml") {
		return "xml"
	}
	return "json"
}

// o311Write answers v as JSON, or as XML wrapped in the element root with each
// item named item (the specification's <services><service>…, <service_requests>
// <request>…).
func o311Write(c *fiber.Ctx, status int, format string, v any) error {
	if format == "json" {
		return writeJSON(c, status, v)
	}
	b, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, "text/xml; charset=utf-8")
	return c.Send(append([]byte(xml.Header), b...))
}

type o311Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

type o311Errors struct {
	XMLName xml.Name    `json:"-" xml:"errors"`
	Errors  []o311Error `xml:"error"`
}

// open311Error answers err as the specification's error list: one entry for each
// field at fault, or one for the whole request.
func (s *Server) open311Error(c *fiber.Ctx, status int, err error) error {
	var list []o311Error
	fields := app.ErrorFields(err)
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		list = append(list, o311Error{Code: status, Description: f + ": " + fields[f]})
	}
	if len(list) == 0 {
		list = []o311Error{{Code: status, Description: app.ErrorMessage(err)}}
	}
	format := o311PathFormat(c.Path())
	if format == "json" {
		return o311Write(c, status, format, list)
	}
	return o311Write(c, status, format, o311Errors{Errors: list})
}

// o311Jurisdiction checks the optional jurisdiction_id: this server is one
// municipality, named by its code.
func (s *Server) o311Jurisdiction(c *fiber.Ctx, v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	code := s.Store.Setting(c.UserContext(), store.SetMunicipalityCode)
	if !strings.EqualFold(v, code) {
		return &app.Error{Code: app.ENOTFOUND, Message: "jurisdiction_id «" + v + "» не найден: этот сервер — муниципалитет " + code + ".", Fields: map[string]string{"jurisdiction_id": "Этот сервер обслуживает только " + code + "."}}
	}
	return nil
}
