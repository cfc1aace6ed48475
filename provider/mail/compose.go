package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	netmail "net/mail"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"

	"github.com/tokenim/tokenim-auth/provider/i18n"
)

//go:embed templates
var templateFiles embed.FS

// Activation is what the email-activation mail says.
type Activation struct {
	Name    string        // the greeting's name; empty greets without one
	Link    string        // the one-time activation link, http or https
	Expires time.Duration // how long Link stays valid
}

// PasswordReset is what the password-reset mail says.
type PasswordReset struct {
	Name    string        // the greeting's name; empty greets without one
	Link    string        // the one-time reset link, http or https
	Expires time.Duration // how long Link stays valid
}

// Invitation is what the mail to the holder of an account an
// administrator created says: choose a password to start using it.
type Invitation struct {
	Name    string        // the greeting's name; empty greets without one
	Link    string        // the one-time link to choose a password, http or https
	Expires time.Duration // how long Link stays valid
}

// WorkspaceInvitation is what the mail inviting someone to join a
// workspace says.
type WorkspaceInvitation struct {
	Workspace string        // the workspace's name
	Role      string        // the role offered
	Link      string        // the invitation page's link, http or https
	Expires   time.Duration // how long Link works
}

// AccountExists is what the mail to an account's owner says when someone
// tries to register with the account's address: registration answers as
// for a new address, so that it does not tell who has an account, and the
// owner learns of it here instead.
type AccountExists struct {
	Name    string        // the greeting's name; empty greets without one
	SignIn  string        // the sign-in page, http or https
	Reset   string        // a one-time password-reset link, http or https
	Expires time.Duration // how long Reset stays valid
}

// The mails, by template file name without extension.
const (
	mailActivation    = "activation"
	mailPasswordReset = "password_reset"
	mailAccountExists = "account_exists"
	mailInvitation    = "invitation"
	mailWorkspace     = "workspace_invitation"
)

func mailNames() []string {
	return []string{mailActivation, mailPasswordReset, mailAccountExists, mailInvitation, mailWorkspace}
}

// The layouts every mail is parsed with. A mail's .txt file defines
// "subject", "intro", "open" and "notes"; its .html file "intro",
// "action" and "notes".
const (
	layoutText = "layout.txt"
	layoutHTML = "layout.html"
)

// maxNameRunes bounds the name in a greeting. Registration lets anyone
// put any name on a mail to any address; a short single line limits what
// such a name can say to the recipient.
const maxNameRunes = 64

// Composer renders the account mails. It holds templates parsed once and
// is safe for concurrent use.
type Composer struct {
	msgs  i18n.Catalogue
	mails map[string]map[Locale]templates
}

// templates are one mail's bodies in one locale.
type templates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// view is what a mail's templates see.
type view struct {
	Lang    Locale
	Subject string
	Name    string
	Link    string
	// SignIn is the sign-in page, in the mails that offer it.
	SignIn string
	// Workspace and Role are the workspace an invitation is to, and the
	// role it offers.
	Workspace, Role string
	Expiry          string // in words: "24 hours"
}

// NewComposer parses every mail in every locale and renders each with
// sample data, so that a template or catalogue mistake fails start-up
// rather than a registration. It also refuses template files no mail uses.
func NewComposer() (*Composer, error) {
	fsys, err := fs.Sub(templateFiles, "templates")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	return newComposer(fsys, messages())
}

// newComposer is NewComposer with the templates and catalogue as
// parameters, so tests can check what it refuses.
func newComposer(fsys fs.FS, msgs i18n.Catalogue) (*Composer, error) {
	c := &Composer{msgs: msgs, mails: map[string]map[Locale]templates{}}
	var errs []error
	used := map[string]bool{layoutText: true, layoutHTML: true}
	for _, name := range mailNames() {
		used[name+".txt"] = true
		used[name+".html"] = true
		c.mails[name] = map[Locale]templates{}
		for _, loc := range i18n.Locales() {
			t, err := c.parse(fsys, name, loc)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			c.mails[name][loc] = t
		}
	}
	if err := checkUnused(fsys, used); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// parse parses one mail in one locale and renders it with and without a
// name: a missing message, a wrong number of arguments to one (fmt then
// prints "%!"), or an empty subject is an error here.
func (c *Composer) parse(fsys fs.FS, name string, loc Locale) (templates, error) {
	t := c.msgs.Translator(loc)
	text, err := texttemplate.New(name).Funcs(texttemplate.FuncMap{"t": t}).
		ParseFS(fsys, layoutText, name+".txt")
	if err != nil {
		return templates{}, fmt.Errorf("mail: parse %s text: %w", name, err)
	}
	html, err := htmltemplate.New(name).Funcs(htmltemplate.FuncMap{"t": t}).
		ParseFS(fsys, layoutHTML, name+".html")
	if err != nil {
		return templates{}, fmt.Errorf("mail: parse %s html: %w", name, err)
	}
	tt := templates{text: text, html: html}
	for _, sample := range []string{"", "Sample"} {
		v := view{Name: sample, Link: "https://auth.example/sample?token=sample", SignIn: "https://auth.example/login", Workspace: "Sample", Role: "member"}
		m, err := c.render(tt, loc, "sample@example.com", v, time.Hour)
		if err != nil {
			return templates{}, fmt.Errorf("mail: render %s (%s) with sample data: %w", name, loc, err)
		}
		for part, s := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML} {
			if strings.Contains(s, "%!") {
				return templates{}, fmt.Errorf("mail: %s (%s) %s: a message got the wrong number of arguments: %q", name, loc, part, s)
			}
		}
	}
	return tt, nil
}

