package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
	"github.com/tokenim/tokenim-auth/storage"
)

func TestParseScaleOptions(t *testing.T) {
	t.Parallel()
	var stderr strings.Builder
	o, err := parseScaleOptions(nil, &stderr)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if !slices.Equal(o.sizes, []int{100_000, 1_000_000, 10_000_000}) || !slices.Equal(o.scenarios, scaleMeasures()) || o.out != "" || o.chart != "" || !o.cluster {
		t.Errorf("defaults %+v", o)
	}
	o, err = parseScaleOptions([]string{"-sizes", "1e6, 250000,1e5,1e6", "-duration", "3s", "-scenarios", "refresh", "-out", "/tmp/s.md", "-chart", "/tmp/s.svg", "-cluster=false"}, &stderr)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if !slices.Equal(o.sizes, []int{100_000, 250_000, 1_000_000}) || o.duration != 3*time.Second ||
		!slices.Equal(o.scenarios, []string{"refresh"}) || o.out != "/tmp/s.md" || o.chart != "/tmp/s.svg" || o.cluster {
		t.Errorf("options %+v", o)
	}
	for _, args := range [][]string{
		{"-sizes", "lots"}, {"-sizes", "1.5e3,"}, {"-sizes", "1500.5"}, {"-sizes", "10"}, {"-sizes", "1e9"},
		{"-scenarios", "userinfo"}, {"-duration", "1500ms"}, {"1e5"},
	} {
		if _, err := parseScaleOptions(args, io.Discard); !errors.Is(err, testbed.ErrUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func TestGrowth(t *testing.T) {
	t.Parallel()
	// log(10^6)/log(10^5) × 1.5 = 1.8.
	for _, c := range []struct {
		name          string
		kind          growthKind
		v1, v2        float64
		ratio         float64
		flagged, seen bool
	}{
		{"a latency growing as log n passes", perItem, 1, 1.2, 1.2, false, true},
		{"a latency doubling is flagged", perItem, 1, 2, 2, true, true},
		{"a rate halving is a cost doubling", perSecond, 1000, 500, 2, true, true},
		{"a rate holding is a flat cost", perSecond, 1000, 1000, 1, false, true},
		{"a walk ten times as long over ten times the rows is a flat cost", whole, 4, 40, 1, false, true},
		{"a walk a hundred times as long is flagged", whole, 4, 400, 10, true, true},
		{"a missing value has no verdict", perItem, 0, 2, 0, false, false},
		{"a count has no verdict", noVerdict, 1, 10, 0, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, bound, flagged, ok := growth(c.kind, 100_000, 1_000_000, c.v1, c.v2)
			if ok != c.seen || flagged != c.flagged || math.Abs(r-c.ratio) > 1e-9 {
				t.Errorf("growth = ×%v, flagged %t, ok %t; want ×%v, %t, %t", r, flagged, ok, c.ratio, c.flagged, c.seen)
			}
			if ok && math.Abs(bound-1.8) > 1e-9 {
				t.Errorf("bound ×%v, want ×1.8", bound)
			}
		})
	}
}

// point is a measured size with the measures the chart and the growth
// table read.
func point(size int, coldP50 time.Duration, heapPerRow int64) scalePoint {
	return scalePoint{
		size: size,
		runs: map[string]wrkResult{
			"introspect_cold":    {requests: 1, requestsPerS: 1000, p50: coldP50, p99: 4 * coldP50},
			"client_credentials": {requests: 1, requestsPerS: 500, p50: time.Millisecond, p99: 3 * time.Millisecond},
		},
		tables: tableSizes{heap: heapPerRow * int64(size), indexes: 300 * int64(size), rows: int64(size)},
		redis:  redisMemory{tokens: 10, before: 0, after: 5000},
	}
}

func TestScaleChart(t *testing.T) {
	t.Parallel()
	svg := scaleChart([]scalePoint{point(100_000, time.Millisecond, 1000), point(1_000_000, 2*time.Millisecond, 1100)})
	dec := xml.NewDecoder(strings.NewReader(string(svg)))
	var circles []map[string]string
	var texts []string
	var inText bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			inText = e.Name.Local == "text"
			if e.Name.Local == "circle" {
				attrs := map[string]string{}
				for _, a := range e.Attr {
					attrs[a.Name.Local] = a.Value
				}
				circles = append(circles, attrs)
			}
		case xml.CharData:
			if inText {
				texts = append(texts, strings.TrimSpace(string(e)))
			}
		case xml.EndElement:
			inText = false
		}
	}
	// Two panels of three series, two sizes each.
	if len(circles) != 12 {
		t.Fatalf("%d points, want 12", len(circles))
	}
	// 10^5 and 10^6 are the x axis's ends.
	left, right := strconv.Itoa(marginLeft)+".0", strconv.Itoa(chartWidth-marginRight)+".0"
	for i, c := range circles {
		want := left
		if i%2 == 1 {
			want = right
		}
		if c["cx"] != want {
			t.Errorf("point %d at x %s, want %s", i, c["cx"], want)
		}
	}
	height := func(i int) float64 {
		y, err := strconv.ParseFloat(circles[i]["cy"], 64)
		if err != nil {
			t.Fatalf("point %d: %v", i, err)
		}
		return y
	}
	// Latencies on a log axis from 1 ms (the smallest, cold p50 at 10^5)
	// to 10 ms (above the largest, 8 ms): cold p50 at 2 ms is log10(2)
	// of the way up.
	bottom := float64(marginTop + panelHeight)
	if y := height(0); math.Abs(y-bottom) > 0.1 {
		t.Errorf("1 ms at y %v, want the bottom, %v", y, bottom)
	}
	if y := height(1); math.Abs(bottom-y-math.Log10(2)*panelHeight) > 0.1 {
		t.Errorf("2 ms at y %v, want %v", y, bottom-math.Log10(2)*panelHeight)
	}
	// Bytes on a linear axis from 0 to 2,000 (the first of 1, 2, 2.5 or
	// 5 × 10^k above 1,100, the table's largest): the indexes' 300 at
	// 300/2000 of the way up.
	bottom = float64(2*(marginTop+panelHeight) + marginBelow)
	if y := height(8); math.Abs(bottom-y-300.0/2000*panelHeight) > 0.1 {
		t.Errorf("300 bytes at y %v, want %v", y, bottom-300.0/2000*panelHeight)
	}
	for _, want := range []string{"tokens (log scale)", "ms (log scale)", "bytes", "cold introspection p50", "issuance p99", "Redis", "Size per token"} {
		if !slices.Contains(texts, want) {
			t.Errorf("no text %q in the chart: %q", want, texts)
		}
	}
}

