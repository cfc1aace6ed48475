package backchannel

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/outbox"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what the sender needs of storage.
type Store interface {
	storage.BackchannelLogouts
	storage.Transactor
	GetClient(ctx context.Context, id string) (storage.Client, error)
}

// Signer signs logout tokens (oauth.Provider.LogoutToken): for clientID,
// about subject and, when sid is not empty, that session only.
type Signer interface {
	LogoutToken(ctx context.Context, clientID, subject, sid string) (string, error)
}

// Defaults of Config.
const (
	DefaultPoll     = time.Second
	DefaultRetry    = 5 * time.Second
	DefaultMaxRetry = 10 * time.Minute
	DefaultAttempts = 8
	DefaultTimeout  = 5 * time.Second
	DefaultBatch    = 16
)

// Config holds the sender's dependencies and settings; zero values take
// the defaults.
type Config struct {
	Store  Store
	Signer Signer
	Audit  *audit.Recorder
	// HTTP sends the notifications. When nil, a client that follows no
	// redirect (section 2.5 does not allow following one) and gives up
	// after Timeout.
	HTTP *http.Client
	// Poll is how often the sender looks for due deliveries (1s).
	Poll time.Duration
	// Retry is the wait after the first failed attempt (5s); it doubles
	// with each further failure, up to MaxRetry (10m).
	Retry, MaxRetry time.Duration
	// Attempts is how many sends a delivery gets before it is given up (8).
	Attempts int
	// Timeout bounds one send (5s).
	Timeout time.Duration
	// Batch is how many deliveries one round takes and sends at once (16).
	Batch int
	// Observer is told how each attempt ended (metrics); nil reports
	// nowhere.
	Observer Observer
	Now      func() time.Time
	Logger   *slog.Logger
}

// Sender delivers queued logout notifications.
type Sender struct {
	cfg Config
	// loop claims and sends the due deliveries.
	loop outbox.Loop[storage.LogoutDelivery]
}

// New returns a sender; Run starts it.
func New(cfg Config) *Sender {
	cfg.Poll = cmp.Or(cfg.Poll, DefaultPoll)
	cfg.Retry = cmp.Or(cfg.Retry, DefaultRetry)
	cfg.MaxRetry = cmp.Or(cfg.MaxRetry, DefaultMaxRetry)
	cfg.Attempts = cmp.Or(cfg.Attempts, DefaultAttempts)
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	cfg.Batch = cmp.Or(cfg.Batch, DefaultBatch)
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.HTTP == nil {
		cfg.HTTP = outbox.NoRedirects(cfg.Timeout)
	}
	s := &Sender{cfg: cfg}
	s.loop = outbox.Loop[storage.LogoutDelivery]{
		Name: "back-channel logout", Claim: cfg.Store.ClaimLogoutDeliveries, Deliver: s.deliver,
		Poll: cfg.Poll, Lease: 2*cfg.Timeout + 30*time.Second, Batch: cfg.Batch, Now: cfg.Now, Logger: cfg.Logger,
	}
	return s
}

// Run sends due deliveries every Poll until ctx ends; a round that found a
// full batch is followed by another at once (outbox.Loop).
func (s *Sender) Run(ctx context.Context) { s.loop.Run(ctx) }

// Once takes the deliveries due now, up to Batch, sends them at once and
// waits for every send to end; it returns how many it took.
func (s *Sender) Once(ctx context.Context) (int, error) { return s.loop.Once(ctx) }

// outcome is how one attempt ended.
type outcome struct {
	// status is the HTTP status the client answered with; 0 when none.
	status int
	// reason says why the attempt failed; empty when it succeeded.
	reason string
	err    error
	// final means no later attempt can succeed.
	final bool
}

// attrs are the log attributes of a failed attempt.
func (o outcome) attrs() []any {
	a := []any{"reason", o.reason}
	if o.status != 0 {
		a = append(a, "http_status", o.status)
	}
	if o.err != nil {
		a = append(a, "err", o.err)
	}
	return a
}

// Reasons a delivery fails, in its record.
const (
	reasonStatus          = "http_status"      // the client answered other than 2xx
	reasonNetwork         = "network"          // no answer: refused, timed out, TLS
	reasonSign            = "signing"          // the provider could not sign the token
	reasonNotRegistered   = "not_registered"   // the client no longer has a logout URI
	reasonSessionRequired = "session_required" // the client needs a sid and none is known
)

