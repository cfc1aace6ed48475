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

	"github.com/spf13/cobra"

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
	p.recorder = audit.NewRecorder(withOutbox(audit.RecorderConfig{Store: store, Logger: logger, Appended: p.sealer.Kick}, store))
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

// auditCmd verifies and exports the authorization records.
func auditCmd(e env) *cobra.Command {
	return group("audit", "Verify the authorization records' chain, or export records",
		`Audit verifies the hash chain of the authorization records (who signed in,
consented, created or revoked what), or exports the records a filter selects.`,
		configCommand(e, &cobra.Command{
			Use:   "verify",
			Short: "Verify the authorization records' chain",
			Long: `Verify seals the records waiting for the chain, then walks it from the latest
pruning checkpoint to its head. A break exits 1 naming the first record
altered or missing.`,
		}, auditVerify),
		auditExportCmd(e))
}

// auditVerify seals the records waiting for the chain, then walks it from
// the latest pruning checkpoint to its head. A break is an error naming
// the first record altered or missing: exit status 1.
func auditVerify(ctx context.Context, e env, path string) error {
	cfg, store, err := adminStore(ctx, path, e)
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
	p := newProgress(e, false)
	rep, err := parts.chain.Verify(ctx, &countingAudit{Audit: store, progress: p, format: "verifying the chain: %d records"}, auditPage)
	p.done()
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

func auditExportCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export the authorization records a filter selects",
		Long: `Export writes the records matching the filter flags, newest first, as CSV or
JSON lines, to --out or standard output; the export itself is recorded.`,
		Example: `  tokenim-auth audit export --user ann@example.com --from 2026-01-01 --out ann.csv
  tokenim-auth audit export --app tokenim-web --action consent.granted --format jsonl
  tokenim-auth audit export --workspace acme --from 2026-01-01 --out acme.csv`,
		Args: noArgs,
	}
	var f exportFlags
	fs := cmd.Flags()
	configFlag(cmd, &f.config)
	choiceFlag(cmd, &f.format, "format", audit.FormatCSV, "csv or jsonl", audit.FormatCSV, audit.FormatJSONL)
	fs.StringVar(&f.out, "out", "", "write to this `file` (default: standard output)")
	fs.StringVar(&f.email, "user", "", "only records concerning the user with this email")
	fs.StringVar(&f.app, "app", "", "only records concerning this client ID")
	fs.StringVar(&f.workspace, "workspace", "", "only records concerning the workspace with this `handle`")
	fs.StringArrayVar(&f.actions, "action", nil, "only this `action` (repeat for several)")
	_ = cmd.RegisterFlagCompletionFunc("action", cobra.FixedCompletions(audit.Actions(), cobra.ShellCompDirectiveNoFileComp))
	choiceFlag(cmd, &f.outcome, "outcome", "", "only success or failure", audit.Success, audit.Failure)
	fs.StringVar(&f.scope, "scope", "", "only records with this scope")
	fs.StringVar(&f.from, "from", "", "only records at or after this time (RFC 3339, or a day YYYY-MM-DD in UTC)")
	fs.StringVar(&f.to, "to", "", "only records before this time (RFC 3339, or a day YYYY-MM-DD: before that day starts)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return auditExport(cmd.Context(), e, f) }
	return cmd
}

// exportFlags are audit export's flags.
type exportFlags struct {
	config, format, out, email, app, outcome, scope, from, to, workspace string
	actions                                                              []string
}

// auditExport writes the records matching the filter flags, newest
// first, as CSV or JSON lines, to --out or standard output; the export
// itself is recorded. Writing CSV to --out from a terminal, it shows how
// many records it has read so far.
func auditExport(ctx context.Context, e env, f exportFlags) error {
	if f.format != audit.FormatCSV && f.format != audit.FormatJSONL {
		return usagef("--format: want csv or jsonl, not %q", f.format)
	}
	if f.outcome != "" && f.outcome != audit.Success && f.outcome != audit.Failure {
		return usagef("--outcome: want success or failure, not %q", f.outcome)
	}
	for _, a := range f.actions {
		if !slices.Contains(audit.Actions(), a) {
			return usagef("--action: unknown action %q", a)
		}
	}
	filter := storage.AuditFilter{ClientID: f.app, Actions: f.actions, Outcome: f.outcome, Scope: f.scope}
	var err error
	if filter.From, err = parseWhen(f.from); err != nil {
		return usagef("--from: %v", err)
	}
	if filter.To, err = parseWhen(f.to); err != nil {
		return usagef("--to: %v", err)
	}
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	if f.email != "" {
		u, err := store.GetUserByEmail(ctx, f.email)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no account with email %q", f.email)
		}
		if err != nil {
			return err
		}
		filter.Subject = u.ID
	}
	if f.workspace != "" {
		ws, err := workspaceByHandle(ctx, store, f.workspace)
		if err != nil {
			return err
		}
		filter.WorkspaceID = ws.ID
	}
	w := e.stdout
	if f.out != "" {
		file, err := os.Create(f.out)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer file.Close()
		w = file
	}
	p := newProgress(e, f.out == "" || f.format == audit.FormatJSONL)
	n, err := audit.Export(ctx, &countingAudit{Audit: store, progress: p, format: "exporting: %d records"}, filter, f.format, w)
	p.done()
	if err != nil {
		return err
	}
	if c, ok := w.(io.Closer); ok && f.out != "" {
		if err := c.Close(); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		fmt.Fprintf(e.stderr, "%d records written to %s\n", n, f.out)
	}
	parts, err := newAudit(cfg, store, nil)
	if err != nil {
		return err
	}
	exported := audit.ExportEvent(filter, f.format)
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

// countingAudit shows how many records a walk of the authorization
// records read so far.
type countingAudit struct {
	storage.Audit
	progress *progress
	// format shows the count.
	format string
	read   int
}

func (c *countingAudit) ChainAudit(ctx context.Context, afterSeq int64, limit int) ([]storage.AuditRecord, error) {
	recs, err := c.Audit.ChainAudit(ctx, afterSeq, limit)
	c.count(len(recs))
	return recs, err
}

func (c *countingAudit) ListAudit(ctx context.Context, f storage.AuditFilter, after storage.AuditCursor, limit int) ([]storage.AuditRecord, error) {
	recs, err := c.Audit.ListAudit(ctx, f, after, limit)
	c.count(len(recs))
	return recs, err
}

func (c *countingAudit) count(n int) {
	c.read += n
	c.progress.show(c.format, c.read)
}
