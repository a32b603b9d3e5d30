package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// LoadError is a file that cannot be used as a result file. Its message is
// one line naming the file and the problem.
type LoadError struct {
	Path string
	Msg  string
}

func (e *LoadError) Error() string { return e.Path + ": " + e.Msg }

// Encode writes f as indented JSON.
func Encode(w io.Writer, f *File) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// WriteFile writes f to path atomically: into a temporary file in the same
// directory, synced, then renamed over path. A reader never sees a partial
// file, and a failed write leaves nothing behind.
func WriteFile(path string, f *File) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, errors.Unwrap(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = Encode(tmp, f); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// DefaultName is the file name --save uses: the machine's label, the
// workload and the time, safe on every file system.
func DefaultName(f *File) string {
	return fmt.Sprintf("%s_%s_%s.json", FileSafe(f.Machine.Name()), FileSafe(strings.ReplaceAll(f.Workload.Spec, ":", "-")), f.CreatedAt.UTC().Format("20060102-150405"))
}

// FileSafe keeps letters, digits, '-' and '.', and turns anything else into
// '_', so a label or workload spec can be part of a file name anywhere.
func FileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// Load reads and checks a result file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &LoadError{Path: path, Msg: "cannot read: " + err.Error()}
	}
	f, err := Decode(data)
	if err != nil {
		return nil, &LoadError{Path: path, Msg: err.Error()}
	}
	return f, nil
}

// Decode parses and checks a result file's bytes.
func Decode(data []byte) (*File, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty file: not a primebench result file")
	}
	var probe struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) && syntax.Offset >= int64(len(bytes.TrimSpace(data))) {
			return nil, errors.New("truncated JSON: the file ends early (was the run interrupted while it was copied?)")
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errors.New("truncated JSON: the file ends early")
		}
		return nil, fmt.Errorf("not a primebench result file: %v", err)
	}
	switch {
	case probe.SchemaVersion == nil:
		return nil, errors.New("not a primebench result file: it has no schema_version")
	case *probe.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("schema version %d is newer than this primebench reads (%d): upgrade primebench to read it", *probe.SchemaVersion, SchemaVersion)
	case *probe.SchemaVersion < 1:
		return nil, fmt.Errorf("unknown schema version %d: not a file primebench wrote", *probe.SchemaVersion)
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("schema version %d file does not fit the format: %v", f.SchemaVersion, err)
	}
	if err := validate(&f); err != nil {
		return nil, err
	}
	return &f, nil
}

func validate(f *File) error {
	if f.Workload.Spec == "" || f.Workload.Numbers == 0 {
		return errors.New("missing workload: the file records no workload spec or numbers")
	}
	if f.Machine.LogicalCPUs < 1 {
		return errors.New("missing machine description: logical_cpus must be at least 1")
	}
	if len(f.Strategies) == 0 {
		return errors.New("no strategies: the file holds no measurements")
	}
	for _, s := range f.Strategies {
		if s.Name == "" || s.Workers < 1 {
			return fmt.Errorf("strategy %q has no name or a worker count below 1", s.Name)
		}
		if len(s.Runs) == 0 {
			return fmt.Errorf("strategy %s workers=%d has no runs", s.Name, s.Workers)
		}
		for i, r := range s.Runs {
			for _, v := range []float64{r.WallSeconds, r.CPUSeconds, r.UserSeconds, r.SystemSeconds, r.StartupSeconds} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					return fmt.Errorf("strategy %s workers=%d run %d has an invalid figure %v", s.Name, s.Workers, i+1, v)
				}
			}
			if tl := r.CoreTimeline; tl != nil {
				if math.IsNaN(tl.IntervalSeconds) || tl.IntervalSeconds <= 0 {
					return fmt.Errorf("strategy %s workers=%d run %d has a timeline interval of %v", s.Name, s.Workers, i+1, tl.IntervalSeconds)
				}
				for _, smp := range tl.Samples {
					if len(smp.Busy) != f.Machine.LogicalCPUs {
						return fmt.Errorf("strategy %s workers=%d run %d has a timeline sample for %d CPUs, the machine has %d", s.Name, s.Workers, i+1, len(smp.Busy), f.Machine.LogicalCPUs)
					}
				}
			}
			if r.WallSeconds == 0 {
				return fmt.Errorf("strategy %s workers=%d run %d has a wall time of zero", s.Name, s.Workers, i+1)
			}
		}
	}
	return nil
}
