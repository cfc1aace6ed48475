package web

import (
	"net/http"
	"time"
)

func testWorkspace() AdminWorkspace {
	return AdminWorkspace{ID: "0b6f1c2e-ws-acme", Handle: "acme", Name: "Acme Corp", CreatedAt: testT0.Add(-72 * time.Hour),
		Policy: AdminPolicy{RequireMFA: true, Password: true, Connectors: "connector:okta", SessionLifetime: "8h0m0s", Installs: "approved"}}
}

// workspacePageCases are the console's workspace pages, as a platform
// administrator and as a workspace admin sees them.
func workspacePageCases() []pageCase {
	return []pageCase{
		{"admin_workspaces", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminWorkspaces(w, req, http.StatusOK, AdminWorkspacesPage{MayCreate: true, NextURL: "/admin/workspaces?after=acme",
				Workspaces: []AdminWorkspace{testWorkspace(), {ID: "default", Handle: "default", Name: "Default", CreatedAt: testT0}}})
		}},
		{"admin_workspace", http.StatusCreated, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminWorkspace(w, req, http.StatusCreated, AdminWorkspacePage{Workspace: testWorkspace(), Roles: []string{"owner", "admin", "member", "guest"},
				Members: []AdminMember{
					{UserID: "u-7k2m", Email: "ann@example.com", Role: "owner", JoinedAt: testT0.Add(-48 * time.Hour)},
					{UserID: "u-9p3x", Role: "member", Suspended: true, JoinedAt: testT0.Add(-24 * time.Hour)},
				},
				Invitations: []AdminInvitation{
					{ID: "inv-1", Email: "bob@example.com", Role: "admin", CreatedAt: testT0.Add(-time.Hour), ExpiresAt: testT0.Add(167 * time.Hour)},
					{ID: "inv-2", Email: "eve@example.com", Role: "member", CreatedAt: testT0.Add(-200 * time.Hour), ExpiresAt: testT0.Add(-32 * time.Hour), Expired: true},
				},
				Tokens: []AdminSCIMToken{
					{ID: "tok1", Name: "Entra ID", Prefix: "tkm_scim_tok1", CreatedAt: testT0.Add(-time.Hour), LastUsedAt: testT0},
					{ID: "tok2", Name: "Okta", Prefix: "tkm_scim_tok2", CreatedAt: testT0.Add(-96 * time.Hour), ExpiresAt: testT0.Add(time.Hour), RevokedAt: testT0.Add(-2 * time.Hour)},
				},
				NewToken: "tkm_scim_tok1secret", Notice: "admin.notice_scim_created", MayDelete: true})
		}},
		{"admin_workspace_scoped", http.StatusCreated, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminWorkspace(w, req, http.StatusCreated, AdminWorkspacePage{Workspace: AdminWorkspace{ID: "ws-2", Handle: "globex", Name: "Globex"},
				Roles: []string{"owner", "admin", "member"}, Members: []AdminMember{{UserID: "u-1", Email: "root@globex.example", Role: "admin"}},
				NewLink: "https://auth.example/invitations/abc", Mailed: false, Notice: "admin.notice_invited", Scoped: true})
		}},
		{"admin_records_scoped", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminRecords(w, req, http.StatusOK, AdminRecordsPage{CSRFToken: testCSRF, Filter: RecordFilter{Workspace: "globex"},
				Actions: []string{"workspace.invitation_sent"}, Scoped: true, WorkspaceChoices: []string{"acme", "globex"},
				Records: []AdminRecord{{Time: testT0, ActorType: "user", ActorID: "u-1", ActorEmail: "root@globex.example", Action: "workspace.invitation_sent",
					Outcome: "success", ClientID: "app-1"}}})
		}},
	}
}
