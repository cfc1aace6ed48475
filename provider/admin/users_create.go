package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/i18n"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Errors of the actions that mail a link.
var (
	// ErrNoMail: no mail server is configured, so no link can be sent.
	ErrNoMail = errors.New("no mail server is configured (mail.smtp), so no link can be sent")
	// ErrMailFailed: the mail server did not take the message; nothing
	// was changed.
	ErrMailFailed = errors.New("the mail server did not take the message")
	// ErrUserDisabled: a disabled account gets no link.
	ErrUserDisabled = errors.New("the account is disabled: enable it first")
)

// NewUser is an account an administrator creates.
type NewUser struct {
	Email, Name, Role string
	// Password, when set, is the account's password: the account is
	// active at once, its address taken as confirmed, as the command
	// line's users create does. Empty: the account waits (pending) until
	// its holder chooses a password through the link mailed to them,
	// which also confirms the address.
	Password string
	// Locale is the language of the mail; empty is English.
	Locale mail.Locale
}

// mailLocale checks the language a mail is asked for in.
func mailLocale(loc mail.Locale) (mail.Locale, error) {
	if loc == "" {
		return mail.English, nil
	}
	if !slices.Contains(i18n.Locales(), loc) {
		return "", &FieldError{Field: "locale", Problem: fmt.Sprintf("must be one of %s", strings.Join(localeNames(), ", "))}
	}
	return loc, nil
}

func localeNames() []string {
	var out []string
	for _, l := range i18n.Locales() {
		out = append(out, string(l))
	}
	return out
}

// CreateUser creates an account by the rules registration and the command
// line apply: the email must pass mailaddr.Valid and be free (storage.
// ErrAlreadyExists otherwise), the role must be configured, a password
// must pass the password rules. Without a password, the account's holder
// is mailed an invitation to choose one (ErrNoMail when no mail server is
// configured; ErrMailFailed, creating nothing, when the server refuses
// it). Recorded as user.created with the email, the role and how the
// password is set ("given" or "invitation").
func (a *API) CreateUser(ctx context.Context, by Actor, nu NewUser) (storage.User, error) {
	nu.Email = strings.TrimSpace(nu.Email)
	if !mailaddr.Valid(nu.Email) {
		return storage.User{}, &FieldError{Field: "email", Problem: "not an email address"}
	}
	name, err := userName(nu.Name)
	if err != nil {
		return storage.User{}, err
	}
	if nu.Role == "" {
		return storage.User{}, &FieldError{Field: "role", Problem: "required; GET /admin/api/v1/roles lists them"}
	}
	if _, err := a.roleScopes(nu.Role); err != nil {
		return storage.User{}, err
	}
	loc, err := mailLocale(nu.Locale)
	if err != nil {
		return storage.User{}, err
	}
	invite := nu.Password == ""
	if invite && a.cfg.Mail == nil {
		return storage.User{}, fmt.Errorf("%w: give the account a password instead", ErrNoMail)
	}
	pw := nu.Password
	if invite {
		// No one knows this password: the account is opened by the
		// invitation's link, which sets the one its holder chooses.
		pw = secret.Random(32)
	} else if err := a.cfg.Passwords.Check(pw); err != nil {
		return storage.User{}, &FieldError{Field: "password", Problem: strings.TrimPrefix(err.Error(), "password: ")}
	}
	hash, err := a.cfg.PasswordHasher.Hash(ctx, pw)
	if err != nil {
		return storage.User{}, fmt.Errorf("hash the password: %w", err)
	}
	now := a.cfg.Now().UTC().Truncate(time.Second)
	u := storage.User{ID: uuid.NewString(), Email: nu.Email, Name: name, PasswordHash: hash, Role: nu.Role,
		Status: storage.UserActive, EmailVerified: true, CreatedAt: now, UpdatedAt: now}
	how := "given"
	if invite {
		u.Status, u.EmailVerified, how = storage.UserPending, false, "invitation"
	}
	err = a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := a.cfg.Store.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		if invite {
			// Sent before the transaction ends: an invitation the mail
			// server refuses leaves no account that nobody can open.
			err := a.mailPasswordLink(ctx, u, a.cfg.InvitationLink, func(link string) (mail.Message, error) {
				return a.cfg.Composer.Invitation(loc, u.Email, mail.Invitation{Name: u.Name, Link: link, Expires: a.cfg.InvitationLink})
			})
			if err != nil {
				return nil, err
			}
		}
		return []audit.Event{by.On(audit.Event{Action: audit.UserCreated, Subject: u.ID,
			Detail: map[string]string{"email": u.Email, "role": u.Role, "password": how}})}, nil
	})
	if err != nil {
		return storage.User{}, err
	}
	return u, nil
}

// mailPasswordLink makes a link for u to choose a password, valid for
// life and replacing their older ones, and mails it in the message
// compose writes around it; a message the server does not take is
// ErrMailFailed. Called in the transaction of the change it belongs to,
// so that a link nobody received does not outlive it.
func (a *API) mailPasswordLink(ctx context.Context, u storage.User, life time.Duration, compose func(link string) (mail.Message, error)) error {
	link, err := a.links.Password(ctx, u.ID, life)
	if err != nil {
		return err
	}
	m, err := compose(link)
	if err != nil {
		return err
	}
	if err := a.cfg.Mail.Send(ctx, m); err != nil {
		return fmt.Errorf("%w: %w", ErrMailFailed, err)
	}
	return nil
}

// createUser creates an account (see CreateUser): 201 with the user.
func (a *API) createUser(w http.ResponseWriter, r *http.Request, caller string) {
	var body struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Role     string `json:"role"`
		Password string `json:"password"`
		Locale   string `json:"locale"`
	}
	if !decode(w, r, &body) {
		return
	}
	u, err := a.CreateUser(r.Context(), ByClient(caller), NewUser{Email: body.Email, Name: body.Name, Role: body.Role,
		Password: body.Password, Locale: mail.Locale(body.Locale)})
	switch {
	case errors.Is(err, storage.ErrAlreadyExists):
		writeError(w, http.StatusConflict, "conflict", "email: an account with this email exists.")
		return
	case refused(w, err), a.mailProblem(w, r, err):
		return
	case err != nil:
		a.fail(w, r, "create user", err)
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin created a user", "admin_client_id", caller, "user_id", u.ID, "role", u.Role, "status", string(u.Status))
	web.JSON(w, http.StatusCreated, userOut(u))
}

// mailProblem answers an action's failure to mail a link, or a password
// that could not be hashed for now, and returns true; false for any other
// error.
func (a *API) mailProblem(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case errors.Is(err, ErrNoMail), errors.Is(err, ErrUserDisabled):
		writeError(w, http.StatusConflict, "conflict", err.Error()+".")
	case errors.Is(err, ErrMailFailed):
		a.cfg.Logger.ErrorContext(r.Context(), "admin api: send a mail", "err", err)
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "The mail server did not take the message, so nothing was changed; try again later.")
	case password.Busy(err):
		w.Header().Set("Retry-After", strconv.Itoa(int(password.RetryAfter/time.Second)))
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "Too many passwords are being hashed; try again in a few seconds.")
	default:
		return false
	}
	return true
}
