package webhooks

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/outbox"
	"github.com/tokenim/tokenim-auth/storage"
)

// SenderStore is what the sender needs of storage.
type SenderStore interface {
	storage.Transactor
	GetWebhook(ctx context.Context, id string) (storage.WebhookSubscription, error)
	ClaimWebhookMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]storage.WebhookMessage, error)
	RescheduleWebhookMessage(ctx context.Context, id int64, due time.Time) error
	FinishWebhookMessage(ctx context.Context, id int64, state string, keep int) error
	RecordWebhookAttempt(ctx context.Context, a storage.WebhookAttempt, keep int) error
}

// Opener opens sealed secrets (secret.Sealer).
type Opener interface {
	Open(sealed []byte, label string) ([]byte, error)
}

// Defaults of SenderConfig.
const (
	DefaultPoll     = time.Second
	DefaultRetry    = 5 * time.Second
	DefaultMaxRetry = 30 * time.Minute
	DefaultAttempts = 8
	DefaultTimeout  = 10 * time.Second
	DefaultBatch    = 16
	// DefaultKeep is how many finished messages, and how many log
	// entries, each subscription keeps.
	DefaultKeep = 100
)

// answerBound is how much of an answer is read (and dropped), so that
// the connection can be reused.
const answerBound = 4 << 10

// SenderConfig holds the sender's dependencies and settings; zero values
// take the defaults.
type SenderConfig struct {
	Store   SenderStore
	Secrets Opener
	Audit   *audit.Recorder
	// HTTP sends the messages. When nil, a client that follows no
	// redirect and gives up after Timeout.
	HTTP *http.Client
	// Poll is how often the sender looks for due messages (1s).
	Poll time.Duration
	// Retry is the wait after the first failed attempt (5s); it doubles
	// with each further failure, up to MaxRetry (30m).
	Retry, MaxRetry time.Duration
	// Attempts is how many sends a message gets before it is given up (8).
	Attempts int
	// Timeout bounds one send (10s).
	Timeout time.Duration
	// Batch is how many messages one round takes and sends at once (16).
	Batch int
	// Keep is how many finished messages and log entries a subscription
	// keeps (100).
	Keep   int
	Now    func() time.Time
	Logger *slog.Logger
}

// Sender delivers queued messages.
type Sender struct {
	cfg SenderConfig
	// loop claims and sends the due messages.
	loop outbox.Loop[storage.WebhookMessage]
}

// NewSender returns a sender; Run starts it.
func NewSender(cfg SenderConfig) *Sender {
	cfg.Poll = cmp.Or(cfg.Poll, DefaultPoll)
	cfg.Retry = cmp.Or(cfg.Retry, DefaultRetry)
	cfg.MaxRetry = cmp.Or(cfg.MaxRetry, DefaultMaxRetry)
	cfg.Attempts = cmp.Or(cfg.Attempts, DefaultAttempts)
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	cfg.Batch = cmp.Or(cfg.Batch, DefaultBatch)
	cfg.Keep = cmp.Or(cfg.Keep, DefaultKeep)
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	if cfg.HTTP == nil {
		cfg.HTTP = outbox.NoRedirects(cfg.Timeout)
	}
	s := &Sender{cfg: cfg}
	s.loop = outbox.Loop[storage.WebhookMessage]{
		Name: "webhooks", Claim: cfg.Store.ClaimWebhookMessages, Deliver: s.deliver,
		Poll: cfg.Poll, Lease: 2*cfg.Timeout + 30*time.Second, Batch: cfg.Batch, Now: cfg.Now, Logger: cfg.Logger,
	}
	return s
}

// Run sends due messages every Poll until ctx ends; a round that found a
// full batch is followed by another at once (outbox.Loop).
func (s *Sender) Run(ctx context.Context) { s.loop.Run(ctx) }

// Once takes the messages due now, up to Batch, sends them at once and
// waits for every send to end; it returns how many it took.
func (s *Sender) Once(ctx context.Context) (int, error) { return s.loop.Once(ctx) }

// Error classes of an attempt, in its log entry and record.
const (
	ClassStatus   = "http_status" // the endpoint answered other than 2xx
	ClassNetwork  = "network"     // no answer: refused, timed out, TLS
	ClassSecret   = "secret"      // the secret could not be opened
	ClassDisabled = "disabled"    // the subscription was disabled since
)

// outcome is how one attempt ended.
type outcome struct {
	status int
	// class says why the attempt failed; empty when it succeeded.
	class string
	err   error
	// final means no later attempt can succeed.
	final    bool
	duration time.Duration
}

