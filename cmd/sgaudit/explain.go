package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgaudit/sgaudit/internal/reachability"
	"github.com/sgaudit/sgaudit/internal/safetext"
	"github.com/sgaudit/sgaudit/internal/scan"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Explain verdicts.
const (
	explainReachable    = "reachable"
	explainNotReachable = "not_reachable"
	explainNotOpen      = "not_open"
	explainNotVerified  = "not_verified"
)

// explanation is one answer of `sgaudit explain` (--format json).
type explanation struct {
	To                 string               `json:"to"`
	NetworkInterfaceID string               `json:"network_interface_id"`
	Resource           string               `json:"resource,omitempty"`
	Protocol           string               `json:"protocol"`
	Port               int                  `json:"port"`
	From               string               `json:"from"`
	Verdict            string               `json:"verdict"`
	Via                []reachability.Via   `json:"via"`
	Path               []reachability.Hop   `json:"path"`
	BlockedBy          []reachability.Block `json:"blocked_by"`
	// UnreachedSources are the internet sources the groups admit that do
	// not reach a reachable port (docs/reachability.md §2).
	UnreachedSources []string `json:"unreached_sources,omitempty"`
	Reason           string   `json:"reason,omitempty"`
	Caveat           string   `json:"caveat,omitempty"`
}

