package results

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"

	"github.com/primebench/primebench/figure"
	"github.com/primebench/primebench/textsafe"
	"github.com/primebench/primebench/version"
)

// LoadError is a file that cannot be used as a result file. Its message is
// one line naming the file and the problem.
type LoadError struct {
	Path string
	Msg  string
}

func (e *LoadError) Error() string { return e.Path + ": " + e.Msg }

// Encode writes f as indented JSON.
//
// Text from elsewhere in it (a label, a remote host's name) keeps every
// character, and those that act on a terminal are written as \u escapes,
// so the file can be printed safely.
func Encode(w io.Writer, f *File) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(textsafe.JSON(b), '\n'))
	return err
}

// WriteFile writes f to path atomically (see WriteAtomic).
func WriteFile(ctx context.Context, path string, f *File) error {
	return WriteAtomic(ctx, path, func(w io.Writer) error { return Encode(w, f) })
}

// WriteAtomic writes what write produces to path atomically: into a
// temporary file in the same directory, synced, then renamed over path. A
// reader never sees a partial file, and a failed write leaves nothing
// behind. The file is readable by all (0644, whatever the umask), so that
// what one account saved another can load.
//
// It checks ctx before the rename: a run stopped while its file was being
// written leaves no file.
func WriteAtomic(ctx context.Context, path string, write func(io.Writer) error) (err error) {
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
	if err = write(tmp); err != nil {
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
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// MkdirAll makes dir and whatever of its parents is missing, each made
// 0755 whatever the umask: under umask 0777 (or 0277) os.MkdirAll alone
// leaves a directory no one can save into, so the file written next would
// fail, or a file saved there could not be loaded by another account.
// Directories that exist are left as they are.
func MkdirAll(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case err == nil && info.IsDir():
		return nil
	case err == nil:
		return &os.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := MkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return os.Chmod(dir, 0o755)
}

// PageName is where --save puts the HTML page of a result file saved at
// path: beside it, .json replaced by .html.
func PageName(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".html"
}

// DefaultName is the file name --save uses: the machine's label, the
// workload and the time, safe on every file system and short enough for
// all of them (see NamePart).
func DefaultName(f *File) string {
	return fmt.Sprintf("%s_%s_%s.json", NamePart(f.Machine.Name(), 64), NamePart(strings.ReplaceAll(f.Workload.Spec, ":", "-"), 64), f.CreatedAt.UTC().Format("20060102-150405"))
}

// NamePart is s made FileSafe and at most most bytes long: a longer one
// keeps its start and ends in a hash of the whole, so that two long labels
// stay apart. File systems refuse names over 255 bytes, and a name made of
// a label, a workload and a suffix must stay well below that, temporary
// name included, or a run's file could not be saved after the run.
func NamePart(s string, most int) string {
	safe := FileSafe(s)
	if len(safe) <= most {
		return safe
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	tag := fmt.Sprintf("-%08x", h.Sum32())
	return safe[:max(most-len(tag), 0)] + tag
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

// MaxWorkers bounds a strategy's worker count in a file: far above what
// primebench runs (--workers allows 1024), so that a later version may run
// more, and low enough that nothing derived from it overflows.
const MaxWorkers = 1 << 20

// MaxFileBytes bounds a result file: far above what a run writes (a
// 192-CPU machine's per-core timelines over a long scan come to tens of MB),
// and low enough that loading one never takes unbounded memory.
const MaxFileBytes = 256 << 20

// Load reads and checks a result file, refusing one larger than
// MaxFileBytes before reading it.
func Load(path string) (*File, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, readError(path, err)
	}
	defer file.Close()
	if info, err := file.Stat(); err == nil && info.Mode().IsRegular() && info.Size() > MaxFileBytes {
		return nil, tooBig(path)
	}
	return Read(path, file)
}

// Open loads the result file at path, or reads one from stdin for "-",
// and returns the name it goes by: its path, or for standard input the
// name --save would give it.
func Open(path string, stdin io.Reader) (*File, string, error) {
	if path != "-" {
		f, err := Load(path)
		return f, path, err
	}
	f, err := Read("standard input", stdin)
	if err != nil {
		return nil, "", err
	}
	return f, DefaultName(f), nil
}

// Read reads and checks a result file from r (standard input, say), named
// name in errors, reading at most MaxFileBytes of it.
func Read(name string, r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, readError(name, err)
	}
	if len(data) > MaxFileBytes {
		return nil, tooBig(name)
	}
	f, err := Decode(data)
	if err != nil {
		return nil, &LoadError{Path: name, Msg: err.Error()}
	}
	return f, nil
}

// readError names the file once: the OS's error without its own copy of
// the path.
func readError(name string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &LoadError{Path: name, Msg: "cannot read: " + err.Error()}
}

func tooBig(name string) error {
	return &LoadError{Path: name, Msg: fmt.Sprintf("larger than the %d MiB a result file may be: not a primebench result file", MaxFileBytes>>20)}
}

// Decode parses and checks a result file's bytes, upgrading older versions.
func Decode(data []byte) (*File, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty file: not a primebench result file")
	}
	// A file of this version decodes in one pass; only one that does not
	// is read again, for what its version calls for or to say what it is.
	var f File
	if err := json.Unmarshal(data, &f); err == nil && f.SchemaVersion == SchemaVersion {
		return finish(&f, SchemaVersion, data)
	}
	var probe struct {
		SchemaVersion *int `json:"schema_version"`
		Machine       struct {
			Version string `json:"primebench_version"`
			Commit  string `json:"primebench_commit"`
		} `json:"machine"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) && syntax.Offset >= int64(len(bytes.TrimSpace(data))) {
			return nil, errors.New("truncated JSON: the file ends early (was the run interrupted while it was copied?)")
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errors.New("truncated JSON: the file ends early")
		}
		return nil, fmt.Errorf("not a primebench result file: %s", describeJSONError(err))
	}
	switch {
	case probe.SchemaVersion == nil:
		return nil, errors.New("not a primebench result file: it has no schema_version")
	case *probe.SchemaVersion > SchemaVersion:
		writer := "a newer primebench"
		if v := probe.Machine.Version; v != "" {
			writer = "primebench " + v
			if c := probe.Machine.Commit; c != "" {
				writer += " (commit " + c + ")"
			}
		}
		return nil, fmt.Errorf("schema version %d, written by %s, is newer than this primebench (%s) reads (up to %d): upgrade primebench to read it", *probe.SchemaVersion, textsafe.Escape(writer), version.Version, SchemaVersion)
	case *probe.SchemaVersion < 1:
		return nil, fmt.Errorf("unknown schema version %d: not a file primebench wrote", *probe.SchemaVersion)
	}
	version := *probe.SchemaVersion
	if version == 1 {
		var err error
		if data, err = dropV1Summaries(data); err != nil {
			return nil, fmt.Errorf("schema version 1 file does not fit the format: %v", err)
		}
	}
	f = File{}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("schema version %d file does not fit the format: %s", version, describeJSONError(err))
	}
	return finish(&f, version, data)
}

// finish upgrades a decoded file of version to this one, checks it and
// computes its summaries.
func finish(f *File, version int, data []byte) (*File, error) {
	if version == 1 {
		upgradeV1(f)
	}
	if version < 3 {
		upgradeV2(f)
	}
	if version < 5 {
		if err := upgradeV4(data, f); err != nil {
			return nil, fmt.Errorf("schema version %d file does not fit the format: %s", version, describeJSONError(err))
		}
	}
	if version < 6 {
		f.Settings.MeasuredIn = MeasuredInOf(f)
	}
	// Upgraded, it is a file of this version: written out again (report
	// --format json), it says so, and holds every field this version does.
	f.SchemaVersion = SchemaVersion
	if err := checkFigures(reflect.ValueOf(f), "", true); err != nil {
		return nil, err
	}
	if err := validate(f); err != nil {
		return nil, err
	}
	Summarise(f)
	// What is derived from figures in range is too; this catches a rule
	// the checks above miss before anything prints an infinity.
	if err := checkFigures(reflect.ValueOf(f), "", false); err != nil {
		return nil, fmt.Errorf("its figures derive an unusable one (%v): not a file primebench wrote", err)
	}
	return f, nil
}

// describeJSONError says what encoding/json found wrong in the file's
// terms, a field and the kind of value, rather than in the Go types the
// decoder was filling, which mean nothing to whoever holds the file.
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		return err.Error()
	}
	want := "a " + typeErr.Type.Kind().String()
	switch k := typeErr.Type.Kind(); {
	case k == reflect.Struct || k == reflect.Map:
		want = "an object"
	case k == reflect.Slice || k == reflect.Array:
		want = "a list"
	case k >= reflect.Int && k <= reflect.Float64: // every integer and float kind
		want = "a number in range"
	case k == reflect.Bool:
		want = "true or false"
	}
	got := typeErr.Value
	switch {
	case got == "array":
		got = "a list"
	case got == "object":
		got = "an object"
	case strings.HasPrefix(got, "number"):
		got = "the " + got
	default:
		got = "a " + got
	}
	where := "the file"
	if typeErr.Field != "" {
		where = textsafe.Escape(typeErr.Field)
	}
	return fmt.Sprintf("%s holds %s where %s belongs (at byte %d)", where, textsafe.Escape(got), want, typeErr.Offset)
}

// dropV1Summaries removes version 1's summaries, whose warnings were
// sentences rather than data: they are derived and recomputed anyway.
func dropV1Summaries(data []byte) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var strategies []map[string]json.RawMessage
	if raw, ok := doc["strategies"]; ok {
		if err := json.Unmarshal(raw, &strategies); err != nil {
			return nil, err
		}
	}
	for _, s := range strategies {
		delete(s, "summary")
	}
	raw, err := json.Marshal(strategies)
	if err != nil {
		return nil, err
	}
	doc["strategies"] = raw
	return json.Marshal(doc)
}

// upgradeV1 fills what version 1 did not record. It knew only the logical
// CPU count and measured per-core figures for CPUs 0..n-1 of the whole
// machine (under taskset it recorded the mask's size as logical_cpus but
// figures for every CPU); its cores field was 1 exactly for the single-core
// models.
func upgradeV1(f *File) {
	m := &f.Machine
	n := m.LogicalCPUs
	for _, s := range f.Strategies {
		for _, r := range s.Runs {
			n = max(n, len(r.CoreBusy))
		}
	}
	m.CPUIDs = make([]int, n)
	for i := range m.CPUIDs {
		m.CPUIDs[i] = i
	}
	m.AffinityCPUs = m.LogicalCPUs
	m.EffectiveCPUs = float64(m.LogicalCPUs)
	m.LogicalCPUs = max(m.LogicalCPUs, n)
	for i := range f.Strategies {
		s := &f.Strategies[i]
		s.SingleCore = s.Cores == 1
		for _, r := range s.Runs {
			m.PerCore = m.PerCore || len(r.CoreBusy) > 0
		}
	}
}

func validate(f *File) error {
	if f.Workload.Spec == "" || f.Workload.Numbers == 0 {
		return errors.New("missing workload: the file records no workload spec or numbers")
	}
	m := f.Machine
	if m.LogicalCPUs < 1 || len(m.CPUIDs) < 1 {
		return errors.New("missing machine description: logical_cpus and cpu_ids must name at least one CPU")
	}
	if math.IsNaN(m.EffectiveCPUs) || m.EffectiveCPUs <= 0 || m.EffectiveCPUs > float64(len(m.CPUIDs))+1e-9 {
		return fmt.Errorf("machine effective_cpus %v is not between 0 and its %d usable CPUs", m.EffectiveCPUs, len(m.CPUIDs))
	}
	if len(f.Strategies) == 0 {
		return errors.New("no strategies: the file holds no measurements")
	}
	for i, d := range f.Figures {
		if err := d.Check(); err != nil {
			return fmt.Errorf("figures[%d]: %v", i, err)
		}
		if _, dup := figure.Find(f.Figures[:i], d.Name); dup {
			return fmt.Errorf("figures[%d]: figure %s is declared twice", i, d.Name)
		}
	}
	cpus := len(m.CPUIDs)
	type row struct {
		label   string
		workers int
	}
	rows := map[row]bool{}
	for _, s := range f.Strategies {
		if s.Name == "" || s.Workers < 1 {
			return fmt.Errorf("strategy %q has no name or a worker count below 1", s.Name)
		}
		if s.Workers > MaxWorkers {
			return fmt.Errorf("strategy %s has %d workers, more than the %d a run may have: not a file primebench wrote", s.Name, s.Workers, MaxWorkers)
		}
		if r := (row{s.Label(), s.Workers}); rows[r] {
			return fmt.Errorf("strategy %s workers=%d appears twice: a run measures each once, so its figures could not be told apart", s.Label(), s.Workers)
		} else {
			rows[r] = true
		}
		if s.Family == "" || s.Baseline == "" {
			return fmt.Errorf("strategy %s workers=%d has no family or baseline: schema %d files record both", s.Name, s.Workers, SchemaVersion)
		}
		if len(s.Runs) == 0 {
			return fmt.Errorf("strategy %s workers=%d has no runs", s.Name, s.Workers)
		}
		for _, p := range s.Placement {
			if p.Workers < 1 || !(p.CPUs > 0) {
				return fmt.Errorf("strategy %s workers=%d has a placement with %d workers on %v CPUs", s.Name, s.Workers, p.Workers, p.CPUs)
			}
		}
		if s.Scaling != "" && s.Scaling != WeakScaling {
			return fmt.Errorf("strategy %s workers=%d has scaling %q, which this primebench does not know: upgrade primebench to read it", s.Name, s.Workers, textsafe.Escape(s.Scaling))
		}
		if (s.ChunkSize > 0) != (s.Chunks > 0) {
			return fmt.Errorf("strategy %s workers=%d has chunk_size %d and chunks %d: a row's own plan needs both", s.Name, s.Workers, s.ChunkSize, s.Chunks)
		}
		for i, r := range s.Runs {
			where := fmt.Sprintf("strategy %s workers=%d run %d", s.Name, s.Workers, i+1)
			for name := range r.Figures {
				if _, ok := figure.Find(f.Figures, name); !ok {
					return fmt.Errorf("%s has figure %q, which the file's figures do not declare", where, textsafe.Escape(name))
				}
			}
			if r.WallSeconds <= 0 || math.IsNaN(r.WallSeconds) || math.IsInf(r.WallSeconds, 0) {
				return fmt.Errorf("%s has a wall time of %v", where, r.WallSeconds)
			}
			for _, v := range []*float64{r.CPUSeconds, r.UserSeconds, r.SystemSeconds} {
				if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0) || *v < 0) {
					return fmt.Errorf("%s has an invalid CPU time %v", where, *v)
				}
			}
			if math.IsNaN(r.StartupSeconds) || r.StartupSeconds < 0 {
				return fmt.Errorf("%s has an invalid start-up time %v", where, r.StartupSeconds)
			}
			for _, per := range [][]float64{r.CoreBusy, r.CoreSteal} {
				if len(per) != 0 && len(per) != cpus {
					return fmt.Errorf("%s has per-core figures for %d CPUs, cpu_ids names %d", where, len(per), cpus)
				}
			}
			if err := checkTimeline(r.CoreTimeline, where, cpus); err != nil {
				return err
			}
		}
		if s.Watched != nil {
			for i, r := range s.Watched.Runs {
				where := fmt.Sprintf("strategy %s workers=%d watch run %d", s.Name, s.Workers, i+1)
				for name := range r.Figures {
					if _, ok := figure.Find(f.Figures, name); !ok {
						return fmt.Errorf("%s has figure %q, which the file's figures do not declare", where, textsafe.Escape(name))
					}
				}
				if r.WallSeconds <= 0 || math.IsNaN(r.WallSeconds) || math.IsInf(r.WallSeconds, 0) {
					return fmt.Errorf("%s has a wall time of %v", where, r.WallSeconds)
				}
				if err := checkTimeline(r.CoreTimeline, where, cpus); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkTimeline checks a run's per-core timeline against the machine's
// CPUs; nil is none.
func checkTimeline(tl *Timeline, where string, cpus int) error {
	if tl == nil {
		return nil
	}
	if math.IsNaN(tl.IntervalSeconds) || tl.IntervalSeconds <= 0 {
		return fmt.Errorf("%s has a timeline interval of %v", where, tl.IntervalSeconds)
	}
	for _, smp := range tl.Samples {
		if len(smp.Busy) != cpus {
			return fmt.Errorf("%s has a timeline sample for %d CPUs, cpu_ids names %d", where, len(smp.Busy), cpus)
		}
	}
	return nil
}

// Slim drops what a comparison of many files never reads (per-core
// timelines and shares, the heartbeat's every wake-up, throttling
// counters), keeping each run's wall time and figures and every summary
// as Load computed it, so that a thousand files take the memory of their
// rows rather than of every sample of every run. Do not Summarise a slim
// file again: what its summaries came from is gone.
func Slim(f *File) {
	for i := range f.Strategies {
		s := &f.Strategies[i]
		for j := range s.Runs {
			r := &s.Runs[j]
			r.CoreBusy, r.CoreSteal, r.CoreTimeline, r.Throttling, r.WorkerStartupSeconds = nil, nil, nil, nil, nil
		}
		if s.Watched != nil {
			for j := range s.Watched.Runs {
				s.Watched.Runs[j].CoreTimeline = nil
			}
		}
		if s.Probe != nil {
			s.Probe = &Probe{IntervalMs: s.Probe.IntervalMs, Chunks: s.Probe.Chunks}
		}
	}
}
