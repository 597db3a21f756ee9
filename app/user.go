package app

import (
	"context"
	"strings"
	"unicode/utf8"
)

// Role is what a user does in the centre; permissions are keyed on it.
type Role string

const (
	RoleAdmin      Role = "admin"      // users, catalogues, settings
	RoleOperator   Role = "operator"   // the centre's operator
	RoleSupervisor Role = "supervisor" // the housing department (administration)
	RoleOrg        Role = "org"        // dispatcher of a management organisation
	RoleResident   Role = "resident"   // a registered resident
)

// Roles lists every role in the order the UI shows them.
var Roles = []Role{RoleOperator, RoleOrg, RoleSupervisor, RoleAdmin, RoleResident}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Title is the Russian name of the role.
func (r Role) Title() string {
	switch r {
	case RoleAdmin:
		return "Администратор"
	case RoleOperator:
		return "Оператор центра"
	case RoleSupervisor:
		return "Управление ЖКХ"
	case RoleOrg:
		return "Диспетчер УО"
	case RoleResident:
		return "Житель"
	}
	return string(r)
}

// User is someone who signs in.
type User struct {
	ID             int64  `json:"id"`
	Login          string `json:"login"`
	Name           string `json:"name"`
	Role           Role   `json:"role"`
	OrganizationID int64  `json:"organization_id,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Disabled       bool   `json:"disabled"`
	Locale         string `json:"locale"`
}

// SeesAllTickets reports whether the user's queries are not scoped to an
// organisation or to their own requests.
func (u *User) SeesAllTickets() bool { return u.Can(PermAllTickets) }

// ValidateNewUser checks the fields of a user about to be created.
func ValidateNewUser(u *User, password string) error {
	fe := FieldErrors{}
	u.Login = strings.TrimSpace(u.Login)
	u.Name = strings.TrimSpace(u.Name)
	if u.Login == "" {
		fe.Add("login", "Укажите логин.")
	} else if utf8.RuneCountInString(u.Login) > 64 || strings.ContainsAny(u.Login, " \t\r\n") {
		fe.Add("login", "Логин — до 64 символов, без пробелов.")
	}
	if !u.Role.Valid() {
		fe.Add("role", "Неизвестная роль: допустимы admin, operator, supervisor, org, resident.")
	}
	if u.Role == RoleOrg && u.OrganizationID == 0 {
		fe.Add("organization_id", "Диспетчеру нужна организация.")
	}
	if u.Role != RoleOrg && u.OrganizationID != 0 {
		fe.Add("organization_id", "Организация указывается только для диспетчера УО.")
	}
	if utf8.RuneCountInString(u.Name) > 200 {
		fe.Add("name", "Имя — не длиннее 200 символов.")
	}
	if err := ValidatePassword(password); err != nil {
		fe.Add("password", err.Error())
	}
	if u.Locale == "" {
		u.Locale = "ru"
	}
	return fe.Err()
}

type passwordError string

func (e passwordError) Error() string { return string(e) }

// ValidatePassword enforces the password policy.
func ValidatePassword(p string) error {
	if utf8.RuneCountInString(p) < 8 {
		return passwordError("Пароль — не короче 8 символов.")
	}
	if len(p) > 72 {
		return passwordError("Пароль — не длиннее 72 байт.")
	}
	return nil
}

type userKey struct{}

// WithUser returns a context carrying the acting user.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the acting user, or nil for an anonymous or system context.
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}