func TestScaleReportFlagsFastGrowth(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	o := scaleOptions{options: options{threads: 2, connections: 16, duration: 3 * time.Second}}
	printScaleReport(&b, o, machine{wrk: "wrk 4"}, []scalePoint{point(100_000, time.Millisecond, 1000), point(1_000_000, 5*time.Millisecond, 1000)})
	out := b.String()
	for _, want := range []string{
		"| 100,000 |", "| 1,000,000 |",
		"| cold introspection p50 | **×5.00 > ×1.80** |",
		"| table B/token | ×1.00 ≤ ×1.80 |",
		"Growing faster than log n: cold introspection p50 (100,000 → 1,000,000); cold introspection p99 (100,000 → 1,000,000).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestSessionTemplate(t *testing.T) {
	t.Parallel()
	family, subject := "0f7c6b52-5d9e-4c0a-9a51-3f0e2c1d4b6a", "5ca1e000-0000-4000-9000-000000000007"
	stored := `{"id":"` + family + `","requested_at":"2026-12-05T10:00:00.123456Z","client_id":"app",` +
		`"session":{"subject":"` + subject + `","expires_at":{"access_token":"2026-12-05T11:00:00.123456+01:00"},` +
		`"extra":{"token_family":"` + family + `"}}}`
	tpl, err := newSessionTemplate([]byte(stored), family, subject)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(tpl.render(family, subject, 0)); got != stored {
		t.Errorf("rendered with the same values:\n%s\nwant\n%s", got, stored)
	}
	var got struct {
		ID          string    `json:"id"`
		RequestedAt time.Time `json:"requested_at"`
		Session     struct {
			Subject   string               `json:"subject"`
			ExpiresAt map[string]time.Time `json:"expires_at"`
			Extra     map[string]string    `json:"extra"`
		} `json:"session"`
	}
	out := tpl.render("other-family", "other-user", -time.Hour)
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	at := time.Date(2026, 12, 5, 9, 0, 0, 123456000, time.UTC)
	if got.ID != "other-family" || got.Session.Extra["token_family"] != "other-family" || got.Session.Subject != "other-user" ||
		!got.RequestedAt.Equal(at) || !got.Session.ExpiresAt["access_token"].Equal(at) {
		t.Errorf("rendered %s", out)
	}
	if !strings.Contains(string(out), `"2026-12-05T10:00:00.123456+01:00"`) {
		t.Errorf("a time lost its offset: %s", out)
	}
	if _, err := newSessionTemplate([]byte(`{"id":"x"}`), family, ""); err == nil {
		t.Error("a stored request without its family was accepted")
	}
}

// newTestMaker is a token maker under a fresh system secret.
func newTestMaker(t *testing.T) tokenMaker {
	t.Helper()
	maker, err := newTokenMaker(testbed.NewSecrets().System)
	if err != nil {
		t.Fatal(err)
	}
	return maker
}

func TestTokenMakerLearnsTheProvidersTokens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	maker := newTestMaker(t)
	token, sig, err := maker.make(ctx, "tkm_at_")
	if err != nil {
		t.Fatal(err)
	}
	prefix, learned, err := maker.learn(ctx, token)
	if err != nil || prefix != "tkm_at_" || learned != sig {
		t.Errorf("learn = %q, %q, %v; want tkm_at_, %q", prefix, learned, err, sig)
	}
	if _, _, err := newTestMaker(t).learn(ctx, token); err == nil {
		t.Error("a token made under another system secret was learned")
	}
}

