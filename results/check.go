package results

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
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
	c := &checker{input: input}
	if path != "" {
		c.path = append(c.path, path)
	}
	return c.walk(v, path)
}

// checker walks a value, keeping the path to where it is as a stack of
// parts, joined only when there is an error to name: a file of thousands
// of runs is checked without formatting a path for each figure.
type checker struct {
	input bool
	path  []string // "strategies", "[1]", "runs", ...
}

func (c *checker) where() string {
	var b strings.Builder
	for i, p := range c.path {
		if i > 0 && !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// walk checks v, the value of the field called name (its JSON name, for
// the rules that concern one field).
func (c *checker) walk(v reflect.Value, name string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return c.walk(v.Elem(), name)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := jsonName(f)
			if !f.IsExported() || tag == "-" || (c.input && tag == "summary") {
				continue
			}
			c.path = append(c.path, tag)
			err := c.walk(v.Field(i), tag)
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Float64 {
			// The common case (per-core shares, lags): no path per element
			// unless one is wrong.
			for i := 0; i < v.Len(); i++ {
				if msg := c.badFloat(v.Index(i).Float(), name); msg != "" {
					c.path = append(c.path, "["+strconv.Itoa(i)+"]")
					return fmt.Errorf("%s is %v: %s", c.where(), v.Index(i).Float(), msg)
				}
			}
			return nil
		}
		for i := 0; i < v.Len(); i++ {
			c.path = append(c.path, "["+strconv.Itoa(i)+"]")
			err := c.walk(v.Index(i), name)
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			c.path = append(c.path, "["+strconv.Quote(k.String())+"]")
			err := c.walk(v.MapIndex(k), name)
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				return err
			}
		}
	case reflect.Float64, reflect.Float32:
		if msg := c.badFloat(v.Float(), name); msg != "" {
			return fmt.Errorf("%s is %v: %s", c.where(), v.Float(), msg)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if c.input && v.Int() < 0 {
			return fmt.Errorf("%s is %d: out of range (a count, not negative)", c.where(), v.Int())
		}
	}
	return nil
}

// badFloat says what is wrong with x as the value of field name, or "".
func (c *checker) badFloat(x float64, name string) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "not a figure"
	case !c.input:
	case x < 0 || x > MaxFigure:
		return fmt.Sprintf("out of range (0 to %g)", float64(MaxFigure))
	case shares[name] && x > 1+1e-9:
		return "a share of a CPU's time is at most 1"
	case name == "wall_seconds" && x < MinRunSeconds:
		return fmt.Sprintf("a run shorter than %g s measured nothing", MinRunSeconds)
	}
	return ""
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if i := strings.IndexByte(tag, ','); i >= 0 {
		tag = tag[:i]
	}
	if tag == "" {
		return f.Name
	}
	return tag
}