func newExplainCmd(ios *streams) *cobra.Command {
	var inputs []string
	var to, protocol, from, format, group string
	var port int
	var f awsFlags
	cmd := &cobra.Command{
		Use:   "explain",
		Short: "Explain whether the internet reaches a port, hop by hop, or why a group is (not) unused",
		Long: `explain answers, from an inventory, whether an internet address reaches a port of a
network interface (or of an instance's primary interface, or of the targets of a load
balancer by its DNS name): the path hop by hop when it does, every blocking component when
it does not (docs/reachability.md). Without --from the source is any internet address.
Without --input it collects from AWS first, as 'sgaudit collect' does (limit it with
--regions).

With --group (an id, sg-..., or its ARN) it explains a security group instead: its
identity, whether it is in use with every evidence (network interfaces and what they belong
to, launch templates, other groups' rules, every service whose configuration names it),
which kinds of use were not checked in its region and why, its rules, its verified
exposure per port, and the findings a scan reports for it (docs/explain.md). An id held
in several accounts or regions of the inventory explains each; give the ARN for one.`,
		Example: `  sgaudit explain --input inventory.json --to eni-0abc --port 22
  sgaudit explain --input inventory.json --to i-0abc --port 5432 --from 203.0.113.7
  sgaudit explain --input inventory.json --to web-123.eu-west-1.elb.amazonaws.com --port 443 --format json
  sgaudit explain --input inventory.json --group sg-0abc
  sgaudit explain --group arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0abc --regions eu-west-1 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.validate(cmd.Flags()); err != nil {
				return err
			}
			f.noProgress = true
			if group != "" || cmd.Flags().Changed("group") {
				for _, other := range []string{"to", "port", "protocol", "from"} {
					if cmd.Flags().Changed(other) {
						return usagef("--group and --%s exclude each other: --group explains a group, --to a port of an interface", other)
					}
				}
				return runExplainGroup(cmd, ios, &f, inputs, group, format)
			}
			return runExplain(cmd, ios, &f, inputs, to, protocol, from, format, port)
		},
	}
	f.register(cmd)
	cmd.Flags().StringArrayVarP(&inputs, "input", "i", nil, "inventory or AWS CLI JSON file to read (repeatable; default: collect from AWS)")
	cmd.Flags().StringVar(&to, "to", "", "eni-..., i-... (its primary interface) or a load balancer's DNS name (required unless --group)")
	cmd.Flags().StringVar(&group, "group", "", "explain a security group instead: sg-... or its ARN (why it is, or is not, unused)")
	cmd.Flags().IntVar(&port, "port", -1, "port on the interface (for icmp and icmpv6, the type) (required)")
	cmd.Flags().StringVar(&protocol, "protocol", "tcp", "tcp, udp, icmp or icmpv6")
	cmd.Flags().StringVar(&from, "from", "", "source address or CIDR block (default: any internet address; 0.0.0.0/0 or ::/0 say the same)")
	cmd.Flags().StringVarP(&format, "format", "f", "text", "text or json")
	return cmd
}

func runExplain(cmd *cobra.Command, ios *streams, f *awsFlags, inputs []string, to, protocol, from, format string, port int) error {
	switch {
	case to == "":
		return usagef("give --to (an interface id, an instance id or a load balancer's DNS name) or --group (a security group id or ARN)")
	case format != "text" && format != "json":
		return usagef("invalid --format %q: want text or json", format)
	case protocol != inventory.ProtocolTCP && protocol != inventory.ProtocolUDP && protocol != inventory.ProtocolICMP && protocol != inventory.ProtocolICMPv6:
		return usagef("invalid --protocol %q: want tcp, udp, icmp or icmpv6", protocol)
	case port < 0 || port > 65535 || port > 255 && (protocol == inventory.ProtocolICMP || protocol == inventory.ProtocolICMPv6):
		return usagef("give --port: 0 to 65535 (an ICMP type 0 to 255)")
	}
	var src netip.Addr
	var block netip.Prefix
	switch from {
	case "", "0.0.0.0/0", "::/0":
	default:
		if p, err := netip.ParsePrefix(from); err == nil {
			block = p.Masked()
			break
		}
		a, err := netip.ParseAddr(from)
		if err != nil {
			return usagef("invalid --from %q: want an address or a CIDR block (0.0.0.0/0: any internet address)", from)
		}
		src = a.Unmap()
	}
	opts := scan.Options{Inputs: inputs, FallbackRegion: f.region, Logger: loggerFrom(cmd.Context()), Now: ios.now}
	if len(inputs) == 0 {
		opts.AWSConfig, opts.Collect = f.loader(), f.collectOptions(ios)
	}
	inv, err := scan.Inventory(cmd.Context(), opts)
	if err != nil {
		if len(inputs) > 0 {
			return &usageError{err}
		}
		return err
	}
	a := reachability.New(inv)
	targets, ports, err := explainTargets(a, inv, to, port)
	if err != nil {
		return err
	}
	var out []explanation
	for k, i := range targets {
		out = append(out, explainOne(a, inv, i, to, protocol, ports[k], src, block))
	}
	if format == "json" {
		enc := json.NewEncoder(ios.out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for k, e := range out {
		if k > 0 {
			fmt.Fprintln(ios.out)
		}
		writeExplanation(ios.out, e)
	}
	return nil
}

// explainTargets resolves --to into interfaces (indexes into the
// inventory's interfaces) and the port on each: an interface or an
// instance is itself at --port; a load balancer's DNS name is every
// target its listener on --port forwards to, at the target's port.
func explainTargets(a *reachability.Analyzer, inv *inventory.Inventory, to string, port int) ([]int, []int, error) {
	if strings.HasPrefix(to, "eni-") || strings.HasPrefix(to, "i-") {
		i, ok := a.Find(to)
		if !ok {
			return nil, nil, usagef("--to %s: no such interface in the inventory (an instance needs its primary interface there)", safetext.Line(to))
		}
		return []int{i}, []int{port}, nil
	}
	for _, lb := range inv.LoadBalancers {
		if !strings.EqualFold(lb.DNSName, to) {
			continue
		}
		var is, ps []int
		for _, t := range a.LoadBalancerTargets(lb.ARN, port) {
			is, ps = append(is, t.Interface), append(ps, t.Port)
		}
		if len(is) == 0 {
			return nil, nil, usagef("--to %s: load balancer %s has no listener on port %d with a target in the inventory", safetext.Line(to), lb.Name, port)
		}
		return is, ps, nil
	}
	return nil, nil, usagef("--to %s: want eni-..., i-... or the DNS name of a load balancer in the inventory", safetext.Line(to))
}

func explainOne(a *reachability.Analyzer, inv *inventory.Inventory, i int, to, proto string, port int, src netip.Addr, block netip.Prefix) explanation {
	n := &inv.NetworkInterfaces[i]
	e := explanation{To: to, NetworkInterfaceID: n.ID, Resource: n.Resource, Protocol: proto, Port: port, From: "any internet address",
		Via: []reachability.Via{}, Path: []reachability.Hop{}, BlockedBy: []reachability.Block{}}
	if src.IsValid() || block.IsValid() {
		ans, reason := a.Explain(i)
		if reason != "" {
			e.Verdict, e.Reason = explainNotVerified, reason
			return e
		}
		q := port
		if proto == inventory.ProtocolICMP || proto == inventory.ProtocolICMPv6 {
			q = port * 256
		}
		var v reachability.Verdict
		if block.IsValid() {
			e.From = "the internet addresses of " + block.String()
			v = ans.QueryPrefix(proto, q, block)
		} else {
			e.From = src.String()
			if !reachability.Internet(src) {
				e.Verdict, e.Reason = explainNotReachable, src.String()+" is not an internet address (docs/reachability.md §1)"
				e.Caveat = reachability.Caveat
				return e
			}
			v = ans.Query(proto, q, src)
		}
		switch {
		case v.Reachable:
			e.Verdict, e.Via, e.Path = explainReachable, v.Via, v.Path
		case v.Open && v.Unverified != "":
			e.Verdict, e.BlockedBy, e.Reason = explainNotVerified, v.BlockedBy, v.Unverified
		case v.Open:
			e.Verdict, e.BlockedBy, e.Caveat = explainNotReachable, v.BlockedBy, reachability.Caveat
		default:
			e.Verdict, e.Reason = explainNotOpen, "no group of the interface admits these sources on this port, and no load balancer forwards to it"
		}
		return e
	}
	it := a.Interface(i)
	if it.NotVerified != "" {
		e.Verdict, e.Reason = explainNotVerified, it.NotVerified
		return e
	}
	e.Verdict, e.Reason = explainNotOpen, "no group of the interface admits an internet address on this port, and no load balancer forwards to it"
	for _, p := range it.Ports {
		if p.Protocol != proto || port < p.FromPort || port > p.ToPort {
			continue
		}
		e.Reason = ""
		switch {
		case p.Reachable:
			e.Verdict, e.Via, e.Path, e.UnreachedSources = explainReachable, p.Via, p.Path, p.UnreachedSources
		case p.Unverified != "":
			e.Verdict, e.BlockedBy, e.Reason = explainNotVerified, p.BlockedBy, p.Unverified
		default:
			e.Verdict, e.BlockedBy, e.Caveat = explainNotReachable, p.BlockedBy, reachability.Caveat
		}
		break
	}
	return e
}

func writeExplanation(w io.Writer, e explanation) {
	who := e.NetworkInterfaceID
	if e.Resource != "" {
		who += " (" + safetext.Line(e.Resource) + ")"
	}
	verdict := map[string]string{explainReachable: "REACHABLE", explainNotReachable: "NOT REACHABLE", explainNotOpen: "NOT OPEN", explainNotVerified: "NOT VERIFIED"}[e.Verdict]
	fmt.Fprintf(w, "%s %s %d from %s: %s\n", who, e.Protocol, e.Port, e.From, verdict)
	for _, v := range e.Via {
		if v.Kind == reachability.ViaPublicIP {
			fmt.Fprintln(w, "  via its public address")
		} else {
			fmt.Fprintf(w, "  via load balancer %s, listener %s\n", safetext.Line(v.LoadBalancerARN), safetext.Line(v.Listener))
		}
	}
	for k, h := range e.Path {
		fmt.Fprintf(w, "  %d. %s %s", k+1, h.Kind, safetext.Line(h.ID))
		if h.Detail != "" {
			fmt.Fprintf(w, ": %s", safetext.Line(h.Detail))
		}
		fmt.Fprintln(w)
	}
	if len(e.UnreachedSources) > 0 {
		fmt.Fprintf(w, "  not from %s (admitted by the groups, blocked on the way)\n", strings.Join(e.UnreachedSources, ", "))
	}
	if len(e.BlockedBy) > 0 {
		fmt.Fprintln(w, "  blocked by:")
		for _, b := range e.BlockedBy {
			fmt.Fprintf(w, "  - %s %s: %s\n", b.Kind, safetext.Line(b.ID), safetext.Line(b.Reason))
		}
	}
	if e.Reason != "" {
		fmt.Fprintf(w, "  %s\n", safetext.Line(e.Reason))
	}
	if e.Caveat != "" {
		fmt.Fprintf(w, "  (%s)\n", e.Caveat)
	}
}
