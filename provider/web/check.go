package web

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"text/template/parse"
	"time"

	"github.com/tokenim/tokenim-auth/provider/i18n"
)

// checkMessages walks a parsed page and reports every call of t that
// would fail or print a fmt error at render time: a key that is not a
// string literal (it could not be checked here), a key missing in either
// language, or a text taking a different number of arguments than the
// template passes.
func checkMessages(t *template.Template, msgs i18n.Catalogue) error {
	var errs []error
	for _, tt := range t.Templates() {
		if tt.Tree == nil || tt.Tree.Root == nil {
			continue
		}
		c := &keyChecker{msgs: msgs, tree: tt.Tree}
		c.node(tt.Tree.Root)
		errs = append(errs, c.errs...)
	}
	return errors.Join(errs...)
}

type keyChecker struct {
	msgs i18n.Catalogue
	tree *parse.Tree
	errs []error
}

func (c *keyChecker) fail(n parse.Node, format string, args ...any) {
	loc, _ := c.tree.ErrorContext(n)
	c.errs = append(c.errs, fmt.Errorf("%s: %s", loc, fmt.Sprintf(format, args...)))
}

func (c *keyChecker) node(n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, x := range n.Nodes {
			c.node(x)
		}
	case *parse.ActionNode:
		c.pipe(n.Pipe)
	case *parse.IfNode:
		c.branch(&n.BranchNode)
	case *parse.RangeNode:
		c.branch(&n.BranchNode)
	case *parse.WithNode:
		c.branch(&n.BranchNode)
	case *parse.TemplateNode:
		c.pipe(n.Pipe)
	case *parse.PipeNode:
		c.pipe(n)
	case *parse.ChainNode:
		c.node(n.Node)
	}
}

func (c *keyChecker) branch(b *parse.BranchNode) {
	c.pipe(b.Pipe)
	c.node(b.List)
	c.node(b.ElseList)
}

func (c *keyChecker) pipe(p *parse.PipeNode) {
	if p == nil {
		return
	}
	for i, cmd := range p.Cmds {
		// After the first command of a pipeline, the previous result is
		// passed as one more argument.
		c.command(cmd, i > 0)
	}
}

func (c *keyChecker) command(cmd *parse.CommandNode, piped bool) {
	for i, arg := range cmd.Args {
		if id, ok := arg.(*parse.IdentifierNode); ok && id.Ident == "t" {
			if i == 0 {
				c.call(cmd, piped)
			} else {
				c.fail(id, `t used as a value: call it as {{t "key" args...}}`)
			}
			continue
		}
		c.node(arg)
	}
}

func (c *keyChecker) call(cmd *parse.CommandNode, piped bool) {
	if len(cmd.Args) < 2 {
		c.fail(cmd, "t needs a message key")
		return
	}
	key, ok := cmd.Args[1].(*parse.StringNode)
	if !ok {
		c.fail(cmd, "t needs a quoted message key, so that it can be checked at start-up")
		return
	}
	given := len(cmd.Args) - 2
	if piped {
		given++
	}
	for _, loc := range locales() {
		s, ok := c.msgs.Lookup(loc, key.Text)
		if !ok {
			c.fail(cmd, "message %q has no %s text", key.Text, loc)
			continue
		}
		if want := i18n.Verbs(s); want != given {
			c.fail(cmd, "message %q takes %d arguments in %s, the template gives %d", key.Text, want, loc, given)
		}
	}
}

// checkUnused reports files outside static/ that no page uses: a template
// nobody renders is either dead or a page someone forgot to wire up.
func checkUnused(fsys fs.FS, used map[string]bool) error {
	var errs []error
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == staticDir {
				return fs.SkipDir
			}
			return nil
		}
		if !used[p] {
			errs = append(errs, fmt.Errorf("web: template file %s is not used by any page", p))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("web: list template files: %w", err)
	}
	return errors.Join(errs...)
}

