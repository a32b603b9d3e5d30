package workload

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// SpecError is a workload spec that cannot be used. Its message is one line
// saying what is wrong and how to fix it.
type SpecError struct{ Msg string }

func (e *SpecError) Error() string { return e.Msg }

func specErrorf(format string, args ...any) error {
	return &SpecError{Msg: fmt.Sprintf(format, args...)}
}

// Parse builds the workload a spec names:
//
//	range:LO-HI   every integer from LO to HI inclusive (decimal uint64)
//	list:PATH     one integer per line, blank lines and # comments allowed; - reads stdin
//	preset:NAME   a named workload, see Presets
//
// stdin is read only for list:-.
func Parse(spec string, stdin io.Reader) (*Workload, error) {
	kind, arg, ok := strings.Cut(spec, ":")
	if !ok {
		return nil, specErrorf("workload %q has no kind: use range:LO-HI, list:PATH or preset:NAME", spec)
	}
	switch kind {
	case "range":
		return parseRange(spec, arg)
	case "list":
		return parseListSpec(spec, arg, stdin)
	case "preset":
		p, ok := LookupPreset(arg)
		if !ok {
			return nil, specErrorf("unknown preset %q: choose one of %s", arg, strings.Join(PresetNames(), ", "))
		}
		return p.build(spec), nil
	default:
		return nil, specErrorf("unknown workload kind %q in %q: use range:LO-HI, list:PATH or preset:NAME", kind, spec)
	}
}

func parseRange(spec, arg string) (*Workload, error) {
	loText, hiText, ok := strings.Cut(arg, "-")
	if !ok {
		return nil, specErrorf("range %q needs two bounds: write range:LO-HI, for example range:1000-2000", spec)
	}
	lo, err := parseNumber(loText)
	if err != nil {
		return nil, specErrorf("range %q: LO %v", spec, err)
	}
	hi, err := parseNumber(hiText)
	if err != nil {
		return nil, specErrorf("range %q: HI %v", spec, err)
	}
	w, err := NewRange(spec, lo, hi)
	if err != nil {
		return nil, &SpecError{Msg: err.Error()}
	}
	return w, nil
}

// parseNumber accepts plain decimal digits only: no sign, no spaces, no
// underscores, no 0x, so that a spec means the same thing everywhere.
func parseNumber(text string) (uint64, error) {
	if text == "" {
		return 0, errors.New("is empty: give a decimal integer")
	}
	for _, r := range text {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q is not a decimal integer: use digits only", text)
		}
	}
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is larger than the largest 64-bit unsigned integer 18446744073709551615", text)
	}
	return n, nil
}

func parseListSpec(spec, path string, stdin io.Reader) (*Workload, error) {
	if path == "" {
		return nil, specErrorf("workload %q names no file: write list:PATH, or list:- for stdin", spec)
	}
	var r io.Reader = stdin
	name := "stdin"
	if path != "-" {
		info, err := os.Stat(path)
		if err != nil {
			return nil, specErrorf("cannot read list file %s: %v", path, unwrapPathError(err))
		}
		if info.IsDir() {
			return nil, specErrorf("list file %s is a directory: name a file with one number per line", path)
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, specErrorf("cannot read list file %s: %v", path, unwrapPathError(err))
		}
		defer f.Close()
		r, name = f, path
	}
	numbers, err := ReadList(r, name)
	if err != nil {
		return nil, err
	}
	if len(numbers) == 0 {
		return nil, specErrorf("list file %s holds no numbers: write one decimal integer per line", name)
	}
	return NewList(spec, numbers)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// MaxListLine bounds one line of a list file; a longer line is an error, not
// an unbounded allocation.
const MaxListLine = 4096

// MaxListNumbers bounds how many numbers a list may hold: 512 MiB of them,
// and days of trial division. Without a bound, endless input (yes 7 |
// primebench run --workload list:-) would be read until memory ran out.
const MaxListNumbers = 1 << 26

// ReadList reads one decimal integer per line. Blank lines and lines starting
// with # are skipped, and so is anything after a # on a number's line.
// Surrounding spaces are trimmed. name is used in error messages.
func ReadList(r io.Reader, name string) ([]uint64, error) {
	return readList(r, name, MaxListNumbers)
}

func readList(r io.Reader, name string, most int) ([]uint64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), MaxListLine)
	var numbers []uint64
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		n, err := parseNumber(text)
		if err != nil {
			return nil, specErrorf("%s line %d: %v", name, line, err)
		}
		if len(numbers) == most {
			return nil, specErrorf("%s holds more than %d numbers (line %d): shorten it, or use range:LO-HI for consecutive numbers", name, most, line)
		}
		numbers = append(numbers, n)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, specErrorf("%s line %d: longer than %d bytes: write one number per line", name, line+1, MaxListLine)
		}
		return nil, specErrorf("cannot read %s: %v", name, err)
	}
	return numbers, nil
}
