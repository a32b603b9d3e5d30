package strategies

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/primebench/primebench/workload"
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

func FuzzParseAnswer(f *testing.F) {
	for _, seed := range []string{"A 0 1 2 3 4", "A 1 18446744073709551615 0 0 0", "E something broke", "A 0 1 2 3", "A x 1 2 3 4", "A 0 1 2 3 4 5"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		index, a, err := ParseAnswer(line)
		if err != nil {
			return
		}
		encoded := AppendAnswer(nil, index, a)
		i2, a2, err := ParseAnswer(bytes.TrimSuffix(encoded, []byte("\n")))
		if err != nil || i2 != index || a2 != a {
			t.Fatalf("round trip of %q: %d %+v %v", line, i2, a2, err)
		}
		_ = workload.Answer{}
	})
}
