package reporters

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// encodeWhole is how the JSON report used to be written: the prepared
// report encoded in one piece by encoding/json, indented by two spaces.
func encodeWhole(t *testing.T, r *findings.Report) []byte {
	t.Helper()
	p, err := prepare(r)
	if err != nil {
		t.Fatal(err)
	}
	if p.SchemaVersion == "" {
		p.SchemaVersion = findings.SchemaVersion
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestJSONStreamsLikeOneEncode: the streamed report is byte for byte the
// report encoded whole, for the fixture, for lists longer than one chunk
// (with text that JSON escapes), and for empty lists.
func TestJSONStreamsLikeOneEncode(t *testing.T) {
	t.Parallel()
	big := loadReport(t, inReport)
	base := big.Findings[0]
	for i := range 3*arrayChunk + 7 {
		f := base
		f.GroupID = fmt.Sprintf("sg-%017d", i)
		f.Message = fmt.Sprintf("<b>%d</b> & \"quoted\" \u2028 \x01 é \n", i)
		f.Fingerprint = fmt.Sprintf("%064d", i)
		f.Evidence = map[string]any{"z": i, "a": []any{"x", map[string]any{"n": nil}}}
		big.Findings = append(big.Findings, f)
	}
	for i := range arrayChunk + 1 {
		big.Exposures = append(big.Exposures, findings.Exposure{
			AccountID: "111111111111", Region: "eu-west-1", NetworkInterfaceID: fmt.Sprintf("eni-%017d", i),
			PublicIP: "203.0.113.7", Ports: []findings.ExposedPort{},
		})
	}
	empty := loadReport(t, inReport)
	empty.Findings, empty.Exposures, empty.SchemaVersion = nil, nil, ""
	for name, r := range map[string]*findings.Report{
		"fixture":         loadReport(t, inReport),
		"several chunks":  big,
		"empty lists":     empty,
		"minimal by hand": {},
	} {
		var got bytes.Buffer
		if err := (JSON{}).Write(&got, r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := encodeWhole(t, r); !bytes.Equal(got.Bytes(), want) {
			i := 0
			for i < min(got.Len(), len(want)) && got.Bytes()[i] == want[i] {
				i++
			}
			t.Errorf("%s: streamed JSON differs from one encode at byte %d of %d:\ngot  %q\nwant %q",
				name, i, len(want), got.Bytes()[max(0, i-40):min(got.Len(), i+40)], want[max(0, i-40):min(len(want), i+40)])
		}
	}
}

// failAfter fails every write once n bytes have been written.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestJSONWriteErrorStops: a write that fails mid-list is returned, at
// any point of the document, and the encoders stop.
func TestJSONWriteErrorStops(t *testing.T) {
	t.Parallel()
	r := loadReport(t, inReport)
	for range 4 * arrayChunk {
		r.Findings = append(r.Findings, r.Findings[0])
	}
	size := len(encodeWhole(t, r))
	for _, n := range []int{0, 100, size / 3, size / 2, size - 2} {
		if err := (JSON{}).Write(&failAfter{n: n}, r); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("failing after %d of %d bytes: error %v", n, size, err)
		}
	}
}

// BenchmarkJSONWrite writes a report of 40,000 findings and 20,000
// exposed interfaces (the size of a 100k-group scan's) streamed, and, for
// comparison, encoded whole as before.
func BenchmarkJSONWrite(b *testing.B) {
	fixture := loadReport(b, inReport)
	r := loadReport(b, inReport)
	r.Findings = r.Findings[:0]
	for i := range 40_000 {
		f := fixture.Findings[i%len(fixture.Findings)]
		f.GroupID = fmt.Sprintf("sg-%017d", i)
		f.Fingerprint = fmt.Sprintf("%064d", i)
		r.Findings = append(r.Findings, f)
	}
	r.Exposures = r.Exposures[:0]
	for i := range 20_000 {
		e := fixture.Exposures[i%len(fixture.Exposures)]
		e.NetworkInterfaceID = fmt.Sprintf("eni-%017d", i)
		r.Exposures = append(r.Exposures, e)
	}
	for _, mode := range []string{"streamed", "one-encode"} {
		b.Run(mode, func(b *testing.B) {
			var n int64
			for b.Loop() {
				var cw countingWriter
				if mode == "streamed" {
					if err := (JSON{}).Write(&cw, r); err != nil {
						b.Fatal(err)
					}
				} else {
					p, err := prepare(r)
					if err != nil {
						b.Fatal(err)
					}
					enc := json.NewEncoder(&cw)
					enc.SetIndent("", "  ")
					if err := enc.Encode(p); err != nil {
						b.Fatal(err)
					}
				}
				n = int64(cw)
			}
			b.SetBytes(n)
		})
	}
}

// FuzzAppendIndented: for any valid JSON, compacted as json.Marshal
// writes it, appendIndented gives json.Indent's bytes, at any depth.
func FuzzAppendIndented(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":"x\"]}[,:"},[],{}],"c":{"d":null,"e":[[[]]]}}`), uint8(0))
	f.Add([]byte(`"\\\"{"`), uint8(2))
	f.Add([]byte(` [ true , false , "\u003c\u2028" , -1.5e10 ] `), uint8(1))
	f.Add([]byte(`{"":{"":[{}]}}`), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, depth uint8) {
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			return
		}
		d := int(depth % 8)
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), strings.Repeat("  ", d), "  "); err != nil {
			t.Fatalf("indent valid JSON: %v", err)
		}
		if got := appendIndented(nil, compact.Bytes(), d); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("depth %d, %q:\ngot  %q\nwant %q", d, compact.Bytes(), got, want.Bytes())
		}
	})
}
