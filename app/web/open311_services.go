package web

import (
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// --- discovery ---

type o311Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

type o311Discovery struct {
	XMLName    xml.Name       `json:"-" xml:"discovery"`
	Changeset  string         `json:"changeset" xml:"changeset"`
	Contact    string         `json:"contact" xml:"contact"`
	KeyService string         `json:"key_service" xml:"key_service"`
	Endpoints  []o311Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

func (s *Server) o311Discovery(c *fiber.Ctx) error {
	format, err := o311Format(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	center, phone := s.Store.Setting(ctx, store.SetCenterName), s.Store.Setting(ctx, store.SetCenterPhone)
	contact := center
	if phone != "" {
		contact += ", телефон " + phone
	}
	return o311Write(c, fiber.StatusOK, format, o311Discovery{
		Changeset:  open311Changeset,
		Contact:    contact,
		KeyService: "Ключ для приложения выдаёт администратор центра «" + center + "»: обратитесь в центр.",
		Endpoints: []o311Endpoint{{
			Specification: open311Spec, URL: c.BaseURL() + "/open311/v2", Changeset: open311Changeset,
			Type: "production", Formats: []string{"text/xml", "application/json"},
		}},
	})
}

// --- services ---

type o311Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

type o311ServiceList struct {
	XMLName  xml.Name      `json:"-" xml:"services"`
	Services []o311Service `xml:"service"`
}

func serviceOf(w *app.WorkType) o311Service {
	var kw []string
	for _, k := range strings.Split(w.Keywords, ";") {
		if k = strings.TrimSpace(k); k != "" {
			kw = append(kw, k)
		}
	}
	return o311Service{
		ServiceCode: w.Code, ServiceName: w.Name, Description: w.ServiceDescription(),
		Metadata: len(w.Attributes()) > 0, Type: "realtime", Keywords: strings.Join(kw, ", "), Group: w.Category,
	}
}

func (s *Server) o311Services(c *fiber.Ctx) error {
	format, err := o311Format(c)
	if err != nil {
		return err
	}
	if err := s.o311Jurisdiction(c, c.Query("jurisdiction_id")); err != nil {
		return err
	}
	list, err := s.Store.WorkTypes(c.UserContext())
	if err != nil {
		return err
	}
	out := o311ServiceList{Services: []o311Service{}}
	for _, w := range list {
		if w.Active {
			out.Services = append(out.Services, serviceOf(w))
		}
	}
	if format == "json" {
		return o311Write(c, fiber.StatusOK, format, out.Services)
	}
	return o311Write(c, fiber.StatusOK, format, out)
}

type o311Attribute struct {
	Variable            bool   `json:"variable" xml:"variable"`
	Code                string `json:"code" xml:"code"`
	Datatype            string `json:"datatype" xml:"datatype"`
	Required            bool   `json:"required" xml:"required"`
	DatatypeDescription string `json:"datatype_description" xml:"datatype_description"`
	Order               int    `json:"order" xml:"order"`
	Description         string `json:"description" xml:"description"`
}

type o311Definition struct {
	XMLName     xml.Name        `json:"-" xml:"service_definition"`
	ServiceCode string          `json:"service_code" xml:"service_code"`
	Attributes  []o311Attribute `json:"attributes" xml:"attributes>attribute"`
}

// activeWorkType returns the active work type code, or ENOTFOUND naming field.
func (s *Server) activeWorkType(c *fiber.Ctx, code, field string, status string) (*app.WorkType, error) {
	w, err := s.Store.WorkType(c.UserContext(), strings.ToUpper(strings.TrimSpace(code)))
	if app.ErrorCode(err) == app.ENOTFOUND || (err == nil && !w.Active) {
		return nil, &app.Error{Code: status, Message: "Неизвестный service_code «" + code + "».", Fields: map[string]string{field: "Неизвестный вид работ «" + code + "»; список — services.json."}}
	}
	return w, err
}

func (s *Server) o311Service(c *fiber.Ctx) error {
	format, err := o311Format(c)
	if err != nil {
		return err
	}
	if err := s.o311Jurisdiction(c, c.Query("jurisdiction_id")); err != nil {
		return err
	}
	w, err := s.activeWorkType(c, c.Params("code"), "service_code", app.ENOTFOUND)
	if err != nil {
		return err
	}
	def := o311Definition{ServiceCode: w.Code, Attributes: []o311Attribute{}}
	for _, a := range w.Attributes() {
		dd := ""
		if a.Datatype == "number" {
			dd = "Число от " + strconv.FormatFloat(a.Min, 'f', -1, 64) + " до " + strconv.FormatFloat(a.Max, 'f', -1, 64) + " (" + a.Unit + ")"
		}
		def.Attributes = append(def.Attributes, o311Attribute{Variable: true, Code: a.Code, Datatype: a.Datatype, Required: a.Required,
			DatatypeDescription: dd, Order: a.Order, Description: a.Description})
	}
	return o311Write(c, fiber.StatusOK, format, def)
}
