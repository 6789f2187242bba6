package location

import "testing"

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		file string
		line int
		want string
	}{
		{".sgaudit.yaml", 12, ".sgaudit.yaml:12: bad"},
		{"policies/x.rego", 0, "policies/x.rego: bad"},
		{"", 7, "bad"},
	} {
		if got := Format(tt.file, tt.line, "bad"); got != tt.want {
			t.Errorf("Format(%q, %d) = %q, want %q", tt.file, tt.line, got, tt.want)
		}
	}
}
