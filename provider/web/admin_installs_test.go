package web

import (
	"net/http"
	"time"
)

// installPageCases are the installation page a member sees and the
// console's page of a workspace's apps.
func installPageCases() []pageCase {
	return []pageCase{
		{"install", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Install(w, req, http.StatusOK, InstallPage{CSRFToken: testCSRF, Workspace: "Acme Corp", App: "Standup bot", ClientID: "standup",
				Action: "/workspaces/acme/apps/standup/install", Scopes: []string{"im:messages.send", "im:calls.read"}, Checked: []string{"im:messages.send"}})
		}},
		{"install_denied", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Install(w, req, http.StatusOK, InstallPage{CSRFToken: testCSRF, Workspace: "Acme Corp", ClientID: "standup",
				Action: "/workspaces/acme/apps/standup/install", Scopes: []string{"im:messages.send"}, Checked: []string{"im:messages.send"},
				Status: InstallDenied, Reason: "We use another standup tool <b>already</b>."})
		}},
		{"install_active_waiting", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Install(w, req, http.StatusBadRequest, InstallPage{CSRFToken: testCSRF, Workspace: "Acme Corp", App: "Standup bot", ClientID: "standup",
				Action: "/workspaces/acme/apps/standup/install", Scopes: []string{"im:messages.send", "im:calls.read"}, Installs: true,
				Status: InstallActive, Waiting: []string{"im:calls.read"}, Error: "install.no_scopes"})
		}},
		{"admin_installs", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminInstalls(w, req, http.StatusOK, AdminInstallsPage{Workspace: testWorkspace(), Notice: "admin.notice_install_approved",
				Installations: []AdminInstallation{
					{ID: "in-1", ClientID: "standup", App: "Standup bot", Status: "pending", Requested: []string{"im:messages.send", "im:calls.read"},
						RequestedBy: "ann@example.com", CreatedAt: testT0.Add(-time.Hour), UpdatedAt: testT0.Add(-time.Hour)},
					{ID: "in-2", ClientID: "pager", Status: "active", Scopes: []string{"im:messages.send"}, Requested: []string{"im:calls.read"},
						RequestedBy: "bob@example.com", DecidedBy: "root@example.com", CreatedAt: testT0.Add(-48 * time.Hour), UpdatedAt: testT0},
					{ID: "in-3", ClientID: "poll", App: "Polls", Status: "active", Scopes: []string{"im:messages.send"},
						RequestedBy: "u-9p3x", CreatedAt: testT0.Add(-72 * time.Hour), UpdatedAt: testT0.Add(-72 * time.Hour)},
					{ID: "in-4", ClientID: "spy", App: "Spy", Status: "denied", Reason: "Reads everything", DecidedBy: "root@example.com",
						CreatedAt: testT0.Add(-2 * time.Hour), UpdatedAt: testT0.Add(-time.Hour)},
				},
				Approved: []AdminApprovedApp{{ClientID: "poll", App: "Polls", ApprovedBy: "root@example.com", ApprovedAt: testT0.Add(-96 * time.Hour)}}})
		}},
		{"admin_installs_scoped_empty", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminInstalls(w, req, http.StatusOK, AdminInstallsPage{Workspace: AdminWorkspace{ID: "ws-2", Handle: "globex", Name: "Globex"}, Scoped: true})
		}},
	}
}

// installHandlerKeys are the texts provider/admin passes for the
// console's page of a workspace's apps: its confirmations, notices and
// errors.
func installHandlerKeys() []string {
	var keys []string
	for _, change := range []string{"install_approve", "install_deny", "install_remove", "preapprove", "unapprove"} {
		keys = append(keys, "admin.confirm_"+change+"_text", "admin.submit_"+change)
	}
	return append(keys, "admin.notice_install_approved", "admin.notice_install_denied", "admin.notice_uninstalled", "admin.notice_preapproved",
		"admin.notice_unapproved", "admin.error_install_scopes", "admin.error_install_reason", "admin.error_install_not_pending",
		"admin.error_install_app", "admin.error_preapprove_missing")
}

// installHandlerArgKeys take one argument: the app's or the requester's
// name.
func installHandlerArgKeys() []string {
	var keys []string
	for _, change := range []string{"install_approve", "install_deny", "install_remove", "preapprove", "unapprove"} {
		keys = append(keys, "admin.confirm_"+change+"_heading")
	}
	return keys
}
