package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/token/hmac"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// seedPlan is what scale seeds for a number of tokens n: n token rows
// (of which one in ten is expired, for the janitor), min(n, 10^6) users
// and n authorization records.
type seedPlan struct {
	tokens, users, records int
}

func planFor(n int) seedPlan {
	return seedPlan{tokens: n, users: min(n, maxUsers), records: n}
}

// The rows come in units: an even unit is a bot's client-credentials
// access token (one row), an odd one a user's family from the
// authorization code flow, an access token and its refresh token (two
// rows). One unit in ten is expired, a family and a bot's token in turn:
// a tenth of the rows.
func unitIsFamily(k int) bool  { return k%2 == 1 }
func unitIsExpired(k int) bool { return k%20 == 9 || k%20 == 14 }

// Deterministic IDs, in the shape of the UUIDs the provider makes: the
// family (request ID) of unit k and the ID of user j.
func familyID(k int) string { return fmt.Sprintf("5ca1e000-0000-4000-8000-%012x", k) }
func userID(j int) string   { return fmt.Sprintf("5ca1e000-0000-4000-9000-%012x", j) }

// subjectOf is the user a family unit k belongs to, of users.
func subjectOf(k, users int) string { return userID((k / 2) % users) }

// seedTemplates are rows the provider itself wrote, for a real issuance
// of each kind: scale makes its rows from them, so that each row holds
// what the provider would have written (the fosite request encoded as the
// provider encodes it) with the values that differ from token to token
// (signature, family, subject, times) replaced.
type seedTemplates struct {
	bot, userAccess, userRefresh storage.Token
	// record is the authorization record of the bot's issuance.
	record storage.AuditRecord
	// subject is the signed-in user of the user family.
	subject string
	// prefixes of access and refresh tokens, as the provider wrote them.
	atPrefix, rtPrefix string
}

// tokenMaker makes tokens as the provider does: fosite's HMAC strategy
// keyed with the key the provider derives from the system secret.
type tokenMaker struct {
	strategy *hmac.HMACStrategy
}

func newTokenMaker(system string) (tokenMaker, error) {
	ring, err := secret.NewKeyring(system)
	if err != nil {
		return tokenMaker{}, err
	}
	return tokenMaker{strategy: &hmac.HMACStrategy{Config: &fosite.Config{GlobalSecret: ring.Derive(secret.PurposeTokens)}}}, nil
}

// make returns a new token with prefix and its signature, which is what
// storage keeps.
func (m tokenMaker) make(ctx context.Context, prefix string) (token, signature string, err error) {
	t, sig, err := m.strategy.Generate(ctx)
	return prefix + t, sig, err
}

// learn checks that issued, a token the provider issued, is one this
// maker could have made (same key), and returns its prefix and signature.
func (m tokenMaker) learn(ctx context.Context, issued string) (prefix, signature string, err error) {
	made, _, err := m.make(ctx, "")
	if err != nil {
		return "", "", err
	}
	key, _, ok := strings.Cut(issued, ".")
	madeKey, _, _ := strings.Cut(made, ".")
	if !ok || len(key) < len(madeKey) {
		return "", "", fmt.Errorf("token %q…: not an opaque HMAC token", issued[:min(len(issued), 10)])
	}
	prefix = key[:len(key)-len(madeKey)]
	if err := m.strategy.Validate(ctx, strings.TrimPrefix(issued, prefix)); err != nil {
		return "", "", fmt.Errorf("an issued token does not verify under the key derived from the system secret: %w", err)
	}
	return prefix, m.strategy.Signature(issued), nil
}

