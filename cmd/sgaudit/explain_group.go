package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/sgaudit/sgaudit/internal/collect"
	"github.com/sgaudit/sgaudit/internal/safetext"
	"github.com/sgaudit/sgaudit/internal/scan"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// groupExplanation is the answer of `sgaudit explain --group` for one
// group (--format json: a list of them). Its shape is documented in
// docs/explain.md; fields are only ever added.
type groupExplanation struct {
	Group groupIdentity `json:"group"`
	// InUse is true when any evidence of use was collected.
	InUse bool `json:"in_use"`
	// UsedBy is every evidence of use, in the inventory's order.
	UsedBy []groupEvidence `json:"used_by"`
	// Checked are the kinds of use read completely in the group's region;
	// NotChecked those that were not, with why: an "unused" group is only
	// as sure as NotChecked is empty (docs/explain.md).
	Checked    []useCheck  `json:"checked"`
	NotChecked []useCheck  `json:"not_checked"`
	Rules      []groupRule `json:"rules"`
	// Exposure is the verified exposure of the group per port
	// (docs/reachability.md §4); empty when it opens nothing to the
	// internet.
	Exposure []groupExposure `json:"exposure"`
	// ExposureNote says why Exposure is empty: no interface carries the
	// group, or the network data of its region was not collected.
	ExposureNote string `json:"exposure_note,omitempty"`
	// Findings are what `sgaudit scan` reports for the group.
	Findings []groupFinding `json:"findings"`
}

