package collect

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// benchFile is a describe-security-groups export of 2,000 groups, the
// groups of testdata/cli-sgs.json repeated, indented as the CLI prints.
func benchFile(b *testing.B) []byte {
	file, err := os.ReadFile(filepath.Join("testdata", "cli-sgs.json"))
	if err != nil {
		b.Fatal(err)
	}
	var top map[string][]jsontext.Value
	if err := json.Unmarshal(file, &top); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString("{\"SecurityGroups\": [")
	for i := range 2000 {
		if i > 0 {
			buf.WriteString(",\n")
		}
		item := top[listGroups][i%len(top[listGroups])]
		item.Indent(jsontext.WithIndentPrefix("        "), jsontext.WithIndent("    "))
		buf.Write(item)
	}
	buf.WriteString("]}")
	return buf.Bytes()
}

// BenchmarkDecodeItems decodes the groups of an export into the SDK's
// structs item by item: v2 is json v2 alone (the decoder before
// import_fast.go), readvalue only reads each item whole (what the fast
// decoder starts with), fast is readvalue and the plan.
//
//	go test ./internal/collect -run '^$' -bench DecodeItems -benchmem
func BenchmarkDecodeItems(b *testing.B) {
	data := benchFile(b)
	for _, mode := range []string{"v2", "readvalue", "fast"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var c cells
			for b.Loop() {
				dec := jsontext.NewDecoder(bytes.NewReader(data))
				dec.ReadToken()
				dec.ReadToken()
				dec.ReadToken()
				for dec.PeekKind() != ']' {
					var sg types.SecurityGroup
					switch mode {
					case "v2":
						if err := json.UnmarshalDecode(dec, &sg, decodeOptions); err != nil {
							b.Fatal(err)
						}
					default:
						raw, err := dec.ReadValue()
						if err != nil {
							b.Fatal(err)
						}
						if mode == "fast" && !c.decode(raw, groupPlan, unsafe.Pointer(&sg)) {
							b.Fatal("declined")
						}
					}
				}
			}
		})
	}
}
