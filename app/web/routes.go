package web

import "github.com/ecoz/ecoz/app"

// routes lists every route of the centre in one place.
func (s *Server) routes() {
	a := s.App
	a.Get("/healthz", s.healthz)

	api := a.Group("/api/v1")
	api.Post("/auth/login", s.apiLogin)
	api.Get("/work-types", s.apiWorkTypes)
	api.Get("/organizations", s.apiOrganizations)
	api.Get("/buildings", s.apiBuildings)
	api.Get("/ratings", s.apiRatings)
	authed := api.Group("", s.apiAuth)
	authed.Post("/auth/logout", s.apiLogout)
	authed.Get("/me", s.apiMe)
	authed.Post("/tickets", s.apiCreateTicket)
	authed.Get("/tickets", s.apiListTickets)
	authed.Get("/tickets/:number", s.apiTicket)
	authed.Get("/tickets/:number/events", s.apiEvents)
	authed.Post("/tickets/:number/:action", s.apiAct)

	web := a.Group("", s.webSession)
	web.Get("/", s.pageHome)
	web.Get("/login", s.pageLogin)
	web.Post("/login", s.pageLoginPost)
	web.Post("/logout", s.pageLogout)
	staff := web.Group("/work", requireRoles(app.RoleOperator, app.RoleSupervisor, app.RoleAdmin, app.RoleOrg))
	staff.Get("/", s.pageWork)
	staff.Get("/tickets/:number", s.pageTicket)
	staff.Post("/tickets/:number/:action", s.pageTicketAct)

	web.Get("/rating", s.pageRating)
	web.Get("/rating/method", s.pageRatingMethod)
	ratingAdmin := web.Group("/rating/admin", requireRoles(app.RoleAdmin))
	ratingAdmin.Get("/", s.pageRatingAdmin)
	ratingAdmin.Post("/settings", s.pageRatingSettingsPost)
	ratingAdmin.Post("/compute", s.pageRatingComputePost)
	report := web.Group("/report", requireRoles(app.RoleSupervisor, app.RoleAdmin))
	report.Get("/", s.pageReport)
	report.Get("/xlsx", s.pageReportXLSX)
	report.Get("/tickets", s.pageReportTickets)
	report.Get("/dashboard", s.pageDashboard)
}
