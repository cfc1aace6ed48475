package web

import (
	"cmp"
	"net/http"
	"time"

	"github.com/tokenim/tokenim-auth/provider/i18n"
)

// DevicePage is the device sign-in page (/device, RFC 8628 section 3.3).
// Without a Request it asks for the user code, with a GET form sending
// user_code to /device. With one it shows which device and app ask, and
// its form posts csrf_token, user_code and decision ("allow" or "deny") to
// POST /device, and workspace (the chosen one's ID) when the user chooses
// among Workspaces.
type DevicePage struct {
	UILocales string
	CSRFToken string
	// UserCode is the code as the user typed it (refilled in the entry
	// form) or, with a Request, as the device shows it.
	UserCode string
	// Request is the device request found for UserCode, or nil.
	Request *DeviceRequest
	// Workspace names the workspace approving signs the device in to,
	// when it is known.
	Workspace *WorkspaceChoice
	// Workspaces, when the user must choose the workspace, are theirs,
	// one radio button each (posted as workspace), each listing what
	// approving grants there; Request.Scopes is then not shown.
	Workspaces []DeviceWorkspace
	// UserEmail is shown as "Signed in as …", with a "Not you?" link to
	// SwitchURL, which signs the browser out and asks again.
	UserEmail string
	SwitchURL string
	// Error is a message key ("device.unknown", "device.throttled", ...),
	// or empty; ErrorArg fills one that takes an argument.
	Error    string
	ErrorArg string
}

// DeviceRequest is what the user is shown of a device's request, to
// recognise their own device (RFC 8628 section 5.4: a code sent by someone
// else must not be approved by mistake).
type DeviceRequest struct {
	ClientName string
	ClientID   string
	// ClientIP and UserAgent are those of the device's request.
	ClientIP  string
	UserAgent string
	// Age is how long ago the device asked.
	Age time.Duration
	// Scopes are what approving grants, each listed by its description.
	Scopes []string
}

// DeviceWorkspace is a workspace the user may sign the device in to.
type DeviceWorkspace struct {
	WorkspaceChoice
	// Scopes are what approving grants in this workspace: the user's role
	// there caps them.
	Scopes []string
	// Checked marks the choice made before (when the page comes back
	// after a sign-in).
	Checked bool
}

type deviceView struct {
	meta
	DevicePage
	// App is what the page calls the app: its name, else its ID.
	App         string
	AgeText     string
	ErrorText   string
	Permissions []permission
	Choices     []deviceChoiceView
}

type deviceChoiceView struct {
	DeviceWorkspace
	Permissions []permission
}

// Device renders the device sign-in page with the given status.
func (r *Renderer) Device(w http.ResponseWriter, req *http.Request, status int, p DevicePage) error {
	loc := r.Locale(req, p.UILocales)
	v := deviceView{
		meta:       r.meta(loc),
		DevicePage: p,
		ErrorText:  r.message(req.Context(), loc, "error", p.Error, arg(p.ErrorArg)...),
	}
	if p.Request != nil {
		v.App = cmp.Or(p.Request.ClientName, p.Request.ClientID)
		v.AgeText = i18n.InWords(loc, p.Request.Age)
		v.Permissions = r.permissions(req.Context(), loc, p.Request.Scopes)
	}
	for _, c := range p.Workspaces {
		v.Choices = append(v.Choices, deviceChoiceView{DeviceWorkspace: c, Permissions: r.permissions(req.Context(), loc, c.Scopes)})
	}
	return r.render(w, req, status, pageDevice, loc, v)
}
