package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// Chain computes and checks the hashes that link records, and the MACs of
// pruning checkpoints, under a key derived from the system secret.
//
// While the system secret is being rotated the chain also holds the keys
// of the previous secrets: new records are linked under the current key,
// and a record or checkpoint verifies under any of them. Once a previous
// secret is dropped, the records linked under it no longer verify: keep it
// until they are pruned, or export and verify them first.
type Chain struct {
	// keys holds the current key first, then the previous ones.
	keys [][]byte
}

// NewChain returns a chain keyed with key (secret.PurposeAudit's key),
// also verifying under the previous secrets' keys.
func NewChain(key []byte, previous ...[]byte) Chain {
	return Chain{keys: append([][]byte{key}, previous...)}
}

// canonical is the content a record's hash covers, in a fixed field
// order. The time is UTC to the microsecond, as storage keeps it.
type canonical struct {
	ID        int64             `json:"id"`
	Time      string            `json:"time"`
	Action    string            `json:"action"`
	Outcome   string            `json:"outcome"`
	Reason    string            `json:"reason"`
	ActorType string            `json:"actor_type"`
	ActorID   string            `json:"actor_id"`
	Subject   string            `json:"subject"`
	ClientID  string            `json:"client_id"`
	Scopes    []string          `json:"scopes"`
	ClientIP  string            `json:"client_ip"`
	UserAgent string            `json:"user_agent"`
	RequestID string            `json:"request_id"`
	Detail    map[string]string `json:"detail"` // encoding/json sorts the keys
	// WorkspaceID is left out when empty, so that a record sealed before
	// records named workspaces hashes as it did then, and one naming
	// none still does: the chain verifies across the change, and a
	// workspace set, changed or cleared afterwards breaks it.
	WorkspaceID string `json:"workspace_id,omitempty"`
}

func canonicalJSON(r storage.AuditRecord) []byte {
	c := canonical{
		ID: r.ID, Time: r.Time.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		Action: r.Action, Outcome: r.Outcome, Reason: r.Reason, ActorType: r.ActorType, ActorID: r.ActorID,
		Subject: r.Subject, ClientID: r.ClientID, Scopes: r.Scopes, ClientIP: r.ClientIP,
		UserAgent: r.UserAgent, RequestID: r.RequestID, Detail: r.Detail, WorkspaceID: r.WorkspaceID,
	}
	if c.Scopes == nil {
		c.Scopes = []string{}
	}
	if c.Detail == nil {
		c.Detail = map[string]string{}
	}
	b, err := json.Marshal(c)
	if err != nil {
		// Strings, numbers, a slice and a map of strings always encode.
		panic(fmt.Sprintf("audit: encode record %d: %v", r.ID, err))
	}
	return b
}

// Hash returns the chain hash of r at position seq after prev, under the
// current key.
func (c Chain) Hash(prev []byte, seq int64, r storage.AuditRecord) []byte {
	return hashUnder(c.keys[0], prev, seq, r)
}

// linked returns the index of the key under which hash is r's chain hash
// at seq after prev, or -1 when it is under none.
func (c Chain) linked(hash, prev []byte, seq int64, r storage.AuditRecord) int {
	for i, key := range c.keys {
		if hmac.Equal(hash, hashUnder(key, prev, seq, r)) {
			return i
		}
	}
	return -1
}

func hashUnder(key, prev []byte, seq int64, r storage.AuditRecord) []byte {
	m := hmac.New(sha256.New, key)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(prev)))
	m.Write(n[:])
	m.Write(prev)
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	m.Write(n[:])
	m.Write(canonicalJSON(r))
	return m.Sum(nil)
}

// Link is the function storage.Audit.SealAudit takes: the hashes of recs
// placed after head.
func (c Chain) Link(head storage.AuditLink, recs []storage.AuditRecord) ([][]byte, error) {
	out := make([][]byte, len(recs))
	prev := head.Hash
	for i, r := range recs {
		out[i] = c.Hash(prev, head.Seq+1+int64(i), r)
		prev = out[i]
	}
	return out, nil
}

// checkpointMAC authenticates a checkpoint's fields but its MAC, under the
// current key.
func (c Chain) checkpointMAC(cp storage.AuditCheckpoint) []byte {
	return checkpointMACUnder(c.keys[0], cp)
}

// authentic reports whether cp's MAC is right under one of the keys.
func (c Chain) authentic(cp storage.AuditCheckpoint) bool {
	for _, key := range c.keys {
		if hmac.Equal(cp.MAC, checkpointMACUnder(key, cp)) {
			return true
		}
	}
	return false
}

func checkpointMACUnder(key []byte, cp storage.AuditCheckpoint) []byte {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "tokenim-auth audit checkpoint\n%d\n%s\n%s\n%d\n%s",
		cp.Link.Seq, hex.EncodeToString(cp.Link.Hash), cp.Time.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		cp.Pruned, cp.PrunedTo.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	return m.Sum(nil)
}

