package reporters

import (
	"strings"
	"testing"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

func TestPortLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		pt   findings.ExposedPort
		want string
	}{
		{name: "one port", pt: findings.ExposedPort{Protocol: "tcp", FromPort: 22, ToPort: 22, Services: []string{"SSH"}}, want: "tcp/22 (SSH)"},
		{name: "range", pt: findings.ExposedPort{Protocol: "udp", FromPort: 137, ToPort: 139, Services: []string{"NetBIOS"}}, want: "udp/137-139 (NetBIOS)"},
		{name: "every port of one protocol", pt: findings.ExposedPort{Protocol: "tcp", FromPort: 0, ToPort: 65535}, want: "tcp/all ports"},
		{name: "protocol all", pt: findings.ExposedPort{Protocol: "all", FromPort: 0, ToPort: 65535}, want: "all traffic"},
		{name: "raw -1", pt: findings.ExposedPort{Protocol: "-1"}, want: "all traffic"},
		{name: "every ICMP type", pt: findings.ExposedPort{Protocol: "icmp", FromPort: -1, ToPort: -1}, want: "icmp"},
		{name: "ICMP echo, every code", pt: findings.ExposedPort{Protocol: "icmp", FromPort: 8, ToPort: -1}, want: "icmp type 8"},
		{name: "ICMPv6 type and code", pt: findings.ExposedPort{Protocol: "icmpv6", FromPort: 128, ToPort: 0}, want: "icmpv6 type 128 code 0"},
		{name: "GRE by number", pt: findings.ExposedPort{Protocol: "47"}, want: "protocol 47"},
		{name: "no protocol", pt: findings.ExposedPort{}, want: "unknown protocol"},
		{
			name: "protocol all names the whole catalogue: cut",
			pt:   findings.ExposedPort{Protocol: "all", FromPort: 0, ToPort: 65535, Services: []string{"FTP", "SSH", "Telnet", "SMTP", "RDP", "MySQL"}},
			want: "all traffic (FTP, SSH, Telnet, SMTP, +2 more)",
		},
		{name: "services of a range", pt: findings.ExposedPort{Protocol: "TCP", FromPort: 20, ToPort: 23, Services: []string{"FTP", "SSH", "Telnet"}}, want: "tcp/20-23 (FTP, SSH, Telnet)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := portWithServices(tt.pt); got != tt.want {
				t.Errorf("portWithServices(%+v) = %q, want %q", tt.pt, got, tt.want)
			}
		})
	}
}

// assertInOrder checks that out holds every want string, in that order,
// and none of notWant.
func assertInOrder(t *testing.T, out string, want, notWant []string) {
	t.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("output lacks %q (or it is out of order):\n%s", w, out)
			continue
		}
		rest = rest[i+len(w):]
	}
	for _, nw := range notWant {
		if strings.Contains(out, nw) {
			t.Errorf("output contains %q:\n%s", nw, out)
		}
	}
}
