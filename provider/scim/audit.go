package scim

// The actor type of the records of changes made through SCIM: ActorID is
// the token's ID.
const ActorSCIM = "scim"

// Actions recorded (provider/audit records them; docs/audit.md lists
// them). Each record's Detail names the workspace.
const (
	TokenCreated    = "scim.token_created"    // Detail: token, name
	TokenRevoked    = "scim.token_revoked"    // Detail: token
	UserProvisioned = "scim.user_provisioned" // Detail: created ("true" for a new account, "false" for an existing one attached)
	UserChanged     = "scim.user_changed"     // externalId or name changed
	UserSuspended   = "scim.user_suspended"   // active=false: Detail: sessions_ended, tokens_revoked
	UserReactivated = "scim.user_reactivated" // active=true again
	UserRemoved     = "scim.user_removed"     // membership ended: Detail: sessions_ended, tokens_revoked
	GroupCreated    = "scim.group_created"    // Detail: group, name, members
	GroupChanged    = "scim.group_changed"    // Detail: group, name, added, removed
	GroupDeleted    = "scim.group_deleted"    // Detail: group, name
)

// Actions returns every action of this package, in a stable order.
func Actions() []string {
	return []string{TokenCreated, TokenRevoked, UserProvisioned, UserChanged, UserSuspended, UserReactivated,
		UserRemoved, GroupCreated, GroupChanged, GroupDeleted}
}
