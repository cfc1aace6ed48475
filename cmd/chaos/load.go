package main

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// requestTimeout bounds each request: longer than the nodes' own
// database timeout (5 s), so that a slow answer is seen as such.
const requestTimeout = 10 * time.Second

// driver sends the load and the sweeps, records every request and keeps
// the ledger.
type driver struct {
	// bases are the nodes' URLs; a restarted node keeps its address.
	bases   []string
	secrets testbed.Secrets
	client  *http.Client
	ledger  *ledger
	rec     *recorder
	now     func() time.Time
}

func newDriver(bases []string, secrets testbed.Secrets, workers int, grace time.Duration) *driver {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = workers
	return &driver{
		bases: bases, secrets: secrets,
		client: &http.Client{Transport: transport, Timeout: requestTimeout},
		ledger: newLedger(grace), rec: &recorder{}, now: time.Now,
	}
}

// load sends requests from workers goroutines, at most perSecond a
// second in all, until ctx ends: grants, introspections and revocations
// in the proportions 3 : 6 : 1, each to a node chosen at random.
func (d *driver) load(ctx context.Context, workers int, perSecond float64) {
	limiter := rate.NewLimiter(rate.Limit(perSecond), 1)
	var wg sync.WaitGroup
	for w := range workers {
		r := rand.New(rand.NewPCG(uint64(d.now().UnixNano()), uint64(w)))
		wg.Go(func() {
			for limiter.Wait(ctx) == nil {
				d.one(ctx, r)
			}
		})
	}
	wg.Wait()
}

// one sends one request of the load.
func (d *driver) one(ctx context.Context, r *rand.Rand) {
	base := d.bases[r.IntN(len(d.bases))]
	switch n := r.IntN(10); {
	case n < 6:
		if id, token, ok := d.ledger.pickIntrospect(r); ok {
			d.introspect(ctx, base, id, token, false)
			return
		}
	case n < 7:
		sent := d.now()
		if id, token, ok := d.ledger.pickRevoke(r, sent); ok {
			d.revoke(ctx, base, id, token, sent)
			return
		}
	}
	d.grant(ctx, base)
}

// grant asks for a client-credentials token and adds it to the ledger
// when it is answered 200.
func (d *driver) grant(ctx context.Context, base string) {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"im:messages.send"}}
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	e := d.post(ctx, grant, base+"/oauth2/token", testbed.BasicAuth(testbed.BotID, d.secrets.Bot), form, &body)
	if e.status == http.StatusOK && !e.garbled {
		if body.AccessToken == "" || body.ExpiresIn <= 0 {
			e.garbled = true
		} else {
			d.ledger.add(body.AccessToken, e.sent, time.Duration(body.ExpiresIn)*time.Second)
		}
	}
	if ctx.Err() == nil || e.status != 0 {
		d.rec.add(e)
	}
}

// introspect asks about token id as the IM gateway and has the ledger
// judge the answer.
func (d *driver) introspect(ctx context.Context, base string, id int, token string, sweep bool) {
	var body struct {
		Active *bool `json:"active"`
	}
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	e := d.post(ctx, introspect, base+"/oauth2/introspect", testbed.BasicAuth(testbed.GatewayID, d.secrets.Gateway), form, &body)
	e.sweep = sweep
	if e.status == http.StatusOK && !e.garbled {
		if body.Active == nil {
			e.garbled = true
		} else {
			e.judgement = d.ledger.judge(id, answer{sent: e.sent, done: e.done, active: *body.Active, sweep: sweep})
		}
	}
	if ctx.Err() == nil || e.status != 0 {
		d.rec.add(e)
	}
}

// revoke revokes token id as its client (RFC 7009), the revocation
// having been marked sent in the ledger at sent.
func (d *driver) revoke(ctx context.Context, base string, id int, token string, sent time.Time) {
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	e := d.post(ctx, revoke, base+"/oauth2/revoke", testbed.BasicAuth(testbed.BotID, d.secrets.Bot), form, nil)
	e.sent = sent
	if e.status == http.StatusOK {
		d.ledger.revoked(id, e.done)
	}
	if ctx.Err() == nil || e.status != 0 {
		d.rec.add(e)
	}
}

// post sends a form with client authentication and reads a JSON answer
// of 200 into into (nil: any body). The event says what happened.
func (d *driver) post(ctx context.Context, k kind, target, auth string, form url.Values, into any) event {
	e := event{kind: k, sent: d.now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		e.done = d.now()
		return e
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", auth)
	resp, err := d.client.Do(req)
	if err != nil {
		e.done = d.now()
		return e
	}
	defer resp.Body.Close()
	e.status = resp.StatusCode
	e.retryAfter = resp.Header.Get("Retry-After") != ""
	if resp.StatusCode == http.StatusOK && into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			e.garbled = true
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	e.done = d.now()
	return e
}

// sweep introspects each token of ids on every node, with workers
// requests at once, and returns how many answers it judged.
func (d *driver) sweep(ctx context.Context, ids []int, workers int) {
	jobs := make(chan [2]int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				d.introspect(ctx, d.bases[j[1]], j[0], d.ledger.token(j[0]), true)
			}
		})
	}
	defer wg.Wait()
	defer close(jobs)
	for _, id := range ids {
		for n := range d.bases {
			select {
			case jobs <- [2]int{id, n}:
			case <-ctx.Done():
				return
			}
		}
	}
}