// takeTemplates issues a bot token and signs the user in through the app
// with refresh tokens, on node n, and reads back the rows the node wrote.
func takeTemplates(ctx context.Context, l *lab, n *testbed.Node, store *postgres.Store, maker tokenMaker) (seedTemplates, error) {
	bot, err := l.botConfig(n).Token(ctx)
	if err != nil {
		return seedTemplates{}, fmt.Errorf("client credentials token: %w", err)
	}
	user, err := signIn(ctx, l.refreshApp(n), l.secrets.Password)
	if err != nil {
		return seedTemplates{}, fmt.Errorf("sign-in with offline_access: %w", err)
	}
	var tpl seedTemplates
	read := func(kind storage.TokenKind, token string, prefix *string, into *storage.Token) error {
		p, sig, err := maker.learn(ctx, token)
		if err != nil {
			return err
		}
		if *into, err = store.GetToken(ctx, kind, sig); err != nil {
			return fmt.Errorf("the %s the node issued: %w", kind, err)
		}
		*prefix = p
		return nil
	}
	var userPrefix string
	if err := errors.Join(
		read(storage.KindAccessToken, bot.AccessToken, &tpl.atPrefix, &tpl.bot),
		read(storage.KindAccessToken, user.AccessToken, &userPrefix, &tpl.userAccess),
		read(storage.KindRefreshToken, user.RefreshToken, &tpl.rtPrefix, &tpl.userRefresh),
	); err != nil {
		return seedTemplates{}, err
	}
	tpl.subject = tpl.userAccess.Subject
	if tpl.subject == "" || tpl.userRefresh.RequestID != tpl.userAccess.RequestID {
		return seedTemplates{}, errors.New("the user's tokens have no subject, or are not of one family")
	}
	recs, err := store.ListAudit(ctx, storage.AuditFilter{ClientID: testbed.BotID, Actions: []string{audit.TokenIssued}}, storage.AuditCursor{}, 1)
	if err != nil {
		return seedTemplates{}, err
	}
	if len(recs) == 0 {
		return seedTemplates{}, errors.New("no token.issued record of the bot's token")
	}
	tpl.record = recs[0]
	return tpl, nil
}

// rfc3339 finds the times encoding/json writes (RFC 3339 with
// nanoseconds) in a stored request.
var rfc3339 = regexp.MustCompile(`"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))"`)

// sessionTemplate is a stored request (storage.Token.Session) cut where
// the family's ID, the subject and the times are, to be filled in for
// another token.
type sessionTemplate struct {
	// parts surround the holes: len(parts) == len(holes)+1.
	parts [][]byte
	holes []hole
}

// hole is a value cut out of a stored request: the family ID, the
// subject, or a time, which render moves.
type hole struct {
	kind holeKind
	at   time.Time
}

type holeKind int

const (
	holeFamily holeKind = iota
	holeSubject
	holeTime
)

// newSessionTemplate cuts session at each occurrence of family and of
// subject (when not empty), and at each time. The family must occur.
func newSessionTemplate(session []byte, family, subject string) (sessionTemplate, error) {
	type cut struct {
		start, end int
		h          hole
	}
	var cuts []cut
	find := func(value string, kind holeKind) {
		for i := 0; value != ""; {
			j := bytes.Index(session[i:], []byte(value))
			if j < 0 {
				return
			}
			cuts = append(cuts, cut{i + j, i + j + len(value), hole{kind: kind}})
			i += j + len(value)
		}
	}
	find(family, holeFamily)
	if len(cuts) == 0 {
		return sessionTemplate{}, errors.New("the stored request does not name its family")
	}
	find(subject, holeSubject)
	for _, m := range rfc3339.FindAllSubmatchIndex(session, -1) {
		at, err := time.Parse(time.RFC3339Nano, string(session[m[2]:m[3]]))
		if err != nil {
			return sessionTemplate{}, fmt.Errorf("a time of the stored request: %w", err)
		}
		cuts = append(cuts, cut{m[2], m[3], hole{kind: holeTime, at: at}})
	}
	slices.SortFunc(cuts, func(a, b cut) int { return a.start - b.start })
	var t sessionTemplate
	last := 0
	for _, c := range cuts {
		if c.start < last {
			return sessionTemplate{}, errors.New("values of the stored request overlap")
		}
		t.parts = append(t.parts, session[last:c.start])
		t.holes = append(t.holes, c.h)
		last = c.end
	}
	t.parts = append(t.parts, session[last:])
	return t, nil
}

// render fills the template in for family and subject, each time moved
// by shift, in its own offset as encoding/json would write it.
func (t sessionTemplate) render(family, subject string, shift time.Duration) []byte {
	out := make([]byte, 0, 2*len(t.parts[0])+512)
	for i, h := range t.holes {
		out = append(out, t.parts[i]...)
		switch h.kind {
		case holeFamily:
			out = append(out, family...)
		case holeSubject:
			out = append(out, subject...)
		case holeTime:
			out = h.at.Add(shift).AppendFormat(out, time.RFC3339Nano)
		}
	}
	return append(out, t.parts[len(t.parts)-1]...)
}

// seeded is what seeding kept: plain tokens to present, and counts.
type seeded struct {
	users, tokens, records int64
	// cold are live access tokens, spread over the table, for cold
	// introspection; refresh are live refresh tokens, each of its own
	// family.
	cold, refresh []string
	took          time.Duration
}