type groupIdentity struct {
	ARN         string `json:"arn"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	AccountID   string `json:"account_id"`
	Region      string `json:"region"`
	VPCID       string `json:"vpc_id"`
	IsDefault   bool   `json:"is_default"`
	Tags        int    `json:"tags"`
}

type groupEvidence struct {
	Kind string `json:"kind"`
	// ID is the referencing resource's ARN, or its id where it has none
	// (eni-..., a launch template's id, the referencing group's id).
	ID     string `json:"id"`
	Detail string `json:"detail,omitempty"`
	// Resource is, for a network interface, what it belongs to (an
	// instance id, or the requester of a managed interface).
	Resource      string `json:"resource,omitempty"`
	InterfaceType string `json:"interface_type,omitempty"`
}

type useCheck struct {
	// Kind is the data kind of coverage.collected.
	Kind string `json:"kind"`
	// What says what the kind reads.
	What string `json:"what"`
	// Reason is why it was not checked (not_checked only).
	Reason string `json:"reason,omitempty"`
	// ops are the AWS operations whose failures the coverage row names
	// the kind by ("DescribeLaunchTemplateVersions: ..."); a service
	// kind's are named "kind:Operation: ...".
	ops []string
}

type groupRule struct {
	ID          string `json:"id"`
	Direction   string `json:"direction"`
	Protocol    string `json:"protocol"`
	FromPort    int    `json:"from_port"`
	ToPort      int    `json:"to_port"`
	PeerKind    string `json:"peer_kind"`
	Peer        string `json:"peer"`
	Description string `json:"description"`
}

type groupExposure struct {
	Protocol           string `json:"protocol"`
	FromPort           int    `json:"from_port"`
	ToPort             int    `json:"to_port"`
	Verdict            string `json:"verdict"`
	NetworkInterfaceID string `json:"network_interface_id"`
	Detail             string `json:"detail"`
}

type groupFinding struct {
	CheckID     string `json:"check_id"`
	Severity    string `json:"severity"`
	Title       string `json:"title"`
	RuleID      string `json:"rule_id,omitempty"`
	Message     string `json:"message"`
	Remediation string `json:"remediation"`
	Suppressed  bool   `json:"suppressed"`
}

// ec2UseKinds are the EC2 data kinds that can show a group is in use,
// with what they read; the services' kinds follow, from the collector's
// table (docs/checks/SGA008.md).
var ec2UseKinds = []useCheck{
	{Kind: inventory.KindNetworkInterfaces, What: "network interfaces carrying the group", ops: []string{"DescribeNetworkInterfaces"}},
	{Kind: inventory.KindSecurityGroups, What: "other groups' rules referencing the group (same region)", ops: []string{"DescribeSecurityGroups"}},
	{Kind: inventory.KindLaunchTemplates, What: "launch templates, every version", ops: []string{"DescribeLaunchTemplates", "DescribeLaunchTemplateVersions"}},
	{Kind: inventory.KindLaunchConfigurations, What: "Auto Scaling launch configurations", ops: []string{"DescribeLaunchConfigurations"}},
	{Kind: inventory.KindReferences, What: "references from groups in peered VPCs", ops: []string{"DescribeSecurityGroupReferences"}},
}

// useKindsOf lists every kind of use in its order: EC2's, then the
// services'.
func useKindsOf() []useCheck {
	out := slices.Clone(ec2UseKinds)
	for _, k := range collect.ProofOfUseKinds() {
		out = append(out, useCheck{Kind: k, What: collect.ProofOfUseService(k), ops: []string{k}})
	}
	return out
}

// groupShape reports whether s names a group: sg-... or its ARN
// (arn:<partition>:ec2:<region>:<account>:security-group/sg-...).
func groupShape(s string) bool {
	if strings.HasPrefix(s, "arn:") {
		p := strings.SplitN(s, ":", 6)
		if len(p) != 6 || p[1] == "" || p[2] != "ec2" || !inventory.ValidRegion(p[3]) || !inventory.ValidAccountID(p[4]) {
			return false
		}
		id, ok := strings.CutPrefix(p[5], "security-group/")
		return ok && inventory.ValidResourceID("sg-", id)
	}
	return inventory.ValidResourceID("sg-", s)
}

// findGroups returns the indexes of the groups --group names: by ARN, or
// by id in every account and region of the inventory (an inventory merged
// from several files may hold one id more than once; each is explained).
func findGroups(inv *inventory.Inventory, group string) []int {
	var out []int
	for i, g := range inv.SecurityGroups {
		if g.ARN == group || g.ID == group {
			out = append(out, i)
		}
	}
	return out
}

// explainGroup builds the answer for one group, from the inventory after
// evaluation (its reachability verdicts derived) and the report.
func explainGroup(inv *inventory.Inventory, g *inventory.SecurityGroup, rep *findings.Report) groupExplanation {
	e := groupExplanation{
		Group: groupIdentity{ARN: g.ARN, ID: g.ID, Name: g.Name, Description: g.Description, AccountID: g.AccountID,
			Region: g.Region, VPCID: g.VPCID, IsDefault: g.IsDefault, Tags: len(g.Tags.Map())},
		InUse: len(g.UsedBy) > 0, UsedBy: []groupEvidence{}, Checked: []useCheck{}, NotChecked: []useCheck{},
		Rules: []groupRule{}, Exposure: []groupExposure{}, Findings: []groupFinding{},
	}
	att := make(map[string]inventory.Attachment, len(g.Attachments))
	for _, a := range g.Attachments {
		att[a.NetworkInterfaceID] = a
	}
	for _, ev := range g.UsedBy {
		x := groupEvidence{Kind: string(ev.Kind), ID: ev.ID, Detail: ev.Detail}
		if ev.Kind == inventory.UsedByENI {
			if a, ok := att[ev.ID]; ok {
				x.Resource, x.InterfaceType = a.Resource, a.InterfaceType
			} else {
				x.Resource = ev.Detail
			}
			x.Detail = ""
		}
		e.UsedBy = append(e.UsedBy, x)
	}
	e.Checked, e.NotChecked = groupCoverage(inv, g)
	for _, r := range g.Rules.All() {
		e.Rules = append(e.Rules, groupRule{ID: r.ID, Direction: string(r.Direction), Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort,
			PeerKind: string(r.Peer.Kind), Peer: peerText(r.Peer), Description: r.Description})
	}
	for _, v := range inv.Reachability[inventory.ReachabilityKey(g.AccountID, g.Region, g.ID)] {
		e.Exposure = append(e.Exposure, groupExposure{Protocol: v.Protocol, FromPort: v.FromPort, ToPort: v.ToPort, Verdict: v.Verdict,
			NetworkInterfaceID: v.NetworkInterfaceID, Detail: v.Detail})
	}
	switch {
	case len(e.Exposure) > 0:
	case len(g.Attachments) == 0:
		e.ExposureNote = "no network interface carries it"
	default:
		e.ExposureNote = "no verdict: the network data of its region (subnets, route tables, network ACLs, internet gateways) was not collected, or it opens nothing to the internet (docs/reachability.md §4)"
	}
	if rep != nil {
		for _, f := range rep.Findings {
			if f.GroupARN != g.ARN || f.GroupID != g.ID {
				continue
			}
			e.Findings = append(e.Findings, groupFinding{CheckID: f.CheckID, Severity: string(f.Severity), Title: f.Title, RuleID: f.RuleID,
				Message: f.Message, Remediation: f.Remediation, Suppressed: f.Suppression != nil})
		}
	}
	return e
}

// groupCoverage splits the kinds of use into those read completely in
// the group's region and those not, each with the coverage row's reason:
// the problems the collector names "kind:Operation: ..." for a service,
// else the row's status and detail. A kind an inventory does not record
// at all (an AWS CLI export, an older inventory) says so.
func groupCoverage(inv *inventory.Inventory, g *inventory.SecurityGroup) (checked, notChecked []useCheck) {
	checked, notChecked = []useCheck{}, []useCheck{}
	var row *inventory.Coverage
	for i := range inv.Coverage {
		if c := &inv.Coverage[i]; c.AccountID == g.AccountID && c.Region == g.Region {
			row = c
			break
		}
	}
	var problems []string
	if row != nil && row.Detail != "" {
		problems = strings.Split(row.Detail, "; ")
	}
	for _, k := range useKindsOf() {
		if row != nil && slices.Contains(row.Collected, k.Kind) {
			checked = append(checked, k)
			continue
		}
		var reasons []string
		for _, p := range problems {
			if slices.ContainsFunc(k.ops, func(op string) bool { return strings.HasPrefix(p, op+":") }) {
				reasons = append(reasons, p)
			}
		}
		switch {
		case row == nil:
			k.Reason = "no coverage row for " + g.AccountID + "/" + g.Region
		case len(reasons) > 0:
			k.Reason = "could not be read (" + strings.Join(reasons, "; ") + ")"
		case row.Status != inventory.CoverageOK:
			k.Reason = "region " + string(row.Status)
			if row.Detail != "" {
				k.Reason += ": " + row.Detail
			}
		case inv.Source == "aws":
			k.Reason = "not collected (its coverage row gives no reason)"
		default:
			k.Reason = "not in this inventory (an AWS CLI export or an older inventory does not hold it; a live collection reads it)"
		}
		notChecked = append(notChecked, k)
	}
	return checked, notChecked
}

// peerText is a rule's peer as a person reads it.
func peerText(p inventory.Peer) string {
	switch p.Kind {
	case inventory.PeerCIDRv4, inventory.PeerCIDRv6:
		return p.CIDR
	case inventory.PeerPrefixList:
		return p.PrefixListID
	case inventory.PeerSecurityGroup:
		s := p.GroupID
		if p.GroupOwner != "" {
			s = p.GroupOwner + "/" + s
		}
		if p.VPCID != "" {
			s += " in " + p.VPCID
		}
		if p.PeeringStatus != "" {
			s += " (" + p.PeeringStatus + ")"
		}
		return s
	}
	return ""
}

// portsText is a rule's protocol and ports: "tcp 22", "tcp 1024-2048",
// "all traffic", "icmp type 8 code -1".
func portsText(proto string, from, to int) string {
	switch {
	case proto == inventory.ProtocolAll:
		return "all traffic"
	case proto == inventory.ProtocolICMP || proto == inventory.ProtocolICMPv6:
		if from == -1 {
			return proto + " all types"
		}
		return proto + " type " + strconv.Itoa(from) + " code " + strconv.Itoa(to)
	case from == -1:
		return "protocol " + proto
	case from == to:
		return proto + " " + strconv.Itoa(from)
	case from == 0 && to == 65535:
		return proto + " all ports"
	}
	return proto + " " + strconv.Itoa(from) + "-" + strconv.Itoa(to)
}

// wrapper writes lines of at most cols columns (0: no limit), indenting
// the continuation of a wrapped line under the first's text. It breaks at
// spaces only: a word wider than the line (an ARN) stays whole, so it can
// still be copied.
type wrapper struct {
	w    io.Writer
	cols int
}

// line writes indent+text, every piece sanitised by the caller, wrapping
// at spaces when text is wider than the terminal.
func (p wrapper) line(indent, text string) {
	width := p.cols - utf8.RuneCountInString(indent)
	if p.cols <= 0 || width < 20 || utf8.RuneCountInString(text) <= width {
		fmt.Fprintln(p.w, indent+text)
		return
	}
	cont := strings.Repeat(" ", utf8.RuneCountInString(indent)+4)
	pre := indent
	for text != "" {
		if utf8.RuneCountInString(text) <= width {
			fmt.Fprintln(p.w, pre+text)
			return
		}
		// lim is the byte offset of the rune just past the width: a space
		// there still ends the line within it.
		lim, n := 0, 0
		for lim = range text {
			if n == width {
				break
			}
			n++
		}
		cut := strings.LastIndexByte(text[:lim+1], ' ')
		if cut <= 0 {
			if cut = strings.IndexByte(text, ' '); cut < 0 {
				cut = len(text)
			}
		}
		fmt.Fprintln(p.w, pre+strings.TrimRight(text[:cut], " "))
		text = strings.TrimLeft(text[cut:], " ")
		pre, width = cont, p.cols-len(cont)
	}
}

func writeGroupExplanation(w io.Writer, cols int, e groupExplanation) {
	p := wrapper{w, cols}
	s := safetext.Line
	gr := e.Group
	p.line("", fmt.Sprintf("%s (%s) in account %s, %s, %s", s(gr.ID), s(gr.Name), s(gr.AccountID), s(gr.Region), s(gr.VPCID)))
	p.line("  ", "arn: "+s(gr.ARN))
	p.line("  ", fmt.Sprintf("description: %q; %d tags", s(gr.Description), gr.Tags))
	switch {
	case e.InUse:
		p.line("", fmt.Sprintf("IN USE: %d evidence", len(e.UsedBy)))
	case gr.IsDefault:
		p.line("", "NOT IN USE, but a default group: AWS keeps it, it is never reported unused")
	case len(e.NotChecked) == 0:
		p.line("", "UNUSED: nothing of any kind checked references it")
	default:
		n := fmt.Sprintf("%d kinds of use were", len(e.NotChecked))
		if len(e.NotChecked) == 1 {
			n = "1 kind of use was"
		}
		p.line("", "UNUSED as far as the data tells: nothing checked references it, but "+n+" not checked")
	}
	for _, ev := range e.UsedBy {
		t := ev.Kind + " " + s(ev.ID)
		switch {
		case ev.Resource != "" && ev.InterfaceType != "":
			t += " (" + s(ev.InterfaceType) + " of " + s(ev.Resource) + ")"
		case ev.Resource != "":
			t += " (of " + s(ev.Resource) + ")"
		case ev.InterfaceType != "":
			t += " (" + s(ev.InterfaceType) + ")"
		}
		if ev.Detail != "" {
			t += ": " + s(ev.Detail)
		}
		p.line("  - ", t)
	}
	kinds := make([]string, 0, len(e.Checked))
	for _, c := range e.Checked {
		kinds = append(kinds, c.Kind)
	}
	p.line("", "checked in "+s(gr.AccountID)+"/"+s(gr.Region)+": "+orNone(strings.Join(kinds, ", ")))
	if len(e.NotChecked) > 0 {
		p.line("", "not checked:")
		for _, c := range e.NotChecked {
			p.line("  - ", c.Kind+" ("+s(c.What)+"): "+s(c.Reason))
		}
	}
	p.line("", fmt.Sprintf("rules: %d", len(e.Rules)))
	for _, r := range e.Rules {
		dir := "from"
		if r.Direction == string(inventory.Egress) {
			dir = "to"
		}
		t := fmt.Sprintf("%-7s %s %s %s", r.Direction, portsText(r.Protocol, r.FromPort, r.ToPort), dir, s(r.Peer))
		if r.ID != "" {
			t += " [" + s(r.ID) + "]"
		}
		if r.Description != "" {
			t += fmt.Sprintf(" %q", s(r.Description))
		}
		p.line("  ", t)
	}
	if e.ExposureNote != "" {
		p.line("", "verified exposure to the internet: "+e.ExposureNote)
	}
	if len(e.Exposure) > 0 {
		p.line("", "verified exposure to the internet:")
		for _, x := range e.Exposure {
			v := map[string]string{"reachable": "REACHABLE", "not_reachable": "NOT REACHABLE", "not_verified": "NOT VERIFIED"}[x.Verdict]
			if v == "" {
				v = s(x.Verdict)
			}
			t := portsText(x.Protocol, x.FromPort, x.ToPort) + ": " + v
			if x.NetworkInterfaceID != "" {
				t += " on " + s(x.NetworkInterfaceID)
			}
			if x.Detail != "" {
				t += ": " + s(x.Detail)
			}
			p.line("  ", t)
		}
	}
	p.line("", fmt.Sprintf("findings: %d", len(e.Findings)))
	for _, f := range e.Findings {
		t := f.CheckID + " " + strings.ToUpper(f.Severity) + " " + s(f.Message)
		if f.Suppressed {
			t += " (suppressed)"
		}
		p.line("  - ", t)
		if f.Remediation != "" {
			p.line("    ", "fix: "+s(f.Remediation))
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// runExplainGroup answers `sgaudit explain --group`: it gets the
// inventory as explain does, judges it as scan does (embedded policies,
// default settings) and explains every group --group names.
func runExplainGroup(cmd *cobra.Command, ios *streams, f *awsFlags, inputs []string, group, format string) error {
	switch {
	case format != "text" && format != "json":
		return usagef("invalid --format %q: want text or json", format)
	case !groupShape(group):
		return usagef("--group %s: want a security group id (sg-...) or its ARN (arn:aws:ec2:<region>:<account>:security-group/sg-...)", safetext.Line(group))
	}
	ctx := cmd.Context()
	opts := scan.Options{Inputs: inputs, FallbackRegion: f.region, Logger: loggerFrom(ctx), Now: ios.now, Version: versionString()}
	if len(inputs) == 0 {
		opts.AWSConfig, opts.Collect = f.loader(), f.collectOptions(ios)
	}
	// The policies first, as scan does: a broken engine fails before AWS.
	eng, err := scan.LoadEngine(ctx, opts)
	if err != nil {
		return err
	}
	inv, err := scan.Inventory(ctx, opts)
	if err != nil {
		if len(inputs) > 0 {
			return &usageError{err}
		}
		return err
	}
	idx := findGroups(inv, group)
	if len(idx) == 0 {
		return usagef("--group %s: no such security group in the inventory", safetext.Line(group))
	}
	rep, err := scan.Evaluate(ctx, eng, inv, opts)
	if err != nil {
		return err
	}
	out := make([]groupExplanation, 0, len(idx))
	for _, i := range idx {
		out = append(out, explainGroup(inv, &inv.SecurityGroups[i], rep))
	}
	if format == "json" {
		enc := json.NewEncoder(ios.out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	cols := 0
	if ios.outCols != nil {
		cols = ios.outCols()
	}
	for k, e := range out {
		if k > 0 {
			fmt.Fprintln(ios.out)
		}
		writeGroupExplanation(ios.out, cols, e)
	}
	return nil
}
