package testworker

import "sync"

var memo struct {
	sync.Mutex
	done map[string]memoEntry
}

type memoEntry struct {
	value any
	err   error
}

// Memo returns what f returned the first time a test of this binary asked
// for key, calling it only then: a look-up every test repeats, such as
// probing an interpreter (it starts python, about a second on a loaded
// machine), is done once per package rather than once per test. Callers
// that hand out a pointer give each test a copy of what it points to.
func Memo[T any](key string, f func() (T, error)) (T, error) {
	memo.Lock()
	defer memo.Unlock()
	if e, ok := memo.done[key]; ok {
		v, _ := e.value.(T)
		return v, e.err
	}
	v, err := f()
	if memo.done == nil {
		memo.done = map[string]memoEntry{}
	}
	memo.done[key] = memoEntry{v, err}
	return v, err
}

// MemoCopy is Memo for a look-up that answers with a pointer: each caller
// gets its own shallow copy, so a test that sets a field sets its own.
func MemoCopy[T any](key string, f func() (*T, error)) (*T, error) {
	p, err := Memo(key, f)
	if p == nil {
		return nil, err
	}
	own := *p
	return &own, err
}
