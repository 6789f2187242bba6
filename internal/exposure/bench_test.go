package exposure

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sgaudit/sgaudit/internal/cputime"
	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// benchInventory builds n groups and n interfaces shaped like a real
// account: every group has web, private and group-reference rules; some
// open SSH or all traffic to the world, some split the world into halves
// or reference prefix lists; each interface carries 1-3 random groups and
// half of them have a public IP. Group sets are mostly distinct, so the
// per-set cache does not hide the cost.
func benchInventory(n int) *inventory.Inventory {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	inv := &inventory.Inventory{
		PrefixLists: []inventory.PrefixList{
			{ID: "pl-world", AccountID: acct, Region: region, Entries: []inventory.PrefixListEntry{{CIDR: "0.0.0.0/0"}}},
			{ID: "pl-office", AccountID: acct, Region: region, Entries: []inventory.PrefixListEntry{{CIDR: "198.51.100.0/24"}, {CIDR: "192.0.2.0/24"}}},
		},
	}
	inv.SecurityGroups = make([]inventory.SecurityGroup, n)
	for i := range n {
		rules := []inventory.Rule{
			in("tcp", 443, 443, cidr("0.0.0.0/0")),
			in("tcp", 443, 443, cidr("::/0")),
			in("tcp", 22, 22, cidr("10.0.0.0/8")),
			in("tcp", 5432, 5432, cidr("172.16.0.0/12")),
			in("all", 0, 65535, sgPeer(fmt.Sprintf("sg-%d", r.IntN(n)))),
			in("udp", 53, 53, cidr("10.1.0.0/16")),
			out("all", 0, 65535, cidr("0.0.0.0/0")),
			out("all", 0, 65535, cidr("::/0")),
		}
		switch k := r.IntN(100); {
		case k < 10:
			rules = append(rules, in("tcp", 22, 22, cidr("0.0.0.0/0")))
		case k < 12:
			rules = append(rules, in("tcp", 8000, 9000, cidr("0.0.0.0/1")), in("tcp", 8080, 8080, cidr("128.0.0.0/1")))
		case k < 13:
			rules = append(rules, in("all", 0, 65535, cidr("0.0.0.0/0")))
		case k < 18:
			rules = append(rules, in("tcp", 3389, 3389, prefixList("pl-world")), in("tcp", 22, 22, prefixList("pl-office")))
		}
		inv.SecurityGroups[i] = group(fmt.Sprintf("sg-%d", i), rules...)
	}
	inv.NetworkInterfaces = make([]inventory.NetworkInterface, n)
	for i := range n {
		var gs []string
		for range 1 + r.IntN(3) {
			gs = append(gs, fmt.Sprintf("sg-%d", r.IntN(n)))
		}
		ip := ""
		if i%2 == 0 {
			ip = fmt.Sprintf("203.0.%d.%d", (i/250)%250, i%250)
		}
		inv.NetworkInterfaces[i] = eni(fmt.Sprintf("eni-%08d", i), ip, gs...)
	}
	inv.Sort()
	return inv
}

// BenchmarkCompute reports ns per interface (wall and process CPU time,
// the latter including GC on both cores); cost must stay about flat from 1k
// to 100k interfaces (linear in the inventory).
func BenchmarkCompute(b *testing.B) {
	services, err := ServicesFromData(policies.FS)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		inv := benchInventory(n)
		b.Run(fmt.Sprintf("interfaces=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			exposed := 0
			cpu0, cpuOK := cputime.Used()
			for b.Loop() {
				exposed = len(Compute(inv, services))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/interface")
			if cpu1, ok := cputime.Used(); ok && cpuOK {
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/interface")
			}
			b.ReportMetric(float64(exposed), "exposed")
		})
	}
}
