package mail

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	nethtml "golang.org/x/net/html"
)

// newTestOutbox returns an outbox whose clock starts at testNow and
// advances a second per message.
func newTestOutbox(t *testing.T, logger *slog.Logger) *Outbox {
	t.Helper()
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	}
	o := NewOutbox(logger, "http://localhost:8080/")
	next := testNow
	o.Now = func() time.Time {
		now := next
		next = next.Add(time.Second)
		return now
	}
	return o
}

func simpleMessage(subject string) Message {
	return Message{To: "ann@example.com", Subject: subject, Text: "Open " + testLink + "\n", HTML: `<p><a href="` + testLink + `">Open</a></p>`}
}

var outboxIDFormat = regexp.MustCompile(`^[0-9a-f]{16}$`)

func TestOutboxKeepsMessagesNewestFirst(t *testing.T) {
	o := newTestOutbox(t, nil)
	for _, s := range []string{"first", "second", "third"} {
		if err := o.Send(t.Context(), simpleMessage(s)); err != nil {
			t.Fatal(err)
		}
	}
	got := o.Messages()
	if len(got) != 3 {
		t.Fatalf("%d messages kept, want 3", len(got))
	}
	ids := map[string]bool{}
	for i, want := range []string{"third", "second", "first"} {
		if got[i].Subject != want {
			t.Errorf("message %d is %q, want %q", i, got[i].Subject, want)
		}
		if wantAt := testNow.Add(time.Duration(2-i) * time.Second); !got[i].At.Equal(wantAt) {
			t.Errorf("message %d kept at %s, want %s", i, got[i].At, wantAt)
		}
		if !outboxIDFormat.MatchString(got[i].ID) || ids[got[i].ID] {
			t.Errorf("message %d has ID %q: want 16 hex digits, unique", i, got[i].ID)
		}
		ids[got[i].ID] = true
		if got[i].Message != simpleMessage(want) {
			t.Errorf("message %d is %+v, want what was sent", i, got[i].Message)
		}
	}

	// Messages returns a copy.
	got[0].Subject = "changed"
	if o.Messages()[0].Subject != "third" {
		t.Errorf("changing the result of Messages changed the outbox")
	}
}

func TestOutboxKeepsTheLast100(t *testing.T) {
	o := newTestOutbox(t, slog.New(slog.DiscardHandler))
	for i := range outboxCap + 5 {
		if err := o.Send(t.Context(), simpleMessage(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	got := o.Messages()
	if len(got) != 100 {
		t.Fatalf("%d messages kept, want 100", len(got))
	}
	if got[0].Subject != "104" || got[99].Subject != "5" {
		t.Errorf("kept messages %q to %q, want 104 to 5", got[0].Subject, got[99].Subject)
	}
}

func TestOutboxSendRefuses(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		m    Message
		want string
	}{
		{"a message SMTP would refuse", t.Context(), Message{To: "not an address", Subject: "s", Text: "t"}, "recipient"},
		{"a cancelled context", cancelled, simpleMessage("s"), context.Canceled.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := newTestOutbox(t, nil)
			err := o.Send(tc.ctx, tc.m)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "mail: send to ") {
				t.Fatalf("Send returned %v, want an error about %q", err, tc.want)
			}
			if n := len(o.Messages()); n != 0 {
				t.Errorf("%d messages kept", n)
			}
		})
	}
}

func TestOutboxLogsWhereToReadTheMailButNotItsBody(t *testing.T) {
	var buf bytes.Buffer
	o := newTestOutbox(t, slog.New(slog.NewJSONHandler(&buf, nil)))
	m := simpleMessage("Activate your TokenIM account")
	if err := o.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	id := o.Messages()[0].ID
	if strings.Contains(buf.String(), "Zm9vYmFy") {
		t.Errorf("the log has the link:\n%s", buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("want one JSON log line: %v\n%s", err, buf.String())
	}
	want := map[string]any{
		"level":   "INFO",
		"to":      m.To,
		"subject": m.Subject,
		"mail_id": id,
		"url":     "http://localhost:8080/dev/outbox/" + id,
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("log %s = %v, want %v", k, rec[k], v)
		}
	}
}

