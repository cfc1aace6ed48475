package audit

import (
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// Export formats.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
)

// exportPage is how many records Export reads at a time.
const exportPage = 1000

// Export writes every record matching f, newest first, to w as CSV (with
// a header row) or JSON lines, reading a page at a time so that memory
// stays flat whatever the number of records. It returns how many records
// it wrote.
func Export(ctx context.Context, store storage.Audit, f storage.AuditFilter, format string, w io.Writer) (int, error) {
	var write func(storage.AuditRecord) error
	var flush func() error
	switch format {
	case FormatCSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(csvHeader); err != nil {
			return 0, fmt.Errorf("audit: export: %w", err)
		}
		write = func(r storage.AuditRecord) error { return cw.Write(csvRow(r)) }
		flush = func() error { cw.Flush(); return cw.Error() }
	case FormatJSONL:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		write = func(r storage.AuditRecord) error { return enc.Encode(jsonRecord(r)) }
		flush = func() error { return nil }
	default:
		return 0, fmt.Errorf("audit: export: unknown format %q (csv or jsonl)", format)
	}
	n := 0
	var cur storage.AuditCursor
	for {
		recs, err := store.ListAudit(ctx, f, cur, exportPage)
		if err != nil {
			return n, fmt.Errorf("audit: export: %w", err)
		}
		for _, r := range recs {
			if err := write(r); err != nil {
				return n, fmt.Errorf("audit: export: %w", err)
			}
			n++
		}
		if err := flush(); err != nil {
			return n, fmt.Errorf("audit: export: %w", err)
		}
		if len(recs) < exportPage {
			return n, nil
		}
		last := recs[len(recs)-1]
		cur = storage.AuditCursor{Time: last.Time, ID: last.ID}
	}
}

var csvHeader = []string{"id", "time", "action", "outcome", "reason", "actor_type", "actor_id", "subject", "client_id",
	"scopes", "client_ip", "user_agent", "request_id", "detail", "seq", "hash", "workspace_id"}

func csvRow(r storage.AuditRecord) []string {
	detail, _ := json.Marshal(r.Detail)
	if r.Detail == nil {
		detail = []byte("{}")
	}
	row := []string{
		strconv.FormatInt(r.ID, 10), r.Time.UTC().Format(time.RFC3339Nano), r.Action, r.Outcome, r.Reason,
		r.ActorType, r.ActorID, r.Subject, r.ClientID, strings.Join(r.Scopes, " "), r.ClientIP, r.UserAgent,
		r.RequestID, string(detail), seqOf(r), hex.EncodeToString(r.Hash), r.WorkspaceID,
	}
	for i, v := range row {
		row[i] = defuse(v)
	}
	return row
}

// defuse keeps a spreadsheet from reading a cell as a formula (OWASP "CSV
// injection"): a value starting with = + - @ or a tab or carriage return
// gets a leading apostrophe.
func defuse(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func seqOf(r storage.AuditRecord) string {
	if r.Seq == 0 {
		return ""
	}
	return strconv.FormatInt(r.Seq, 10)
}

// Record is a record as exported in JSON lines and by the JSON API.
type Record struct {
	ID        int64             `json:"id"`
	Time      time.Time         `json:"time"`
	Action    string            `json:"action"`
	Outcome   string            `json:"outcome"`
	Reason    string            `json:"reason,omitempty"`
	ActorType string            `json:"actor_type"`
	ActorID   string            `json:"actor_id,omitempty"`
	Subject   string            `json:"subject,omitempty"`
	ClientID  string            `json:"client_id,omitempty"`
	Scopes    []string          `json:"scopes,omitempty"`
	ClientIP  string            `json:"client_ip,omitempty"`
	UserAgent string            `json:"user_agent,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Detail    map[string]string `json:"detail,omitempty"`
	// Seq and Hash are set once the record is sealed into the chain.
	Seq  int64  `json:"seq,omitempty"`
	Hash string `json:"hash,omitempty"`
	// WorkspaceID is the workspace the record concerns, if any.
	WorkspaceID string `json:"workspace_id,omitempty"`
}

func jsonRecord(r storage.AuditRecord) Record {
	return Record{
		ID: r.ID, Time: r.Time.UTC(), Action: r.Action, Outcome: r.Outcome, Reason: r.Reason,
		ActorType: r.ActorType, ActorID: r.ActorID, Subject: r.Subject, ClientID: r.ClientID, Scopes: r.Scopes,
		ClientIP: r.ClientIP, UserAgent: r.UserAgent, RequestID: r.RequestID, Detail: r.Detail,
		Seq: r.Seq, Hash: hex.EncodeToString(r.Hash), WorkspaceID: r.WorkspaceID,
	}
}

// ExportEvent is the record of an export of the records matching f in
// format: the filter in its Detail (filter_actions, filter_outcome,
// filter_scope, filter_workspace, filter_from, filter_to), its user, app
// and workspace as the record's.
func ExportEvent(f storage.AuditFilter, format string) Event {
	d := map[string]string{"format": format}
	set := func(k, v string) {
		if v != "" {
			d["filter_"+k] = v
		}
	}
	set("actions", strings.Join(f.Actions, " "))
	set("outcome", f.Outcome)
	set("scope", f.Scope)
	set("workspace", f.WorkspaceID)
	if !f.From.IsZero() {
		set("from", f.From.UTC().Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		set("to", f.To.UTC().Format(time.RFC3339))
	}
	return Event{Action: AuditExported, Subject: f.Subject, ClientID: f.ClientID, WorkspaceID: f.WorkspaceID, Detail: d}
}
