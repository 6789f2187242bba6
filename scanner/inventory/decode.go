package inventory

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/sgaudit/sgaudit/internal/jsonkeys"
)

// ErrDuplicateGroup is wrapped by Decode's error for two groups of one
// inventory with the same id and different content.
var ErrDuplicateGroup = errors.New("duplicate security group id")

// ErrKey is wrapped by Decode's error for a key that encoding/json would
// merge with another or ignore: one given twice in an object, two that
// differ only in case, or one that is no field of sgaudit's format
// (`Rules` for `rules`). The error wrapped with it is a *jsonkeys.Error,
// which has the key's line and column.
var ErrKey = errors.New("invalid key")

// Decode reads an inventory from its JSON (`sgaudit collect -o`); the
// caller sorts it (Sort), once, after merging any others. Prefer it to
// json.Unmarshal into an Inventory: Rules and Tags decode themselves, so a
// wrong value inside a rule would be reported at an offset counted from
// the start of its rule list rather than of the file. Decode reads rules
// and tags as plain JSON shapes first, so that an error names the field
// and the byte offset in data.
//
// Every key must be a field of the format, spelt exactly, and given once
// per object (ErrKey): encoding/json would keep the last of two and match
// keys ignoring case.
//
// An inventory file is outside input too, so Decode then checks it (see
// Check): every account id, every group's values, every prefix list; a
// group without an id, or two groups with one id and different content,
// are errors. A group given twice with the same content is kept once.
func Decode(data []byte) (*Inventory, error) {
	// First: encoding/json keeps the last of two equal keys and matches
	// keys ignoring case, so `"security_groups":[]` appended, or `"Rules":[]`
	// after a group's rules, would empty them without a word.
	if e := jsonkeys.Strict(data, wireInventoryType); e != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, e)
	}
	var wire wireInventory
	if err := json.Unmarshal(data, &wire); err != nil {
		return nil, err
	}
	// A copy: a pointer into wire would keep its group list alive.
	inv := new(Inventory)
	*inv = wire.Inventory
	inv.SecurityGroups = make([]SecurityGroup, len(wire.SecurityGroups))
	for i := range wire.SecurityGroups {
		w := &wire.SecurityGroups[i]
		g := w.SecurityGroup
		g.Tags = NewTags(w.Tags)
		g.Rules = SortedRules(w.Rules)
		g.StaleRules = SortedRules(w.StaleRules)
		inv.SecurityGroups[i] = g
		*w = wireGroup{} // its []Rule is garbage from here on
	}
	if err := inv.Check(); err != nil {
		return nil, err
	}
	return inv, nil
}

