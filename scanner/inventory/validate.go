package inventory

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// This file says which values of a security group AWS itself accepts, and
// how AWS writes each of them. The collector and the importer turn what
// AWS returns into that one written form (internal/collect/normalize.go);
// Validate then refuses anything else, so that a policy never judges a
// value AWS would read differently. In particular no spelling of the world
// reaches a policy other than "0.0.0.0/0" and "::/0", the only ones the
// checks test for (policies/lib/net.rego is_world).
//
// The decisions, with the documentation they rest on:
//
//   - Protocol: "-1" (all), the names tcp, udp, icmp and icmpv6, or an IP
//     protocol number 0-255 (IpPermission.IpProtocol:
//     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html).
//     EC2 takes the names in any case and answers in lower case, so "TCP"
//     is tcp (https://github.com/go-to-k/cdk-real-drift/issues/981). The numbers 6, 17, 1 and 58 are those four protocols and are
//     stored under their names. A number is plain decimal: "006", "+6",
//     "0x6", " 6" and names such as "sctp" or "all" are not AWS values and
//     are refused.
//   - Ports: tcp and udp need a range within 0-65535, FromPort <= ToPort
//     (EC2 answers "TCP/UDP port (-1) out of range" otherwise:
//     https://github.com/boto/boto3/issues/336). For icmp and icmpv6
//     FromPort is the ICMP type and ToPort the code, each -1 (any) or
//     0-255, and "if you specify all ICMP/ICMPv6 types, you must specify
//     all ICMP/ICMPv6 codes"; icmpv6 may omit them, which means any. For -1 and every other protocol number
//     EC2 ignores the ports ("allows traffic on all ports, regardless of
//     any port range you specify"), so the inventory stores all as 0-65535
//     and the others as -1/-1: the value the policies read is the one EC2
//     applies, and equal rules have equal keys.
//   - CIDRs: the textual forms of RFC 4632 and RFC 4291 as Go's net/netip
//     reads them: no spaces, no leading zeros in an IPv4 octet or in the
//     prefix length ("0.0.0.0/00" is refused, as is "010.0.0.0/8", which
//     some parsers read as octal), no IPv6 zone, a prefix length within
//     the family. EC2 masks host bits ("10.0.0.1/8" is stored as
//     10.0.0.0/8: https://github.com/ansible/ansible/issues/25403) and
//     writes IPv6 in RFC 5952 form, lower case and compressed
//     (https://github.com/hashicorp/terraform-provider-aws/pull/25588), so
//     "10.9.0.0/0", "0:0:0:0:0:0:0:0/0" and "::FFFF:0:0/0" are the world
//     and are stored as 0.0.0.0/0 and ::/0. The family must be the rule's:
//     an IPv4 CIDR in an IPv6 rule is refused. An IPv4-mapped IPv6 prefix
//     (::ffff:0.0.0.0/96) stays IPv6, as EC2 matches IPv4 packets against
//     IPv4 rules only.
//   - Account ids are exactly 12 digits (ValidAccountID); a referenced
//     group's owner, when given, too. A prefix list's owner is also "AWS"
//     for the lists AWS manages.
//   - A group's region is a region name (eu-west-1, us-gov-west-1) and its
//     ARN is exactly arn:<partition>:ec2:<region>:<account>:security-group/<id>
//     with the group's own region, account and id
//     (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-resources-for-iam-policies):
//     findings, fingerprints and suppressions name a group by its ARN, so
//     two groups must never share one.
//   - A prefix list id is "pl-" and 8 to 17 lower-case hex digits, as EC2
//     writes it (pl-63a5400a for the AWS-managed S3 list, 17 digits for
//     lists created since 2018's longer ids): "PL-1" or "pl-1 " would
//     never match the list the rule references.
//   - A group holds at most MaxRulesPerDirection rules per direction and
//     address family (see there).
//
// Refusing is always safe: input is refused as a whole (exit 2 naming the
// file, group and rule), never read in part. docs/security.md lists these
// rules with the other limits on input.