// rowSource makes the token rows of a plan from templates.
type rowSource struct {
	tpl   seedTemplates
	maker tokenMaker
	plan  seedPlan
	// bot, access and refresh are the templates' stored requests.
	bot, access, refresh sessionTemplate
	// coldEvery keeps one live access token in coldEvery for cold
	// introspection; refreshWanted is how many refresh tokens to keep.
	coldEvery, refreshWanted int
}

func newRowSource(tpl seedTemplates, maker tokenMaker, plan seedPlan, refreshWanted int) (*rowSource, error) {
	r := &rowSource{tpl: tpl, maker: maker, plan: plan, refreshWanted: refreshWanted}
	var errs []error
	for _, c := range []struct {
		into    *sessionTemplate
		t       storage.Token
		subject string
	}{{&r.bot, tpl.bot, ""}, {&r.access, tpl.userAccess, tpl.subject}, {&r.refresh, tpl.userRefresh, tpl.subject}} {
		var err error
		*c.into, err = newSessionTemplate(c.t.Session, c.t.RequestID, c.subject)
		errs = append(errs, err)
	}
	// About 9 units in 10 are live, each with one access token.
	units := plan.tokens * 2 / 3
	r.coldEvery = max(1, units*9/10/maxColdSample)
	return r, errors.Join(errs...)
}

// shift is how far unit k's times are moved from the templates': live
// units were issued within the minute before now (when the rows are
// made, which may be long after the templates at 10^7 tokens), expired
// ones so long before the templates that even a refresh token has
// expired.
func (r *rowSource) shift(k int, now time.Time) time.Duration {
	spread := time.Duration(k%60) * time.Second
	if !unitIsExpired(k) {
		return now.Sub(r.tpl.bot.RequestedAt) - spread
	}
	life := r.tpl.bot.ExpiresAt.Sub(r.tpl.bot.RequestedAt)
	if unitIsFamily(k) && !r.tpl.userRefresh.ExpiresAt.IsZero() {
		life = r.tpl.userRefresh.ExpiresAt.Sub(r.tpl.userRefresh.RequestedAt)
	}
	return -life - time.Hour - spread
}

// tokens yields the plan's rows, issued by now, keeping the samples in
// s. It stops at the first error, kept in *err.
func (r *rowSource) tokens(ctx context.Context, now time.Time, s *seeded, err *error) iter.Seq[storage.Token] {
	return func(yield func(storage.Token) bool) {
		moved := func(t storage.Token, family, subject string, shift time.Duration, tpl sessionTemplate, sig string) storage.Token {
			t.Signature, t.RequestID, t.Session = sig, family, tpl.render(family, subject, shift)
			if subject != "" {
				t.Subject = subject
			}
			t.RequestedAt = t.RequestedAt.Add(shift)
			if !t.ExpiresAt.IsZero() {
				t.ExpiresAt = t.ExpiresAt.Add(shift)
			}
			return t
		}
		live := 0
		for k, rows := 0, 0; rows < r.plan.tokens; k++ {
			family, shift := familyID(k), r.shift(k, now)
			at, atSig, e := r.maker.make(ctx, r.tpl.atPrefix)
			if e != nil {
				*err = e
				return
			}
			if !unitIsExpired(k) {
				if live%r.coldEvery == 0 {
					s.cold = append(s.cold, at)
				}
				live++
			}
			if !unitIsFamily(k) || rows+2 > r.plan.tokens {
				rows++
				if !yield(moved(r.tpl.bot, family, "", shift, r.bot, atSig)) {
					return
				}
				continue
			}
			rt, rtSig, e := r.maker.make(ctx, r.tpl.rtPrefix)
			if e != nil {
				*err = e
				return
			}
			if !unitIsExpired(k) && len(s.refresh) < r.refreshWanted {
				s.refresh = append(s.refresh, rt)
			}
			subject := subjectOf(k, r.plan.users)
			access := moved(r.tpl.userAccess, family, subject, shift, r.access, atSig)
			refresh := moved(r.tpl.userRefresh, family, subject, shift, r.refresh, rtSig)
			refresh.AccessSignature = atSig
			rows += 2
			if !yield(access) || !yield(refresh) {
				return
			}
		}
	}
}

// users yields the plan's users: active, with a verified email and no
// password (they never sign in), created a second apart.
func (r *rowSource) users(now time.Time) iter.Seq[storage.User] {
	return func(yield func(storage.User) bool) {
		for j := range r.plan.users {
			at := now.Add(-time.Duration(r.plan.users-j) * time.Second).UTC().Truncate(time.Microsecond)
			u := storage.User{ID: userID(j), Email: fmt.Sprintf("user%08d@scale.example", j), EmailVerified: true,
				Name: fmt.Sprintf("User %d", j), Status: storage.UserActive, CreatedAt: at, UpdatedAt: at}
			if !yield(u) {
				return
			}
		}
	}
}

