package chart

import (
	"image/color"

	"github.com/primebench/primebench/results"
)

// palette gives each strategy of the charted files one colour, from what
// the files record of them: the emulations (results.FamilyGo) take the
// palette's colours in the order the files list them, and each lane of
// another family a lighter tint of its counterpart's colour, so a pair
// reads as one hue; a lane whose counterpart is absent takes a colour of
// its own.
type palette struct {
	colours map[string]color.Color
}

func newPalette(inputs []Input) palette {
	p := palette{colours: map[string]color.Color{}}
	next := 0
	take := func() color.Color {
		c := Colour(next)
		next++
		return c
	}
	var others []results.Strategy
	for _, in := range inputs {
		for _, s := range in.File.Strategies {
			if _, ok := p.colours[s.Name]; ok {
				continue
			}
			if s.Family != results.FamilyGo {
				others = append(others, s)
				p.colours[s.Name] = nil // placed below
				continue
			}
			p.colours[s.Name] = take()
		}
	}
	for _, s := range others {
		if c, ok := p.colours[s.Counterpart]; ok && c != nil {
			p.colours[s.Name] = tint(c)
		} else {
			p.colours[s.Name] = take()
		}
	}
	return p
}

func (p palette) of(s results.Strategy) color.Color { return p.named(s.Name) }

// A lane run with several start methods keeps its strategy's colour in
// every row: the rows differ by their labels.

func (p palette) named(name string) color.Color {
	if c := p.colours[name]; c != nil {
		return c
	}
	return color.Gray{Y: 128}
}

// tint mixes c halfway with white.
func tint(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8 + 255) / 2) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 255}
}

// colours are twenty distinguishable colours (the "tab20" set, dark shades
// first): enough for every row of a grouped chart to have its own.
var colours = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255},
	{140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255},
	{174, 199, 232, 255}, {255, 187, 120, 255}, {152, 223, 138, 255}, {255, 152, 150, 255}, {197, 176, 213, 255},
	{196, 156, 148, 255}, {247, 182, 210, 255}, {199, 199, 199, 255}, {219, 219, 141, 255}, {158, 218, 229, 255},
}

// Colour is the i-th colour of the charts' palette.
func Colour(i int) color.Color { return colours[i%len(colours)] }