// samples returns views of a page that between them take every branch of
// its template: all fields empty, and all fields set (in more than one view
// where branches exclude each other). New renders them once per locale so
// that a template referring to a field the view does not have fails at
// start-up.
func samples(page string, m meta) []any {
	const s = "sample"
	switch page {
	case pageLogin:
		return []any{
			loginView{meta: m},
			loginView{meta: m, LoginPage: LoginPage{
				UILocales: s, CSRFToken: s, Flow: s, Next: s, ClientName: s, Email: s, Error: s, ErrorArg: s, Resend: true, RegisterURL: s, Passkeys: true, SSO: true,
				Upstreams: []UpstreamButton{{ID: s, Name: s}},
			}, ErrorText: s, Script: s, Buttons: []upstreamView{{ID: s, Label: s}}},
			loginView{meta: m, LoginPage: LoginPage{Flow: s, CSRFToken: s, NoPassword: true, Passkeys: true}, Script: s},
			loginView{meta: m, LoginPage: LoginPage{Flow: s, CSRFToken: s, NoPassword: true}},
		}
	case pageDirectory:
		return []any{
			directoryView{meta: m},
			directoryView{meta: m, DirectoryPage: DirectoryPage{
				UILocales: s, CSRFToken: s, ConnectorID: s, Name: s, Flow: s, Next: s, Link: true, Username: s, Error: s, ErrorArg: s,
			}, ErrorText: s},
		}
	case pageConsent:
		return []any{
			consentView{meta: m},
			consentView{
				meta: m,
				ConsentPage: ConsentPage{
					UILocales: s, CSRFToken: s, Flow: s, ClientName: s, ClientID: s, UserEmail: s,
					Scopes: []string{s}, Remember: true, Error: s,
					Details: []ConsentDetail{{Value: s, Name: s, Location: s, Actions: []string{s}}},
				},
				App: s, Logo: s, ErrorText: s, Permissions: []permission{{Scope: s, Description: s}},
				Details: []detailView{{ConsentDetail: ConsentDetail{Value: s, Name: s, Location: s, Actions: []string{s}}, Lines: []string{s, s}}},
			},
		}
	case pageWorkspaceChooser:
		return []any{
			workspaceChooserView{meta: m},
			workspaceChooserView{meta: m, WorkspaceChooserPage: WorkspaceChooserPage{
				UILocales: s, CSRFToken: s, Flow: s, ClientName: s, ClientID: s, UserEmail: s, Error: s,
				Workspaces: []WorkspaceChoice{{ID: s, Name: s, Handle: s}},
			}, App: s, ErrorText: s},
		}
	case pageDevice:
		return []any{
			deviceView{meta: m},
			deviceView{meta: m, DevicePage: DevicePage{UILocales: s, CSRFToken: s, UserCode: s, UserEmail: s, SwitchURL: s, Error: s, ErrorArg: s}, ErrorText: s},
			deviceView{
				meta: m,
				DevicePage: DevicePage{UILocales: s, CSRFToken: s, UserCode: s, UserEmail: s, SwitchURL: s, Error: s, ErrorArg: s,
					Request:   &DeviceRequest{ClientName: s, ClientID: s, ClientIP: s, UserAgent: s, Age: time.Minute, Scopes: []string{s}},
					Workspace: &WorkspaceChoice{ID: s, Name: s, Handle: s}},
				App: s, AgeText: s, ErrorText: s, Permissions: []permission{{Scope: s, Description: s}},
			},
			deviceView{
				meta: m,
				DevicePage: DevicePage{UILocales: s, CSRFToken: s, UserCode: s, UserEmail: s, SwitchURL: s, Error: s, ErrorArg: s,
					Request: &DeviceRequest{ClientName: s, ClientID: s, ClientIP: s, UserAgent: s, Age: time.Minute, Scopes: []string{s}}},
				App: s, AgeText: s, ErrorText: s,
				Choices: []deviceChoiceView{
					{DeviceWorkspace: DeviceWorkspace{WorkspaceChoice: WorkspaceChoice{ID: s, Name: s, Handle: s}, Scopes: []string{s}, Checked: true},
						Permissions: []permission{{Scope: s, Description: s}}},
					{DeviceWorkspace: DeviceWorkspace{WorkspaceChoice: WorkspaceChoice{ID: s, Name: s, Handle: s}}},
				},
			},
		}
	case pageLogout:
		return []any{
			logoutView{meta: m},
			logoutView{meta: m, LogoutPage: LogoutPage{
				UILocales: s, CSRFToken: s, ClientName: s, ClientID: s, PostLogoutRedirectURI: s, State: s, IDTokenHint: s,
			}},
		}
	case pageFormPost:
		return []any{formPostView{meta: m}, formPostView{meta: m, Action: s, Fields: []formPostField{{Name: s, Value: s}}, Script: formPostScript}}
	case pageLoggedOut:
		return []any{loggedOutView{meta: m}, loggedOutView{meta: m, LoggedOutPage: LoggedOutPage{UILocales: s}}}
	case pageError:
		return []any{
			errorView{meta: m},
			errorView{meta: m, ErrorPage: ErrorPage{UILocales: s, Title: s, Message: s, RequestID: s}, TitleText: s, MessageText: s},
		}
	case pageRegister:
		return []any{
			registerView{meta: m},
			registerView{meta: m, RegisterPage: RegisterPage{UILocales: s, CSRFToken: s, Flow: s, Email: s, Name: s, Error: s}, ErrorText: s},
		}
	case pageCheckEmail:
		return []any{
			checkEmailView{meta: m},
			checkEmailView{meta: m, CheckEmailPage: CheckEmailPage{UILocales: s, Kind: CheckEmailActivate, Email: s, CSRFToken: s, Flow: s}, ExpiresIn: s},
			checkEmailView{meta: m, CheckEmailPage: CheckEmailPage{UILocales: s, Kind: CheckEmailReset, Email: s, CSRFToken: s}, ExpiresIn: s},
		}
	case pageInvitation:
		return invitationSamples(m)
	case pageInstall:
		return installSamples(m)
	case pageActivate:
		return []any{
			activateView{meta: m},
			activateView{meta: m, ActivatePage: ActivatePage{UILocales: s, CSRFToken: s, Token: s, Flow: s}},
			activateView{meta: m, ActivatePage: ActivatePage{UILocales: s, CSRFToken: s, Flow: s, Expired: true}},
		}
	case pageForgot:
		return []any{
			forgotView{meta: m},
			forgotView{meta: m, ForgotPage: ForgotPage{UILocales: s, CSRFToken: s, Email: s, Error: s}, ErrorText: s},
		}
	case pageReset:
		return []any{
			resetView{meta: m},
			resetView{meta: m, ResetPage: ResetPage{UILocales: s, CSRFToken: s, Token: s, Error: s}, ErrorText: s},
			resetView{meta: m, ResetPage: ResetPage{UILocales: s, CSRFToken: s, Expired: true}},
		}
	case pageMessage:
		return []any{
			messageView{meta: m},
			messageView{
				meta:        m,
				MessagePage: MessagePage{UILocales: s, Title: s, Message: s, LinkText: s, LinkURL: s},
				TitleText:   s,
				MessageText: s,
				LinkLabel:   s,
			},
		}
	case pageMFA:
		return []any{
			mfaView{meta: m},
			mfaView{meta: m, MFAPage: MFAPage{UILocales: s, CSRFToken: s, Flow: s, Next: s, Error: s, ErrorArg: s, Recovery: true, TOTP: true, Passkey: true}, ErrorText: s, OtherURL: s, Script: s},
			mfaView{meta: m, MFAPage: MFAPage{Missing: s}, MissingText: s},
		}
	case pageAccount:
		return []any{
			accountView{meta: m},
			accountView{
				meta: m,
				AccountPage: AccountPage{
					UILocales: s, CSRFToken: s, Email: s, Name: s,
					Enrolment: &Enrolment{QRDataURI: qrPrefix, Secret: s},
				},
				SecretGroups: s,
			},
			accountView{
				meta: m,
				AccountPage: AccountPage{
					UILocales: s, CSRFToken: s, Email: s, Name: s, MFAEnabled: true, RecoveryCodes: []string{s},
					Sessions: []SessionView{{ID: s, Device: s, IP: s, Current: true}}, Notice: s, Error: s,
				},
				NoticeText: s, ErrorText: s, SessionRows: []sessionRow{{Device: s, IP: s, SignedIn: s, SignedInISO: s, Current: true}, {}},
				AppRows: []appRow{{ClientID: s, Name: s, Permissions: []permission{{Scope: s, Description: s}}, Granted: s, GrantedISO: s, LastUsed: s,
					Conversations: []conversationRow{{ConversationGrant: ConversationGrant{Type: s, Location: s, Actions: []string{s}}, Lines: []string{s, s}}}}},
			},
			accountView{meta: m, AccountPage: AccountPage{Developer: true, NoCurrentPassword: true}},
			accountView{meta: m, PasskeyRows: []passkeyRow{{Ref: s, Name: s, Synced: true, RenameURL: s, RemoveURL: s, timeCells: timeCells{s, s, s, s}}, {}}},
			accountView{meta: m, AccountPage: AccountPage{LinkingOn: true}},
			accountView{meta: m, LinkRows: []linkRow{{ConnectorID: s, Label: s, Subject: s, Email: s, RemoveURL: s, timeCells: timeCells{s, s, s, s}}, {}},
				LinkButtons: []linkButton{{Label: s, URL: s}}},
		}
	case pageAccountConfirm:
		return accountConfirmSamples(m)
	case pageApps:
		rows := []appListRow{{URL: s, Name: s, Logo: s, Kind: s, Created: s, CreatedISO: s}}
		for _, kind := range []string{AppKindWeb, AppKindBrowser, AppKindNative, AppKindService} {
			rows = append(rows, appListRow{Kind: kind, Expiring: 1}, appListRow{Kind: kind, Expiring: 2})
		}
		return []any{
			appsView{meta: m},
			appsView{
				meta:       m,
				AppsPage:   AppsPage{UILocales: s, CSRFToken: s, Apps: []AppSummary{{ClientID: s, Name: s, Kind: s}}, Notice: s, Error: s},
				NoticeText: s, ErrorText: s, Rows: rows,
			},
		}
	case pageAppForm:
		choices := []scopeChoice{{ID: s, Scope: s, Description: s, Checked: true}, {ID: s, Scope: s, Description: s}}
		var views []any
		for _, kind := range []string{"", s, AppKindWeb, AppKindBrowser, AppKindNative, AppKindService} {
			page := AppFormPage{
				UILocales: s, CSRFToken: s, App: AppForm{ClientID: s, Name: s, Description: s, LogoURI: s, Kind: kind, RedirectURIs: s, AllowedOrigins: s, RefreshReuseWindow: s, AccessTokenFormat: s, RequirePAR: true, DPoPBoundAccessTokens: true, Scopes: []string{s}},
				Offered: []string{s}, Secrets: []SecretRow{{ID: s, Prefix: s, State: s}}, Notice: s, Error: s, ErrorArg: s,
			}
			edit := appFormView{
				meta: m, AppFormPage: page, Heading: s, Logo: s, NoticeText: s, ErrorText: s, Action: s, ScopeChoices: choices,
				ShowSecrets: true, SecretsURL: s, DeleteURL: s,
				SecretRows: []secretRow{
					{Prefix: s, State: SecretLive, Created: s, CreatedISO: s, Expires: s, ExpiresISO: s, LastUsed: s, LastUsedISO: s, RevokeURL: s},
					{Prefix: s, State: SecretExpiring}, {Prefix: s, State: SecretExpired}, {Prefix: s, State: s},
				},
			}
			page.New = true
			views = append(views, edit, appFormView{meta: m, AppFormPage: page, NoticeText: s, ErrorText: s, Action: s, ScopeChoices: choices})
		}
		return append(views, appFormView{meta: m}, appFormView{meta: m, AppFormPage: AppFormPage{New: true}}, appFormView{meta: m, ShowSecrets: true})
	case pageSecretShown:
		return []any{
			secretShownView{meta: m},
			secretShownView{
				meta:            m,
				SecretShownPage: SecretShownPage{UILocales: s, ClientID: s, AppName: s, Secret: s, Created: true},
				App:             s, AppURL: s, Expires: s, ExpiresISO: s,
			},
		}
	case pageDeleteApp:
		return []any{
			deleteAppView{meta: m},
			deleteAppView{meta: m, DeleteAppPage: DeleteAppPage{UILocales: s, CSRFToken: s, ClientID: s, AppName: s}, App: s, AppURL: s},
		}
	}
	return adminSamples(page, m)
}
