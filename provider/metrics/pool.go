package metrics

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// PoolStater is a store with a Postgres connection pool
// (*postgres.Store).
type PoolStater interface {
	// Stat returns a snapshot of the pool's statistics.
	Stat() *pgxpool.Stat
}

// RegisterPool exports the statistics of the pool behind p as
// tokenim_db_pool_*, read at each scrape. Registering a second pool is an
// error.
func (m *Metrics) RegisterPool(p PoolStater) error {
	if err := m.reg.Register(newPoolCollector(p)); err != nil {
		return fmt.Errorf("metrics: register the database pool: %w", err)
	}
	return nil
}

// poolCollector turns pgxpool statistics into metrics. It is a collector
// rather than gauges updated in the background: the numbers are read when
// scraped, and nothing runs between scrapes.
type poolCollector struct {
	pool PoolStater

	total, idle, acquired, constructing, max *prometheus.Desc
	acquires, acquireSeconds, emptyAcquires  *prometheus.Desc
	canceledAcquires                         *prometheus.Desc
}

func newPoolCollector(p PoolStater) *poolCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("tokenim_db_pool_"+name, help, nil, nil)
	}
	return &poolCollector{
		pool:             p,
		total:            desc("total_connections", "Connections in the Postgres pool: idle, acquired and being opened."),
		idle:             desc("idle_connections", "Idle connections in the Postgres pool."),
		acquired:         desc("acquired_connections", "Connections of the Postgres pool in use."),
		constructing:     desc("constructing_connections", "Connections of the Postgres pool being opened."),
		max:              desc("max_connections", "Largest number of connections the Postgres pool opens (database.max_conns)."),
		acquires:         desc("acquires_total", "Connections acquired from the Postgres pool."),
		acquireSeconds:   desc("acquire_duration_seconds_total", "Total time spent acquiring connections from the Postgres pool."),
		emptyAcquires:    desc("empty_acquires_total", "Acquires that had to wait for a connection: none was idle."),
		canceledAcquires: desc("canceled_acquires_total", "Acquires given up because their context ended first."),
	}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.total, c.idle, c.acquired, c.constructing, c.max,
		c.acquires, c.acquireSeconds, c.emptyAcquires, c.canceledAcquires,
	} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(c.total, float64(s.TotalConns()))
	gauge(c.idle, float64(s.IdleConns()))
	gauge(c.acquired, float64(s.AcquiredConns()))
	gauge(c.constructing, float64(s.ConstructingConns()))
	gauge(c.max, float64(s.MaxConns()))
	counter(c.acquires, float64(s.AcquireCount()))
	counter(c.acquireSeconds, s.AcquireDuration().Seconds())
	counter(c.emptyAcquires, float64(s.EmptyAcquireCount()))
	counter(c.canceledAcquires, float64(s.CanceledAcquireCount()))
}