// recordEvery is the time between two seeded authorization records:
// 10^7 of them span 29 days.
const recordEvery = 250 * time.Millisecond

// records yields the plan's authorization records, oldest first, each
// the token.issued record of a unit: the bot's record with the unit's
// family and, for a user's family, its subject, app, scopes and grant.
func (r *rowSource) records() iter.Seq[storage.AuditRecord] {
	return func(yield func(storage.AuditRecord) bool) {
		base := r.tpl.record
		for i := range r.plan.records {
			rec := base
			rec.ID, rec.Seq, rec.Hash = 0, 0, nil
			rec.Time = base.Time.Add(-time.Duration(r.plan.records-i) * recordEvery)
			k := i % max(1, r.plan.tokens*2/3)
			rec.Detail = map[string]string{"token_family": familyID(k), "grant_type": base.Detail["grant_type"]}
			if unitIsFamily(k) {
				u := r.tpl.userAccess
				rec.Subject, rec.ClientID, rec.ActorID, rec.Scopes = subjectOf(k, r.plan.users), u.ClientID, u.ClientID, u.Scopes
				rec.Detail["grant_type"] = "authorization_code"
			}
			if !yield(rec) {
				return
			}
		}
	}
}

// seed writes the plan's users, tokens and records, then updates the
// planner's statistics.
func seed(ctx context.Context, l *lab, store *postgres.Store, src *rowSource) (seeded, error) {
	start := time.Now()
	var s seeded
	var err error
	l.logger.Info("seeding users", "count", src.plan.users)
	if s.users, err = store.CopyUsers(ctx, src.users(src.tpl.bot.RequestedAt)); err != nil {
		return s, err
	}
	// The records before the tokens: the live access tokens (an hour's
	// life) are then as young as can be when measured.
	l.logger.Info("seeding authorization records", "count", src.plan.records)
	chain, err := l.chain()
	if err != nil {
		return s, err
	}
	if s.records, err = store.CopyAudit(ctx, ahead(src.records()), chain.Link); err != nil {
		return s, err
	}
	l.logger.Info("seeding tokens", "count", src.plan.tokens)
	var genErr error
	s.tokens, err = store.CopyTokens(ctx, ahead(src.tokens(ctx, time.Now(), &s, &genErr)))
	if err = errors.Join(err, genErr); err != nil {
		return s, err
	}
	l.logger.Info("analyzing")
	if err := store.AnalyzeCopied(ctx); err != nil {
		return s, err
	}
	s.took = time.Since(start)
	l.logger.Info("seeded", "users", s.users, "tokens", s.tokens, "records", s.records, "took", s.took.Round(time.Millisecond))
	return s, nil
}

// aheadBatch is how many values ahead passes at a time, and aheadBatches
// how many batches it may make before they are taken.
const (
	aheadBatch   = 1024
	aheadBatches = 8
)

// ahead runs seq in a goroutine of its own, up to aheadBatches batches
// ahead of the caller: rows are made while COPY encodes and sends the
// ones before. It returns once that goroutine has ended, so what seq
// wrote on its way is then safe to read.
func ahead[T any](seq iter.Seq[T]) iter.Seq[T] {
	return func(yield func(T) bool) {
		batches := make(chan []T, aheadBatches)
		done := make(chan struct{})
		go func() {
			defer close(batches)
			send := func(b []T) bool {
				select {
				case batches <- b:
					return true
				case <-done:
					return false
				}
			}
			b := make([]T, 0, aheadBatch)
			for v := range seq {
				if b = append(b, v); len(b) == aheadBatch {
					if !send(b) {
						return
					}
					b = make([]T, 0, aheadBatch)
				}
			}
			if len(b) > 0 {
				send(b)
			}
		}()
		defer func() {
			close(done)
			for range batches {
			}
		}()
		for b := range batches {
			for _, v := range b {
				if !yield(v) {
					return
				}
			}
		}
	}
}

// chain is the authorization records' chain under the nodes' system
// secret, as the provider keys it.
func (l *lab) chain() (audit.Chain, error) {
	ring, err := secret.NewKeyring(l.secrets.System)
	if err != nil {
		return audit.Chain{}, err
	}
	return audit.NewChain(ring.Derive(secret.PurposeAudit)), nil
}
