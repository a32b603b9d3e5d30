package results

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
)

// Bounds on any figure of a result file. Every figure primebench records is
// a time, a count, a share or a rate, none negative; MaxFigure is beyond
// any of them (a year is 3e7 seconds), so a larger one is not a
// measurement, and with every figure under it no sum or ratio overflows.
const (
	MaxFigure = 1e12
	// MinRunSeconds: a run shorter than a microsecond measured nothing;
	// dividing by it would give absurd rates.
	MinRunSeconds = 1e-6
)

// shares are the fields that are fractions of a CPU's time.
var shares = map[string]bool{"core_busy": true, "core_steal": true, "busy": true, "busy_before": true}

// checkFigures walks v (a File, then its parts) and refuses the first
// figure out of range, naming its field as a path ("strategies[1].runs[0].
// wall_seconds"). With input set it checks what was read: every number
// finite, not negative and at most MaxFigure, shares at most 1, wall times
// at least MinRunSeconds; the summaries are skipped, since Summarise
// recomputes them. Without it, it checks that every figure (summaries
// included) is finite.
func checkFigures(v reflect.Value, path string, input bool) error {
	name := path[strings.LastIndex(path, ".")+1:]
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkFigures(v.Elem(), path, input)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("json"), ",")[0]
			if !f.IsExported() || tag == "-" {
				continue
			}
			if tag == "" {
				tag = f.Name
			}
			if input && tag == "summary" {
				continue
			}
			sub := tag
			if path != "" {
				sub = path + "." + tag
			}
			if err := checkFigures(v.Field(i), sub, input); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := checkFigures(v.Index(i), fmt.Sprintf("%s[%d]", path, i), input); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			if err := checkFigures(v.MapIndex(k), fmt.Sprintf("%s[%q]", path, k.String()), input); err != nil {
				return err
			}
		}
	case reflect.Float64, reflect.Float32:
		x := v.Float()
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			return fmt.Errorf("%s is %v: not a figure", path, x)
		case !input:
		case x < 0 || x > MaxFigure:
			return fmt.Errorf("%s is %v: out of range (0 to %g)", path, x, float64(MaxFigure))
		case shares[name] && x > 1+1e-9:
			return fmt.Errorf("%s is %v: a share of a CPU's time is at most 1", path, x)
		case name == "wall_seconds" && x < MinRunSeconds:
			return fmt.Errorf("%s is %v: a run shorter than %g s measured nothing", path, x, MinRunSeconds)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if input && v.Int() < 0 {
			return fmt.Errorf("%s is %d: out of range (a count, not negative)", path, v.Int())
		}
	}
	return nil
}