func TestRowSource(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	maker := newTestMaker(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	stored := func(family, subject string, exp time.Time) []byte {
		return fmt.Appendf(nil, `{"id":%q,"requested_at":%q,"session":{"subject":%q,"expires_at":{"x":%q}}}`,
			family, now.Format(time.RFC3339Nano), subject, exp.Format(time.RFC3339Nano))
	}
	tok := func(kind storage.TokenKind, client, family, subject string, life time.Duration) storage.Token {
		return storage.Token{Kind: kind, Signature: "template", RequestID: family, ClientID: client, Subject: subject, Active: true,
			RequestedAt: now, ExpiresAt: now.Add(life), Session: stored(family, subject, now.Add(life))}
	}
	tpl := seedTemplates{
		bot:         tok(storage.KindAccessToken, "bot", "fam-bot", "", time.Hour),
		userAccess:  tok(storage.KindAccessToken, "app", "fam-user", "user-x", time.Hour),
		userRefresh: tok(storage.KindRefreshToken, "app", "fam-user", "user-x", 720*time.Hour),
		record:      storage.AuditRecord{Time: now, Action: "token.issued", ClientID: "bot", Detail: map[string]string{"grant_type": "client_credentials"}},
		subject:     "user-x", atPrefix: "tkm_at_", rtPrefix: "tkm_rt_",
	}
	plan := seedPlan{tokens: 3001, users: 7, records: 50}
	src, err := newRowSource(tpl, maker, plan, 5)
	if err != nil {
		t.Fatal(err)
	}
	var s seeded
	var genErr error
	rows := slices.Collect(src.tokens(ctx, now.Add(time.Minute), &s, &genErr))
	if genErr != nil || len(rows) != plan.tokens {
		t.Fatalf("%d rows, %v; want %d", len(rows), genErr, plan.tokens)
	}
	bySig := map[string]storage.Token{}
	expired := 0
	for _, r := range rows {
		bySig[r.Signature] = r
		if r.ExpiresAt.Before(now) {
			expired++
		} else if issued := now.Add(time.Minute); r.RequestedAt.After(issued) || !r.RequestedAt.After(issued.Add(-time.Minute)) {
			t.Fatalf("a live row issued at %v, want within the minute before %v", r.RequestedAt, issued)
		}
		var sr struct {
			ID      string `json:"id"`
			Session struct {
				Subject string `json:"subject"`
			} `json:"session"`
		}
		if err := json.Unmarshal(r.Session, &sr); err != nil || sr.ID != r.RequestID || sr.Session.Subject != r.Subject {
			t.Fatalf("row %+v: stored request %s, %v", r, r.Session, err)
		}
	}
	if len(bySig) != len(rows) {
		t.Errorf("%d signatures for %d rows", len(bySig), len(rows))
	}
	if expired < len(rows)/12 || expired > len(rows)/8 {
		t.Errorf("%d of %d rows expired, want about one in ten", expired, len(rows))
	}
	for _, r := range rows {
		if r.Kind != storage.KindRefreshToken {
			continue
		}
		at, ok := bySig[r.AccessSignature]
		if !ok || at.RequestID != r.RequestID || at.Subject != r.Subject || r.Subject == "" || r.ClientID != "app" {
			t.Fatalf("refresh token %+v does not name its family's access token", r)
		}
	}
	check := func(what string, tokens []string, prefix string, kind storage.TokenKind) {
		t.Helper()
		for _, token := range tokens {
			p, sig, err := maker.learn(ctx, token)
			row, ok := bySig[sig]
			if err != nil || p != prefix || !ok || row.Kind != kind || !row.ExpiresAt.After(now) {
				t.Fatalf("%s token %q…: %v, row %+v", what, token[:12], err, row)
			}
		}
	}
	if len(s.cold) == 0 || len(s.refresh) != 5 {
		t.Fatalf("samples: %d cold, %d refresh", len(s.cold), len(s.refresh))
	}
	check("cold", s.cold, "tkm_at_", storage.KindAccessToken)
	check("refresh", s.refresh, "tkm_rt_", storage.KindRefreshToken)

	users := slices.Collect(src.users(now))
	if len(users) != plan.users || users[0].ID != userID(0) || users[0].Status != storage.UserActive {
		t.Errorf("users %+v", users)
	}
	recs := slices.Collect(src.records())
	if len(recs) != plan.records || !recs[0].Time.Before(recs[1].Time) || recs[1].Subject == "" || recs[0].Detail["token_family"] != familyID(0) {
		t.Errorf("records %+v", recs[:2])
	}
}

func TestJanitorDeleted(t *testing.T) {
	t.Parallel()
	out := []byte("AREA              DELETED\ntokens            12345\nlogin_sessions    0\ntotal             12345\n")
	if n, err := janitorDeleted(out, storage.PurgeTokens); err != nil || n != 12345 {
		t.Errorf("janitorDeleted = %d, %v; want 12345", n, err)
	}
	if _, err := janitorDeleted([]byte("another node is deleting expired records right now"), storage.PurgeTokens); err == nil {
		t.Error("an answer without the table was read")
	}
}

func TestAheadKeepsOrderAndStops(t *testing.T) {
	t.Parallel()
	const n = 3*aheadBatch + 5
	made := 0
	seq := func(yield func(int) bool) {
		for i := range n {
			made++
			if !yield(i) {
				return
			}
		}
	}
	if got := slices.Collect(ahead(seq)); len(got) != n || !slices.IsSorted(got) || got[n-1] != n-1 || made != n {
		t.Fatalf("%d values (last %d), %d made; want 0 to %d in order", len(got), got[len(got)-1], made, n-1)
	}
	made = 0
	for v := range ahead(seq) {
		if v == 10 {
			break
		}
	}
	// The goroutine has ended: made is safe to read, and it stopped
	// within the batches it may make ahead.
	if made > (aheadBatches+2)*aheadBatch {
		t.Errorf("%d values made after the caller stopped at 11", made)
	}
}

// TestPrintCluster: the Redis Cluster measure says what each Redis
// answered, the ratio, and each master's share of the cached tokens.
func TestPrintCluster(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	printCluster(&b, clusterResult{
		single:  wrkResult{requests: 1, requestsPerS: 10_000, p50: time.Millisecond, p99: 4 * time.Millisecond},
		cluster: wrkResult{requests: 1, requestsPerS: 9_000, p50: 2 * time.Millisecond, p99: 5 * time.Millisecond},
		spread:  []int{3_400, 3_300, 3_300},
		masters: []string{"a", "b", "c"},
	})
	for _, want := range []string{
		"| one server | 10,000 | 1.00 ms | 4.00 ms |",
		"| Cluster of 3 masters | 9,000 | 2.00 ms | 5.00 ms |",
		"×0.90",
		"3,400 (34.0%), 3,300 (33.0%), 3,300 (33.0%) (10,000 in all)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
}
