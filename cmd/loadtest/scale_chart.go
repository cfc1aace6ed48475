package main

import (
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strings"
)

// chartSeries is one line of a chart panel.
type chartSeries struct {
	name, color string
	value       func(p scalePoint) float64
}

// chartPanel is a panel of the chart: its series against the number of
// tokens, on a log10 axis.
type chartPanel struct {
	title, unit string
	// logY puts the values on a log10 axis too: latencies whose p50 and
	// p99 are orders of magnitude apart.
	logY   bool
	series []chartSeries
}

func chartPanels() []chartPanel {
	return []chartPanel{
		{title: "Latency", unit: "ms (log scale)", logY: true, series: []chartSeries{
			{name: "cold introspection p50", color: "#1f77b4", value: latencyOf("introspect_cold", false)},
			{name: "cold introspection p99", color: "#ff7f0e", value: latencyOf("introspect_cold", true)},
			{name: "issuance p99", color: "#2ca02c", value: latencyOf("client_credentials", true)},
		}},
		{title: "Size per token", unit: "bytes", series: []chartSeries{
			{name: "tokens table", color: "#9467bd", value: tableBytes},
			{name: "tokens indexes", color: "#8c564b", value: indexBytes},
			{name: "Redis", color: "#d62728", value: redisBytes},
		}},
	}
}

// Chart geometry, in SVG user units.
const (
	chartWidth  = 720
	panelHeight = 260
	marginLeft  = 70
	marginRight = 200
	marginTop   = 40
	marginBelow = 50
)

// scaleChart draws the panels as an SVG: tokens on a log10 x axis, each
// series a line with a marker at each size, axis labels and a legend.
func scaleChart(points []scalePoint) []byte {
	panels := chartPanels()
	height := len(panels) * (panelHeight + marginTop + marginBelow)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", chartWidth, height)
	lo, hi := decades(points)
	for i, panel := range panels {
		top := i*(panelHeight+marginTop+marginBelow) + marginTop
		drawPanel(&b, panel, points, top, lo, hi)
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// decades are the powers of ten around the sizes: the x axis's ends.
func decades(points []scalePoint) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range points {
		x := math.Log10(float64(p.size))
		lo, hi = math.Min(lo, math.Floor(x)), math.Max(hi, math.Ceil(x))
	}
	if math.IsInf(lo, 0) {
		return 5, 7
	}
	if hi == lo {
		hi = lo + 1
	}
	return lo, hi
}

func drawPanel(b *strings.Builder, panel chartPanel, points []scalePoint, top int, lo, hi float64) {
	plotW := float64(chartWidth - marginLeft - marginRight)
	var values []float64
	for _, s := range panel.series {
		for _, p := range points {
			if v := s.value(p); v > 0 {
				values = append(values, v)
			}
		}
	}
	axis := linearAxis(values)
	if panel.logY {
		axis = logAxis(values)
	}
	x := func(size int) float64 { return marginLeft + (math.Log10(float64(size))-lo)/(hi-lo)*plotW }
	y := func(v float64) float64 { return float64(top) + panelHeight - axis.at(v)*panelHeight }
	bottom := top + panelHeight
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", marginLeft, top-15, escape(panel.title))
	// Axes, the y grid and its labels, the x decades and their labels.
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", marginLeft, bottom, chartWidth-marginRight, bottom)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", marginLeft, top, marginLeft, bottom)
	for _, v := range axis.ticks {
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", marginLeft, y(v), chartWidth-marginRight, y(v))
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", marginLeft-6, y(v), trimFloat(v))
	}
	for d := lo; d <= hi; d++ {
		px := x(int(math.Pow(10, d)))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/>`+"\n", px, bottom, px, bottom+5)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">10<tspan baseline-shift="super" font-size="9">%d</tspan></text>`+"\n", px, bottom+20, int(d))
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">tokens (log scale)</text>`+"\n", marginLeft+plotW/2, bottom+40)
	fmt.Fprintf(b, `<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", float64(top)+panelHeight/2, escape(panel.unit))
	for i, s := range panel.series {
		var path []string
		for _, p := range points {
			v := s.value(p)
			if v <= 0 {
				continue
			}
			path = append(path, fmt.Sprintf("%.1f,%.1f", x(p.size), y(v)))
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s: %s at %s tokens</title></circle>`+"\n",
				x(p.size), y(v), s.color, escape(s.name), trimFloat(v), thousands(float64(p.size)))
		}
		if len(path) > 1 {
			fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(path, " "), s.color)
		}
		ly := top + 10 + i*20
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>`+"\n", chartWidth-marginRight+15, ly, chartWidth-marginRight+35, ly, s.color)
		fmt.Fprintf(b, `<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", chartWidth-marginRight+40, ly, escape(s.name))
	}
}

// yAxis maps values to heights, 0 at the bottom and 1 at the top, and
// has the values its grid lines are drawn at.
type yAxis struct {
	at    func(v float64) float64
	ticks []float64
}

// linearAxis runs from 0 to the smallest 1, 2, 2.5 or 5 × 10^k at least
// the largest value, in quarters.
func linearAxis(values []float64) yAxis {
	top := 1.0
	if len(values) > 0 {
		top = niceCeiling(slices.Max(values))
	}
	return yAxis{at: func(v float64) float64 { return v / top }, ticks: []float64{0, top / 4, top / 2, 3 * top / 4, top}}
}

// logAxis runs from the power of ten at or below the smallest value to
// the one at or above the largest, a grid line at each.
func logAxis(values []float64) yAxis {
	lo, hi := 0.0, 1.0
	if len(values) > 0 {
		lo, hi = math.Floor(math.Log10(slices.Min(values))), math.Ceil(math.Log10(slices.Max(values)))
	}
	if hi == lo {
		hi = lo + 1
	}
	var ticks []float64
	for d := lo; d <= hi; d++ {
		ticks = append(ticks, math.Pow(10, d))
	}
	return yAxis{at: func(v float64) float64 { return (math.Log10(v) - lo) / (hi - lo) }, ticks: ticks}
}

// niceCeiling is the smallest 1, 2, 2.5 or 5 × 10^k at least v (1 for
// nothing to show).
func niceCeiling(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// trimFloat is v with at most two decimals (three below 0.1) and no
// trailing zeros.
func trimFloat(v float64) string {
	format := "%.2f"
	if v != 0 && math.Abs(v) < 0.1 {
		format = "%.3f"
	}
	s := strings.TrimRight(fmt.Sprintf(format, v), "0")
	return strings.TrimSuffix(s, ".")
}

// escape is s as XML text.
func escape(s string) string {
	var b strings.Builder
	// Writing to a strings.Builder does not fail.
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
