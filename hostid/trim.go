package hostid

import "strings"

func trim(s string) string { return strings.TrimSpace(strings.TrimRight(s, "\x00")) }

// firstOf returns the first source that reads to something non-empty.
func firstOf(read func(string) ([]byte, error), paths []string) string {
	for _, p := range paths {
		if b, err := read(p); err == nil {
			if s := trim(string(b)); s != "" {
				return s
			}
		}
	}
	return ""
}
