package protocol

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseRequest: the decoder never panics or allocates past its bounds,
// and what it accepts encodes back to the same chunk.
func FuzzParseRequest(f *testing.F) {
	for _, seed := range []string{"R 0 1 10", "L 3 7 11 13", "R 1 10 1", "L 0", "X 1 2 3", "R 99999999999 1 2",
		"R 0 18446744073709551615 18446744073709551615", "L 1 18446744073709551616", "R 0  1 2", "R 0 +1 2"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		c, err := ParseRequest(line)
		if err != nil {
			return
		}
		if c.Len() == 0 || (c.IsRange() && c.First > c.Last) || len(c.Numbers) > MaxListChunk {
			t.Fatalf("accepted an invalid chunk %+v from %q", c, line)
		}
		encoded := AppendRequest(nil, c)
		again, err := ParseRequest(bytes.TrimSuffix(encoded, []byte("\n")))
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", line, again, err, c)
		}
	})
}

// FuzzParseAnswer: every reply the decoder accepts encodes back to itself.
func FuzzParseAnswer(f *testing.F) {
	for _, seed := range []string{"A 0 1 2 3 4", "A 1 18446744073709551615 0 0 0", "E something broke", "A 0 1 2 3", "A x 1 2 3 4",
		"A 0 1 2 3 4 5", "A 0 1 2 3 4 0", "T 1 2 3", "T", "B 10 20", "B 10 20 1", "B 10 20 2", "B 1", "T 99999999999999", "S 5 6", "S", "S 1",
		"S 5 6 1", "P 60000 2", "P 1", "P 60000 2 101 102", "P 60000 1 101 102",
		// Found by the fuzzer: a pinned worker's line had no encoding.
		"K 0 0", "K 3 1,5", "K 1", "K 0 1,"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := ParseReply(line)
		if err != nil {
			return
		}
		encoded := AppendReply(nil, r)
		if len(encoded) == 0 {
			t.Fatalf("accepted %q as kind %d", line, r.Kind)
		}
		again, err := ParseReply(bytes.TrimSuffix(encoded, []byte("\n")))
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", line, again, err, r)
		}
	})
}

// FuzzParseGreeting: greetings never panic the parent, and what is
// accepted encodes back to the same greeting.
func FuzzParseGreeting(f *testing.F) {
	for _, seed := range []string{
		"primebench-worker 3 arch=amd64 cpus=2 host=vm impl=go os=linux pid=12 release=0.2.0",
		"primebench-worker 2", "primebench-worker 3 cpus=0 pid=1", "primebench-worker 3 pid=1 cpus=1.5 host=a%20b",
		"primebench-worker 3 pid=1 cpus=1 python=3.11.7 build=gil switch_us=5000", "hello",
		// Found by the fuzzer: non-ASCII bytes that escape to three times
		// their length, past the line limit.
		"primebench-worker 3 cpus=1 pid=0 host=" + strings.Repeat("\x86", 1400)} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		g, err := ParseGreeting(line)
		if err != nil {
			return
		}
		again, err := ParseGreeting(bytes.TrimSuffix(AppendGreeting(nil, g), []byte("\n")))
		if err != nil || !reflect.DeepEqual(again, g) {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", line, again, err, g)
		}
	})
}
