package main

import (
	"log/slog"

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
