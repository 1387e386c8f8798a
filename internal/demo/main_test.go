package main

import (
	"strings"
	"testing"
)

// The go command's progress shows under the demo's headings, indented,
// however its writes split the lines.
func TestIndented(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	w := &indented{w: &b, start: true}
	for _, part := range []string{"go: downloading github.com/x/y v1.0.0\ngithub.com/x/", "y\n", "main\n"} {
		if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
			t.Fatalf("Write(%q) = %d, %v", part, n, err)
		}
	}
	want := "    go: downloading github.com/x/y v1.0.0\n    github.com/x/y\n    main\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}
