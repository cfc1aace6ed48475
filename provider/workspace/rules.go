package workspace

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/storage"
)

// Errors the service returns for a request it cannot carry out; a value
// refused is a *FieldError.
var (
	// ErrLastOwner: the change would leave the workspace without an
	// owner. Make another member owner first.
	ErrLastOwner = errors.New("the workspace's last owner cannot be removed, leave or lose the role: make another member owner first")
	// ErrDefaultWorkspace: the default workspace cannot be deleted.
	ErrDefaultWorkspace = errors.New("the default workspace cannot be deleted")
	// ErrOwnersOnly: only an owner gives or takes the owner role, or
	// removes an owner.
	ErrOwnersOnly = errors.New("only an owner of the workspace may give or take the owner role, or remove an owner")
	// ErrAlreadyMember: the account is a member of the workspace already.
	ErrAlreadyMember = errors.New("the account is a member of the workspace already")
)

// FieldError is a value the service refused: which field, and why.
type FieldError struct {
	Field, Problem string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Bounds of a workspace's values.
const (
	MinHandle = 2
	MaxHandle = 40
	MaxName   = 100
	// MinSessionLifetime and MaxSessionLifetime bound a policy's
	// SessionLifetime (0 is the provider's).
	MinSessionLifetime = 5 * time.Minute
	MaxSessionLifetime = 90 * 24 * time.Hour
)

// handlePattern: lower-case ASCII letters, digits and hyphens, starting
// and ending with a letter or a digit (so a handle reads well in an
// address and as an organization parameter).
var handlePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// reserved are handles no workspace may take: the default workspace's,
// and words the provider's addresses may one day use for themselves.
var reserved = []string{storage.DefaultWorkspaceID, "admin", "api", "new", "www"}

// Handle checks a workspace handle and returns it as stored: lower-cased
// (a handle is unique in any letter case), 2 to 40 ASCII letters, digits
// and hyphens, starting and ending with a letter or digit, not reserved.
func Handle(h string) (string, error) {
	h = strings.ToLower(strings.TrimSpace(h))
	switch {
	case len(h) < MinHandle || len(h) > MaxHandle:
		return "", &FieldError{"handle", fmt.Sprintf("from %d to %d characters", MinHandle, MaxHandle)}
	case !handlePattern.MatchString(h):
		return "", &FieldError{"handle", "lower-case letters, digits and hyphens, starting and ending with a letter or digit"}
	case slices.Contains(reserved, h):
		return "", &FieldError{"handle", fmt.Sprintf("%q is reserved", h)}
	case uuid.Validate(h) == nil:
		// A workspace is named by its ID or its handle (the organization
		// parameter, rs.RequireWorkspace): a handle shaped as an ID could
		// stand for another workspace.
		return "", &FieldError{"handle", "must not look like a workspace ID"}
	}
	return h, nil
}

// Name checks a workspace's display name and returns it trimmed: 1 to
// 100 characters, no control characters.
func Name(n string) (string, error) {
	n = strings.TrimSpace(n)
	switch {
	case !utf8.ValidString(n):
		return "", &FieldError{"name", "not text"}
	case n == "" || utf8.RuneCountInString(n) > MaxName:
		return "", &FieldError{"name", fmt.Sprintf("from 1 to %d characters", MaxName)}
	case strings.ContainsFunc(n, unicode.IsControl):
		return "", &FieldError{"name", "no control characters"}
	}
	return n, nil
}

// Roles are the workspace roles there are: WorkspaceOwner and the
// configured roles' names.
type Roles []string

// Check returns nil when role is a workspace role, else a FieldError.
func (rs Roles) Check(role string) error {
	if role == storage.WorkspaceOwner || slices.Contains(rs, role) {
		return nil
	}
	return &FieldError{"role", fmt.Sprintf("%q is not a role: %s or one of the configured roles", role, storage.WorkspaceOwner)}
}

// Manages reports whether a member with role administers the workspace:
// an owner or an admin.
func Manages(role string) bool {
	return role == storage.WorkspaceOwner || role == storage.WorkspaceAdmin
}

// MayChange checks a change a member with role actorRole makes to a
// member whose role is from (empty for a new member or an invitation) to
// to (empty for a removal): an admin who is not an owner neither gives,
// takes nor removes the owner role (ErrOwnersOnly). Platform
// administrators are not members making changes: they skip this check.
func MayChange(actorRole, from, to string) error {
	if actorRole == storage.WorkspaceOwner {
		return nil
	}
	if from == storage.WorkspaceOwner || to == storage.WorkspaceOwner {
		return ErrOwnersOnly
	}
	return nil
}

// Sign-in methods a policy may list besides "connector:ID".
const (
	MethodPassword = "password"
	MethodPasskey  = "passkey"
)

var connectorPattern = regexp.MustCompile(`^connector:[a-z0-9][a-z0-9._-]{0,63}$`)

// Policy checks a workspace policy and returns it with its sign-in
// methods without repeats: methods "password", "passkey" or
// "connector:ID" (ID lower-case letters, digits, dot, hyphen and
// underscore, at most 64); a session lifetime 0 (the provider's) or from
// 5 minutes to 90 days; Installs empty or one of storage's Installs*.
func Policy(p storage.WorkspacePolicy) (storage.WorkspacePolicy, error) {
	var methods []string
	for _, m := range p.SignInMethods {
		if m != MethodPassword && m != MethodPasskey && !connectorPattern.MatchString(m) {
			return p, &FieldError{"sign_in_methods", fmt.Sprintf("%q is not password, passkey or connector:ID", m)}
		}
		if !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	p.SignInMethods = methods
	if p.SessionLifetime != 0 && (p.SessionLifetime < MinSessionLifetime || p.SessionLifetime > MaxSessionLifetime) {
		return p, &FieldError{"session_lifetime", fmt.Sprintf("0 (the provider's) or from %s to %s", MinSessionLifetime, MaxSessionLifetime)}
	}
	switch p.Installs {
	case "", storage.InstallsAdmins, storage.InstallsApproved, storage.InstallsMembers:
	default:
		return p, &FieldError{"installs", fmt.Sprintf("%q is not %s, %s or %s", p.Installs, storage.InstallsAdmins, storage.InstallsApproved, storage.InstallsMembers)}
	}
	return p, nil
}