// Checkpoint returns the checkpoint after pruning up to last, pruned
// records this time, previous the checkpoint before (nil if none): the
// function storage.Audit.PruneAudit takes.
func (c Chain) Checkpoint(now time.Time) func(last storage.AuditRecord, pruned int64, previous *storage.AuditCheckpoint) (storage.AuditCheckpoint, error) {
	return func(last storage.AuditRecord, pruned int64, previous *storage.AuditCheckpoint) (storage.AuditCheckpoint, error) {
		if previous != nil {
			if !c.authentic(*previous) {
				return storage.AuditCheckpoint{}, fmt.Errorf("audit: prune: the checkpoint at record %d does not verify; run tokenim-auth audit verify", previous.Link.Seq)
			}
			pruned += previous.Pruned
		}
		cp := storage.AuditCheckpoint{
			Link:     storage.AuditLink{Seq: last.Seq, Hash: last.Hash},
			Time:     now.UTC().Truncate(time.Microsecond),
			Pruned:   pruned,
			PrunedTo: last.Time.UTC().Truncate(time.Microsecond),
		}
		cp.MAC = c.checkpointMAC(cp)
		return cp, nil
	}
}

// Problem kinds Verify reports.
const (
	ProblemAltered    = "altered"    // a record's content or hash does not match the chain
	ProblemMissing    = "missing"    // a record is gone from the chain
	ProblemCheckpoint = "checkpoint" // the pruning checkpoint is not authentic
)

// Problem is the first break Verify found.
type Problem struct {
	Kind string
	// Seq is the chain position of the altered or first missing record.
	Seq int64
	// ID is the altered record's ID (0 for a missing one).
	ID int64
}

func (p Problem) String() string {
	switch p.Kind {
	case ProblemAltered:
		return fmt.Sprintf("record %d (id %d) was altered: its hash does not match its content and the record before it", p.Seq, p.ID)
	case ProblemMissing:
		return fmt.Sprintf("record %d is missing from the chain", p.Seq)
	default:
		return fmt.Sprintf("the pruning checkpoint at record %d is not authentic", p.Seq)
	}
}

// Report is what Verify found.
type Report struct {
	// Start is where verification began: the checkpoint's link, or the
	// start of the chain.
	Start storage.AuditLink
	// Checked counts the records verified.
	Checked int64
	// UnderPrevious counts the records verified under a previous system
	// secret's key only: they stop verifying when it is dropped.
	UnderPrevious int64
	// Head is the chain's head as stored.
	Head storage.AuditLink
	// Pruned counts the records pruned before Start.
	Pruned int64
	// Unsealed and OldestUnsealed say what is not in the chain yet.
	Unsealed       int64
	OldestUnsealed time.Time
	// Problem is the first break, nil when the chain is whole.
	Problem *Problem
}

// Verify walks the chain from the latest checkpoint (or its start) to its
// head, a page at a time, and returns the first record found altered or
// missing.
func (c Chain) Verify(ctx context.Context, store storage.Audit, page int) (Report, error) {
	state, err := store.AuditChain(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	rep := Report{Head: state.Head, Unsealed: state.Unsealed, OldestUnsealed: state.OldestUnsealed}
	if cp := state.Checkpoint; cp != nil {
		rep.Start, rep.Pruned = cp.Link, cp.Pruned
		if !c.authentic(*cp) {
			rep.Problem = &Problem{Kind: ProblemCheckpoint, Seq: cp.Link.Seq}
			return rep, nil
		}
	}
	prev := rep.Start
	for {
		recs, err := store.ChainAudit(ctx, prev.Seq, page)
		if err != nil {
			return rep, fmt.Errorf("audit: verify after record %d: %w", prev.Seq, err)
		}
		for _, r := range recs {
			if r.Seq != prev.Seq+1 {
				rep.Problem = &Problem{Kind: ProblemMissing, Seq: prev.Seq + 1}
				return rep, nil
			}
			switch c.linked(r.Hash, prev.Hash, r.Seq, r) {
			case -1:
				rep.Problem = &Problem{Kind: ProblemAltered, Seq: r.Seq, ID: r.ID}
				return rep, nil
			case 0:
			default:
				rep.UnderPrevious++
			}
			prev = storage.AuditLink{Seq: r.Seq, Hash: r.Hash}
			rep.Checked++
		}
		if len(recs) < page {
			break
		}
	}
	// Records deleted from the end leave the head further on.
	if state.Head.Seq > prev.Seq {
		rep.Problem = &Problem{Kind: ProblemMissing, Seq: prev.Seq + 1}
	}
	return rep, nil
}
