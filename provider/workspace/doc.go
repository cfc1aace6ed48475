// Package workspace is the one home of the rules of workspaces
// (storage.Workspace): which handles, names, roles and policies are
// valid (rules.go), and the changes to a workspace, its members and its
// invitations, each written in one transaction with its authorization
// record naming the workspace (provider/audit). The admin API and
// console (provider/admin), the invitation page below, and later SCIM
// all go through a Service.
//
// Ownership: a workspace keeps at least one owner once it has one. A
// change that takes the owner role from a member, or removes one, counts
// the owners and changes the membership in one transaction that first
// locks the workspace (a no-op UpdateWorkspace, the recipe of
// storage.Workspaces.CountMembers), so two such changes run one after
// the other and the second one sees ErrLastOwner.
//
// A member removed, or leaving, loses their tokens of the workspace at
// once: the service calls its Revoker in the same transaction, so the
// membership never ends with its tokens still live.
//
// Invitations: a random token (256 bits, provider/secret) goes in the
// link mailed to the invitee; only its keyed hash is stored, in the form
// provider/links stores one-time links. An invitation is accepted by any
// signed-in account holding the link, whatever its address (as Slack's
// invitations): the link is the proof, the page shows the address it was
// sent to, and the record of the acceptance says whether the account's
// address is the invited one (Detail email_matches).
//
// The invitation page's routes:
//
//	GET  /invitations/{token}  the workspace and the role offered, or a dead-link page
//	POST /invitations/{token}  accept it as the signed-in user (CSRF); not signed in: to /login?next=
//
// A token that is unknown, expired or used counts as a failure of the
// client's address (provider/throttle): past the free ones the page
// asks to wait, whatever the token.
package workspace

import "net/http"

// Mux is what Mount registers the routes on (see provider/admin.Mux).
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