// checkUnused reports template files no mail uses: a template nobody
// renders is either dead or a mail someone forgot to wire up.
func checkUnused(fsys fs.FS, used map[string]bool) error {
	var errs []error
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !used[p] {
			errs = append(errs, fmt.Errorf("mail: template file %s is not used by any mail", p))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mail: list template files: %w", err)
	}
	return errors.Join(errs...)
}

// Activation returns the mail that asks a new user to confirm their
// address.
func (c *Composer) Activation(loc Locale, to string, a Activation) (Message, error) {
	m, err := c.compose(mailActivation, loc, to, view{Name: a.Name, Link: a.Link}, a.Expires)
	if err != nil {
		return Message{}, fmt.Errorf("mail: activation mail: %w", err)
	}
	return m, nil
}

// PasswordReset returns the mail that carries a password-reset link.
func (c *Composer) PasswordReset(loc Locale, to string, r PasswordReset) (Message, error) {
	m, err := c.compose(mailPasswordReset, loc, to, view{Name: r.Name, Link: r.Link}, r.Expires)
	if err != nil {
		return Message{}, fmt.Errorf("mail: password reset mail: %w", err)
	}
	return m, nil
}

// Invitation returns the mail that invites the holder of an account an
// administrator created to choose its password.
func (c *Composer) Invitation(loc Locale, to string, i Invitation) (Message, error) {
	m, err := c.compose(mailInvitation, loc, to, view{Name: i.Name, Link: i.Link}, i.Expires)
	if err != nil {
		return Message{}, fmt.Errorf("mail: invitation mail: %w", err)
	}
	return m, nil
}

// WorkspaceInvitation returns the mail inviting the holder of an address
// to join a workspace with a role. The workspace's name is its admins'
// words: it is cleaned as a greeting's name is, and the role must be a
// plain word.
func (c *Composer) WorkspaceInvitation(loc Locale, to string, i WorkspaceInvitation) (Message, error) {
	v := view{Link: i.Link, Workspace: cleanName(i.Workspace), Role: i.Role}
	var err error
	switch {
	case v.Workspace == "":
		err = errors.New("no workspace name")
	case i.Role == "" || strings.ContainsFunc(i.Role, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) || len(i.Role) > maxNameRunes:
		err = fmt.Errorf("role %q is not a plain word", i.Role)
	default:
		var m Message
		if m, err = c.compose(mailWorkspace, loc, to, v, i.Expires); err == nil {
			return m, nil
		}
	}
	return Message{}, fmt.Errorf("mail: workspace invitation mail: %w", err)
}

// AccountExists returns the mail telling an account's owner that someone
// tried to register with their address, with a way to sign in and a
// password-reset link.
func (c *Composer) AccountExists(loc Locale, to string, a AccountExists) (Message, error) {
	var err error
	if a.SignIn == "" || checkLink(a.SignIn) != nil {
		err = errors.New("sign-in link is not an absolute http or https URL")
	} else {
		var m Message
		if m, err = c.compose(mailAccountExists, loc, to, view{Name: a.Name, Link: a.Reset, SignIn: a.SignIn}, a.Expires); err == nil {
			return m, nil
		}
	}
	return Message{}, fmt.Errorf("mail: account exists mail: %w", err)
}

// compose checks and renders mail name; v carries the name, the link and
// what else the mail shows.
func (c *Composer) compose(name string, loc Locale, to string, v view, expires time.Duration) (Message, error) {
	t, ok := c.mails[name][loc]
	if !ok {
		return Message{}, fmt.Errorf("unknown locale %q", loc)
	}
	var errs []error
	if _, err := netmail.ParseAddress(to); err != nil {
		errs = append(errs, fmt.Errorf("recipient %q: %w", to, err))
	}
	if err := checkLink(v.Link); err != nil {
		errs = append(errs, err)
	}
	if expires <= 0 {
		errs = append(errs, fmt.Errorf("expiry %s is not positive", expires))
	}
	if err := errors.Join(errs...); err != nil {
		return Message{}, err
	}
	v.Name = cleanName(v.Name)
	return c.render(t, loc, to, v, expires)
}

// checkLink accepts absolute http and https URLs. The message does not
// quote the link: it is a secret, and a bad one is the caller's bug.
func checkLink(link string) error {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("link is not an absolute http or https URL")
	}
	return nil
}

// cleanName makes a user-supplied name safe to greet with: one line, no
// control or bidirectional-override characters, at most maxNameRunes.
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if r := []rune(s); len(r) > maxNameRunes {
		s = string(r[:maxNameRunes]) + "…"
	}
	return s
}

func (c *Composer) render(t templates, loc Locale, to string, v view, expires time.Duration) (Message, error) {
	v.Lang, v.Expiry = loc, i18n.InWords(loc, expires)
	var subject, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subject, "subject", v); err != nil {
		return Message{}, fmt.Errorf("subject: %w", err)
	}
	v.Subject = strings.TrimSpace(subject.String())
	if v.Subject == "" {
		return Message{}, errors.New("empty subject")
	}
	if err := t.text.ExecuteTemplate(&text, "layout", v); err != nil {
		return Message{}, fmt.Errorf("text body: %w", err)
	}
	if err := t.html.ExecuteTemplate(&html, "layout", v); err != nil {
		return Message{}, fmt.Errorf("html body: %w", err)
	}
	return Message{
		To:      to,
		Subject: v.Subject,
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    html.String(),
	}, nil
}
