package main

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailbox is a real SMTP server on loopback that keeps what it receives.
type mailbox struct {
	addr     string
	received chan []byte
}

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mb := &mailbox{addr: ln.Addr().String(), received: make(chan []byte, 32)}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{mb: mb}, nil }))
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	return mb
}

type mailSession struct{ mb *mailbox }

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err == nil {
		s.mb.received <- b
	}
	return err
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

// next waits for the next message and returns its recipient, subject and
// plain-text body.
func (mb *mailbox) next(t *testing.T) (to, subject, text string) {
	t.Helper()
	select {
	case raw := <-mb.received:
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		dec := new(mime.WordDecoder)
		subject, _ = dec.DecodeHeader(msg.Header.Get("Subject"))
		_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
				b, _ := io.ReadAll(p)
				text = string(b)
			}
		}
		return msg.Header.Get("To"), subject, text
	case <-time.After(10 * time.Second):
		t.Fatal("no mail arrived within 10s")
	}
	return "", "", ""
}

// none checks that no mail arrives for a moment.
func (mb *mailbox) none(t *testing.T) {
	t.Helper()
	select {
	case <-mb.received:
		t.Fatal("a mail was sent")
	case <-time.After(300 * time.Millisecond):
	}
}

// link finds the first URL under prefix in a mail body.
func link(t *testing.T, body, prefix string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(prefix) + `[^\s<>"]+`).FindString(body)
	if m == "" {
		t.Fatalf("no link to %s in:\n%s", prefix, body)
	}
	return m
}
