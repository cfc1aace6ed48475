package webhooks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/clientrules"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// ServiceStore is what the Service needs of storage.
type ServiceStore interface {
	storage.Transactor
	GetClient(ctx context.Context, id string) (storage.Client, error)
	CreateWebhook(ctx context.Context, w storage.WebhookSubscription) error
	GetWebhook(ctx context.Context, id string) (storage.WebhookSubscription, error)
	ListWebhooks(ctx context.Context) ([]storage.WebhookSubscription, error)
	UpdateWebhook(ctx context.Context, id string, fn func(storage.WebhookSubscription) (storage.WebhookSubscription, error)) (storage.WebhookSubscription, error)
	DeleteWebhook(ctx context.Context, id string) error
	ResendWebhookMessage(ctx context.Context, subscriptionID string, id int64, now time.Time) error
	ListWebhookMessages(ctx context.Context, subscriptionID string, limit int) ([]storage.WebhookMessage, error)
	ListWebhookAttempts(ctx context.Context, subscriptionID string, limit int) ([]storage.WebhookAttempt, error)
}

// Sealer seals and opens the subscriptions' secrets (secret.Sealer for
// SealPurpose).
type Sealer interface {
	Seal(plaintext []byte, label string) []byte
	Opener
}

// DefaultGrace is how long a rotated secret keeps signing beside the new
// one.
const DefaultGrace = 24 * time.Hour

// Bounds of a subscription's fields.
const (
	MaxURL         = 2000
	MaxDescription = 200
)

// ServiceConfig holds the service's dependencies.
type ServiceConfig struct {
	Store   ServiceStore
	Secrets Sealer
	Audit   *audit.Recorder
	// Grace is how long a rotated secret still signs (DefaultGrace).
	Grace time.Duration
	// Dev allows http URLs on any host.
	Dev bool
	Now func() time.Time
}

// Service makes, changes and removes subscriptions, each change with its
// authorization record: what the admin API and the console call.
type Service struct {
	cfg ServiceConfig
}

// NewService returns the service.
func NewService(cfg ServiceConfig) *Service {
	cfg.Grace = cmp.Or(cfg.Grace, DefaultGrace)
	cfg.Now = defaults.Now(cfg.Now)
	return &Service{cfg: cfg}
}

// Input is what an admin sets on a subscription.
type Input struct {
	// ClientID is the app the subscription belongs to; empty for the
	// platform. It is set when the subscription is made, never changed.
	ClientID    string
	URL         string
	EventTypes  []string
	Description string
	Disabled    bool
}

// Problem is an input refused: the field and what is wrong with it.
type Problem struct {
	Field, Message string
}

func (p *Problem) Error() string { return p.Field + ": " + p.Message }

// check returns in cleaned (event types in their order, no repeats), or
// the first problem.
func (s *Service) check(in Input) (Input, error) {
	in.URL, in.Description = strings.TrimSpace(in.URL), strings.TrimSpace(in.Description)
	switch {
	case in.URL == "":
		return in, &Problem{"url", "is required"}
	case len(in.URL) > MaxURL || !utf8.ValidString(in.URL):
		return in, &Problem{"url", fmt.Sprintf("must be at most %d bytes of UTF-8", MaxURL)}
	case len(in.Description) > MaxDescription || !utf8.ValidString(in.Description) || strings.ContainsFunc(in.Description, isControl):
		return in, &Problem{"description", fmt.Sprintf("must be at most %d bytes of text", MaxDescription)}
	}
	// A webhook URL is an endpoint the provider POSTs to, as a
	// back-channel logout URI is: the same rule.
	if msg := clientrules.BackchannelLogoutURIProblem(in.URL, s.cfg.Dev); msg != "" {
		return in, &Problem{"url", msg}
	}
	var types []string
	for _, t := range in.EventTypes {
		if !slices.Contains(EventTypes(), t) {
			return in, &Problem{"event_types", fmt.Sprintf("unknown event type %q (known: %s)", t, strings.Join(EventTypes(), ", "))}
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	in.EventTypes = types
	return in, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// Create makes a subscription and returns it with its secret, shown this
// once. A Problem for bad input; storage.ErrNotFound for an unknown app.
func (s *Service) Create(ctx context.Context, by audit.Actor, in Input) (storage.WebhookSubscription, string, error) {
	in, err := s.check(in)
	if err != nil {
		return storage.WebhookSubscription{}, "", err
	}
	now := s.cfg.Now().UTC().Truncate(time.Second)
	key := newKey()
	w := storage.WebhookSubscription{ID: "wh_" + secret.Random(12), ClientID: in.ClientID, URL: in.URL, EventTypes: in.EventTypes,
		Description: in.Description, Disabled: in.Disabled, CreatedAt: now, UpdatedAt: now}
	w.SealedSecret = s.cfg.Secrets.Seal(key, sealLabel(w.ID))
	err = s.cfg.Audit.InTx(ctx, s.cfg.Store, func(ctx context.Context) ([]audit.Event, error) {
		if in.ClientID != "" {
			if _, err := s.cfg.Store.GetClient(ctx, in.ClientID); err != nil {
				return nil, err
			}
		}
		if err := s.cfg.Store.CreateWebhook(ctx, w); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.WebhookCreated, ClientID: w.ClientID,
			Detail: map[string]string{"webhook": w.ID, "url": w.URL, "events": eventsText(w.EventTypes)}})}, nil
	})
	if err != nil {
		return storage.WebhookSubscription{}, "", fmt.Errorf("webhooks: create: %w", err)
	}
	return w, SecretText(key), nil
}

// eventsText is a filter as a record's detail shows it.
func eventsText(types []string) string {
	if len(types) == 0 {
		return "all"
	}
	return strings.Join(types, " ")
}

