package collect

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// groupLookup finds one region's groups by id or by name.
type groupLookup struct {
	byID   map[string]int   // group id → index in the inventory's groups
	byName map[string][]int // group name → indexes, one per VPC that has it
}

func newGroupLookup(groups []inventory.SecurityGroup, byID map[string]int, first int) groupLookup {
	l := groupLookup{byID: byID, byName: map[string][]int{}}
	for i, g := range groups {
		l.byName[g.Name] = append(l.byName[g.Name], first+i)
	}
	return l
}

// resolve returns the indexes of the groups a launch template or
// configuration names, and a note for names. A name is unique only within
// a VPC; launch templates and configurations use names for the default
// VPC, which the group data does not identify. When several VPCs have a
// group of that name, each of them gets the evidence: calling a used
// group unused (and suggesting its deletion) is worse than missing an
// unused one.
func (l groupLookup) resolve(ids, names []string) map[int]string {
	out := map[int]string{}
	for _, id := range ids {
		if i, ok := l.byID[id]; ok {
			out[i] = ""
		}
	}
	for _, name := range names {
		matches := l.byName[name]
		note := "by name"
		if len(matches) > 1 {
			note = "by name, ambiguous across " + strconv.Itoa(len(matches)) + " VPCs"
		}
		for _, i := range matches {
			if _, byID := out[i]; !byID {
				out[i] = note
			}
		}
	}
	return out
}

// withNote appends a resolution note to an evidence detail.
func withNote(detail, note string) string {
	if note == "" {
		return detail
	}
	if detail == "" {
		return note
	}
	return detail + ", " + note
}

// linkLaunchTemplates adds launch_template evidence from the $Default and
// $Latest versions of every template: an instance or Auto Scaling group
// launched from either carries the groups it names. The API marks the
// default version; the latest is the highest version number returned for
// the template. A version that is both is described once.
func linkLaunchTemplates(groups []inventory.SecurityGroup, l groupLookup, versions []types.LaunchTemplateVersion) {
	type key struct {
		template string
		number   int64
	}
	latest := map[string]int64{}
	isDefault := map[key]bool{}
	data := map[key]*types.ResponseLaunchTemplateData{}
	for _, v := range versions {
		k := key{aws.ToString(v.LaunchTemplateId), aws.ToInt64(v.VersionNumber)}
		latest[k.template] = max(latest[k.template], k.number)
		isDefault[k] = isDefault[k] || aws.ToBool(v.DefaultVersion)
		if data[k] == nil {
			data[k] = v.LaunchTemplateData
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(data), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.template, b.template), cmp.Compare(a.number, b.number))
	}) {
		d := data[k]
		if d == nil {
			continue
		}
		var labels []string
		if isDefault[k] {
			labels = append(labels, "$Default")
		}
		if k.number == latest[k.template] {
			labels = append(labels, "$Latest")
		}
		detail := "version " + strconv.FormatInt(k.number, 10)
		if len(labels) > 0 {
			detail += " (" + strings.Join(labels, ", ") + ")"
		}
		ids := slices.Clone(d.SecurityGroupIds)
		for _, ni := range d.NetworkInterfaces {
			ids = append(ids, ni.Groups...)
		}
		for i, note := range l.resolve(ids, d.SecurityGroups) {
			groups[i].UsedBy = append(groups[i].UsedBy, inventory.Evidence{
				Kind: inventory.UsedByLaunchTemplate, ID: k.template, Detail: withNote(detail, note),
			})
		}
	}
}

// linkLaunchConfigurations adds launch_configuration evidence. A launch
// configuration lists group ids for a VPC and names for the default VPC in
// one field; ids always start with "sg-".
func linkLaunchConfigurations(groups []inventory.SecurityGroup, l groupLookup, configs []astypes.LaunchConfiguration) {
	for _, lc := range configs {
		var ids, names []string
		for _, s := range lc.SecurityGroups {
			if strings.HasPrefix(s, "sg-") {
				ids = append(ids, s)
			} else {
				names = append(names, s)
			}
		}
		for i, note := range l.resolve(ids, names) {
			groups[i].UsedBy = append(groups[i].UsedBy, inventory.Evidence{
				Kind: inventory.UsedByLaunchConfiguration, ID: aws.ToString(lc.LaunchConfigurationName), Detail: note,
			})
		}
	}
}

