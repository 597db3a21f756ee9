package app

// Permission is something a user may do; who may is the table Permissions, the
// one place where roles are granted anything (besides the lifecycle's actions,
// Transitions). Route guards (web) and the domain's operations (store) both ask
// Can, so that the two cannot disagree.
type Permission string

const (
	PermCreateTicket Permission = "ticket.create"   // register a ticket
	PermAllTickets   Permission = "ticket.all"      // see every ticket, not only an organisation's or one's own
	PermWorkspace    Permission = "workspace"       // the staff workspace (/work)
	PermPhotos       Permission = "ticket.photos"   // add photos to a ticket from the workspace
	PermCall         Permission = "ticket.call"     // the confirmation call screen
	PermIntake       Permission = "intake"          // the intake form and its look-ups
	PermSearch       Permission = "search"          // search and export tickets
	PermOverview     Permission = "overview"        // the housing department's overview
	PermReport       Permission = "report"          // the weekly report and the dashboard
	PermAdminister   Permission = "admin"           // users, catalogues, settings, registry export, rating settings
	PermOwnRequests  Permission = "portal.requests" // a resident's own requests (/my)

	PermRatingSettings  Permission = "rating.settings" // the rating's weights and recomputation
	PermSeeDecisions    Permission = "decision.see"    // the weekly meeting's decisions (an organisation: its own)
	PermRecordDecisions Permission = "decision.record" // record decisions at the meeting
	PermReportDecisions Permission = "decision.report" // report a decision done
	PermPublicText      Permission = "ticket.public"   // publish a ticket's public text (Open311, public pages)
	PermAlerts          Permission = "alerts"          // the live alerts of the workspace (new emergencies, clocks)
)

// Permissions grants each permission to its roles.
var Permissions = []struct {
	Permission Permission
	Roles      []Role
}{
	{PermCreateTicket, []Role{RoleOperator, RoleSupervisor, RoleResident}},
	{PermAllTickets, []Role{RoleOperator, RoleSupervisor, RoleAdmin}},
	{PermWorkspace, []Role{RoleOperator, RoleSupervisor, RoleAdmin, RoleOrg}},
	{PermPhotos, []Role{RoleOrg, RoleOperator}},
	{PermCall, []Role{RoleOperator}},
	{PermIntake, []Role{RoleOperator, RoleSupervisor}},
	{PermSearch, []Role{RoleOperator, RoleSupervisor, RoleAdmin, RoleOrg}},
	{PermOverview, []Role{RoleSupervisor, RoleAdmin}},
	{PermReport, []Role{RoleSupervisor, RoleAdmin}},
	{PermAdminister, []Role{RoleAdmin}},
	{PermOwnRequests, []Role{RoleResident}},
	{PermRatingSettings, []Role{RoleAdmin, RoleSupervisor}},
	{PermSeeDecisions, []Role{RoleOperator, RoleSupervisor, RoleAdmin, RoleOrg}},
	{PermRecordDecisions, []Role{RoleSupervisor}},
	{PermReportDecisions, []Role{RoleOrg, RoleSupervisor}},
	{PermPublicText, []Role{RoleOperator, RoleSupervisor}},
	{PermAlerts, []Role{RoleOperator, RoleSupervisor, RoleOrg}},
}

// Can reports whether the role has the permission.
func (r Role) Can(p Permission) bool {
	for _, g := range Permissions {
		if g.Permission == p {
			return hasRole(g.Roles, r)
		}
	}
	return false
}

// Can reports whether the user has the permission; nobody (nil) has none.
func (u *User) Can(p Permission) bool { return u != nil && u.Role.Can(p) }
