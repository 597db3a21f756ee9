package web

import (
	"github.com/ecoz/ecoz/app"
	"github.com/gofiber/fiber/v2"
)

// workspaceRoutes are the centre's staff screens beyond the queues: intake, the
// confirmation call, the housing department's overview and search, and the
// administrator's catalogues. Kept beside routes.go so that every route is still
// listed in one short place.
func (s *Server) workspaceRoutes(staff fiber.Router) {
	staff.Post("/locale", s.setLocale)
	staff.Get("/events", require(app.PermAlerts), s.pageAlerts)
	staff.Get("/call/:number", require(app.PermCall), s.pageCall)

	// A Fiber group's middleware covers its whole prefix, so the narrower role
	// guards go on each route, not on sub-groups of /work.
	intake := require(app.PermIntake)
	staff.Get("/new", intake, s.pageIntake)
	staff.Post("/new", intake, s.saveIntake)
	staff.Get("/lookup/caller", intake, s.lookupCaller)
	staff.Get("/lookup/buildings", intake, s.lookupBuildings)
	staff.Get("/lookup/work-types", intake, s.lookupWorkTypes)
	staff.Get("/lookup/duplicates", intake, s.lookupDuplicates)

	// An organisation's dispatcher searches its own tickets: the store scopes the query.
	search := require(app.PermSearch)
	staff.Get("/search", search, s.pageTicketSearch)
	staff.Get("/search.csv", search, s.exportCSV)
	staff.Get("/search.xlsx", search, s.exportXLSX)
	staff.Get("/overview", require(app.PermOverview), s.pageOverview)

	// The session middleware already covers every path (routes.go).
	admin := s.App.Group("/admin", require(app.PermAdminister))
	admin.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/admin/users") })
	admin.Get("/users", s.adminUsers)
	admin.Post("/users", s.adminUserCreate)
	admin.Get("/users/:id", s.adminUser)
	admin.Post("/users/:id", s.adminUserSave)
	admin.Get("/orgs", s.adminOrgs)
	admin.Post("/orgs", s.adminOrgSave)
	admin.Get("/orgs/:id", s.adminOrg)
	admin.Post("/orgs/:id", s.adminOrgSave)
	admin.Get("/buildings", s.adminBuildings)
	admin.Post("/buildings", s.adminBuildingSave)
	admin.Get("/buildings/:id", s.adminBuilding)
	admin.Post("/buildings/:id", s.adminBuildingSave)
	admin.Get("/work-types", s.adminWorkTypes)
	admin.Get("/work-types/:code", s.adminWorkType)
	admin.Post("/work-types/:code", s.adminWorkTypeSave)
	admin.Get("/apikeys", s.adminAPIKeys)
	admin.Post("/apikeys", s.adminAPIKeyCreate)
	admin.Post("/apikeys/revoke", s.adminAPIKeyRevoke)
	admin.Get("/settings", s.adminSettings)
	admin.Post("/settings", s.adminSettingsSave)
	admin.Get("/import", s.adminImport)
	admin.Post("/import", s.adminImportUpload)
	admin.Get("/import/:id", s.adminImportJob)
	admin.Post("/import/:id/apply", s.adminImportApply)
	admin.Get("/personal", s.adminPersonal)
	admin.Get("/personal/export", s.adminPersonalExport)
	admin.Post("/personal/anonymize", s.adminPersonalAnonymize)
}

func (s *Server) pageCall(c *fiber.Ctx) error {
	return s.showTicket(c, "call", nil, actForm{})
}
