package collect

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// cliJSON is one AWS CLI output: {key: items} plus any extra top-level
// keys, written by encoding/json as the CLI writes the API's shapes.
func cliJSON(t testing.TB, key string, items any, extra ...string) string {
	t.Helper()
	m := map[string]any{key: items}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func flatten[T any](pages [][]T) []T { return slices.Concat(pages...) }

// netExport is netPages as the files of an AWS CLI export: one file per
// describe, and per load balancer, listener and target group for the
// describes that take one. What the CLI says and the fakes left out is
// filled in (subnet owners, border groups, rule ARNs that name their
// listener); what a live scan knows and an export cannot (a deleted
// load balancer, target group attributes) differs as wantImportedNetwork
// says.
func netExport(t testing.TB) []Input {
	n := netPages()
	subnets := flatten(n.subnetPages)
	for i := range subnets {
		subnets[i].OwnerId = aws.String(testAccount)
		subnets[i].SubnetArn = aws.String("arn:aws:ec2:eu-west-1:" + testAccount + ":subnet/" + aws.ToString(subnets[i].SubnetId))
	}
	addresses := slices.Clone(n.addresses)
	for i := range addresses {
		addresses[i].NetworkBorderGroup = aws.String("eu-west-1")
	}
	classic := flatten(n.classicPages)
	classic[1].DNSName = aws.String("internal-old-internal-1.eu-west-1.elb.amazonaws.com")
	files := []Input{
		input("sgs.json", cliGroups(cliGroup("sg-1", sshToWorld), cliGroup("sg-2", ""))),
		input("subnets.json", cliJSON(t, listSubnets, subnets)),
		input("rtbs.json", cliJSON(t, listRouteTables, flatten(n.rtPages))),
		input("acls.json", cliJSON(t, listNetworkACLs, flatten(n.aclPages))),
		input("igws.json", cliJSON(t, listIGWs, flatten(n.igwPages))),
		input("eigws.json", cliJSON(t, listEIGWs, flatten(n.eigwPages))),
		input("eips.json", cliJSON(t, listAddresses, addresses)),
		input("lbs.json", cliJSON(t, listLoadBalancers, flatten(n.lbPages))),
		input("tgs.json", cliJSON(t, listTargetGroups, flatten(n.tgPages))),
		input("classic.json", cliJSON(t, listClassic, classic)),
	}
	for _, lb := range []string{albARN, nlbARN, goneLBARN} {
		files = append(files, input("listeners-"+lb[len(lb)-4:]+".json", cliJSON(t, listListeners, flatten(n.listenerPages[lb]))))
	}
	for _, l := range []string{albL80, albL443} {
		rules := flatten(n.rulePages[l])
		for i := range rules {
			rules[i].RuleArn = aws.String(strings.Replace(l, ":listener/", ":listener-rule/", 1) + "/r" + string(rune('0'+i)))
		}
		files = append(files, input("rules-"+l[len(l)-1:]+".json", cliJSON(t, listELBRules, rules)))
	}
	// Every listener of an application load balancer has its default rule
	// in an export (the fake's pages leave it out for albL80, and albLGone
	// was deleted before a live scan read its rules): it stands for the
	// listener's default action, which adds no target group of its own.
	for _, l := range []string{albL80, albLGone} {
		files = append(files, input("rules-default-"+l[len(l)-1:]+".json", cliJSON(t, listELBRules, []elbv2types.Rule{{
			RuleArn: aws.String(strings.Replace(l, ":listener/", ":listener-rule/", 1) + "/default"), IsDefault: aws.Bool(true),
			Actions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumRedirect}}}})))
	}
	for _, tg := range []string{tgWeb, tgAPI, tgDB, tgDBInst, tgGone} {
		files = append(files, input("targets-"+tg[len(tg)-4:]+".json", cliJSON(t, listTargetHealth, nonNil(n.health[tg]), keyTargetGroupARN, tg)))
	}
	return files
}

// wantImportedNetwork is what netExport imports to: the collector's model,
// except what only the API gives. Target group attributes are not part of
// the export, so each group has its default.
func wantImportedNetwork() *inventory.Inventory {
	want := wantNetwork()
	for i := range want.TargetGroups {
		if want.TargetGroups[i].ARN == tgDB {
			want.TargetGroups[i].PreserveClientIP = false // ip targets over TCP: off by default
		}
	}
	for i := range want.LoadBalancers {
		if want.LoadBalancers[i].Name == "old-internal" {
			want.LoadBalancers[i].DNSName = "internal-old-internal-1.eu-west-1.elb.amazonaws.com"
		}
	}
	return want
}

