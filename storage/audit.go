package storage

import (
	"context"
	"time"
)

// AuditRecord is one authorization record: a security-relevant event (a
// sign-in, a grant, a token issued, an admin's change) as the audit trail
// keeps it. Records are append-only. Each is later sealed into the chain:
// given the next position (Seq) and a hash over the previous record's hash
// and its own content, so that a record altered or deleted afterwards is
// found by walking the chain (see Audit.SealAudit).
type AuditRecord struct {
	// ID is assigned by AppendAudit, increasing in the order records are
	// appended by one node; it is the tie-break of the listing order.
	ID int64
	// Time is when the event happened, kept to the microsecond.
	Time time.Time
	// Action says what happened ("signin", "token.issued", ...).
	Action string
	// Outcome is "success" or "failure".
	Outcome string
	// Reason says why the outcome is what it is (a refused sign-in's
	// cause, a revocation's cause), or is empty.
	Reason string
	// ActorType and ActorID say who acted: "user" and a user ID, "client"
	// and a client ID, "cli" (an operator's command) or "system" (the
	// provider itself) with an empty ID, "anonymous" for a browser not
	// signed in.
	ActorType string
	ActorID   string
	// Subject is the ID of the user the event concerns, or empty.
	Subject string
	// ClientID is the app the event concerns, or empty.
	ClientID string
	// WorkspaceID is the workspace the event concerns (storage.Workspace),
	// or empty: a workspace admin reads the records of theirs.
	WorkspaceID string
	// Scopes are the permissions concerned (granted, issued, withdrawn).
	Scopes []string
	// ClientIP, UserAgent and RequestID describe the request that caused
	// the event; empty for a command or a background job.
	ClientIP  string
	UserAgent string
	RequestID string
	// Detail holds what else an action records: the grant type of an
	// issued token, a role before and after, a secret's ID. Never a
	// secret, a token or a password.
	Detail map[string]string

	// Seq is the record's position in the chain, from 1; 0 while the
	// record is not sealed.
	Seq int64
	// Hash is the chain hash of the record once sealed, else nil.
	Hash []byte
}

// AuditFilter selects records: every field set must match.
type AuditFilter struct {
	// Subject matches records concerning this user ID.
	Subject string
	// ClientID matches records concerning this app.
	ClientID string
	// WorkspaceID matches records concerning this workspace.
	WorkspaceID string
	// Actions matches records whose action is one of these.
	Actions []string
	// Outcome matches "success" or "failure".
	Outcome string
	// Scope matches records whose scopes include this one.
	Scope string
	// From and To bound Time: From <= Time < To, each when not zero.
	From, To time.Time
}

// AuditCursor is where a listing page ends: the next page starts after
// the record with this time and ID (in newest-first order). The zero
// cursor starts at the newest record.
type AuditCursor struct {
	Time time.Time
	ID   int64
}

// AuditLink is a position of the chain: the sequence number and hash of a
// sealed record. The zero link is the start, before the first record.
type AuditLink struct {
	Seq  int64
	Hash []byte
}

// AuditCheckpoint is written when records are pruned: it keeps the link of
// the last record pruned, so that the chain still verifies from the next
// record on. MAC authenticates the checkpoint (the caller computes it;
// storage keeps it).
type AuditCheckpoint struct {
	Link     AuditLink
	Time     time.Time
	Pruned   int64
	PrunedTo time.Time // the time of the last record pruned
	MAC      []byte
}

// AuditChain is the state of the chain.
type AuditChain struct {
	// Head is the last record sealed (the zero link when none is).
	Head AuditLink
	// Checkpoint is the latest pruning checkpoint, nil when nothing has
	// been pruned: the chain then starts at record 1.
	Checkpoint *AuditCheckpoint
	// Unsealed counts the records appended but not sealed yet, and
	// OldestUnsealed is the time of the oldest of them.
	Unsealed       int64
	OldestUnsealed time.Time
}

// Audit keeps the authorization records: the trail administrators read to
// answer "who got which permission, when, through which app, and who
// revoked it".
type Audit interface {
	// AppendAudit stores rec (its ID, Seq and Hash are ignored) and
	// returns the ID given to it. It joins the transaction ctx carries, so
	// the record commits or rolls back with the change it records.
	AppendAudit(ctx context.Context, rec AuditRecord) (int64, error)
	// ListAudit returns at most limit records matching f, newest first
	// (by Time, then ID, descending), starting after cursor.
	ListAudit(ctx context.Context, f AuditFilter, after AuditCursor, limit int) ([]AuditRecord, error)
	// ChainAudit returns at most limit sealed records with Seq > afterSeq,
	// in chain order, for verifying the chain.
	ChainAudit(ctx context.Context, afterSeq int64, limit int) ([]AuditRecord, error)
	// AuditChain returns the state of the chain.
	AuditChain(ctx context.Context) (AuditChain, error)
	// SealAudit seals at most limit unsealed records, oldest first. It
	// calls link with the chain's head and the records; link returns one
	// hash per record, record i taking Seq head.Seq+1+i. The records'
	// Seq and Hash and the new head are stored atomically, and only one
	// SealAudit runs at a time across every node; a concurrent call waits
	// its turn. It returns how many records it sealed (0 when none was
	// waiting; link is then not called). An error from link is returned
	// as is, and nothing is stored.
	SealAudit(ctx context.Context, limit int, link func(head AuditLink, recs []AuditRecord) ([][]byte, error)) (int, error)
	// PruneAudit deletes at most limit sealed records, in chain order
	// from the first, stopping at the first whose Time is not before
	// before, and records a checkpoint built by checkpoint from the last
	// record deleted, the number deleted and the previous checkpoint (nil
	// if none). The deletion and the checkpoint are stored atomically.
	// Unsealed records are never deleted. It returns how many records it
	// deleted (0 when none was old enough; checkpoint is then not called).
	PruneAudit(ctx context.Context, before time.Time, limit int,
		checkpoint func(last AuditRecord, pruned int64, previous *AuditCheckpoint) (AuditCheckpoint, error)) (int, error)
}
