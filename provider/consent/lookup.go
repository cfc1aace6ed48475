package consent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/tokenim/tokenim-auth/provider/defaults"
)

// Names finds the names of conversations and channels, for the consent
// page to show "#launch-team" rather than "conv:123". A location it
// cannot name is left out of the answer; the page then shows the
// location itself.
type Names interface {
	Names(ctx context.Context, locations []string) map[string]string
}

// LookupConfig configures Lookup.
type LookupConfig struct {
	// URL is the IM platform's callback: Lookup POSTs
	// {"locations": ["conv:123", ...]} and reads
	// {"names": {"conv:123": "#launch-team", ...}}.
	URL string
	// Timeout bounds each call (2 s when zero): the page waits no longer.
	Timeout time.Duration
	// CacheTTL is how long a name is reused (5 minutes when zero).
	CacheTTL time.Duration
	// CacheSize bounds the names kept (10,000 when zero).
	CacheSize int
	// Client makes the calls (a client without its own timeout is fine:
	// Timeout bounds each call).
	Client *http.Client
	Now    func() time.Time
	Logger *slog.Logger
}

// Bounds of a lookup's answer.
const (
	maxLookupBody = 64 << 10
	maxNameRunes  = 100
)

// Lookup is Names over an HTTP callback, with a bounded cache. Any
// failure (timeout, status, bad JSON, an oversized answer) names nothing
// and is logged; it never fails the page.
type Lookup struct {
	cfg   LookupConfig
	cache *lru.Cache[string, cachedName]
}

type cachedName struct {
	name    string
	expires time.Time
}

// NewLookup returns the lookup of cfg.
func NewLookup(cfg LookupConfig) (*Lookup, error) {
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = 5 * time.Minute
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 10_000
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	cache, err := lru.New[string, cachedName](cfg.CacheSize)
	if err != nil {
		return nil, fmt.Errorf("consent: name cache: %w", err)
	}
	return &Lookup{cfg: cfg, cache: cache}, nil
}

// Names implements Names: cached names, and the others asked of the
// callback in one call.
func (l *Lookup) Names(ctx context.Context, locations []string) map[string]string {
	now := l.cfg.Now()
	out := make(map[string]string, len(locations))
	var missing []string
	for _, loc := range locations {
		if c, ok := l.cache.Get(loc); ok && now.Before(c.expires) {
			out[loc] = c.name
		} else if !slices.Contains(missing, loc) {
			missing = append(missing, loc)
		}
	}
	if len(missing) == 0 {
		return out
	}
	names, err := l.fetch(ctx, missing)
	if err != nil {
		l.cfg.Logger.WarnContext(ctx, "conversation name lookup failed", "err", err, "locations", len(missing))
		return out
	}
	for _, loc := range missing {
		if n, ok := names[loc]; ok && displayable(n) {
			out[loc] = n
			l.cache.Add(loc, cachedName{name: n, expires: now.Add(l.cfg.CacheTTL)})
		}
	}
	return out
}

func (l *Lookup) fetch(ctx context.Context, locations []string) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	defer cancel()
	body, err := json.Marshal(map[string][]string{"locations": locations})
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := l.cfg.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("call: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxLookupBody+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(raw) > maxLookupBody {
		return nil, fmt.Errorf("answer longer than %d bytes", maxLookupBody)
	}
	var answer struct {
		Names map[string]string `json:"names"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return answer.Names, nil
}

// displayable reports whether a name from the IM platform may be shown:
// text of at most maxNameRunes characters without control characters.
func displayable(n string) bool {
	return strings.TrimSpace(n) != "" && utf8.ValidString(n) && utf8.RuneCountInString(n) <= maxNameRunes &&
		!strings.ContainsFunc(n, unicode.IsControl)
}