// deliver makes one attempt at d and records what became of it.
func (s *Sender) deliver(ctx context.Context, d storage.LogoutDelivery) {
	log := s.cfg.Logger.With("client_id", d.ClientID, "subject", d.Subject, "attempt", d.Attempts)
	c, err := s.cfg.Store.GetClient(ctx, d.ClientID)
	if errors.Is(err, storage.ErrNotFound) {
		// Deleted since: its deliveries go with it.
		if err := s.cfg.Store.FinishLogoutDelivery(ctx, d.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			log.WarnContext(ctx, "back-channel logout: drop the delivery of a deleted client", "err", err)
		}
		return
	}
	if err != nil {
		// Taken again when the lease ends.
		log.WarnContext(ctx, "back-channel logout: load client", "err", err)
		return
	}
	var o outcome
	switch {
	case c.BackchannelLogoutURI == "":
		o = outcome{reason: reasonNotRegistered, final: true}
	case c.BackchannelLogoutSessionRequired && d.SID == "":
		// Section 2.2: such a client needs the sid; without one the
		// token would tell it nothing it can act on.
		o = outcome{reason: reasonSessionRequired, final: true}
	default:
		o = s.send(ctx, c.BackchannelLogoutURI, d)
	}
	if o.reason == "" {
		s.finish(ctx, log, d, audit.Event{Action: audit.LogoutNotified}, o)
		s.cfg.Observer.BackchannelDelivery(OutcomeDelivered)
		log.InfoContext(ctx, "back-channel logout delivered", "http_status", o.status)
		return
	}
	if !o.final && d.Attempts < s.cfg.Attempts {
		due := s.cfg.Now().Add(s.backoff(d.Attempts))
		if err := s.cfg.Store.RescheduleLogoutDelivery(ctx, d.ID, due); err != nil {
			log.WarnContext(ctx, "back-channel logout: reschedule", "err", err)
		}
		s.cfg.Observer.BackchannelDelivery(OutcomeRetried)
		log.WarnContext(ctx, "back-channel logout failed, will retry", append(o.attrs(), "retry_at", due)...)
		return
	}
	s.finish(ctx, log, d, audit.Event{Action: audit.LogoutFailed, Outcome: audit.Failure, Reason: o.reason}, o)
	s.cfg.Observer.BackchannelDelivery(OutcomeFailed)
	log.WarnContext(ctx, "back-channel logout given up", o.attrs()...)
}

// finish removes d from the queue and records its outcome, together.
func (s *Sender) finish(ctx context.Context, log *slog.Logger, d storage.LogoutDelivery, e audit.Event, o outcome) {
	e.ActorType, e.Subject, e.ClientID = audit.ActorSystem, d.Subject, d.ClientID
	e.Detail = map[string]string{"attempts": strconv.Itoa(d.Attempts)}
	if d.SID != "" {
		e.Detail["sid"] = d.SID
	}
	if o.status != 0 {
		e.Detail["http_status"] = strconv.Itoa(o.status)
	}
	if o.err != nil {
		e.Detail["error"] = o.err.Error()
	}
	err := storage.InTx(ctx, s.cfg.Store, func(ctx context.Context) error {
		if err := s.cfg.Store.FinishLogoutDelivery(ctx, d.ID); err != nil {
			return err
		}
		return s.cfg.Audit.Record(ctx, e)
	})
	if err != nil {
		// Taken again when the lease ends, and then recorded.
		log.WarnContext(ctx, "back-channel logout: finish delivery", "err", err)
	}
}

// send POSTs a freshly signed logout token to uri (section 2.5).
func (s *Sender) send(ctx context.Context, uri string, d storage.LogoutDelivery) outcome {
	token, err := s.cfg.Signer.LogoutToken(ctx, d.ClientID, d.Subject, d.SID)
	if err != nil {
		return outcome{reason: reasonSign, err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	body := url.Values{"logout_token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(body))
	if err != nil {
		return outcome{reason: reasonNetwork, err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return outcome{reason: reasonNetwork, err: err}
	}
	defer resp.Body.Close()
	// Read a little of the answer so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return outcome{status: resp.StatusCode, reason: reasonStatus}
	}
	return outcome{status: resp.StatusCode}
}

// backoff is the wait after the given failed attempt: Retry, doubling
// with each attempt, at most MaxRetry.
func (s *Sender) backoff(attempt int) time.Duration {
	return outbox.Backoff(s.cfg.Retry, s.cfg.MaxRetry, attempt)
}
