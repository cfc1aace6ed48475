package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/webhooks"
	"github.com/tokenim/tokenim-auth/storage"
)

// webhookParts are the subscriptions' service, for the admin API and the
// console, and the sender serve runs on every node.
type webhookParts struct {
	service *webhooks.Service
	sender  *webhooks.Sender
}

// newWebhooks builds the webhook parts over the store, the secrets sealed
// under the system secret. The messages are queued by the recorder itself
// (newAudit gives it the outbox).
func newWebhooks(cfg config.Config, store storage.Store, ring secret.Keyring, records *audit.Recorder, logger *slog.Logger) (webhookParts, error) {
	sealer, err := ring.Sealer(webhooks.SealPurpose)
	if err != nil {
		return webhookParts{}, err
	}
	return webhookParts{
		service: webhooks.NewService(webhooks.ServiceConfig{Store: store, Secrets: sealer, Audit: records, Dev: cfg.Dev}),
		sender:  webhooks.NewSender(webhooks.SenderConfig{Store: store, Secrets: sealer, Audit: records, Logger: logger}),
	}, nil
}

// withOutbox is c with the webhooks' outbox when store keeps webhooks:
// every record of an identity event queues its messages in its own
// transaction.
func withOutbox(c audit.RecorderConfig, store storage.Audit) audit.RecorderConfig {
	if s, ok := store.(webhooks.OutboxStore); ok {
		c.Outbox = webhooks.NewOutbox(s)
	}
	return c
}

// resealWebhooks seals the webhook subscriptions' secrets sealed under
// secrets.system_previous under secrets.system (secrets reseal).
func resealWebhooks(ctx context.Context, e env, store storage.Store, ring secret.Keyring) error {
	sealer, err := ring.Sealer(webhooks.SealPurpose)
	if err != nil {
		return err
	}
	n, err := webhooks.Reseal(ctx, store, sealer, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "webhook secrets: %d stored, %d resealed under secrets.system\n", n.Stored, n.Moved)
	if len(n.Unopened) > 0 {
		return fmt.Errorf("the secrets of %d webhooks open under no configured system secret, and are left as they are (webhooks %s)",
			len(n.Unopened), strings.Join(n.Unopened, ", "))
	}
	return nil
}

// webhookSecretStatus reports the webhook secrets still sealed under a
// previous system secret (secrets status).
func webhookSecretStatus(ctx context.Context, e env, store storage.Store, ring secret.Keyring, need func(string)) error {
	sealer, err := ring.Sealer(webhooks.SealPurpose)
	if err != nil {
		return err
	}
	n, err := webhooks.Reseal(ctx, store, sealer, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "webhook secrets: %d stored, %d sealed under a previous secret", n.Stored, n.Moved)
	if len(n.Unopened) > 0 {
		fmt.Fprintf(e.stdout, ", %d under no configured secret (webhooks %s)", len(n.Unopened), strings.Join(n.Unopened, ", "))
	}
	fmt.Fprintln(e.stdout)
	if n.Moved > 0 {
		need("webhook secrets (run tokenim-auth secrets reseal)")
	}
	return nil
}
