package typo

import "testing"

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"eu-west-1", "eu-west-1", 0},
		{"eu-wset-1", "eu-west-1", 2},
		{"SGAUDIT_FAIL_ONN", "SGAUDIT_FAIL_ON", 1},
		{"SGAUDIT_ZZ", "SGAUDIT_TO", 2},
		{"abc", "xyz", Far},
		{"a", "abcdef", Far},            // length alone says it is far
		{"us-east-1", "eu-west-1", Far}, // four substitutions, capped
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}
