package mail

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
)

// Message is one email to one recipient.
type Message struct {
	To      string // an address, optionally with a display name
	Subject string
	Text    string // plain-text body
	HTML    string // HTML body with the same content; empty sends the text alone
}

// Sender sends one message.
//
// Implementations honour ctx: they give up when it is cancelled or its
// deadline passes, and the error then matches ctx.Err() with errors.Is.
// A returned error never contains the message's body: bodies carry
// one-time links.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

var (
	_ Sender = (*SMTP)(nil)
	_ Sender = (*Outbox)(nil)
)

// check reports what makes a message unsendable. Both senders apply it,
// so a message the dev outbox accepts is one SMTP accepts too.
func (m Message) check() error {
	var errs []error
	if _, err := netmail.ParseAddress(m.To); err != nil {
		errs = append(errs, fmt.Errorf("recipient %q: %w", m.To, err))
	}
	if m.Subject == "" {
		errs = append(errs, errors.New("no subject"))
	}
	if m.Text == "" {
		errs = append(errs, errors.New("no text body"))
	}
	return errors.Join(errs...)
}
