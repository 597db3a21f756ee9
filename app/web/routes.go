package web

import (
	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/ecoz/ecoz/app/store"
)

// routes lists every route of the centre in one place.
func (s *Server) routes() {
	a := s.App
	a.Get("/healthz", kit.Healthz(s.Store.Ping))

	api := a.Group("/api/v1")
	api.Post("/auth/login", s.apiLogin)
	api.Get("/work-types", s.apiWorkTypes)
	api.Get("/organizations", s.apiOrganizations)
	api.Get("/buildings", s.apiBuildings)
	api.Get("/ratings", s.apiRatings)
	api.Post("/notify/sms-inbound", s.apiSMSInbound)
	authed := api.Group("", s.apiAuth)
	authed.Post("/auth/logout", s.apiLogout)
	authed.Get("/me", s.apiMe)
	authed.Post("/tickets", s.apiCreateTicket)
	authed.Get("/tickets", s.apiListTickets)
	authed.Get("/tickets/:number", s.apiTicket)
	authed.Get("/tickets/:number/events", s.apiEvents)
	authed.Post("/tickets/:number/:action", s.apiAct)
	authed.Get("/admin/registry", require(app.PermAdminister), s.apiRegistryExport)
	authed.Get("/admin/personal-data", require(app.PermAdminister), s.apiPersonalData)
	authed.Get("/decisions", require(app.PermSeeDecisions), s.apiDecisions)
	authed.Post("/decisions", require(app.PermRecordDecisions), s.apiCreateDecision)
	authed.Post("/decisions/:id/done", require(app.PermReportDecisions), s.apiDecisionDone)
	s.open311Routes()

	web := a.Group("", s.webSession)
	web.Get("/", s.publicPage(store.ScopeTickets, s.pageHome))
	web.Get("/login", s.pageLogin)
	web.Post("/login", s.pageLoginPost)
	web.Post("/logout", s.pageLogout)
	staff := web.Group("/work", require(app.PermWorkspace))
	staff.Get("/", s.pageWork)
	staff.Get("/tickets/:number", s.pageTicket)
	// Before the generic action route below, which would take "photos" for an action.
	staff.Get("/tickets/:number/photos", require(app.PermPhotos), s.pagePhotos)
	staff.Post("/tickets/:number/photos", require(app.PermPhotos), s.pagePhotosPost)
	staff.Post("/tickets/:number/public-text", require(app.PermPublicText), s.pagePublicText)
	staff.Post("/tickets/:number/:action", s.pageTicketAct)
	staff.Get("/decisions", require(app.PermSeeDecisions), s.pageWorkDecisions)
	staff.Post("/decisions/:id/done", require(app.PermReportDecisions), s.pageWorkDecisionDone)

	// The residents' portal: public pages (no personal data), registration, and a
	// resident's own requests.
	web.Get("/search", s.pageSearch)
	web.Get("/buildings/:id", s.publicPage(store.ScopeTickets, s.pageBuilding))
	web.Get("/organizations", s.publicPage(store.ScopeTickets, s.pageOrganizations))
	web.Get("/organizations/:id", s.publicPage(store.ScopeTickets, s.pageOrganization))
	web.Get("/register", s.pageRegister)
	web.Post("/register", s.pageRegisterPost)
	web.Get("/photos/:id", requireSignIn, s.photoFile)
	web.Get("/photos/:id/thumb", requireSignIn, s.photoFile)
	my := web.Group("/my", require(app.PermOwnRequests))
	my.Get("/", s.pageMy)
	my.Get("/new", s.pageNew)
	my.Post("/new", s.pageNewPost)
	my.Get("/tickets/:number", s.pageMyTicket)
	my.Post("/tickets/:number/:action", s.pageMyAct)
	s.workspaceRoutes(staff)
	s.notifyRoutes(web)

	registryAdmin := web.Group("/admin/registry", require(app.PermAdminister))
	registryAdmin.Get("/", s.pageRegistryExport)
	registryAdmin.Post("/push", s.pageRegistryPush)
	// Tickets too: the page shows stored days only today, but a ticket figure added
	// to it must not come out stale.
	web.Get("/rating", s.publicPage(store.ScopeRating|store.ScopeTickets, s.pageRating))
	web.Get("/rating/method", s.pageRatingMethod)
	ratingAdmin := web.Group("/rating/admin", require(app.PermRatingSettings))
	ratingAdmin.Get("/", s.pageRatingAdmin)
	ratingAdmin.Post("/settings", s.pageRatingSettingsPost)
	ratingAdmin.Post("/compute", s.pageRatingComputePost)
	report := web.Group("/report", require(app.PermReport))
	report.Get("/", s.pageReport)
	report.Get("/xlsx", s.pageReportXLSX)
	report.Get("/tickets", s.pageReportTickets)
	report.Get("/dashboard", s.pageDashboard)
	report.Post("/decisions", require(app.PermRecordDecisions), s.pageDecisionPost)
	report.Post("/meeting", require(app.PermRecordDecisions), s.pageMeetingPost)
	report.Get("/minutes", s.pageMinutes)
	report.Get("/minutes.xlsx", s.pageMinutesXLSX)
}
