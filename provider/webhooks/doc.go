// Package webhooks sends identity events to the endpoints that subscribe
// to them, as Standard Webhooks (https://www.standardwebhooks.com): a POST
// of a JSON body {"type", "timestamp", "data"} with the headers
// webhook-id, webhook-timestamp and webhook-signature, the signature an
// HMAC-SHA256 of "id.timestamp.body" under the subscription's secret
// ("v1," and the base64 of it).
//
// It owns no route. The events are the authorization records the
// provider already writes (provider/audit): the Outbox, handed to the
// audit.Recorder, maps each record's action to an event type (EventOf)
// and queues one message per subscription that takes it, in the
// transaction that appends the record, so a change that rolls back
// queues nothing and one that commits always has its messages. What a
// subscription takes: a platform subscription (no app) every event; an
// app's subscription only the events whose record names that app (a
// user's grant to it given or withdrawn, its secret rotated, its tokens'
// families revoked, a sign-out from it); either may narrow that to some
// event types. The records of the webhooks themselves (webhook.*) queue
// nothing.
//
// A Sender on every node (Run, started by serve) takes due messages with
// SELECT ... FOR UPDATE SKIP LOCKED under a lease, as provider/backchannel
// does, signs each attempt afresh (webhook-timestamp is the time of the
// attempt; webhook-id stays the message's) and POSTs it without following
// redirects, bounded by SenderConfig.Timeout, reading at most a few
// kilobytes of the answer. Like the back-channel logout sender it sends to
// any address the URL names: the URL rule (https, or http on a loopback
// host) is checked when the subscription is made. A network error or a
// status other than 2xx is retried with exponential backoff up to
// SenderConfig.Attempts sends, then given up. The messages of a round are
// sent side by side, so no order is promised: a receiver orders by the
// payload's timestamp and record_id, and drops a webhook-id it has seen
// (a resend, or a retry of a message it took but answered too late).
// Every attempt is logged with the subscription (status, error class,
// duration; the newest few kept), and the end of each message, delivered
// or given up, is an authorization record (webhook.delivered,
// webhook.failed).
//
// A subscription's secret ("whsec_" and the base64 of 32 random bytes) is
// shown once, when it is made or rotated, and kept sealed under the system
// secret (SealPurpose; Reseal moves it to a new system secret). After a
// rotation the previous secret signs beside the new one for
// ServiceConfig.Grace (24 hours): the webhook-signature header then
// carries both signatures, space-separated, and a receiver holding either
// secret accepts the message.
package webhooks