// Get returns a subscription; storage.ErrNotFound if absent.
func (s *Service) Get(ctx context.Context, id string) (storage.WebhookSubscription, error) {
	return s.cfg.Store.GetWebhook(ctx, id)
}

// List returns the subscriptions, by ID: every one when clientID is
// empty, else the app's.
func (s *Service) List(ctx context.Context, clientID string) ([]storage.WebhookSubscription, error) {
	all, err := s.cfg.Store.ListWebhooks(ctx)
	if err != nil || clientID == "" {
		return all, err
	}
	return slices.DeleteFunc(all, func(w storage.WebhookSubscription) bool { return w.ClientID != clientID }), nil
}

// Update sets the subscription's URL, event types, description and
// whether it is disabled (in.ClientID is ignored). A Problem for bad
// input; storage.ErrNotFound if absent.
func (s *Service) Update(ctx context.Context, by audit.Actor, id string, in Input) (storage.WebhookSubscription, error) {
	in, err := s.check(in)
	if err != nil {
		return storage.WebhookSubscription{}, err
	}
	var out storage.WebhookSubscription
	err = s.cfg.Audit.InTx(ctx, s.cfg.Store, func(ctx context.Context) ([]audit.Event, error) {
		out, err = s.cfg.Store.UpdateWebhook(ctx, id, func(w storage.WebhookSubscription) (storage.WebhookSubscription, error) {
			w.URL, w.EventTypes, w.Description, w.Disabled = in.URL, in.EventTypes, in.Description, in.Disabled
			w.UpdatedAt = s.cfg.Now().UTC().Truncate(time.Second)
			return w, nil
		})
		if err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.WebhookUpdated, ClientID: out.ClientID,
			Detail: map[string]string{"webhook": id, "url": out.URL, "events": eventsText(out.EventTypes), "disabled": strconv.FormatBool(out.Disabled)}})}, nil
	})
	if err != nil {
		return storage.WebhookSubscription{}, fmt.Errorf("webhooks: update %s: %w", id, err)
	}
	return out, nil
}

// Delete removes the subscription, its messages and log.
// storage.ErrNotFound if absent.
func (s *Service) Delete(ctx context.Context, by audit.Actor, id string) error {
	err := s.cfg.Audit.InTx(ctx, s.cfg.Store, func(ctx context.Context) ([]audit.Event, error) {
		w, err := s.cfg.Store.GetWebhook(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := s.cfg.Store.DeleteWebhook(ctx, id); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.WebhookDeleted, ClientID: w.ClientID,
			Detail: map[string]string{"webhook": id}})}, nil
	})
	if err != nil {
		return fmt.Errorf("webhooks: delete %s: %w", id, err)
	}
	return nil
}

// RotateSecret gives the subscription a new secret, returned this once;
// the current one keeps signing beside it for the grace period.
// storage.ErrNotFound if absent.
func (s *Service) RotateSecret(ctx context.Context, by audit.Actor, id string) (storage.WebhookSubscription, string, error) {
	key := newKey()
	now := s.cfg.Now().UTC().Truncate(time.Second)
	var out storage.WebhookSubscription
	err := s.cfg.Audit.InTx(ctx, s.cfg.Store, func(ctx context.Context) ([]audit.Event, error) {
		var err error
		out, err = s.cfg.Store.UpdateWebhook(ctx, id, func(w storage.WebhookSubscription) (storage.WebhookSubscription, error) {
			w.PreviousSealedSecret, w.PreviousUntil = w.SealedSecret, now.Add(s.cfg.Grace)
			w.SealedSecret, w.UpdatedAt = s.cfg.Secrets.Seal(key, sealLabel(w.ID)), now
			return w, nil
		})
		if err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.WebhookSecretRotated, ClientID: out.ClientID,
			Detail: map[string]string{"webhook": id, "previous_until": out.PreviousUntil.Format(time.RFC3339)}})}, nil
	})
	if err != nil {
		return storage.WebhookSubscription{}, "", fmt.Errorf("webhooks: rotate the secret of %s: %w", id, err)
	}
	return out, SecretText(key), nil
}

// ErrStillQueued is a resend of a message not yet finished.
var ErrStillQueued = errors.New("webhooks: the message is still queued")

// Resend queues a finished message of the subscription again, with the
// same webhook-id. storage.ErrNotFound if the subscription has no such
// message, ErrStillQueued (with storage.ErrConflict) if it is pending.
func (s *Service) Resend(ctx context.Context, by audit.Actor, id string, delivery int64) error {
	err := s.cfg.Audit.InTx(ctx, s.cfg.Store, func(ctx context.Context) ([]audit.Event, error) {
		w, err := s.cfg.Store.GetWebhook(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := s.cfg.Store.ResendWebhookMessage(ctx, id, delivery, s.cfg.Now()); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return nil, errors.Join(ErrStillQueued, err)
			}
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.WebhookResent, ClientID: w.ClientID,
			Detail: map[string]string{"webhook": id, "message": strconv.FormatInt(delivery, 10)}})}, nil
	})
	if err != nil {
		return fmt.Errorf("webhooks: resend %d of %s: %w", delivery, id, err)
	}
	return nil
}

// Deliveries returns the subscription's newest messages and log entries,
// newest first, at most limit of each.
func (s *Service) Deliveries(ctx context.Context, id string, limit int) ([]storage.WebhookMessage, []storage.WebhookAttempt, error) {
	ms, err := s.cfg.Store.ListWebhookMessages(ctx, id, limit)
	if err != nil {
		return nil, nil, err
	}
	as, err := s.cfg.Store.ListWebhookAttempts(ctx, id, limit)
	return ms, as, err
}