// ValidAccountID reports whether s is an AWS account id: exactly twelve
// ASCII digits. Account ids become file names (results-<id>.sarif) and
// ARN parts, so nothing else may enter an inventory (docs/security.md).
func ValidAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ValueError is a value in a security group that AWS itself would not
// accept (a port outside -1..65535, an unknown protocol, a CIDR that is not
// canonical), so sgaudit cannot judge it the way AWS applies it. Readers of
// outside input wrap it with the file name.
type ValueError struct {
	GroupID string // the group holding the value
	RuleID  string // the rule's sgr- id, "" when the rule has none
	Rule    int    // the rule's index in the group's rules, -1 for a group field
	Field   string // "protocol", "from_port", "cidr", "account_id", ...
	Value   string // the value as found, quoted by Error
	Reason  string // what is wrong with it

	// Stale is set when the rule is one of the group's stale_rules.
	Stale bool
	// RuleText describes a rule without an id by its content ("ingress tcp
	// 22-22 10.0.0.0/8"), since its index counts in sorted order.
	RuleText string
	// Where replaces "group <id>" for a value outside a security group,
	// such as "coverage[2]" or "prefix_lists[0] (pl-1)".
	Where string
}

// Error reads "group sg-1, rule sgr-2: cidr "0.0.0.0/00": not canonical".
func (e *ValueError) Error() string {
	where := e.Where
	if where == "" {
		where = "group " + token(e.GroupID)
		if e.GroupID == "" {
			where = "group without id"
		}
	}
	rule := "rule"
	if e.Stale {
		rule = "stale rule"
	}
	switch {
	case e.RuleID != "":
		where += ", " + rule + " " + token(e.RuleID)
	case e.Rule >= 0:
		where += fmt.Sprintf(", %s #%d", rule, e.Rule+1)
		if e.RuleText != "" {
			where += " (" + e.RuleText + ")"
		}
	}
	return fmt.Sprintf("%s: %s %q: %s", where, e.Field, e.Value, e.Reason)
}

// token returns an id as it is when it is made of the characters ids use,
// and quoted otherwise, so that an error message never carries control
// characters or spaces that would make it ambiguous.
func token(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.:/@+=", c) >= 0) {
			return strconv.Quote(s)
		}
	}
	return s
}

// MaxRulesPerDirection is the most rules of one direction and address
// family a group can hold: AWS's "inbound or outbound rules per security
// group" quota is 60 by default, counted separately for IPv4 and IPv6,
// with a rule that references a group or a prefix list counting for
// both; it is adjustable, but the quota times "security groups per
// network interface" cannot exceed 1,000, so no group ever holds more
// than 1,000 (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups).
// policies/lib/net.rego (world_union_possible) relies on it: a group
// whose /10-or-longer CIDRs could outnumber it would escape the check
// that finds a set of rules covering the world (docs/inventory.md).
// A prefix-list rule counts as one here, though AWS counts it as the
// list's maximum entries: the count is a lower bound of AWS's, so
// nothing AWS accepts is refused.
const MaxRulesPerDirection = 1000

// The names checked on every group and rule are matched by hand: as
// regexps they were a tenth of an import's time. Each matches what the
// regexp in its comment matches (TestNamePatterns).
var (
	// regionPattern is a region name: eu-west-1, us-gov-west-1, us-isob-east-1.
	regionPattern = namePattern(isRegion) // ^[a-z]{2}(-[a-z]+)+-[0-9]+$
	// partitionPattern is a partition: aws, aws-cn, aws-us-gov, aws-iso-b.
	partitionPattern = namePattern(isPartition) // ^aws(-[a-z0-9]+)*$
)

// namePattern is a hand-written matcher with a regexp's method.
type namePattern func(string) bool

func (p namePattern) MatchString(s string) bool { return p(s) }

// isRegion reports whether s matches ^[a-z]{2}(-[a-z]+)+-[0-9]+$. The parts
// are split by '-', which none of them holds: two letters, one or more
// groups of letters, then digits to the end.
func isRegion(s string) bool {
	if len(s) < 2 || !isLower(s[0]) || !isLower(s[1]) {
		return false
	}
	for i, groups := 2, 0; ; groups++ {
		if i >= len(s) || s[i] != '-' {
			return false
		}
		j := i + 1
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			return groups > 0 && j == len(s)
		}
		k := j
		for k < len(s) && isLower(s[k]) {
			k++
		}
		if k == j {
			return false
		}
		i = k
	}
}

