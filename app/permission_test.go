package app

import (
	"strings"
	"testing"
)

// Who may do what, written out by hand: a change of the table shows here.
func TestPermissions(t *testing.T) {
	want := map[Permission]string{
		PermCreateTicket: "operator supervisor resident",
		PermAllTickets:   "admin operator supervisor",
		PermWorkspace:    "admin operator org supervisor",
		PermPhotos:       "operator org",
		PermCall:         "operator",
		PermIntake:       "operator supervisor",
		PermSearch:       "admin operator org supervisor",
		PermOverview:     "admin supervisor",
		PermReport:       "admin supervisor",
		PermAdminister:   "admin",
		PermOwnRequests:  "resident",

		PermRatingSettings:  "admin supervisor",
		PermSeeDecisions:    "admin operator org supervisor",
		PermRecordDecisions: "supervisor",
		PermReportDecisions: "org supervisor",
		PermPublicText:      "operator supervisor",
		PermAlerts:          "operator org supervisor",
	}
	if len(Permissions) != len(want) {
		t.Errorf("the table has %d permissions, the test knows %d", len(Permissions), len(want))
	}
	for p, roles := range want {
		for _, r := range Roles {
			if got, exp := r.Can(p), strings.Contains(" "+roles+" ", " "+string(r)+" "); got != exp {
				t.Errorf("%s can %s: %v, want %v", r, p, got, exp)
			}
		}
	}
	var nobody *User
	if nobody.Can(PermCreateTicket) || RoleAdmin.Can("no.such") {
		t.Error("nobody and unknown permissions must be refused")
	}
	if !(&User{Role: RoleSupervisor}).SeesAllTickets() || (&User{Role: RoleOrg}).SeesAllTickets() {
		t.Error("SeesAllTickets does not follow PermAllTickets")
	}
}
