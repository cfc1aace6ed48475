// Package install is the one home of apps installed into a workspace
// (storage.Installation): a workspace's consent to an app, which then
// acts there as itself, a bot whose tokens have the installation's ID as
// their subject (client_credentials with the organization parameter,
// provider/oauth).
//
// Who installs (Service.Request, MayInstall): a workspace's admins
// always; its members per the workspace policy's Installs: "members"
// install any app at once, "approved" the apps an admin approved
// beforehand (Preapprove), "admins" (the default) none. Any other
// request waits for an admin (pending), who approves it, perhaps
// narrowed, or denies it with a reason the requester sees. A guest's
// request always waits.
//
// Re-approval: when an app asks for more scopes than installed (a member
// asks, or the app's registered scopes grew: Sync), the difference waits
// in Requested while the installation stays active; its tokens keep
// carrying only the installed scopes the app still has (Effective). The
// scopes the workspace chose not to install (unticked, narrowed away,
// denied) are kept in Declined and not asked again.
//
// Uninstalling revokes every token of the installation at once, in the
// change's transaction (workspace.TokenRevoker); resource servers learn
// it from the revocation stream, which reads the change's record. Every
// change is an authorization record naming the workspace, the app and
// the installation (audit actions install.*).
package install