// Check validates an inventory read from outside: the account ids of
// accounts, coverage, groups, interfaces, VPCs and prefix lists are 12
// digits, interface, VPC and interface group ids are ids of their kind
// (ValidResourceID), every group passes Validate, every prefix list passes Validate,
// and group ids are unique. A group that repeats an earlier one exactly
// (the same file content given twice) is dropped; one that differs is an
// error wrapping ErrDuplicateGroup naming both positions; so is a prefix
// list. Then the parts must agree (docs/inventory.md): each coverage row
// has a known status, an account listed in accounts and a pair of its
// own; each group's pair has a coverage row, and its ARN the partition of
// its account; rule ids are unique; a prefix-list rule finds its list
// where the pair's prefix lists were collected. Errors name the list and
// index, or the group and rule (*ValueError); the caller adds the file
// name.
func (inv *Inventory) Check() error {
	badAccount := func(where, field, value string) error {
		return &ValueError{Where: where, Rule: -1, Field: field, Value: value, Reason: "an account id is exactly 12 digits"}
	}
	partitions := make(map[string]string, len(inv.Accounts))
	for i, a := range inv.Accounts {
		if !ValidAccountID(a.ID) {
			return badAccount(fmt.Sprintf("accounts[%d]", i), "id", a.ID)
		}
		partitions[a.ID] = a.Partition
	}
	coverage := make(map[string]int, len(inv.Coverage))
	for i, c := range inv.Coverage {
		where := fmt.Sprintf("coverage[%d]", i)
		if !ValidAccountID(c.AccountID) {
			return badAccount(where, "account_id", c.AccountID)
		}
		if !c.Status.Valid() {
			return &ValueError{Where: where, Rule: -1, Field: "status", Value: string(c.Status), Reason: "want ok, denied, skipped or error"}
		}
		if _, ok := partitions[c.AccountID]; !ok {
			return &ValueError{Where: where, Rule: -1, Field: "account_id", Value: c.AccountID, Reason: "not an account of accounts[]"}
		}
		pair := c.AccountID + "/" + c.Region
		if j, dup := coverage[pair]; dup {
			return &ValueError{Where: where, Rule: -1, Field: "region", Value: c.Region,
				Reason: fmt.Sprintf("coverage[%d] is the row of account %s in this region already", j, c.AccountID)}
		}
		coverage[pair] = i
	}
	type place struct{ kept, file int }
	seen := make(map[string]place, len(inv.SecurityGroups))
	kept := inv.SecurityGroups[:0]
	var files []int // the index in the file of each kept group
	for i := range inv.SecurityGroups {
		g := &inv.SecurityGroups[i]
		if err := g.Validate(); err != nil {
			return fmt.Errorf("security_groups[%d]: %w", i, err)
		}
		if p, dup := seen[g.ID]; dup {
			same, err := sameGroup(&kept[p.kept], g)
			if err != nil {
				return fmt.Errorf("compare security_groups[%d]: %w", i, err)
			}
			if !same {
				return fmt.Errorf("security_groups[%d] and [%d]: %w %s with different content",
					p.file, i, ErrDuplicateGroup, token(g.ID))
			}
			continue
		}
		seen[g.ID] = place{kept: len(kept), file: i}
		kept = append(kept, *g)
		files = append(files, i)
	}
	clear(inv.SecurityGroups[len(kept):]) // no stale copies behind the slice's end
	inv.SecurityGroups = kept
	if err := inv.checkGroupsAgree(coverage, partitions, files); err != nil {
		return err
	}
	badID := func(where, field, prefix, value string) error {
		return &ValueError{Where: where, Rule: -1, Field: field, Value: value, Reason: resourceIDReason(prefix)}
	}
	for i, n := range inv.NetworkInterfaces {
		where := fmt.Sprintf("network_interfaces[%d]", i)
		if !ValidAccountID(n.AccountID) {
			return badAccount(where, "account_id", n.AccountID)
		}
		if !ValidResourceID("eni-", n.ID) {
			return badID(where, "id", "eni-", n.ID)
		}
		if n.VPCID != "" && !ValidResourceID("vpc-", n.VPCID) {
			return badID(where, "vpc_id", "vpc-", n.VPCID)
		}
		for j, id := range n.GroupIDs {
			if !ValidResourceID("sg-", id) {
				return badID(where, fmt.Sprintf("group_ids[%d]", j), "sg-", id)
			}
		}
	}
	for i, v := range inv.VPCs {
		where := fmt.Sprintf("vpcs[%d]", i)
		if !ValidAccountID(v.AccountID) {
			return badAccount(where, "account_id", v.AccountID)
		}
		if !ValidResourceID("vpc-", v.ID) {
			return badID(where, "id", "vpc-", v.ID)
		}
	}
	if err := inv.checkPrefixLists(files); err != nil {
		return err
	}
	return inv.checkNetwork()
}

// Valid reports whether s is one of the four coverage statuses. Anything
// else would be read as neither complete nor failed: refused, so that a
// misspelt "Denied" can never make an account look complete.
func (s CoverageStatus) Valid() bool {
	switch s {
	case CoverageOK, CoverageDenied, CoverageSkipped, CoverageError:
		return true
	}
	return false
}

