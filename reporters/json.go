package reporters

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// JSON writes the findings.Report as indented JSON with a trailing newline.
// The format is versioned by findings.SchemaVersion and documented by the
// JSON Schema in docs/schema/findings.schema.json. Lists are sorted and
// never null; map keys are sorted by encoding/json, so output is
// deterministic.
type JSON struct{}

// Write implements Reporter.
//
// The two long lists (findings, exposures) are encoded an element at a
// time on every core and streamed in order, the rest of the report in one
// piece: the bytes are those of encoding the report whole with two-space
// indentation (TestJSONStreamsLikeOneEncode), without holding a copy of a
// report that runs to tens of megabytes, twice (encoded, then indented).
// On an error part of the document may have been written to w already;
// WriteFile, which the CLI uses, then leaves no file.
func (JSON) Write(w io.Writer, r *findings.Report) error {
	p, err := prepare(r)
	if err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	if p.SchemaVersion == "" {
		// The document must say which format it is, even when the caller
		// built the report by hand.
		p.SchemaVersion = findings.SchemaVersion
	}
	head := *p
	head.Findings = []findings.Finding{}
	head.Exposures = []findings.Exposure{}
	// HTML escaping stays on (<, > and & as \u003c...): group names are
	// attacker-controlled and this JSON may be pasted into a web page.
	doc, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		return fmt.Errorf("encode findings JSON: %w", err)
	}
	// A raw newline followed by two spaces and a key only occurs before a
	// top-level member: inside strings newlines are escaped.
	lists := []struct {
		key    string
		n      int
		encode func(i int) ([]byte, error)
	}{
		{"findings", len(p.Findings), func(i int) ([]byte, error) { return json.Marshal(&p.Findings[i]) }},
		{"exposures", len(p.Exposures), func(i int) ([]byte, error) { return json.Marshal(&p.Exposures[i]) }},
	}
	for _, l := range lists {
		marker := []byte("\n  \"" + l.key + "\": []")
		at := bytes.Index(doc, marker)
		if at < 0 {
			return fmt.Errorf("encode findings JSON: no %s member", l.key)
		}
		cut := at + len(marker) - len("[]")
		if _, err := w.Write(doc[:cut]); err != nil {
			return err
		}
		if err := writeArray(w, l.n, l.encode); err != nil {
			return fmt.Errorf("encode findings JSON: %s: %w", l.key, err)
		}
		doc = doc[cut+len("[]"):]
	}
	if _, err := w.Write(doc); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// arrayChunk is how many elements one goroutine encodes at a time.
const arrayChunk = 256

// writeArray writes a JSON array of n elements, each encoded compactly by
// encode, at the second level of indentation as encoding/json indents it.
// Chunks of elements are encoded concurrently, at most two per core in
// flight, and written in order.
func writeArray(w io.Writer, n int, encode func(i int) ([]byte, error)) error {
	if n == 0 {
		_, err := io.WriteString(w, "[]")
		return err
	}
	type chunk struct {
		buf []byte
		err error
	}
	chunks := (n + arrayChunk - 1) / arrayChunk
	results := make([]chan chunk, chunks)
	for i := range results {
		results[i] = make(chan chunk, 1)
	}
	inFlight := make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for c := range chunks {
			select {
			case inFlight <- struct{}{}:
			case <-stop:
				return
			}
			go func() {
				var buf bytes.Buffer
				for i := c * arrayChunk; i < min(n, (c+1)*arrayChunk); i++ {
					b, err := encode(i)
					if err != nil {
						results[c] <- chunk{err: err}
						return
					}
					if i > 0 {
						buf.WriteString(",\n")
					}
					buf.WriteString(elementIndent)
					buf.Write(appendIndented(buf.AvailableBuffer(), b, 2))
				}
				results[c] <- chunk{buf: buf.Bytes()}
			}()
		}
	}()
	if _, err := io.WriteString(w, "[\n"); err != nil {
		return err
	}
	for c := range chunks {
		res := <-results[c]
		<-inFlight
		if res.err != nil {
			return res.err
		}
		if _, err := w.Write(res.buf); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n  ]")
	return err
}

// elementIndent is the indentation of an element of a top-level list.
const elementIndent = "    "

// appendIndented appends src, compact JSON as json.Marshal writes it (no
// space outside strings), indented by two spaces per level from depth,
// as json.Indent would with prefix "" and indent "  ": one byte loop
// instead of encoding/json's validating scanner, which took two thirds of
// the time of writing a large report (TestAppendIndentedIsJSONIndent).
func appendIndented(dst, src []byte, depth int) []byte {
	newline := func(dst []byte, depth int) []byte {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, ' ', ' ')
		}
		return dst
	}
	inString, escaped := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			dst = append(dst, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			dst = append(dst, c)
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i++
				continue
			}
			depth++
			dst = newline(dst, depth)
		case '}', ']':
			depth--
			dst = newline(dst, depth)
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = newline(dst, depth)
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
