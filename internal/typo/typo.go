// Package typo measures how far a mistyped name is from a known one, for
// "did you mean" suggestions (region names, SGAUDIT_ variables).
package typo

// Far is what Distance returns for names 3 or more edits apart: further
// than any typo the suggestions take.
const Far = 3

// Distance is the Levenshtein distance between a and b, in bytes (the
// names compared are ASCII), capped at Far to stay cheap on long input.
func Distance(a, b string) int {
	if diff := len(a) - len(b); diff >= Far || diff <= -Far {
		return Far
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], Far)
}