// checkGroupsAgree checks what ties each (valid, deduplicated) group to the
// rest of the inventory: its pair has a coverage row, so its findings get
// a SARIF run and count towards completeness; its ARN's partition is its
// account's; and no rule id is used twice, since a suppression by rule id
// would then silence both rules. ARNs are unique too: Validate makes an
// ARN the group's own region, account and id, and ids are unique here.
// files[i] is the index in the file of group i.
func (inv *Inventory) checkGroupsAgree(coverage map[string]int, partitions map[string]string, files []int) error {
	type ruleAt struct{ group, rule int32 } // small: an organisation has millions of rules
	n := 0
	for i := range inv.SecurityGroups {
		n += inv.SecurityGroups[i].Rules.Len()
	}
	ruleIDs := make(map[string]ruleAt, n)
	for gi := range inv.SecurityGroups {
		g := &inv.SecurityGroups[gi]
		bad := func(field, value, reason string) error {
			return fmt.Errorf("security_groups[%d]: %w", files[gi],
				&ValueError{GroupID: g.ID, Rule: -1, Field: field, Value: value, Reason: reason})
		}
		if _, ok := coverage[g.AccountID+"/"+g.Region]; !ok {
			return bad("region", g.Region, fmt.Sprintf("coverage has no row for account %s in this region; every pair that holds groups needs one", g.AccountID))
		}
		if p, _ := g.arnPartition(); partitions[g.AccountID] != "" && p != partitions[g.AccountID] {
			return bad("arn", g.ARN, fmt.Sprintf("partition %s, but account %s is in partition %s", token(p), g.AccountID, token(partitions[g.AccountID])))
		}
		for ri, r := range g.Rules.All() {
			if r.ID == "" {
				continue
			}
			if prev, dup := ruleIDs[r.ID]; dup {
				other := &inv.SecurityGroups[int(prev.group)]
				return fmt.Errorf("security_groups[%d]: %w", files[gi], &ValueError{GroupID: g.ID, RuleID: r.ID, Rule: ri, Field: "id", Value: r.ID,
					Reason: fmt.Sprintf("also the id of rule #%d (%s) of group %s (security_groups[%d]); AWS gives each rule an id of its own",
						prev.rule+1, describeRule(other.Rules.At(int(prev.rule))), token(other.ID), files[int(prev.group)])})
			}
			ruleIDs[r.ID] = ruleAt{group: int32(gi), rule: int32(ri)}
		}
	}
	// A stale rule carries the id of the rule it is, when its group still
	// lists it: the same group and the same content.
	for gi := range inv.SecurityGroups {
		g := &inv.SecurityGroups[gi]
		for ri, r := range g.StaleRules.All() {
			prev, ok := ruleIDs[r.ID]
			if r.ID == "" || !ok || int(prev.group) == gi && inv.SecurityGroups[gi].Rules.At(int(prev.rule)).Key() == r.Key() {
				continue
			}
			other := &inv.SecurityGroups[int(prev.group)]
			return fmt.Errorf("security_groups[%d]: %w", files[gi], &ValueError{GroupID: g.ID, RuleID: r.ID, Rule: ri, Field: "id", Value: r.ID, Stale: true,
				Reason: fmt.Sprintf("the id of rule #%d (%s) of group %s (security_groups[%d]), which is another rule",
					prev.rule+1, describeRule(other.Rules.At(int(prev.rule))), token(other.ID), files[int(prev.group)])})
		}
	}
	return nil
}

