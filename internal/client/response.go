package client

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Response is an answer with a status below 400, its body read in full.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte

	vendor, method, url string
	redactor            *Redactor
}

// BodyKind is what a response body turns out to be, judged by its bytes
// (servers and proxies do not always label their bodies truthfully).
type BodyKind int

const (
	BodyEmpty BodyKind = iota
	BodyJSON
	BodyXML
	BodyHTML
	BodyOther
)

func (k BodyKind) String() string {
	switch k {
	case BodyEmpty:
		return "an empty body"
	case BodyJSON:
		return "JSON"
	case BodyXML:
		return "XML"
	case BodyHTML:
		return "an HTML page"
	}
	return "a body that is neither JSON nor XML"
}

// SniffBody tells JSON, XML and HTML apart by the first significant bytes.
func SniffBody(body []byte) BodyKind {
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	if len(b) == 0 {
		return BodyEmpty
	}
	switch b[0] {
	case '{', '[':
		return BodyJSON
	case '<':
		head := strings.ToLower(string(b[:min(len(b), 512)]))
		if strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") ||
			strings.Contains(head, "<html") || strings.Contains(head, "<body") || strings.Contains(head, "<head") {
			return BodyHTML
		}
		return BodyXML
	}
	return BodyOther
}

// snippetLen is how many bytes of a body an error quotes; snippetScan how
// many are redacted before the snippet is cut from them.
const (
	snippetLen  = 200
	snippetScan = 64 << 10
)

// snippet returns the first bytes of a body as one line of valid UTF-8.
func snippet(body []byte) string {
	b := bytes.TrimSpace(body)
	cut := len(b) > snippetLen
	if cut {
		b = b[:snippetLen]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	s := strings.Join(strings.Fields(string(b)), " ")
	if cut {
		s += "…"
	}
	return s
}

// DecodeJSON decodes a JSON body into v. A body that is not JSON (an HTML
// page from a proxy, say) or does not decode gives an *APIError that quotes
// the status and the first bytes instead of a bare decoder message.
func (r *Response) DecodeJSON(v any) error {
	if k := SniffBody(r.Body); k != BodyJSON {
		return r.UnexpectedBody("a JSON body", k)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return r.unexpected(fmt.Sprintf("the JSON body does not match the documented format: %v", err), ErrInvalidJSON)
		}
		return r.malformed("JSON", err)
	}
	return nil
}

// DecodeXML decodes an XML body into v, with the same care as DecodeJSON.
func (r *Response) DecodeXML(v any) error {
	if k := SniffBody(r.Body); k != BodyXML {
		return r.UnexpectedBody("an XML body", k)
	}
	d := xml.NewDecoder(bytes.NewReader(r.Body))
	d.CharsetReader = func(charset string, in io.Reader) (io.Reader, error) {
		// Servers label UTF-8 bodies with other names; the bytes are what count.
		return in, nil
	}
	if err := d.Decode(v); err != nil {
		return r.malformed("XML", err)
	}
	return nil
}

// UnexpectedBody returns the error for a body of the wrong kind.
func (r *Response) UnexpectedBody(want string, got BodyKind) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	msg := fmt.Sprintf("expected %s, got %s", want, got)
	if ct != "" {
		msg += fmt.Sprintf(" (Content-Type %s)", ct)
	}
	if got == BodyHTML {
		msg += "; a proxy or a wrong URL answers like this: check the server URL"
	}
	return r.unexpected(msg, nil)
}

func (r *Response) malformed(format string, err error) error {
	return r.unexpected(fmt.Sprintf("the %s body does not match the documented format: %v", format, err), nil)
}

// unexpected is an error about a body that is not what the API documents:
// its first bytes are always shown.
func (r *Response) unexpected(message string, kind error) *APIError {
	e := r.Error(message, kind)
	e.ShowBody = true
	return e
}

// Error builds an *APIError about this response; kind is the sentinel it
// should match (nil for none).
func (r *Response) Error(message string, kind error) *APIError {
	return &APIError{
		Vendor:     r.vendor,
		Method:     r.method,
		URL:        r.url,
		StatusCode: r.StatusCode,
		Message:    r.redactor.String(message),
		Body:       snippet([]byte(r.redactor.Cut(string(r.Body[:min(len(r.Body), snippetScan)]), snippetScan))),
		Kind:       kind,
	}
}

// QuoteAll quotes each string and joins them with commas, for error messages
// that list names or ids.
func QuoteAll(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
