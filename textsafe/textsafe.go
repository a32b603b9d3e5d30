// Package textsafe makes text from elsewhere (a result file, a remote
// worker's greeting) safe to print: control characters, and the Unicode
// controls that reorder or hide text, become visible escapes, so none
// reaches a terminal, a table, a chart or a page as itself.
package textsafe

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Escape returns s with every control character (C0, DEL, C1, the line
// and paragraph separators), every bidirectional control and every byte
// that is not UTF-8 written as a Go escape (\x1b, \u202e, \xff); anything
// else is unchanged, and text without them is returned as it is.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafe(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == '\\':
			b.WriteString(`\\`) // so an escape in the text cannot pass for one of ours
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafe(r) || r == utf8.RuneError && size == 1 {
			return true
		}
		i += size
	}
	return false
}

// unsafe: a rune that acts on the display instead of showing.
func unsafe(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	case r == 0x061c || r == 0x200e || r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidirectional marks, embeddings, overrides and isolates
	}
	return false
}

// Copy returns a deep copy of v with every string in it escaped: what a
// renderer shows of a value read from elsewhere. Maps, slices, pointers
// and structs are copied; a struct with unexported fields (time.Time) is
// copied whole.
func Copy[T any](v T) T {
	src := reflect.ValueOf(&v).Elem()
	out := reflect.New(src.Type()).Elem()
	copyValue(out, src)
	return out.Interface().(T)
}

func copyValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.String:
		dst.SetString(Escape(src.String()))
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copyValue(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			copyValue(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Array:
		for i := 0; i < src.Len(); i++ {
			copyValue(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(src.Type().Key()).Elem()
			copyValue(k, it.Key())
			e := reflect.New(src.Type().Elem()).Elem()
			copyValue(e, it.Value())
			m.SetMapIndex(k, e)
		}
		dst.Set(m)
	case reflect.Struct:
		t := src.Type()
		for i := 0; i < t.NumField(); i++ {
			if !t.Field(i).IsExported() {
				dst.Set(src) // time.Time and the like: copied whole
				return
			}
		}
		for i := 0; i < t.NumField(); i++ {
			copyValue(dst.Field(i), src.Field(i))
		}
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		copyValue(e, src.Elem())
		dst.Set(e)
	default:
		dst.Set(src)
	}
}

// JSON returns encoded JSON with every rune that Escape would escape and
// encoding/json leaves as itself (DEL, the C1 controls, bidirectional
// controls) written as a \u escape. Such runes can only stand inside JSON
// strings, so the document means exactly what it meant: the escape is
// lossless, and the text is safe to print.
func JSON(b []byte) []byte {
	if !needsEscape(string(b)) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		// A byte that is not UTF-8 becomes U+FFFD, as encoding/json would
		// have written it.
		if unsafe(r) && r >= 0x20 || r == utf8.RuneError && size == 1 {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}