// TestImportNetwork: the AWS CLI JSON of every network describe imports
// to the model a live scan of the same data gives, each item in its
// account and region (from its ARN, its owner, its VPC, its subnets or
// its interface), the kinds collected where items were given, and the
// result reads back as an inventory. Given twice, the same export is
// read once.
func TestImportNetwork(t *testing.T) {
	inv, err := ImportReaders(context.Background(), netExport(t), "")
	if err != nil {
		t.Fatalf("ImportReaders: %v", err)
	}
	if diff := cmp.Diff(wantImportedNetwork(), networkOf(inv)); diff != "" {
		t.Errorf("network (-want +got):\n%s", diff)
	}
	want := []string{inventory.KindAddresses, inventory.KindClassicLoadBalancers, inventory.KindEgressOnlyInternetGateways,
		inventory.KindInternetGateways, inventory.KindLoadBalancers, inventory.KindNetworkACLs, inventory.KindRouteTables,
		inventory.KindSecurityGroups, inventory.KindSubnets, inventory.KindTargetGroups}
	if len(inv.Coverage) != 1 || !slices.Equal(inv.Coverage[0].Collected, want) {
		t.Errorf("coverage %+v, want one row collecting %v", inv.Coverage, want)
	}
	if err := inv.Check(); err != nil {
		t.Errorf("imported inventory fails its checks: %v", err)
	}

	twice, err := ImportReaders(context.Background(), append(netExport(t), netExport(t)[1:]...), "")
	if err != nil {
		t.Fatalf("ImportReaders of the export twice: %v", err)
	}
	if diff := cmp.Diff(networkOf(inv), networkOf(twice)); diff != "" {
		t.Errorf("the same export twice (-once +twice):\n%s", diff)
	}
}