// deliver makes one attempt at m and records what became of it.
func (s *Sender) deliver(ctx context.Context, m storage.WebhookMessage) {
	log := s.cfg.Logger.With("webhook", m.SubscriptionID, "webhook_id", m.MessageID, "event", m.EventType, "attempt", m.Attempts)
	sub, err := s.cfg.Store.GetWebhook(ctx, m.SubscriptionID)
	if errors.Is(err, storage.ErrNotFound) {
		return // deleted since: its messages went with it
	}
	if err != nil {
		log.WarnContext(ctx, "webhooks: load subscription", "err", err) // taken again when the lease ends
		return
	}
	var o outcome
	if sub.Disabled {
		o = outcome{class: ClassDisabled, final: true}
	} else if keys, err := s.keys(sub); err != nil {
		o = outcome{class: ClassSecret, err: err}
	} else {
		o = s.send(ctx, sub.URL, keys, m)
	}
	attempt := storage.WebhookAttempt{Delivery: m.ID, Attempt: m.Attempts, At: s.cfg.Now(), Status: o.status,
		ErrorClass: o.class, Duration: o.duration}
	if o.class != "" && !o.final && m.Attempts < s.cfg.Attempts {
		due := s.cfg.Now().Add(s.backoff(m.Attempts))
		err := storage.InTx(ctx, s.cfg.Store, func(ctx context.Context) error {
			if err := s.cfg.Store.RecordWebhookAttempt(ctx, attempt, s.cfg.Keep); err != nil {
				return err
			}
			return s.cfg.Store.RescheduleWebhookMessage(ctx, m.ID, due)
		})
		if err != nil {
			log.WarnContext(ctx, "webhooks: reschedule", "err", err)
		}
		log.WarnContext(ctx, "webhook failed, will retry", append(o.attrs(), "retry_at", due)...)
		return
	}
	state, e := storage.WebhookDelivered, audit.Event{Action: audit.WebhookDelivered}
	if o.class != "" {
		state, e = storage.WebhookFailed, audit.Event{Action: audit.WebhookFailed, Outcome: audit.Failure, Reason: o.class}
	}
	e.ActorType, e.ClientID = audit.ActorSystem, sub.ClientID
	e.Detail = map[string]string{"webhook": sub.ID, "message": m.MessageID, "event": m.EventType, "attempts": strconv.Itoa(m.Attempts)}
	if o.status != 0 {
		e.Detail["http_status"] = strconv.Itoa(o.status)
	}
	err = storage.InTx(ctx, s.cfg.Store, func(ctx context.Context) error {
		if err := s.cfg.Store.RecordWebhookAttempt(ctx, attempt, s.cfg.Keep); err != nil {
			return err
		}
		if err := s.cfg.Store.FinishWebhookMessage(ctx, m.ID, state, s.cfg.Keep); err != nil {
			return err
		}
		return s.cfg.Audit.Record(ctx, e)
	})
	if err != nil {
		log.WarnContext(ctx, "webhooks: finish message", "err", err) // taken again when the lease ends
		return
	}
	if o.class != "" {
		log.WarnContext(ctx, "webhook given up", o.attrs()...)
		return
	}
	log.InfoContext(ctx, "webhook delivered", "http_status", o.status)
}

// attrs are the log attributes of a failed attempt.
func (o outcome) attrs() []any {
	a := []any{"class", o.class}
	if o.status != 0 {
		a = append(a, "http_status", o.status)
	}
	if o.err != nil {
		a = append(a, "err", o.err)
	}
	return a
}

// keys opens the subscription's signing keys: the current one, then the
// previous one while its grace lasts.
func (s *Sender) keys(sub storage.WebhookSubscription) ([][]byte, error) {
	k, err := s.cfg.Secrets.Open(sub.SealedSecret, sealLabel(sub.ID))
	if err != nil {
		return nil, fmt.Errorf("open secret of %s: %w", sub.ID, err)
	}
	keys := [][]byte{k}
	if sub.PreviousSealedSecret != nil && s.cfg.Now().Before(sub.PreviousUntil) {
		prev, err := s.cfg.Secrets.Open(sub.PreviousSealedSecret, sealLabel(sub.ID))
		if err != nil {
			return nil, fmt.Errorf("open previous secret of %s: %w", sub.ID, err)
		}
		keys = append(keys, prev)
	}
	return keys, nil
}

// send POSTs m to uri, signed with keys.
func (s *Sender) send(ctx context.Context, uri string, keys [][]byte, m storage.WebhookMessage) outcome {
	start := time.Now()
	o := s.post(ctx, uri, keys, m)
	o.duration = time.Since(start)
	return o
}

func (s *Sender) post(ctx context.Context, uri string, keys [][]byte, m storage.WebhookMessage) outcome {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, bytes.NewReader(m.Payload))
	if err != nil {
		return outcome{class: ClassNetwork, err: err}
	}
	at := s.cfg.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "TokenIM-Auth-Webhooks")
	req.Header.Set("webhook-id", m.MessageID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", Sign(keys, m.MessageID, at, m.Payload))
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return outcome{class: ClassNetwork, err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, answerBound))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return outcome{status: resp.StatusCode, class: ClassStatus}
	}
	return outcome{status: resp.StatusCode}
}

// backoff is the wait after the given failed attempt: Retry, doubling
// with each attempt, at most MaxRetry.
func (s *Sender) backoff(attempt int) time.Duration {
	return outbox.Backoff(s.cfg.Retry, s.cfg.MaxRetry, attempt)
}
