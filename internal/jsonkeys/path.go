package jsonkeys

import (
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Path turns a JSON pointer (/SecurityGroups/0/IpPermissions/1/FromPort)
// into the path a reader follows in an error message:
// SecurityGroups[0].IpPermissions[1].FromPort.
func Path(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// KindName names a JSON kind for messages: "object", "array", "string",
// "number", "bool", "null".
func KindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "value"
}
