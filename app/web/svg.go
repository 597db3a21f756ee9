package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn on the server as inline SVG: they print, work without scripts
// and pass the Content-Security-Policy (presentation attributes, no style).

var palette = []string{"#0b5cad", "#b3261e", "#1e7b34", "#a15c00", "#6b3fa0", "#00838f", "#c2185b", "#5d4037", "#455a64", "#827717", "#283593", "#ef6c00"}

func color(i int) string { return palette[i%len(palette)] }

// series is one line or one layer of bars; NaN is a missing value.
type series struct {
	Name   string
	Values []float64
}

const (
	chartW, chartH         = 760.0, 260.0
	padL, padR, padT, padB = 48.0, 12.0, 12.0, 40.0
)

func esc(s string) string { return template.HTMLEscapeString(s) }

func f1(x float64) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", x), "0"), ".")
}

// axes draws the frame, horizontal grid lines with their labels (yFmt), and up to
// about twelve x labels.
func axes(b *strings.Builder, labels []string, yMin, yMax float64, ticks int, yFmt func(float64) string) {
	pw, ph := chartW-padL-padR, chartH-padT-padB
	for i := 0; i <= ticks; i++ {
		v := yMin + (yMax-yMin)*float64(i)/float64(ticks)
		y := padT + ph - ph*float64(i)/float64(ticks)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#d9dde3"/>`, padL, y, padL+pw, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#5b6470">%s</text>`, padL-4, y+4, esc(yFmt(v)))
	}
	step := int(math.Ceil(float64(len(labels)) / 12))
	if step < 1 {
		step = 1
	}
	for i := 0; i < len(labels); i += step {
		x := padL + slotX(i, len(labels), pw)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#5b6470">%s</text>`, x, chartH-padB+16, esc(labels[i]))
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#5b6470"/>`, padL, padT+ph, padL+pw, padT+ph)
}

// slotX is the centre of the i-th of n equal slots across width w.
func slotX(i, n int, w float64) float64 { return w * (float64(i) + 0.5) / float64(n) }

func svgOpen(b *strings.Builder, title string, h float64) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" class="chart" role="img" aria-label="%s"><title>%s</title>`, chartW, h, esc(title), esc(title))
}

// legend lists the series' names under the chart.
func legend(b *strings.Builder, names []string, y float64) float64 {
	x := padL
	for i, n := range names {
		w := 18 + 7*float64(len([]rune(n)))
		if x+w > chartW {
			x, y = padL, y+16
		}
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="10" height="10" fill="%s"/><text x="%.1f" y="%.1f" font-size="11">%s</text>`, x, y-9, color(i), x+14, y, esc(n))
		x += w + 10
	}
	return y
}

func legendHeight(names []string) float64 {
	x, rows := padL, 1.0
	for _, n := range names {
		w := 18 + 7*float64(len([]rune(n)))
		if x+w > chartW {
			x, rows = padL, rows+1
		}
		x += w + 10
	}
	return rows*16 + 4
}

// lineChart draws series over labels on a fixed y range; gaps where values are NaN.
func lineChart(title string, labels []string, ss []series, yMin, yMax float64, yFmt func(float64) string) template.HTML {
	var b strings.Builder
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	lh := legendHeight(names)
	svgOpen(&b, title, chartH+lh)
	axes(&b, labels, yMin, yMax, 4, yFmt)
	pw, ph := chartW-padL-padR, chartH-padT-padB
	for i, s := range ss {
		var pts []string
		flush := func() {
			if len(pts) == 1 {
				xy := strings.Split(pts[0], ",")
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`, xy[0], xy[1], color(i))
			} else if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, color(i), strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		for j, v := range s.Values {
			if math.IsNaN(v) {
				flush()
				continue
			}
			x := padL + slotX(j, len(labels), pw)
			y := padT + ph - ph*(v-yMin)/(yMax-yMin)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		flush()
	}
	legend(&b, names, chartH+4)
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// stackedBars draws one stacked bar per label, a layer per series.
func stackedBars(title string, labels []string, ss []series) template.HTML {
	var b strings.Builder
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	top := 0.0
	for j := range labels {
		sum := 0.0
		for _, s := range ss {
			sum += s.Values[j]
		}
		top = math.Max(top, sum)
	}
	yMax := niceCeil(top)
	lh := legendHeight(names)
	svgOpen(&b, title, chartH+lh)
	axes(&b, labels, 0, yMax, 4, func(v float64) string { return f1(v) })
	pw, ph := chartW-padL-padR, chartH-padT-padB
	bw := pw / float64(len(labels)) * 0.8
	for j, label := range labels {
		y := padT + ph
		x := padL + slotX(j, len(labels), pw) - bw/2
		for i, s := range ss {
			v := s.Values[j]
			if v <= 0 {
				continue
			}
			h := ph * v / yMax
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`, x, y, bw, h, color(i), esc(label), esc(s.Name), f1(v))
		}
	}
	legend(&b, names, chartH+4)
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// bars draws one bar per label with its value above it.
func bars(title string, labels []string, values []float64) template.HTML {
	var b strings.Builder
	top := 0.0
	for _, v := range values {
		top = math.Max(top, v)
	}
	yMax := niceCeil(top)
	svgOpen(&b, title, chartH)
	axes(&b, labels, 0, yMax, 4, func(v float64) string { return f1(v) })
	pw, ph := chartW-padL-padR, chartH-padT-padB
	bw := pw / float64(len(labels)) * 0.7
	for j, v := range values {
		h := ph * v / yMax
		x := padL + slotX(j, len(labels), pw)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`, x-bw/2, padT+ph-h, bw, h, color(0), esc(labels[j]), f1(v))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle">%s</text>`, x, padT+ph-h-3, f1(v))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// sparkline is a small line of values on [lo, hi] for a table cell; NaN is a gap.
func sparkline(title string, values []float64, lo, hi float64) template.HTML {
	const w, h = 160.0, 36.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" class="spark" role="img" aria-label="%s"><title>%s</title>`, w, h, esc(title), esc(title))
	fmt.Fprintf(&b, `<line x1="0" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#d9dde3"/>`, h/2, w, h/2)
	var pts []string
	last := ""
	for i, v := range values {
		if math.IsNaN(v) {
			continue
		}
		x := 2 + (w-4)*float64(i)/math.Max(1, float64(len(values)-1))
		y := h - 2 - (h-4)*(v-lo)/(hi-lo)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		last = fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="2.5" fill="#0b5cad"/>`, x, y)
	}
	if len(pts) > 1 {
		fmt.Fprintf(&b, `<polyline fill="none" stroke="#0b5cad" stroke-width="1.5" points="%s"/>`, strings.Join(pts, " "))
	}
	b.WriteString(last)
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// niceCeil rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceCeil(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if x <= m*p {
			return m * p
		}
	}
	return 10 * p
}