// checkPrefixLists validates each prefix list, drops a list given twice
// with the same content and refuses one given twice with different
// content (policies/lib/sg.rego indexes lists by account, region and id,
// and two values for one key are an evaluation error naming no file).
// Then every prefix-list rule of a pair whose coverage says prefix_lists
// were collected must find its list: the collector reads the entries of
// every list a rule references, so a list missing there is an inventory
// that lost it, and the rule would silently not count as the world
// (docs/inventory.md). files[i] is the index in the file of group i.
func (inv *Inventory) checkPrefixLists(files []int) error {
	held := make(map[string]int, len(inv.PrefixLists))
	kept := inv.PrefixLists[:0]
	var at []int // the index in the file of each kept list
	for i := range inv.PrefixLists {
		pl := &inv.PrefixLists[i]
		if err := pl.Validate(fmt.Sprintf("prefix_lists[%d]", i)); err != nil {
			return err
		}
		key := pl.AccountID + "/" + pl.Region + "/" + pl.ID
		if j, dup := held[key]; dup {
			if samePrefixList(&kept[j], pl) {
				continue
			}
			return &ValueError{Where: fmt.Sprintf("prefix_lists[%d] and [%d] (%s)", at[j], i, token(pl.ID)), Rule: -1, Field: "entries", Value: pl.ID,
				Reason: fmt.Sprintf("the same list of account %s region %s twice with different content", pl.AccountID, pl.Region)}
		}
		held[key] = len(kept)
		kept = append(kept, *pl)
		at = append(at, i)
	}
	clear(inv.PrefixLists[len(kept):])
	inv.PrefixLists = kept
	kinds := inv.Kinds()
	for gi := range inv.SecurityGroups {
		g := &inv.SecurityGroups[gi]
		if !kinds[g.AccountID+"/"+g.Region][KindPrefixLists] {
			continue
		}
		for ri, r := range g.Rules.All() {
			if r.Peer.Kind != PeerPrefixList {
				continue
			}
			if _, ok := held[g.AccountID+"/"+g.Region+"/"+r.Peer.PrefixListID]; ok {
				continue
			}
			e := &ValueError{GroupID: g.ID, RuleID: r.ID, Rule: ri, Field: "peer.prefix_list_id", Value: r.Peer.PrefixListID,
				Reason: fmt.Sprintf("prefix_lists holds no list of this id for account %s region %s, although its coverage says prefix lists were collected there", g.AccountID, g.Region)}
			if r.ID == "" {
				e.RuleText = describeRule(r)
			}
			return fmt.Errorf("security_groups[%d]: %w", files[gi], e)
		}
	}
	return nil
}

// samePrefixList reports whether two lists have the same content, their
// entries in any order.
func samePrefixList(a, b *PrefixList) bool {
	if a.ID != b.ID || a.Name != b.Name || a.Owner != b.Owner || a.AccountID != b.AccountID || a.Region != b.Region || len(a.Entries) != len(b.Entries) {
		return false
	}
	byCIDR := func(x, y PrefixListEntry) int {
		return cmp.Or(cmp.Compare(x.CIDR, y.CIDR), cmp.Compare(x.Description, y.Description))
	}
	ea, eb := slices.Clone(a.Entries), slices.Clone(b.Entries)
	slices.SortFunc(ea, byCIDR)
	slices.SortFunc(eb, byCIDR)
	return slices.Equal(ea, eb)
}

// sameGroup reports whether two groups have the same content, as their
// JSON says it: rules in order, tags as an object.
func sameGroup(a, b *SecurityGroup) (bool, error) {
	ja, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	jb, err := json.Marshal(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ja, jb), nil
}

// wireInventory and wireGroup are Inventory and SecurityGroup as encoding/json
// decodes them field by field: the outer fields shadow the embedded ones of
// the same JSON name.
type wireInventory struct {
	Inventory
	SecurityGroups []wireGroup `json:"security_groups"`
}

var wireInventoryType = reflect.TypeFor[wireInventory]()

type wireGroup struct {
	SecurityGroup
	Tags       map[string]string `json:"tags"`
	Rules      []Rule            `json:"rules"`
	StaleRules []Rule            `json:"stale_rules"`
}