func TestOutboxPages(t *testing.T) {
	o := newTestOutbox(t, nil)
	hostile := Message{
		To:      `"<b>Eve</b>" <eve@example.com>`,
		Subject: `<script>alert("subject")</script>`,
		Text:    "Open " + testLink + ".\n<script>alert('text')</script>\n",
		HTML:    `<p onclick="steal()">Hi</p><script>alert('html')</script><a href="` + strings.ReplaceAll(testLink, "&", "&amp;") + `">Open</a>`,
	}
	plain := Message{To: "ann@example.com", Subject: "Reset your TokenIM password", Text: "Open " + testLink + "\n"}
	for _, m := range []Message{plain, hostile} {
		if err := o.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	kept := o.Messages()
	hostileID, plainID := kept[0].ID, kept[1].ID

	mux := http.NewServeMux()
	o.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	empty := http.NewServeMux()
	NewOutbox(nil, "").Mount(empty)
	emptySrv := httptest.NewServer(empty)
	t.Cleanup(emptySrv.Close)

	for _, tc := range []struct {
		name   string
		base   string
		method string
		path   string
		status int
		check  func(t *testing.T, body string, doc *nethtml.Node)
	}{
		{
			name: "the list shows every message newest first, escaped", base: srv.URL, path: "/dev/outbox", status: http.StatusOK,
			check: func(t *testing.T, body string, doc *nethtml.Node) {
				rows := findAll(find(doc, "tbody"), "tr")
				if len(rows) != 2 {
					t.Fatalf("%d rows, want 2", len(rows))
				}
				for i, want := range []struct {
					id, time string
					m        Message
				}{{hostileID, "2026-03-14 01:26:54", hostile}, {plainID, "2026-03-14 01:26:53", plain}} {
					cells := findAll(rows[i], "td")
					if len(cells) != 3 {
						t.Fatalf("row %d has %d cells, want 3", i, len(cells))
					}
					if got := visibleText(cells[0]); got != want.time {
						t.Errorf("row %d time %q, want %q (UTC)", i, got, want.time)
					}
					if got := visibleText(cells[1]); got != want.m.To {
						t.Errorf("row %d to %q, want %q", i, got, want.m.To)
					}
					a := find(cells[2], "a")
					if got := visibleText(a); got != want.m.Subject {
						t.Errorf("row %d subject %q, want %q", i, got, want.m.Subject)
					}
					if href := attr(a, "href"); href != "/dev/outbox/"+want.id {
						t.Errorf("row %d links to %q, want /dev/outbox/%s", i, href, want.id)
					}
				}
			},
		},
		{
			name: "the list of an empty outbox says so", base: emptySrv.URL, path: "/dev/outbox", status: http.StatusOK,
			check: func(t *testing.T, body string, doc *nethtml.Node) {
				if find(doc, "table") != nil || !strings.Contains(visibleText(doc), "No mail has been sent") {
					t.Errorf("the empty list does not say it is empty:\n%s", body)
				}
			},
		},
		{
			name: "a message page shows the HTML body only inside a sandboxed iframe", base: srv.URL, path: "/dev/outbox/" + hostileID, status: http.StatusOK,
			check: func(t *testing.T, body string, doc *nethtml.Node) {
				frames := findAll(doc, "iframe")
				if len(frames) != 1 {
					t.Fatalf("%d iframes, want 1", len(frames))
				}
				sandbox, ok := lookupAttr(frames[0], "sandbox")
				if !ok {
					t.Fatal("the iframe has no sandbox attribute")
				}
				if strings.Contains(sandbox, "allow-scripts") || strings.Contains(sandbox, "allow-same-origin") {
					t.Errorf("the sandbox allows %q", sandbox)
				}
				if got := attr(frames[0], "srcdoc"); got != hostile.HTML {
					t.Errorf("srcdoc is %q, want the HTML body %q", got, hostile.HTML)
				}
				if got := visibleText(find(doc, "h1")); got != hostile.Subject {
					t.Errorf("heading %q, want the subject", got)
				}
			},
		},
		{
			name: "a message page shows the text body and its links", base: srv.URL, path: "/dev/outbox/" + hostileID, status: http.StatusOK,
			check: func(t *testing.T, body string, doc *nethtml.Node) {
				pre := find(doc, "pre")
				if pre == nil || pre.FirstChild == nil || pre.FirstChild != pre.LastChild || pre.FirstChild.Data != hostile.Text {
					t.Errorf("the <pre> does not hold exactly the text body")
				}
				var hrefs []string
				for _, a := range findAll(find(doc, "ul"), "a") {
					hrefs = append(hrefs, attr(a, "href"))
					if attr(a, "rel") != "noreferrer" {
						t.Errorf("link %q has rel %q, want noreferrer", attr(a, "href"), attr(a, "rel"))
					}
				}
				if len(hrefs) != 1 || hrefs[0] != testLink {
					t.Errorf("links %q, want [%q] without the full stop after it", hrefs, testLink)
				}
			},
		},
		{
			name: "a message without HTML has no iframe", base: srv.URL, path: "/dev/outbox/" + plainID, status: http.StatusOK,
			check: func(t *testing.T, body string, doc *nethtml.Node) {
				if n := len(findAll(doc, "iframe")); n != 0 {
					t.Errorf("%d iframes for a message without HTML", n)
				}
				if pre := find(doc, "pre"); visibleText(pre) != strings.TrimSpace(plain.Text) {
					t.Errorf("the text body is not shown")
				}
			},
		},
		{name: "an unknown message is not found", base: srv.URL, path: "/dev/outbox/0123456789abcdef", status: http.StatusNotFound},
		{name: "the list answers GET only", base: srv.URL, method: http.MethodPost, path: "/dev/outbox", status: http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), cmp.Or(tc.method, http.MethodGet), tc.base+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			body := string(raw)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tc.status, body)
			}
			if strings.Contains(strings.ToLower(body), "<script") {
				t.Errorf("the page has a <script> tag:\n%s", body)
			}
			if tc.status == http.StatusMethodNotAllowed {
				return
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			if tc.status != http.StatusOK {
				return
			}
			if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
			for _, never := range []string{"script-src", "unsafe-eval", "*", "http:", "https:", "data:"} {
				if strings.Contains(csp, never) {
					t.Errorf("Content-Security-Policy %q allows %q", csp, never)
				}
			}
			doc := parseHTML(t, body)
			if len(findAll(doc, "script")) != 0 {
				t.Errorf("the page has a script element")
			}
			if tc.check != nil {
				tc.check(t, body, doc)
			}
		})
	}
}
