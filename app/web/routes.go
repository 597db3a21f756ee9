package web

import (
	"fmt"
	"strings"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit"
	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// routes lists every URL of the centre, one table a group. A group's middleware
// (its sign-in, its guard) runs for every path under its prefix, also for one no
// route matches: whoever may not see /admin gets 401 or 403 there, not 404. A
// route's permission is what it needs beyond its group's. The order of the groups
// is the order Fiber tries them in.
func (s *Server) routes() {
	s.App.Get("/healthz", kit.Healthz(s.Store.Ping))

	// The pages and lists behind a sign-in read the database, as many at once as
	// there are reader connections; the others wait in the order they came
	// (kit.Turns). Changes go straight on: they wait for the writer and the disk,
	// not for the processor. The staff's stream of live alerts holds a turn only
	// while it subscribes: it writes after its handler has returned. The public
	// pages are cached and outside these prefixes.
	reads := s.turns.Handler(func(c *fiber.Ctx) bool {
		return c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead
	})
	for _, prefix := range []string{"/api/v1", "/work", "/my", "/admin", "/rating/admin", "/report"} {
		s.App.Use(prefix, reads)
	}

	// The JSON API (docs/api.md): the catalogues for anyone, the rest with a token.
	s.group("/api/v1", nil, []route{
		{post, "/api/v1/auth/login", asGroup, s.apiLogin},
		{get, "/api/v1/work-types", asGroup, s.apiWorkTypes},
		{get, "/api/v1/organizations", asGroup, s.apiOrganizations},
		{get, "/api/v1/buildings", asGroup, s.apiBuildings},
		{get, "/api/v1/ratings", asGroup, s.apiRatings},
		{post, "/api/v1/notify/sms-inbound", asGroup, s.apiSMSInbound},
	})
	s.group("/api/v1", s.apiAuth, []route{
		{post, "/api/v1/auth/logout", asGroup, s.apiLogout},
		{get, "/api/v1/me", asGroup, s.apiMe},
		{post, "/api/v1/tickets", asGroup, s.apiCreateTicket},
		{get, "/api/v1/tickets", asGroup, s.apiListTickets},
		{get, "/api/v1/tickets/:number", asGroup, s.apiTicket},
		{get, "/api/v1/tickets/:number/events", asGroup, s.apiEvents},
		{post, "/api/v1/tickets/:number/:action", asGroup, s.apiAct},
		{get, "/api/v1/admin/registry", app.PermAdminister, s.apiRegistryExport},
		{get, "/api/v1/admin/personal-data", app.PermAdminister, s.apiPersonalData},
		{get, "/api/v1/decisions", app.PermSeeDecisions, s.apiDecisions},
		{post, "/api/v1/decisions", app.PermRecordDecisions, s.apiCreateDecision},
		{post, "/api/v1/decisions/:id/done", app.PermReportDecisions, s.apiDecisionDone},
	})

	// Open311 GeoReport v2 (open311.go, docs/open311.md): reading is public, filing
	// takes an application's key.
	s.group("/open311/v2", open311CORS, []route{
		{get, "/open311/v2/discovery.:format", asGroup, s.o311Discovery},
		{get, "/open311/v2/services.:format", asGroup, s.o311Services},
		{get, "/open311/v2/services/:code.:format", asGroup, s.o311Service},
		{get, "/open311/v2/requests.:format", asGroup, s.o311Requests},
		{post, "/open311/v2/requests.:format", asGroup, s.o311Post},
		{get, "/open311/v2/requests/:id.:format", asGroup, s.o311Request},
		{get, "/open311/v2/tokens/:token.:format", asGroup, s.o311Token},
	})

	// Every page from here on has the session (signed in or not). The public pages
	// carry no personal data and are cached for anonymous visitors by their scope.
	s.group("/", s.webSession, []route{
		{get, "/", asGroup, s.publicPage(store.ScopeTickets, s.pageHome)},
		{get, "/login", asGroup, s.pageLogin},
		{post, "/login", asGroup, s.pageLoginPost},
		{post, "/logout", asGroup, s.pageLogout},
		{get, "/search", asGroup, s.pageSearch},
		{get, "/buildings/:id", asGroup, s.publicPage(store.ScopeTickets, s.pageBuilding)},
		{get, "/organizations", asGroup, s.publicPage(store.ScopeTickets, s.pageOrganizations)},
		{get, "/organizations/:id", asGroup, s.publicPage(store.ScopeTickets, s.pageOrganization)},
		// Tickets too: the page shows stored days only today, but a ticket figure
		// added to it must not come out stale.
		{get, "/rating", asGroup, s.publicPage(store.ScopeRating|store.ScopeTickets, s.pageRating)},
		{get, "/rating/method", asGroup, s.pageRatingMethod},
		{get, "/register", asGroup, s.pageRegister},
		{post, "/register", asGroup, s.pageRegisterPost},
		{get, "/photos/:id", signedIn, s.photoFile},
		{get, "/photos/:id/thumb", signedIn, s.photoFile},
		// The resident's yes/no link and «stop» from a notification (notify.go):
		// the token in the path is the permission.
		{get, "/n/stop/:token", asGroup, s.pageStop},
		{post, "/n/stop/:token", asGroup, s.pageStopPost},
		{get, "/n/:token", asGroup, s.pageAnswer},
		{post, "/n/:token", asGroup, s.pageAnswerPost},
	})

	// The staff's workspace. A Fiber group's middleware covers its whole prefix, so
	// the narrower guards go on each route, not on sub-groups of /work.
	s.group("/work", require(app.PermWorkspace), []route{
		{get, "/work/", asGroup, s.pageWork},
		{post, "/work/locale", asGroup, s.setLocale},
		{get, "/work/events", app.PermAlerts, s.pageAlerts},
		{get, "/work/tickets/:number", asGroup, s.pageTicket},
		// Before the generic action route below, which would take "photos" for an action.
		{get, "/work/tickets/:number/photos", app.PermPhotos, s.pagePhotos},
		{post, "/work/tickets/:number/photos", app.PermPhotos, s.pagePhotosPost},
		{post, "/work/tickets/:number/public-text", app.PermPublicText, s.pagePublicText},
		{post, "/work/tickets/:number/:action", asGroup, s.pageTicketAct},
		{get, "/work/call/:number", app.PermCall, s.pageCall},
		{get, "/work/new", app.PermIntake, s.pageIntake},
		{post, "/work/new", app.PermIntake, s.saveIntake},
		{get, "/work/lookup/caller", app.PermIntake, s.lookupCaller},
		{get, "/work/lookup/buildings", app.PermIntake, s.lookupBuildings},
		{get, "/work/lookup/work-types", app.PermIntake, s.lookupWorkTypes},
		{get, "/work/lookup/duplicates", app.PermIntake, s.lookupDuplicates},
		// An organisation's dispatcher searches its own tickets: the store scopes the query.
		{get, "/work/search", app.PermSearch, s.pageTicketSearch},
		{get, "/work/search.csv", app.PermSearch, s.exportCSV},
		{get, "/work/search.xlsx", app.PermSearch, s.exportXLSX},
		{get, "/work/overview", app.PermOverview, s.pageOverview},
		{get, "/work/decisions", app.PermSeeDecisions, s.pageWorkDecisions},
		{post, "/work/decisions/:id/done", app.PermReportDecisions, s.pageWorkDecisionDone},
	})

	// The resident's own requests on the portal.
	s.group("/my", require(app.PermOwnRequests), []route{
		{get, "/my/", asGroup, s.pageMy},
		{get, "/my/new", asGroup, s.pageNew},
		{post, "/my/new", asGroup, s.pageNewPost},
		{get, "/my/tickets/:number", asGroup, s.pageMyTicket},
		{post, "/my/tickets/:number/:action", asGroup, s.pageMyAct},
		{get, "/my/notify", asGroup, s.pageMyNotify},
		{post, "/my/notify", asGroup, s.pageMyNotifyPost},
	})

	// The administrator's catalogues, settings, notifications and registry export.
	s.group("/admin", require(app.PermAdminister), []route{
		{get, "/admin/", asGroup, redirect("/admin/users")},
		{get, "/admin/users", asGroup, s.adminUsers},
		{post, "/admin/users", asGroup, s.adminUserCreate},
		{get, "/admin/users/:id", asGroup, s.adminUser},
		{post, "/admin/users/:id", asGroup, s.adminUserSave},
		{get, "/admin/orgs", asGroup, s.adminOrgs},
		{post, "/admin/orgs", asGroup, s.adminOrgSave},
		{get, "/admin/orgs/:id", asGroup, s.adminOrg},
		{post, "/admin/orgs/:id", asGroup, s.adminOrgSave},
		{get, "/admin/buildings", asGroup, s.adminBuildings},
		{post, "/admin/buildings", asGroup, s.adminBuildingSave},
		{get, "/admin/buildings/:id", asGroup, s.adminBuilding},
		{post, "/admin/buildings/:id", asGroup, s.adminBuildingSave},
		{get, "/admin/work-types", asGroup, s.adminWorkTypes},
		{get, "/admin/work-types/:code", asGroup, s.adminWorkType},
		{post, "/admin/work-types/:code", asGroup, s.adminWorkTypeSave},
		{get, "/admin/apikeys", asGroup, s.adminAPIKeys},
		{post, "/admin/apikeys", asGroup, s.adminAPIKeyCreate},
		{post, "/admin/apikeys/revoke", asGroup, s.adminAPIKeyRevoke},
		{get, "/admin/settings", asGroup, s.adminSettings},
		{post, "/admin/settings", asGroup, s.adminSettingsSave},
		{get, "/admin/import", asGroup, s.adminImport},
		{post, "/admin/import", asGroup, s.adminImportUpload},
		{get, "/admin/import/:id", asGroup, s.adminImportJob},
		{post, "/admin/import/:id/apply", asGroup, s.adminImportApply},
		{get, "/admin/personal", asGroup, s.adminPersonal},
		{get, "/admin/personal/export", asGroup, s.adminPersonalExport},
		{post, "/admin/personal/anonymize", asGroup, s.adminPersonalAnonymize},
		{get, "/admin/notify", asGroup, s.adminNotify},
		{post, "/admin/notify", asGroup, s.adminNotifySave},
		{post, "/admin/notify/duty", asGroup, s.adminDutySave},
		{get, "/admin/notify/templates", asGroup, s.adminTemplates},
		{post, "/admin/notify/templates", asGroup, s.adminTemplatesSave},
		{get, "/admin/outbox", asGroup, s.adminOutbox},
		{post, "/admin/outbox/:id/resend", asGroup, s.adminResend},
		{get, "/admin/registry/", asGroup, s.pageRegistryExport},
		{post, "/admin/registry/push", asGroup, s.pageRegistryPush},
	})

	// The rating's weights and recomputation.
	s.group("/rating/admin", require(app.PermRatingSettings), []route{
		{get, "/rating/admin/", asGroup, s.pageRatingAdmin},
		{post, "/rating/admin/settings", asGroup, s.pageRatingSettingsPost},
		{post, "/rating/admin/compute", asGroup, s.pageRatingComputePost},
	})

	// The housing department's weekly report, dashboard and meeting.
	s.group("/report", require(app.PermReport), []route{
		{get, "/report/", asGroup, s.pageReport},
		{get, "/report/xlsx", asGroup, s.pageReportXLSX},
		{get, "/report/tickets", asGroup, s.pageReportTickets},
		{get, "/report/dashboard", asGroup, s.pageDashboard},
		{post, "/report/decisions", app.PermRecordDecisions, s.pageDecisionPost},
		{post, "/report/meeting", app.PermRecordDecisions, s.pageMeetingPost},
		{get, "/report/minutes", asGroup, s.pageMinutes},
		{get, "/report/minutes.xlsx", asGroup, s.pageMinutesXLSX},
	})
}

// route is one URL of the centre: its method, its whole path, the permission it
// needs beyond its group's, and its handler.
type route struct {
	method  string
	path    string
	perm    app.Permission
	handler fiber.Handler
}

const (
	get  = fiber.MethodGet
	post = fiber.MethodPost

	// asGroup: the route needs nothing beyond its group (its sign-in, its guard).
	asGroup app.Permission = ""
	// signedIn: anyone signed in, whatever the role.
	signedIn app.Permission = "signed-in"
)

// group adds routes under prefix, after use (nil: none), which runs for every
// path under prefix. A route outside the prefix is a mistake in the table above.
func (s *Server) group(prefix string, use fiber.Handler, routes []route) {
	if use != nil {
		s.App.Use(prefix, use)
	}
	for _, r := range routes {
		if !strings.HasPrefix(r.path, prefix) {
			panic(fmt.Sprintf("web: route %s %s is not under its group %s", r.method, r.path, prefix))
		}
		h := []fiber.Handler{r.handler}
		switch r.perm {
		case asGroup:
		case signedIn:
			h = []fiber.Handler{requireSignIn, r.handler}
		default:
			h = []fiber.Handler{require(r.perm), r.handler}
		}
		if r.method == get {
			s.App.Get(r.path, h...) // and HEAD, as Fiber does
		} else {
			s.App.Add(r.method, r.path, h...)
		}
	}
}

// redirect sends a GET on to another page.
func redirect(to string) fiber.Handler {
	return func(c *fiber.Ctx) error { return c.Redirect(to) }
}
