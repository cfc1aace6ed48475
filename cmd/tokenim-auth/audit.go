package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/janitor"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// auditParts are the authorization records' pieces serve and the commands
// share.
type auditParts struct {
	chain    audit.Chain
	sealer   *audit.Sealer
	recorder *audit.Recorder
}

func newAudit(cfg config.Config, store storage.Audit, logger *slog.Logger) (auditParts, error) {
	ring, err := newKeyring(cfg)
	if err != nil {
		return auditParts{}, err
	}
	p := auditParts{chain: audit.NewChain(ring.Derive(secret.PurposeAudit), ring.DerivePrevious(secret.PurposeAudit)...)}
	p.sealer = audit.NewSealer(audit.SealerConfig{Store: store, Chain: p.chain, Interval: cfg.Audit.SealInterval, Logger: logger})
	p.recorder = audit.NewRecorder(audit.RecorderConfig{Store: store, Logger: logger, Appended: p.sealer.Kick})
	return p, nil
}

// janitorTasks are the janitor's jobs on the authorization records:
// recording the secrets that expired, and pruning the records past
// audit.retention (when one is set).
func (p auditParts) janitorTasks(cfg config.Config, store storage.Store) []janitor.Task {
	tasks := []janitor.Task{{Name: "expired_secrets", Run: func(ctx context.Context, now time.Time) (int, error) {
		n, err := apikey.RecordExpired(ctx, store, p.recorder, now, expiryLookback)
		if err == nil && n > 0 {
			_, err = p.sealer.SealAll(ctx)
		}
		return n, err
	}}}
	if cfg.Audit.Retention > 0 {
		tasks = append(tasks, janitor.Task{Name: "audit_records", Run: func(ctx context.Context, now time.Time) (int, error) {
			return audit.Prune(ctx, store, p.chain, now.Add(-cfg.Audit.Retention), now, cfg.Janitor.Batch)
		}})
	}
	return tasks
}

// auditPage is how many records a walk of the chain reads at a time.
const auditPage = 1000

// expiryLookback is how far back the janitor looks for secrets that
// expired without a record: a janitor stopped longer than that misses
// some.
const expiryLookback = 30 * 24 * time.Hour

// auditCommand verifies and exports the authorization records.
func auditCommand(ctx context.Context, args []string, e env) error {
	return dispatch(ctx, args, e, subcommand{"verify", auditVerify}, subcommand{"export", auditExport})
}

// auditVerify seals the records waiting for the chain, then walks it from
// the latest pruning checkpoint to its head. A break is an error naming
// the first record altered or missing: exit status 1.
func auditVerify(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("audit verify", e)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	parts, err := newAudit(cfg, store, nil)
	if err != nil {
		return err
	}
	if _, err := parts.sealer.SealAll(ctx); err != nil {
		return err
	}
	rep, err := parts.chain.Verify(ctx, store, auditPage)
	if err != nil {
		return err
	}
	if rep.Pruned > 0 {
		fmt.Fprintf(e.stdout, "%d records pruned before record %d (checkpoint verified)\n", rep.Pruned, rep.Start.Seq+1)
	}
	if rep.Problem != nil {
		return fmt.Errorf("the authorization records' chain is broken: %s (%d records verified before it)", rep.Problem, rep.Checked)
	}
	fmt.Fprintf(e.stdout, "chain verified: %d records, %d to %d; head %x\n", rep.Checked, rep.Start.Seq+1, rep.Head.Seq, rep.Head.Hash)
	if rep.Unsealed > 0 {
		fmt.Fprintf(e.stdout, "%d records appended since are waiting to be sealed (the oldest at %s)\n", rep.Unsealed, rep.OldestUnsealed.Format(time.RFC3339))
	}
	return nil
}

