package web

import (
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// The public side of the portal: anyone, signed in or not, sees how requests are
// handled and how each house's organisation performs — never who called, from
// which apartment, or what they wrote.

func (s *Server) portalHome(c *fiber.Ctx) error {
	f, month, err := s.monthFigures(c, 0)
	if err != nil {
		return err
	}
	cats, err := s.catalogue(c)
	if err != nil {
		return err
	}
	all, err := s.Store.Buildings(c.UserContext(), 0)
	if err != nil {
		return err
	}
	m, err := s.buildMap(c, all, 0, false)
	if err != nil {
		return err
	}
	m.onlyBusy()
	data := fiber.Map{"Figures": viewFigures(f, month), "Catalogue": cats, "Map": m}
	if u := currentUser(c); u != nil && u.Role == app.RoleResident {
		open, err := s.Store.CountTickets(c.UserContext(), store.TicketFilter{Statuses: []app.Status{app.StatusNew, app.StatusRouted, app.StatusAccepted, app.StatusReopened, app.StatusDone}})
		if err != nil {
			return err
		}
		data["MyOpen"] = open
	}
	return s.render(c, "home", data)
}

func (s *Server) pageSearch(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("q"))
	data := fiber.Map{"Title": "Поиск дома по адресу", "Q": q}
	if q != "" {
		list, err := s.Store.SearchBuildings(c.UserContext(), q, 30)
		if err != nil {
			return err
		}
		if len(list) == 1 {
			return c.Redirect("/buildings/"+itoa64(list[0].ID), fiber.StatusSeeOther)
		}
		data["Results"] = list
		data["Searched"] = true
	}
	return s.render(c, "portal/search", data)
}

func (s *Server) pageBuilding(c *fiber.Ctx) error {
	id := parseID(c.Params("id"))
	b, err := s.Store.Building(c.UserContext(), id)
	if err != nil {
		return err
	}
	list, next, err := s.Store.PublicTickets(c.UserContext(), store.PublicFilter{BuildingID: b.ID, Limit: 50, After: c.Query("after")})
	if err != nil {
		return err
	}
	org, err := s.Store.Organization(c.UserContext(), b.OrganizationID)
	if err != nil {
		return err
	}
	all, err := s.Store.Buildings(c.UserContext(), 0)
	if err != nil {
		return err
	}
	// The house and its neighbours within 400 m: where it stands, and what else
	// is broken around it.
	m, err := s.buildMap(c, near(all, b, 400), b.ID, false)
	if err != nil {
		return err
	}
	return s.render(c, "portal/building", fiber.Map{"Title": b.Address, "B": b, "Org": org, "Rows": s.publicRows(c, list), "Next": next, "Map": m})
}

func (s *Server) pageOrganizations(c *fiber.Ctx) error {
	list, err := s.Store.Organizations(c.UserContext(), "")
	if err != nil {
		return err
	}
	type orgRow struct {
		*app.Organization
		Figures figuresView
	}
	var rows []orgRow
	month := ""
	for _, o := range list {
		if !o.Active {
			continue
		}
		f, m, err := s.monthFigures(c, o.ID)
		if err != nil {
			return err
		}
		month = m
		rows = append(rows, orgRow{o, viewFigures(f, m)})
	}
	return s.render(c, "portal/organizations", fiber.Map{"Title": "Организации", "Rows": rows, "Month": month})
}

func (s *Server) pageOrganization(c *fiber.Ctx) error {
	o, err := s.Store.Organization(c.UserContext(), parseID(c.Params("id")))
	if err != nil {
		return err
	}
	f, month, err := s.monthFigures(c, o.ID)
	if err != nil {
		return err
	}
	buildings, err := s.Store.Buildings(c.UserContext(), o.ID)
	if err != nil {
		return err
	}
	list, next, err := s.Store.PublicTickets(c.UserContext(), store.PublicFilter{OrganizationID: o.ID, Limit: 30, After: c.Query("after")})
	if err != nil {
		return err
	}
	m, err := s.buildMap(c, buildings, 0, false)
	if err != nil {
		return err
	}
	return s.render(c, "portal/organization", fiber.Map{"Title": o.Name, "Org": o, "Figures": viewFigures(f, month),
		"Buildings": buildings, "Rows": s.publicRows(c, list), "Next": next, "Map": m})
}