// isPartition reports whether s matches ^aws(-[a-z0-9]+)*$.
func isPartition(s string) bool {
	rest, ok := strings.CutPrefix(s, "aws")
	if !ok {
		return false
	}
	for len(rest) > 0 {
		if rest[0] != '-' {
			return false
		}
		j := 1
		for j < len(rest) && (isLower(rest[j]) || isDigit(rest[j])) {
			j++
		}
		if j == 1 {
			return false
		}
		rest = rest[j:]
	}
	return true
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// ValidRegion reports whether s is shaped like an AWS region name.
func ValidRegion(s string) bool { return isRegion(s) }

// ValidPrefixListID reports whether s is a managed prefix list id as EC2
// writes it: "pl-" and 8 to 17 lower-case hex digits
// (^pl-[0-9a-f]{8,17}$).
func ValidPrefixListID(s string) bool {
	hex, ok := strings.CutPrefix(s, "pl-")
	if !ok || len(hex) < 8 || len(hex) > 17 {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if !isDigit(hex[i]) && !('a' <= hex[i] && hex[i] <= 'f') {
			return false
		}
	}
	return true
}

// MaxResourceIDBytes bounds an EC2 resource id (group, rule, VPC and
// network interface ids); AWS's are at most 21 bytes ("sg-" and 17 hex
// digits). docs/security.md lists it.
const MaxResourceIDBytes = 64

// ValidResourceID reports whether s looks like an EC2 resource id of the
// given prefix ("sg-", "sgr-", "vpc-", "eni-"): the prefix, then at least
// one of a-z, 0-9 and "-", at most MaxResourceIDBytes in all. Ids reach
// ARNs, SARIF artifact URIs, file-like paths and terminals, so path
// separators, dots, spaces, quotes and control bytes are refused. AWS's own
// ids are the prefix and 8 or 17 hex digits; the check is looser so that
// hand-written inventories and tests may use short readable ids.
func ValidResourceID(prefix, s string) bool {
	if len(s) <= len(prefix) || len(s) > MaxResourceIDBytes || !strings.HasPrefix(s, prefix) {
		return false
	}
	for i := len(prefix); i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// resourceIDReason is the reason given for an id refused by ValidResourceID.
func resourceIDReason(prefix string) string {
	return fmt.Sprintf(`not an id: %q, then only a-z, 0-9 and "-", at most %d bytes`, prefix, MaxResourceIDBytes)
}

// arnPartition returns the partition of a group's ARN when the ARN is the
// one the group's region, account and id make, and ok false otherwise.
func (g *SecurityGroup) arnPartition() (partition string, ok bool) {
	rest, found := strings.CutPrefix(g.ARN, "arn:")
	if !found {
		return "", false
	}
	partition, rest, found = strings.Cut(rest, ":")
	if !found || !partitionPattern.MatchString(partition) {
		return "", false
	}
	// Compared piece by piece: a concatenation would allocate per group.
	for _, want := range [...]string{"ec2:", g.Region, ":", g.AccountID, ":security-group/"} {
		if rest, found = strings.CutPrefix(rest, want); !found {
			return partition, false
		}
	}
	return partition, rest == g.ID
}

// Validate checks every value of g that AWS constrains: its id, VPC id,
// account id, region and ARN, its attachments' interface ids, how many rules it holds, and each rule's direction,
// id, protocol, ports and peer, stale rules included. It returns a
// *ValueError for the first bad value.
func (g *SecurityGroup) Validate() error {
	if g.ID == "" {
		return &ValueError{Rule: -1, Field: "id", Reason: "a security group needs an id"}
	}
	// Before anything names the group by its id (GroupID of the errors
	// below), so that no error holds a bad id as a group's name.
	if !ValidResourceID("sg-", g.ID) {
		return &ValueError{Where: "group", Rule: -1, Field: "id", Value: g.ID, Reason: resourceIDReason("sg-")}
	}
	if g.VPCID != "" && !ValidResourceID("vpc-", g.VPCID) {
		return &ValueError{GroupID: g.ID, Rule: -1, Field: "vpc_id", Value: g.VPCID, Reason: resourceIDReason("vpc-")}
	}
	if !ValidAccountID(g.AccountID) {
		return &ValueError{GroupID: g.ID, Rule: -1, Field: "account_id", Value: g.AccountID, Reason: "an account id is exactly 12 digits"}
	}
	if !ValidRegion(g.Region) {
		return &ValueError{GroupID: g.ID, Rule: -1, Field: "region", Value: g.Region, Reason: "not a region name such as eu-west-1"}
	}
	if _, ok := g.arnPartition(); !ok {
		return &ValueError{GroupID: g.ID, Rule: -1, Field: "arn", Value: g.ARN,
			Reason: "want arn:<partition>:ec2:" + g.Region + ":" + g.AccountID + ":security-group/" + g.ID + ", the group's own region, account and id"}
	}
	for i, a := range g.Attachments {
		if a.NetworkInterfaceID != "" && !ValidResourceID("eni-", a.NetworkInterfaceID) {
			return &ValueError{GroupID: g.ID, Rule: -1, Field: fmt.Sprintf("attachments[%d].network_interface_id", i), Value: a.NetworkInterfaceID, Reason: resourceIDReason("eni-")}
		}
	}
	if err := g.checkRuleCount(); err != nil {
		return err
	}
	for _, stale := range []bool{false, true} {
		rules := g.Rules
		if stale {
			rules = g.StaleRules
		}
		for i, r := range rules.All() {
			if field, value, reason := checkRule(r); reason != "" {
				e := &ValueError{GroupID: g.ID, RuleID: r.ID, Rule: i, Field: field, Value: value, Reason: reason, Stale: stale}
				if r.ID == "" {
					e.RuleText = describeRule(r)
				}
				return e
			}
		}
	}
	return g.checkIaC()
}

// checkIaC refuses an iac object whose unmanaged rules are not rules of
// the group: a policy reports them as the group's (docs/iac.md §4).
func (g *SecurityGroup) checkIaC() error {
	if g.IaC == nil {
		return nil
	}
	if g.IaC.ManagedBy != "terraform" {
		return &ValueError{GroupID: g.ID, Rule: -1, Field: "iac.managed_by", Value: g.IaC.ManagedBy, Reason: "want terraform"}
	}
	keys := make(map[string]bool, g.Rules.Len())
	for _, r := range g.Rules.All() {
		keys[r.Key()] = true
	}
	for i, r := range g.IaC.UnmanagedRules {
		if !keys[r.Key()] {
			return &ValueError{GroupID: g.ID, Rule: -1, Field: fmt.Sprintf("iac.unmanaged_rules[%d]", i), Value: describeRule(r),
				Reason: "not one of the group's rules"}
		}
	}
	return nil
}

// checkRuleCount refuses more rules of one direction and family than
// MaxRulesPerDirection; a group or prefix-list reference counts for both
// families, as AWS counts it.
func (g *SecurityGroup) checkRuleCount() error {
	var n [2][2]int // [ingress, egress][IPv4, IPv6]
	for i := range g.Rules.Len() {
		dir, kind := g.Rules.dirKind(i) // not At: the rest is not needed
		d := 0
		if dir == Egress {
			d = 1
		}
		switch kind {
		case PeerCIDRv4:
			n[d][0]++
		case PeerCIDRv6:
			n[d][1]++
		default:
			n[d][0]++
			n[d][1]++
		}
	}
	for d, dir := range []Direction{Ingress, Egress} {
		for f, family := range []string{"IPv4", "IPv6"} {
			if n[d][f] > MaxRulesPerDirection {
				return &ValueError{GroupID: g.ID, Rule: -1, Field: "rules", Value: string(dir),
					Reason: fmt.Sprintf("%d %s %s rules: AWS holds at most %d per group, direction and address family", n[d][f], dir, family, MaxRulesPerDirection)}
			}
		}
	}
	return nil
}

// describeRule is a rule's content in a few words, for messages; values
// from data are quoted when they hold anything but id characters.
func describeRule(r Rule) string {
	peer := cmpOr(r.Peer.CIDR, r.Peer.PrefixListID, r.Peer.GroupID)
	return fmt.Sprintf("%s %s %d-%d %s", token(string(r.Direction)), token(r.Protocol), r.FromPort, r.ToPort, token(peer))
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// checkRule returns the field, value and reason of the first value of r
// that AWS would not accept, or "" reasons.
func checkRule(r Rule) (field, value, reason string) {
	if r.ID != "" && !ValidResourceID("sgr-", r.ID) {
		return "id", r.ID, resourceIDReason("sgr-")
	}
	if r.Direction != Ingress && r.Direction != Egress {
		return "direction", string(r.Direction), "want ingress or egress"
	}
	if reason := checkProtocol(r.Protocol); reason != "" {
		return "protocol", r.Protocol, reason
	}
	if field, value, reason := checkPorts(r.Protocol, r.FromPort, r.ToPort); reason != "" {
		return field, value, reason
	}
	return checkPeer(r.Peer)
}

// ParseProtocol reads an EC2 IpProtocol the way EC2 does and returns the
// inventory's name for it: all, tcp, udp, icmp, icmpv6, or the decimal
// number of any other IP protocol ("47" for GRE). ok is false for anything
// EC2 does not accept (see the top of this file).
func ParseProtocol(raw string) (protocol string, ok bool) {
	switch asciiLower(raw) {
	case "-1":
		return ProtocolAll, true
	case ProtocolTCP, "6":
		return ProtocolTCP, true
	case ProtocolUDP, "17":
		return ProtocolUDP, true
	case ProtocolICMP, "1":
		return ProtocolICMP, true
	case ProtocolICMPv6, "58":
		return ProtocolICMPv6, true
	}
	if protocolNumber(raw) {
		return raw, true
	}
	return raw, false
}

// protocolNumber reports whether s is an IP protocol number, 0 to 255, in
// plain decimal without a sign or leading zeros.
func protocolNumber(s string) bool {
	if len(s) == 0 || len(s) > 3 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n <= 255
}

// asciiLower lower-cases ASCII letters only: Unicode case mapping would
// turn other characters into these names.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// checkProtocol checks a normalised protocol: one of the names, or a
// number that has no name.
func checkProtocol(p string) string {
	if p == "" {
		return "no protocol"
	}
	switch p {
	case ProtocolAll, ProtocolTCP, ProtocolUDP, ProtocolICMP, ProtocolICMPv6:
		return ""
	}
	if got, ok := ParseProtocol(p); ok {
		if got != p {
			return "not canonical: the inventory writes it " + strconv.Quote(got)
		}
		return ""
	}
	return "not an EC2 protocol: want tcp, udp, icmp, icmpv6, -1 or a protocol number 0-255"
}

// Port and ICMP limits.
const (
	maxPort     = 65535
	maxICMPCode = 255 // ICMP types and codes are one byte
)

// checkPorts checks a rule's ports for its (valid) protocol.
func checkPorts(protocol string, from, to int) (field, value, reason string) {
	bad := func(field string, v int, reason string) (string, string, string) {
		return field, strconv.Itoa(v), reason
	}
	switch protocol {
	case ProtocolAll:
		if from != 0 {
			return bad("from_port", from, "the inventory stores protocol all as ports 0-65535")
		}
		if to != maxPort {
			return bad("to_port", to, "the inventory stores protocol all as ports 0-65535")
		}
	case ProtocolTCP, ProtocolUDP:
		if from < 0 || from > maxPort {
			return bad("from_port", from, protocol+" ports are 0 to 65535 (AWS requires a port range)")
		}
		if to < 0 || to > maxPort {
			return bad("to_port", to, protocol+" ports are 0 to 65535 (AWS requires a port range)")
		}
		if from > to {
			return bad("from_port", from, fmt.Sprintf("greater than to_port %d", to))
		}
	case ProtocolICMP, ProtocolICMPv6:
		if from < -1 || from > maxICMPCode {
			return bad("from_port", from, "the ICMP type is -1 (any) or 0 to 255")
		}
		if to < -1 || to > maxICMPCode {
			return bad("to_port", to, "the ICMP code is -1 (any) or 0 to 255")
		}
		if from == -1 && to != -1 {
			return bad("to_port", to, "any ICMP type (-1) requires any code (-1)")
		}
	default: // other protocol numbers: EC2 ignores ports
		if from != -1 {
			return bad("from_port", from, "protocol "+protocol+" has no ports; the inventory stores -1")
		}
		if to != -1 {
			return bad("to_port", to, "protocol "+protocol+" has no ports; the inventory stores -1")
		}
	}
	return "", "", ""
}

// CanonicalCIDR reads a CIDR the way EC2 does and returns it as EC2 writes
// it: host bits cleared, IPv6 in RFC 5952 form (see the top of this file).
// ok is false when s is not a CIDR at all; v6 says its family.
func CanonicalCIDR(s string) (canonical string, v6, ok bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "", false, false
	}
	// Nearly every CIDR is canonical already: compare in a buffer on the
	// stack and return s itself, so that a million rules allocate nothing.
	var buf [64]byte // the longest form, an IPv4-mapped /128, is 50 bytes
	b := p.Masked().AppendTo(buf[:0])
	if string(b) == s {
		return s, p.Addr().Is6(), true
	}
	return string(b), p.Addr().Is6(), true
}

// checkCIDR checks a CIDR of a rule or prefix-list entry. want is the
// family the rule requires: "IPv4", "IPv6", or "" for either.
func checkCIDR(s, want string) string {
	canonical, v6, ok := CanonicalCIDR(s)
	family := "IPv4"
	if v6 {
		family = "IPv6"
	}
	switch {
	case !ok:
		return "not a CIDR block"
	case want != "" && family != want:
		return fmt.Sprintf("an %s CIDR where %s is expected", family, want)
	case canonical != s:
		return "not canonical: AWS writes it " + strconv.Quote(canonical)
	}
	return ""
}

// checkPeer checks that a peer is of a known kind, has the field of its
// kind and none of another kind.
func checkPeer(p Peer) (field, value, reason string) {
	// The fields each kind may have: cidr, prefix_list_id, group_id,
	// group_owner, vpc_id, peering_status.
	var allowed [6]bool
	switch p.Kind {
	case PeerCIDRv4, PeerCIDRv6:
		want := "IPv4"
		if p.Kind == PeerCIDRv6 {
			want = "IPv6"
		}
		if reason := checkCIDR(p.CIDR, want); reason != "" {
			return "peer.cidr", p.CIDR, reason
		}
		allowed[0] = true
	case PeerPrefixList:
		if p.PrefixListID == "" {
			return "peer.prefix_list_id", "", "a prefix_list peer needs the list's id"
		}
		if !ValidPrefixListID(p.PrefixListID) {
			return "peer.prefix_list_id", p.PrefixListID, `not a prefix list id: "pl-" and 8 to 17 lower-case hex digits`
		}
		allowed[1] = true
	case PeerSecurityGroup:
		if p.GroupID == "" {
			return "peer.group_id", "", "a security_group peer needs the group's id"
		}
		if !ValidResourceID("sg-", p.GroupID) {
			return "peer.group_id", p.GroupID, resourceIDReason("sg-")
		}
		if p.VPCID != "" && !ValidResourceID("vpc-", p.VPCID) {
			return "peer.vpc_id", p.VPCID, resourceIDReason("vpc-")
		}
		if p.GroupOwner != "" && !ValidAccountID(p.GroupOwner) {
			return "peer.group_owner", p.GroupOwner, "an account id is exactly 12 digits"
		}
		allowed = [6]bool{false, false, true, true, true, true}
	default:
		return "peer.kind", string(p.Kind), "want cidr_ipv4, cidr_ipv6, prefix_list or security_group"
	}
	fields := [6]struct{ name, value string }{
		{"cidr", p.CIDR}, {"prefix_list_id", p.PrefixListID}, {"group_id", p.GroupID},
		{"group_owner", p.GroupOwner}, {"vpc_id", p.VPCID}, {"peering_status", p.PeeringStatus},
	}
	for i, f := range fields {
		if !allowed[i] && f.value != "" {
			return "peer." + f.name, f.value, "a " + string(p.Kind) + " peer has no " + f.name
		}
	}
	return "", "", ""
}

// Validate checks the values of a prefix list that AWS constrains: its
// id, account id, region, owner and each entry's CIDR. where names the list in
// messages ("prefix_lists[0]").
func (pl *PrefixList) Validate(where string) error {
	where = cmpOr(where, "prefix list")
	if pl.ID != "" {
		where += " (" + token(pl.ID) + ")"
	}
	bad := func(field, value, reason string) error {
		return &ValueError{Where: where, Rule: -1, Field: field, Value: value, Reason: reason}
	}
	switch {
	case pl.ID == "":
		return bad("id", "", "a prefix list needs an id")
	case !ValidPrefixListID(pl.ID):
		return bad("id", pl.ID, `not a prefix list id: "pl-" and 8 to 17 lower-case hex digits`)
	case !ValidAccountID(pl.AccountID):
		return bad("account_id", pl.AccountID, "an account id is exactly 12 digits")
	case !ValidRegion(pl.Region):
		return bad("region", pl.Region, "not a region name such as eu-west-1: rules find a list by their group's account, region and the list's id")
	case pl.Owner != "" && pl.Owner != "AWS" && !ValidAccountID(pl.Owner):
		return bad("owner", pl.Owner, `an owner is an account id of 12 digits, or "AWS"`)
	}
	for i, e := range pl.Entries {
		if reason := checkCIDR(e.CIDR, ""); reason != "" {
			return bad(fmt.Sprintf("entries[%d].cidr", i), e.CIDR, reason)
		}
	}
	return nil
}