// auditExport writes the records matching the filter flags, newest
// first, as CSV or JSON lines, to --out or standard output; the export
// itself is recorded.
func auditExport(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("audit export", e)
	format := fs.String("format", audit.FormatCSV, "csv or jsonl")
	out := fs.String("out", "", "write to this `file` (default: standard output)")
	email := fs.String("user", "", "only records concerning the user with this email")
	app := fs.String("app", "", "only records concerning this client ID")
	var actions stringList
	fs.Var(&actions, "action", "only this `action` (repeat for several)")
	outcome := fs.String("outcome", "", "only success or failure")
	scope := fs.String("scope", "", "only records with this scope")
	from := fs.String("from", "", "only records at or after this time (RFC 3339, or a day YYYY-MM-DD in UTC)")
	to := fs.String("to", "", "only records before this time (RFC 3339, or a day YYYY-MM-DD: before that day starts)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != audit.FormatCSV && *format != audit.FormatJSONL {
		return usagef("--format: want csv or jsonl, not %q", *format)
	}
	if *outcome != "" && *outcome != audit.Success && *outcome != audit.Failure {
		return usagef("--outcome: want success or failure, not %q", *outcome)
	}
	for _, a := range actions {
		if !slices.Contains(audit.Actions(), a) {
			return usagef("--action: unknown action %q", a)
		}
	}
	f := storage.AuditFilter{ClientID: *app, Actions: actions, Outcome: *outcome, Scope: *scope}
	var err error
	if f.From, err = parseWhen(*from); err != nil {
		return usagef("--from: %v", err)
	}
	if f.To, err = parseWhen(*to); err != nil {
		return usagef("--to: %v", err)
	}
	cfg, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	if *email != "" {
		u, err := store.GetUserByEmail(ctx, *email)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no account with email %q", *email)
		}
		if err != nil {
			return err
		}
		f.Subject = u.ID
	}
	w := e.stdout
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer file.Close()
		w = file
	}
	n, err := audit.Export(ctx, store, f, *format, w)
	if err != nil {
		return err
	}
	if c, ok := w.(io.Closer); ok && *out != "" {
		if err := c.Close(); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		fmt.Fprintf(e.stderr, "%d records written to %s\n", n, *out)
	}
	parts, err := newAudit(cfg, store, nil)
	if err != nil {
		return err
	}
	exported := audit.ExportEvent(f, *format)
	exported.ActorType, exported.Detail["records"] = audit.ActorCLI, strconv.Itoa(n)
	return parts.recorder.Record(ctx, exported)
}

// parseWhen reads an RFC 3339 time or a day (midnight UTC); "" is the zero
// time.
func parseWhen(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("want an RFC 3339 time or a day YYYY-MM-DD, not %q", v)
	}
	return t, nil
}

// startSealer runs the sealer in the background of serve. stop ends it,
// waits for its pass in progress, and seals what the last requests
// recorded: call it before closing the store.
func startSealer(ctx context.Context, s *audit.Sealer, logger *slog.Logger) (stop func()) {
	stopRun := background(ctx, s.Run)
	return func() {
		stopRun()
		finalCtx, cancelFinal := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancelFinal()
		if _, err := s.SealAll(finalCtx); err != nil {
			logger.Warn("sealing the last authorization records", "err", err)
		}
	}
}

// cliEvent is the authorization record of a command's change.
func cliEvent(action string) audit.Event {
	return audit.Event{Action: action, ActorType: audit.ActorCLI}
}

// recorded runs change in a transaction of store, with a recorder for the
// authorization records of what it changes, then seals them into the
// chain without waiting for a node to.
func recorded(ctx context.Context, cfg config.Config, store storage.Store, change func(ctx context.Context, rec *audit.Recorder) error) error {
	parts, err := newAudit(cfg, store, nil)
	if err != nil {
		return err
	}
	if err := storage.InTx(ctx, store, func(ctx context.Context) error { return change(ctx, parts.recorder) }); err != nil {
		return err
	}
	_, err = parts.sealer.SealAll(ctx)
	return err
}
