package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// recordsPage is how many records the records page shows at a time.
const recordsPage = 50

// errBadFilter: a filter value the console cannot read.
var errBadFilter = errors.New("bad filter")

// errNotYours: a workspace admin filtered the records by a workspace they
// do not manage, answered as an unknown one.
var errNotYours = fmt.Errorf("records of another workspace: %w", storage.ErrNotFound)

// recordFilter reads the records filter from a query or a form. A user
// given by email is looked up; one that does not exist matches nothing.
// A workspace is given by handle or ID: for a platform administrator an
// unknown one matches nothing; a workspace admin's records are always
// those of one of their workspaces (the first when none is given), and
// any other is errNotYours.
func (c *Console) recordFilter(r *http.Request, vw viewer, v url.Values) (web.RecordFilter, storage.AuditFilter, error) {
	in := web.RecordFilter{
		User: strings.TrimSpace(v.Get("user")), App: strings.TrimSpace(v.Get("app")), Action: v.Get("action"),
		Outcome: v.Get("outcome"), Scope: strings.TrimSpace(v.Get("scope")),
		From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")),
		Workspace: strings.TrimSpace(v.Get("workspace")),
	}
	f := storage.AuditFilter{Subject: in.User, ClientID: in.App, Outcome: in.Outcome, Scope: in.Scope}
	if !vw.platform && in.Workspace == "" {
		in.Workspace = vw.managed[0].Handle
	}
	if in.Workspace != "" {
		ws, err := c.workspaceByRef(r, in.Workspace)
		switch {
		case errors.Is(err, storage.ErrNotFound) && vw.platform:
			// No such workspace: keep what was typed as the ID, which
			// no record has.
			f.WorkspaceID = in.Workspace
		case errors.Is(err, storage.ErrNotFound):
			return in, f, errNotYours
		case err != nil:
			return in, f, err
		case !vw.manages(ws.ID):
			return in, f, errNotYours
		default:
			f.WorkspaceID = ws.ID
		}
	}
	if strings.Contains(in.User, "@") {
		u, err := c.cfg.Store.GetUserByEmail(r.Context(), in.User)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			// No such user: keep the email as the subject, which no
			// record has.
		case err != nil:
			return in, f, err
		default:
			f.Subject = u.ID
		}
	}
	if in.Action != "" {
		if !slices.Contains(audit.Actions(), in.Action) {
			return in, f, fmt.Errorf("%w: action %q", errBadFilter, in.Action)
		}
		f.Actions = []string{in.Action}
	}
	if in.Outcome != "" && in.Outcome != audit.Success && in.Outcome != audit.Failure {
		return in, f, fmt.Errorf("%w: outcome %q", errBadFilter, in.Outcome)
	}
	var err error
	if f.From, err = parseTime(in.From); err != nil {
		return in, f, err
	}
	if f.To, err = parseTime(in.To); err != nil {
		return in, f, err
	}
	return in, f, nil
}

// workspaceByRef returns the workspace whose ID or handle ref is.
func (c *Console) workspaceByRef(r *http.Request, ref string) (storage.Workspace, error) {
	ws, err := c.cfg.Store.GetWorkspace(r.Context(), ref)
	if errors.Is(err, storage.ErrNotFound) {
		ws, err = c.cfg.Store.GetWorkspaceByHandle(r.Context(), ref)
	}
	if errors.Is(err, storage.ErrInvalidInput) {
		// Not text a store holds: no workspace has it.
		err = storage.ErrNotFound
	}
	return ws, err
}

// parseTime reads a filter's time, in UTC: a day, a minute or a second,
// or RFC 3339 with its offset. Empty is the zero time (no bound).
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: time %q", errBadFilter, s)
}

