package engine

import (
	"testing"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// TestFingerprintIsPinned holds the fingerprint algorithm to literal
// values. Every baseline (--baseline) and every GitHub code scanning alert
// (partialFingerprints.primaryLocationLineHash) is keyed by these strings:
// changing any of them makes every existing finding look new and closes
// and reopens every alert. Do not update these values; if the algorithm
// must change, the change needs a way to carry baselines and alerts over.
func TestFingerprintIsPinned(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123456789abcdef0"
	ssh := inventory.Rule{
		Direction: inventory.Ingress, Protocol: "tcp", FromPort: 22, ToPort: 22,
		Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"},
	}
	all6 := inventory.Rule{
		Direction: inventory.Ingress, Protocol: inventory.ProtocolAll, FromPort: 0, ToPort: 65535,
		Peer: inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: "::/0"},
	}
	tests := []struct {
		name                     string
		check, ruleKey, discrim  string
		wantKey, wantFingerprint string
	}{
		{"rule finding", "SGA001", ssh.Key(), "",
			"ingress|tcp|22|22|cidr_ipv4|0.0.0.0/0", "240347fec63f53e6a80c848d469616cc"},
		{"group finding", "SGA008", "", "",
			"", "ba21d5a13d485979b54732175c743c08"},
		{"rule and discriminator", "SGA002", all6.Key(), "port 5432",
			"ingress|all|0|65535|cidr_ipv6|::/0", "ce7edbe16e464800e6a3e96f7ba2be9d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.ruleKey != tt.wantKey {
				t.Errorf("Rule.Key() = %q, want %q (the key is part of every fingerprint)", tt.ruleKey, tt.wantKey)
			}
			if got := Fingerprint(tt.check, arn, tt.ruleKey, tt.discrim); got != tt.wantFingerprint {
				t.Errorf("Fingerprint = %s, want %s: changing it breaks every baseline and GitHub alert", got, tt.wantFingerprint)
			}
		})
	}
}
