package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tokenim/tokenim-auth/provider/defaults"
)

//go:embed outbox/*.html
var outboxFiles embed.FS

// outboxCap is how many messages an Outbox keeps.
const outboxCap = 100

// outboxCSP is the Content-Security-Policy of the outbox pages. Inline
// styles are allowed because mail HTML is styled inline, and the HTML
// body, shown in an iframe through srcdoc, is under this same policy;
// nothing else is: no scripts, no images, no fonts, no forms, no
// framing of the pages themselves.
const outboxCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Stored is a message kept by an Outbox.
type Stored struct {
	ID string    // random, short; the page is /dev/outbox/{ID}
	At time.Time // when it was sent
	Message
}

// Outbox is the dev-mode Sender: no mail leaves the process. It keeps the
// last 100 messages in memory, logs where each can be read, and shows
// them on the pages Mount adds. It is safe for concurrent use.
type Outbox struct {
	// Now stamps each kept message. NewOutbox sets it to time.Now;
	// replace it before the first Send.
	Now func() time.Time

	logger  *slog.Logger
	baseURL string
	list    *template.Template
	show    *template.Template

	mu   sync.Mutex
	msgs []Stored // oldest first, at most outboxCap
}

// NewOutbox returns an empty outbox. baseURL is the provider's public
// address ("http://localhost:8080"); the log line of each send gives the
// message's page under it. A nil logger discards those lines.
func NewOutbox(logger *slog.Logger, baseURL string) *Outbox {
	logger = defaults.Logger(logger)
	return &Outbox{
		Now:     time.Now,
		logger:  logger,
		baseURL: strings.TrimSuffix(baseURL, "/"),
		// The pages are embedded and every test renders them: a parse
		// error is a bug in this package, not in its input.
		list: template.Must(template.ParseFS(outboxFiles, "outbox/layout.html", "outbox/list.html")),
		show: template.Must(template.ParseFS(outboxFiles, "outbox/layout.html", "outbox/message.html")),
	}
}

// Send keeps m. It refuses what SMTP would refuse before connecting, so
// that a message that works in dev does not fail in production.
//
// The log line names the page where the message can be read; it never
// carries the body, although here the body's links are the point: log
// lines travel further than this process.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: send to %s: %w", m.To, err)
	}
	if err := m.check(); err != nil {
		return fmt.Errorf("mail: send to %s: %w", m.To, err)
	}
	s := Stored{ID: newOutboxID(), At: o.Now(), Message: m}
	o.mu.Lock()
	if len(o.msgs) == outboxCap {
		o.msgs = slices.Delete(o.msgs, 0, 1)
	}
	o.msgs = append(o.msgs, s)
	o.mu.Unlock()
	o.logger.InfoContext(ctx, "mail kept in the dev outbox, not sent: read it at url",
		"to", m.To, "subject", m.Subject, "mail_id", s.ID, "url", o.baseURL+"/dev/outbox/"+s.ID)
	return nil
}

// newOutboxID returns 64 random bits in hex: short enough to read in a
// log line, and not guessable from the previous one.
func newOutboxID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand, Go 1.24)
	return hex.EncodeToString(b[:])
}

// Messages returns the kept messages, newest first.
func (o *Outbox) Messages() []Stored {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := slices.Clone(o.msgs)
	slices.Reverse(out)
	return out
}

func (o *Outbox) message(id string) (Stored, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range o.msgs {
		if s.ID == id {
			return s, true
		}
	}
	return Stored{}, false
}

// Mount adds the outbox pages to mux. Mount them in dev mode only: they
// show every message's links to anyone who can reach the server.
func (o *Outbox) Mount(mux Mux) {
	mux.HandleFunc("GET /dev/outbox", o.serveList)
	mux.HandleFunc("GET /dev/outbox/{id}", o.serveMessage)
}

type outboxListView struct {
	Cap      int
	Messages []Stored
}

type outboxMessageView struct {
	Cap     int
	Message Stored
	Links   []string
}

func (o *Outbox) serveList(w http.ResponseWriter, r *http.Request) {
	o.render(w, r, o.list, outboxListView{Cap: outboxCap, Messages: o.Messages()})
}

func (o *Outbox) serveMessage(w http.ResponseWriter, r *http.Request) {
	s, ok := o.message(r.PathValue("id"))
	if !ok {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "No such message: the outbox keeps the last "+strconv.Itoa(outboxCap)+" since the server started.", http.StatusNotFound)
		return
	}
	o.render(w, r, o.show, outboxMessageView{Cap: outboxCap, Message: s, Links: links(s.Text)})
}

// render executes a page into a buffer before writing anything, so a
// template error is a clean 500 rather than half a page.
func (o *Outbox) render(w http.ResponseWriter, r *http.Request, t *template.Template, v any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		o.logger.ErrorContext(r.Context(), "render dev outbox page", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	// The pages show one-time links: no cache may keep them.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", outboxCSP)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if _, err := w.Write(buf.Bytes()); err != nil {
		o.logger.DebugContext(r.Context(), "write dev outbox page", "err", err)
	}
}

// linkPattern finds the http and https URLs of a text body.
var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// links returns the distinct URLs of a text body in order, without the
// punctuation that may end a sentence after one.
func links(text string) []string {
	var out []string
	for _, l := range linkPattern.FindAllString(text, -1) {
		l = strings.TrimRight(l, ".,;:!?)")
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}
