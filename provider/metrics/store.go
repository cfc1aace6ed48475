package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// storePingTimeout bounds one store's check at a scrape, well inside
// Prometheus's default scrape timeout (10s).
const storePingTimeout = time.Second

// RegisterStore exports tokenim_store_up{store=name}: 1 when ping returns
// nil, 0 when it fails or takes longer than a second. ping is called once
// per scrape, when the gauge is collected, so the value is as fresh as the
// scrape and nothing runs between scrapes. Registering the same name twice
// is an error.
func (m *Metrics) RegisterStore(name string, ping func(ctx context.Context) error) error {
	g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "tokenim_store_up",
		Help:        "Whether a store answers the provider at scrape time (1) or not (0), by store.",
		ConstLabels: prometheus.Labels{"store": name},
	}, func() float64 {
		// A collector is given no context: the scrape's own is not
		// passed down by the client library.
		ctx, cancel := context.WithTimeout(context.Background(), storePingTimeout)
		defer cancel()
		if ping(ctx) != nil {
			return 0
		}
		return 1
	})
	if err := m.reg.Register(g); err != nil {
		return fmt.Errorf("metrics: register store %s: %w", name, err)
	}
	return nil
}
