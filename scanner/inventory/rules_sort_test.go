package inventory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// randomRules makes n rules from few values, so that many compare equal
// (same direction, id and key, other descriptions): the order of those is
// what only the same sort moves keep.
func randomRules(rng *rand.Rand, n int) []Rule {
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	rules := make([]Rule, n)
	for i := range rules {
		rules[i] = Rule{
			ID:          pick("", "", "sgr-1", "sgr-2"),
			Direction:   Direction(pick(string(Ingress), string(Egress))),
			Protocol:    pick("tcp", "udp", "tcpx", "-1", "all"),
			FromPort:    []int{-1, 0, 22, 443, 80, 8080}[rng.IntN(6)],
			ToPort:      []int{-1, 22, 443, 65535}[rng.IntN(4)],
			Description: fmt.Sprint(i),
			Peer: Peer{
				Kind:       PeerKind(pick(string(PeerCIDRv4), string(PeerSecurityGroup), string(PeerPrefixList))),
				CIDR:       pick("", "0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/8|"),
				GroupID:    pick("", "sg-1", "sg-2"),
				GroupOwner: pick("", "111122223333"),
			},
		}
	}
	return rules
}

// TestSortRulesAsSortFunc checks that sortRules and Rules.sorted give what
// slices.SortFunc with CompareRules gives, ties included.
func TestSortRulesAsSortFunc(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		rules := randomRules(rng, rng.IntN(40))
		want := slices.Clone(rules)
		slices.SortFunc(want, CompareRules)
		got := slices.Clone(rules)
		sortRules(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("sortRules (-SortFunc +sortRules):\n%s", diff)
		}
		list := NewRules(rules...)
		if diff := cmp.Diff(NewRules(want...).Slice(), list.sorted().Slice()); diff != "" {
			t.Fatalf("sorted (-SortFunc +sorted):\n%s", diff)
		}
		if len(want) > 0 && !NewRules(want...).sorted().Equal(NewRules(want...)) {
			t.Fatal("sorted changed a sorted list")
		}
	}
}

// TestSortByIndexAsSortFunc checks that sortByIndex gives what
// slices.SortFunc gives with the same comparison, ties included.
func TestSortByIndexAsSortFunc(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	type item struct{ key, tag int }
	for n := range 3000 {
		s := make([]item, rng.IntN(300))
		for i := range s {
			s[i] = item{key: rng.IntN(20), tag: i}
		}
		if n%3 == 0 { // in order already, ties in place (sortByIndex's shortcut)
			slices.SortStableFunc(s, func(a, b item) int { return a.key - b.key })
		}
		want := slices.Clone(s)
		slices.SortFunc(want, func(a, b item) int { return a.key - b.key })
		got := slices.Clone(s)
		sortByIndex(got, func(a, b *item) int { return a.key - b.key })
		if !slices.Equal(want, got) {
			t.Fatalf("sortByIndex:\n got %v\nwant %v", got, want)
		}
	}
}