// addStaleRules records the rules DescribeStaleSecurityGroups reports on
// each group, one per peer like every rule, with the id of the matching
// rule of the group when it still lists it.
func addStaleRules(groups []inventory.SecurityGroup, byID map[string]int, stale []types.StaleSecurityGroup) {
	for _, s := range stale {
		i, ok := byID[aws.ToString(s.GroupId)]
		if !ok {
			continue // created or deleted between the two calls
		}
		g := &groups[i]
		current := map[string]inventory.Rule{}
		for _, r := range g.Rules.All() {
			current[ownerlessKey(r)] = r
		}
		rules := append(expandPermissions(inventory.Ingress, stalePermissions(s.StaleIpPermissions)),
			expandPermissions(inventory.Egress, stalePermissions(s.StaleIpPermissionsEgress))...)
		for i := range rules {
			r := &rules[i]
			if cur, ok := current[ownerlessKey(*r)]; ok {
				r.ID = cur.ID
				r.Description = cmp.Or(r.Description, cur.Description)
			}
		}
		g.StaleRules = inventory.SortedRules(append(g.StaleRules.Slice(), rules...))
	}
}

// stalePermissions converts stale permissions to IpPermissions. Their IP
// ranges and prefix lists are documented as not applicable: only group
// references go stale.
func stalePermissions(perms []types.StaleIpPermission) []types.IpPermission {
	out := make([]types.IpPermission, 0, len(perms))
	for _, p := range perms {
		out = append(out, types.IpPermission{
			IpProtocol: p.IpProtocol, FromPort: p.FromPort, ToPort: p.ToPort, UserIdGroupPairs: p.UserIdGroupPairs,
		})
	}
	return out
}

// prefixLists returns the prefix lists whose entries were read (those the
// pair's rules reference), with name and owner from
// DescribeManagedPrefixLists when it returned them.
func prefixLists(d RegionData) []inventory.PrefixList {
	meta := make(map[string]types.ManagedPrefixList, len(d.PrefixLists))
	for _, pl := range d.PrefixLists {
		meta[aws.ToString(pl.PrefixListId)] = pl
	}
	out := make([]inventory.PrefixList, 0, len(d.PrefixListEntries))
	for _, id := range slices.Sorted(maps.Keys(d.PrefixListEntries)) {
		m := meta[id]
		pl := inventory.PrefixList{
			ID:        id,
			Name:      aws.ToString(m.PrefixListName),
			Owner:     aws.ToString(m.OwnerId),
			AccountID: d.Account.ID,
			Region:    d.Region,
			Entries:   []inventory.PrefixListEntry{},
		}
		for _, e := range d.PrefixListEntries[id] {
			pl.Entries = append(pl.Entries, inventory.PrefixListEntry{CIDR: aws.ToString(e.Cidr), Description: aws.ToString(e.Description)})
		}
		out = append(out, pl)
	}
	return out
}

// linkPeerReferences adds cross_vpc_reference evidence from
// DescribeSecurityGroupReferences: a rule in a VPC across a peering or
// transit gateway connection references the group. Its id is the
// referencing VPC; the detail names the connection and, when the scan saw
// that VPC, its account. A VPC whose referencing group is in the inventory
// already gave evidence naming that group (linkReferences), so it is not
// repeated.
func linkPeerReferences(inv *inventory.Inventory, data []RegionData, crossVPC map[int]map[string]bool) {
	vpcAccount := map[string]string{}
	for _, v := range inv.VPCs {
		vpcAccount[v.ID] = v.AccountID
	}
	index := make(map[string]int, len(inv.SecurityGroups))
	for i, g := range inv.SecurityGroups {
		index[g.Region+"/"+g.ID] = i
	}
	for _, d := range data {
		for _, ref := range d.References {
			i, ok := index[d.Region+"/"+aws.ToString(ref.GroupId)]
			vpc := aws.ToString(ref.ReferencingVpcId)
			if !ok || vpc == "" || crossVPC[i][vpc] {
				continue
			}
			detail := "rule in " + vpc
			if acct := vpcAccount[vpc]; acct != "" {
				detail = "rule in " + acct + "/" + vpc
			}
			switch {
			case aws.ToString(ref.VpcPeeringConnectionId) != "":
				detail += " via peering " + aws.ToString(ref.VpcPeeringConnectionId)
			case aws.ToString(ref.TransitGatewayId) != "":
				detail += " via transit gateway " + aws.ToString(ref.TransitGatewayId)
			}
			g := &inv.SecurityGroups[i]
			g.UsedBy = append(g.UsedBy, inventory.Evidence{Kind: inventory.UsedByCrossVPCReference, ID: vpc, Detail: detail})
		}
	}
}
