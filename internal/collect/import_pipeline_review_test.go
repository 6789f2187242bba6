package collect

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
)

// scanItems runs the scanner of scanList (import_pipeline.go) over the
// items of data, a list's body from its first item on, and returns each
// item's bytes and how far the lineReader had read when each was found.
func scanItems(t *testing.T, data string) (items []string, readTo []int64, sc *scanner) {
	t.Helper()
	// 4 KB a read, as from a pipe: what is read is what the scanner
	// needed.
	lr := &lineReader{ctx: context.Background(), r: &chunkReader{r: strings.NewReader(data), n: 4 << 10}, lastNL: -1}
	sc = &scanner{}
	var off int64
	for {
		q, c := sc.skipSpace(lr, off)
		if c == ',' {
			q, c = sc.skipSpace(lr, q+1)
		}
		if c != '{' {
			return items, readTo, sc
		}
		end, ok := sc.objectEnd(lr, q)
		if !ok {
			t.Fatalf("item %d at byte %d: no end found", len(items), q)
		}
		items = append(items, string(lr.buf[q-lr.base:end-lr.base]))
		readTo = append(readTo, lr.end())
		off = end
	}
}

// TestScanItemPerLine: a list with one compact item per line, each
// starting its line at an indent ("jq -c" output in a list), is scanned
// by its brackets. Guessed from its indent, each item was searched for a
// line "\n    }" up to a MB ahead before it was scanned: a MB read ahead
// and searched for every item (an import of 100k small groups laid out
// so took 7 s instead of 1).
func TestScanItemPerLine(t *testing.T) {
	var want []string
	for i := range 9000 {
		want = append(want, cliGroup(fmt.Sprintf("sg-%08d", i), strings.ReplaceAll(sshToWorld, "\n", " ")))
		want[i] = strings.ReplaceAll(want[i], "\n", " ")
	}
	readTo, ends := scanAsWanted(t, "    ", want, ",\n    ")
	for i := range want {
		// What is read ahead of an item is a read or two, not a MB.
		if ahead := readTo[i] - ends[i]; ahead > 64<<10 {
			t.Fatalf("item %d: read %d bytes ahead of its end", i, ahead)
		}
	}
}

// scanAsWanted scans the list lead + want joined by sep, closed by
// "\n]}", fails unless it finds want's items, and returns how far the
// scanner had read after each item and where each item ends, two bytes on
// (the comma or bracket after it, and a newline). The input must be 2 MB
// at least: more than the MB an item was once searched ahead.
func scanAsWanted(t *testing.T, lead string, want []string, sep string) (readTo, ends []int64) {
	t.Helper()
	data := lead + strings.Join(want, sep) + "\n]}"
	if len(data) < 2<<20 {
		t.Fatalf("the input is %d bytes: too small to tell", len(data))
	}
	got, readTo, _ := scanItems(t, data)
	if len(got) != len(want) {
		t.Fatalf("%d items found, want %d", len(got), len(want))
	}
	end := int64(len(lead)-len(sep)) + 2 // the first item has lead, not sep, before it
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("item %d = %q, want %q", i, got[i], want[i])
		}
		end += int64(len(want[i]) + len(sep))
		ends = append(ends, end)
	}
	return readTo, ends
}

// TestScanIndentMissed: items of an indented list whose '}' is not at
// the indent of their '{' are found by their brackets, and once one was,
// the scanner no longer searches a MB ahead for each of the others.
func TestScanIndentMissed(t *testing.T) {
	var want []string
	for i := range 6000 {
		// '{' at indent 8, its '}' at 6.
		item := strings.ReplaceAll(indentCLI(t, cliGroup(fmt.Sprintf("sg-%08d", i), sshToWorld)), "\n", "\n        ")
		want = append(want, strings.TrimSuffix(item, "\n        }")+"\n      }")
	}
	readTo, ends := scanAsWanted(t, "\n        ", want, ",\n        ")
	for i := range want {
		// The first item was searched for a MB; the others read no more
		// than they need.
		if i > 0 && readTo[i] > max(readTo[0], ends[i]+64<<10) {
			t.Fatalf("item %d: read %d bytes ahead of its end", i, readTo[i]-ends[i])
		}
	}
	data := "\n        " + strings.Join(want, ",\n        ") + "\n]}"
	// And the import is as before.
	sameImport(t, []byte("{\n    \"SecurityGroups\": ["+data), "")
	sameImport(t, bytes.ReplaceAll([]byte("{\n    \"SecurityGroups\": ["+data), []byte("\n"), []byte("\r\n")), "")
}

// chunkReader reads at most n bytes a call.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// TestScanBounded: scanList reads at most maxScanned bytes of an item;
// a larger one is read by the decoder as before, which refuses what is
// not JSON at its first bad byte. The workers were handed a 100 MB item
// of invalid UTF-8 whole: 1.6 GB at the peak, where the decoder alone
// took 140 MB.
func TestScanBounded(t *testing.T) {
	head := `{"GroupId": "sg-1", "OwnerId": "111122223333", "SecurityGroupArn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1", "Description": "`
	for name, body := range map[string]string{
		"invalid UTF-8":        strings.Repeat("\xff", 2*maxScanned),
		"a control character":  strings.Repeat("\x01", 2*maxScanned),
		"valid":                strings.Repeat("a", 2*maxScanned),
		"escaped quotes":       strings.Repeat(`\"`, maxScanned+1),
		"brackets, in a value": `", "Tags": ` + strings.Repeat("[", 2*maxScanned) + `, "x": "`,
	} {
		t.Run(name, func(t *testing.T) {
			item := head + body + `"}`
			lr := &lineReader{ctx: context.Background(), r: &chunkReader{r: strings.NewReader(item + "]}"), n: 4 << 10}, lastNL: -1}
			var sc scanner
			if end, ok := sc.objectEnd(lr, 0); ok {
				t.Errorf("the end of a %d-byte item found at %d: scanned whole", len(item), end)
			}
			if lr.end() > maxScanned+64<<10 {
				t.Errorf("%d bytes read, want at most %d", lr.end(), maxScanned+64<<10)
			}
			// The import says what the decoder said.
			data := []byte(cliGroups(cliGroup("sg-0", sshToWorld), item, cliGroup("sg-2", sshToWorld)))
			ctx := context.Background()
			slow, serr := importReaders(ctx, []Input{{Name: "in.json", R: bytes.NewReader(data)}}, "", true)
			fast, ferr := importReaders(ctx, []Input{{Name: "in.json", R: bytes.NewReader(data)}}, "", false)
			if fmt.Sprint(ferr) != fmt.Sprint(serr) {
				t.Fatalf("error = %v, want %v", ferr, serr)
			}
			if serr == nil && (len(slow.SecurityGroups) != 3 || len(fast.SecurityGroups) != 3 || slow.SecurityGroups[1].Description != fast.SecurityGroups[1].Description) {
				t.Errorf("the large item was not read as before")
			}
		})
	}
}
