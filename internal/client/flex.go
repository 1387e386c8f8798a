package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// FlexString decodes a JSON string, number or boolean as its text, and null
// as "": vendors are not consistent about quoting ids and counts.
type FlexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
	case bytes.Equal(b, []byte("true")) || bytes.Equal(b, []byte("false")):
		*f = FlexString(b)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or a number, got %s", snippet(b))
		}
		*f = FlexString(n.String())
	}
	return nil
}

// Int parses the value as a whole number; "" is (0, true).
func (f FlexString) Int() (int64, bool) {
	s := strings.TrimSpace(string(f))
	if s == "" {
		return 0, true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil && x == float64(int64(x)) {
		return int64(x), true
	}
	return 0, false
}

// Bool parses true/false, yes/no, 1/0; ok is false for anything else.
func (f FlexString) Bool() (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(string(f))) {
	case "true", "yes", "1":
		return true, true
	case "false", "no", "0":
		return false, true
	}
	return false, false
}