// cursor reads the "before" parameter: where the previous page ended,
// as the time in Unix microseconds and the record ID.
func cursor(s string) (storage.AuditCursor, bool) {
	at, id, ok := strings.Cut(s, ".")
	if !ok {
		return storage.AuditCursor{}, false
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil {
		return storage.AuditCursor{}, false
	}
	return storage.AuditCursor{Time: time.UnixMicro(us).UTC(), ID: n}, true
}

func cursorParam(r storage.AuditRecord) string {
	return strconv.FormatInt(r.Time.UnixMicro(), 10) + "." + strconv.FormatInt(r.ID, 10)
}

// filterQuery is the filter as a query string, empty fields left out.
func filterQuery(in web.RecordFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"user": in.User, "app": in.App, "action": in.Action, "outcome": in.Outcome,
		"scope": in.Scope, "from": in.From, "to": in.To, "workspace": in.Workspace} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// records shows the authorization records matching the filter, newest
// first, a keyset page at a time: each page is one ListAudit call
// starting after the last record of the previous one, so the thousandth
// page costs what the first does.
func (c *Console) records(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	q := r.URL.Query()
	in, f, err := c.recordFilter(r, v, q)
	p := web.AdminRecordsPage{CSRFToken: session.CSRFToken(r), Filter: in, Actions: audit.Actions(), Scoped: !v.platform}
	for _, ws := range v.managed {
		p.WorkspaceChoices = append(p.WorkspaceChoices, ws.Handle)
	}
	if errors.Is(err, errNotYours) {
		c.refuse(w, r, "filter records", err)
		return
	}
	if errors.Is(err, errBadFilter) {
		p.Error = "admin.error_filter"
		c.rendered(w, r, "records", c.cfg.Pages.AdminRecords(w, r, http.StatusBadRequest, p))
		return
	}
	if err != nil {
		c.fail(w, r, "read the records filter", err)
		return
	}
	var after storage.AuditCursor
	if b := q.Get("before"); b != "" {
		var ok bool
		if after, ok = cursor(b); !ok {
			p.Error = "admin.error_filter"
			c.rendered(w, r, "records", c.cfg.Pages.AdminRecords(w, r, http.StatusBadRequest, p))
			return
		}
		p.NewestURL = consoleurl.Records(filterQuery(in))
	}
	recs, err := c.cfg.Store.ListAudit(r.Context(), f, after, recordsPage+1)
	if err != nil {
		c.fail(w, r, "list records", err)
		return
	}
	if len(recs) > recordsPage {
		recs = recs[:recordsPage]
		next := filterQuery(in)
		next.Set("before", cursorParam(recs[len(recs)-1]))
		p.OlderURL = consoleurl.Records(next)
	}
	email := c.emails(r)
	for _, rec := range recs {
		out := web.AdminRecord{
			Time: rec.Time, ActorType: rec.ActorType, ActorID: rec.ActorID, Action: rec.Action, Outcome: rec.Outcome, Reason: rec.Reason,
			Subject: rec.Subject, SubjectEmail: email(rec.Subject), ClientID: rec.ClientID, Scopes: rec.Scopes,
			IP: rec.ClientIP, UserAgent: rec.UserAgent, RequestID: rec.RequestID,
		}
		if rec.ActorType == audit.ActorUser {
			out.ActorEmail = email(rec.ActorID)
		}
		p.Records = append(p.Records, out)
	}
	c.rendered(w, r, "records", c.cfg.Pages.AdminRecords(w, r, http.StatusOK, p))
}

// emails returns a lookup of users' emails for one page: each user is
// read once; an unknown one (deleted) or a failed read gives "", and the
// page shows the ID.
func (c *Console) emails(r *http.Request) func(id string) string {
	known := map[string]string{}
	return func(id string) string {
		if id == "" {
			return ""
		}
		if e, ok := known[id]; ok {
			return e
		}
		u, err := c.cfg.Store.GetUser(r.Context(), id)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			c.api.cfg.Logger.WarnContext(r.Context(), "admin console: look up a record's user", "user_id", id, "err", err)
		}
		known[id] = u.Email
		return u.Email
	}
}

// export streams every record matching the posted filter as CSV or JSON
// lines, as a download. The export is recorded first (audit.exported):
// if that fails, nothing is exported.
func (c *Console) export(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	format := r.PostFormValue("format")
	if format != audit.FormatCSV && format != audit.FormatJSONL {
		c.message(w, r, http.StatusBadRequest, "admin.error_filter", "admin.nav_records", "/admin/records")
		return
	}
	_, f, err := c.recordFilter(r, v, r.PostForm)
	if errors.Is(err, errNotYours) {
		c.refuse(w, r, "filter records", err)
		return
	}
	if errors.Is(err, errBadFilter) {
		c.message(w, r, http.StatusBadRequest, "admin.error_filter", "admin.nav_records", "/admin/records")
		return
	}
	if err != nil {
		c.fail(w, r, "read the export filter", err)
		return
	}
	ctx := r.Context()
	if err := c.api.RecordExport(ctx, ByUser(s.User.ID), f, format); err != nil {
		c.fail(w, r, "record the export", err)
		return
	}
	name := "authorization-records-" + c.api.cfg.Now().UTC().Format("20060102T150405Z")
	h := w.Header()
	if format == audit.FormatCSV {
		h.Set("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
	} else {
		h.Set("Content-Type", "application/jsonl; charset=utf-8")
		name += ".jsonl"
	}
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	n, err := audit.Export(ctx, c.cfg.Store, f, format, w)
	if err != nil {
		// The download has started: all that can be done is to log it;
		// the file ends short.
		c.api.cfg.Logger.ErrorContext(ctx, "admin console: export records", "err", err, "records", n)
		return
	}
	c.api.cfg.Logger.InfoContext(ctx, "admin exported records", "user_id", s.User.ID, "format", format, "records", n)
}