// TestImportNetworkRefused: network exports that cannot be placed, are
// incomplete or malformed are refused with a message naming the file (and
// line, for what the JSON itself says), never half-imported.
func TestImportNetworkRefused(t *testing.T) {
	group := cliGroups(cliGroup("sg-1", ""))
	n := netPages()
	lbs := cliJSON(t, listLoadBalancers, flatten(n.lbPages))
	tgs := cliJSON(t, listTargetGroups, flatten(n.tgPages)[:1])
	tests := []struct {
		name   string
		inputs []Input
		want   string
	}{
		{
			name:   "targets without their target group's ARN",
			inputs: []Input{input("sgs.json", group), input("t.json", `{"TargetHealthDescriptions": []}`)},
			want:   `invalid input: t.json: TargetHealthDescriptions without TargetGroupArn: describe-target-health does not say whose targets these are; add the top-level key "TargetGroupArn": "<the --target-group-arn you exported>"`,
		},
		{
			name:   "a target group ARN without targets",
			inputs: []Input{input("sgs.json", group), input("t.json", `{"Subnets": [], "TargetGroupArn": "`+tgWeb+`"}`)},
			want:   `invalid input: t.json:1:17 (byte 16): TargetGroupArn without TargetHealthDescriptions: it names the target group of a describe-target-health export`,
		},
		{
			name:   "a target group ARN that is not a string",
			inputs: []Input{input("sgs.json", group), input("t.json", "{\"TargetHealthDescriptions\": [],\n \"TargetGroupArn\": 7}")},
			want:   `invalid input: t.json:2:2 (byte 34): TargetGroupArn: a target group ARN (a string) was expected`,
		},
		{
			name:   "a target group without its targets",
			inputs: []Input{input("sgs.json", group), input("tgs.json", tgs)},
			want: `invalid input: tgs.json (TargetGroups[0]): target group ` + tgWeb + ` without its targets: add the output of ` +
				"`aws elbv2 describe-target-health --target-group-arn " + tgWeb + "` with a top-level \"TargetGroupArn\": \"" + tgWeb + `"`,
		},
		{
			name:   "targets of a target group no input holds",
			inputs: []Input{input("sgs.json", group), input("t.json", cliJSON(t, listTargetHealth, []any{}, keyTargetGroupARN, tgAPI))},
			want:   "invalid input: t.json: the targets of target group " + tgAPI + ", which no input holds: add the describe-target-groups export of that region",
		},
		{
			name:   "load balancers without listeners",
			inputs: []Input{input("sgs.json", group), input("lbs.json", lbs)},
			want: "invalid input: lbs.json (LoadBalancers[0]): load balancers without their listeners: add the output of " +
				"`aws elbv2 describe-listeners --load-balancer-arn …` of each",
		},
		{
			name:   "a listener of a load balancer no input holds",
			inputs: []Input{input("sgs.json", group), input("l.json", cliJSON(t, listListeners, flatten(n.listenerPages[nlbARN])))},
			want: "invalid input: l.json (Listeners[0]): listener " + nlbL5432 + " belongs to load balancer " + nlbARN +
				", which no input holds: add the describe-load-balancers export of that region",
		},
		{
			name: "a rule of a listener no input holds",
			inputs: []Input{input("sgs.json", group), input("r.json", cliJSON(t, listELBRules, []elbv2types.Rule{{RuleArn: aws.String(
				"arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":listener-rule/app/web/1111/z/r1")}}))},
			want: "invalid input: r.json (Rules[0]): rule arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":listener-rule/app/web/1111/z/r1" +
				" belongs to listener arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":listener/app/web/1111/z, which no input holds: add its describe-listeners export",
		},
		{
			name:   "a field of the wrong type",
			inputs: []Input{input("sgs.json", group), input("s.json", "{\"Subnets\": [\n {\"SubnetId\": \"subnet-1\", \"CidrBlock\": 5}]}")},
			want:   "invalid input: s.json:2:40 (byte 53): field Subnets[0].CidrBlock: a JSON number where string was expected",
		},
		{
			name:   "a route table whose VPC no input places, in an import of two regions, without --region",
			inputs: []Input{input("sgs.json", cliGroups(cliGroup("sg-1", ""), strings.ReplaceAll(cliGroup("sg-2", ""), "eu-west-1", "us-east-1"))), input("r.json", `{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-9", "OwnerId": "`+testAccount+`"}]}`)},
			want:   "invalid input: r.json (RouteTables[0]): cannot tell the region of route table rtb-1: pass --region",
		},
		{
			name:   "a subnet without an owner",
			inputs: []Input{input("sgs.json", group), input("s.json", `{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "AvailabilityZone": "eu-west-1a"}]}`)},
			want:   `invalid input: s.json (Subnets[0]): subnet subnet-1: OwnerId "": an account id is exactly 12 digits`,
		},
		{
			name:   "network data without any security group",
			inputs: []Input{input("s.json", `{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "OwnerId": "`+testAccount+`", "AvailabilityZone": "eu-west-1a"}]}`)},
			want:   "invalid input: s.json: network data but no security group in any input: add the describe-security-groups export of the same regions",
		},
		{
			name: "a network ACL entry AWS would not accept",
			inputs: []Input{input("sgs.json", group), input("a.json", `{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "OwnerId": "`+testAccount+`",
  "Entries": [{"RuleNumber": 100, "Protocol": "tcpx", "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"}]}]}`)},
			want: `invalid input: a.json: network_acls[0]: entries[0].protocol "tcpx": want "-1" or a protocol number 0-255 in plain decimal`,
		},
		{
			name:   "an unknown list beside a network list",
			inputs: []Input{input("sgs.json", group), input("v.json", `{"Subnets": [], "Vpcs": []}`)},
			want: `invalid input: v.json:1:17 (byte 16): unknown top-level key "Vpcs": AWS CLI JSON holds only SecurityGroups, NetworkInterfaces or SecurityGroupRules, or ` +
				networkListsJoined,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ImportReaders(context.Background(), tt.inputs, "")
			if !errors.Is(err, ErrInput) || err.Error() != tt.want {
				t.Errorf("ImportReaders() error =\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

// networkSeeds are fuzzing seeds of the network lists: every file of
// netExport alone, and one file holding groups and every network list at
// once (a file may hold several lists), which imports.
func networkSeeds(t testing.TB) []string {
	var out []string
	for _, in := range netExport(t) {
		raw, err := io.ReadAll(in.R)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(raw))
	}
	n := netPages()
	subnets := flatten(n.subnetPages)
	for i := range subnets {
		subnets[i].OwnerId = aws.String(testAccount)
	}
	m := map[string]any{
		listSubnets: subnets, listRouteTables: flatten(n.rtPages), listNetworkACLs: flatten(n.aclPages), listIGWs: flatten(n.igwPages),
		listEIGWs: flatten(n.eigwPages), listAddresses: n.addresses, listLoadBalancers: flatten(n.lbPages),
		listListeners: flatten(n.listenerPages[albARN]), listTargetGroups: flatten(n.tgPages)[:1],
		listTargetHealth: n.health[tgWeb], keyTargetGroupARN: tgWeb, listClassic: flatten(n.classicPages)[:1],
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	groups := cliGroups(cliGroup("sg-1", sshToWorld), cliGroup("sg-2", ""))
	all := strings.TrimSuffix(groups, "}") + ", " + strings.TrimPrefix(string(raw), "{")
	if _, err := ImportReaders(context.Background(), []Input{input("all.json", all)}, "eu-west-1"); err != nil {
		t.Fatalf("the all-lists seed does not import: %v", err)
	}
	return append(out, all)
}
