package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrDuplicateGroup is wrapped by Decode's error for two groups of one
// inventory with the same id and different content.
var ErrDuplicateGroup = errors.New("duplicate security group id")

// Decode reads an inventory from its JSON (`sgaudit collect -o`); the
// caller sorts it (Sort), once, after merging any others. Prefer it to
// json.Unmarshal into an Inventory: Rules and Tags decode themselves, so a
// wrong value inside a rule would be reported at an offset counted from
// the start of its rule list rather than of the file. Decode reads rules
// and tags as plain JSON shapes first, so that an error names the field
// and the byte offset in data.
//
// An inventory file is outside input too, so Decode then checks it (see
// Check): every account id, every group's values, every prefix list; a
// group without an id, or two groups with one id and different content,
// are errors. A group given twice with the same content is kept once.
func Decode(data []byte) (*Inventory, error) {
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
// digits, every group passes Validate, every prefix list passes Validate,
// and group ids are unique. A group that repeats an earlier one exactly
// (the same file content given twice) is dropped; one that differs is an
// error wrapping ErrDuplicateGroup naming both positions. Errors name the
// list and index, or the group and rule (*ValueError); the caller adds the
// file name.
func (inv *Inventory) Check() error {
	badAccount := func(where, field, value string) error {
		return &ValueError{Where: where, Rule: -1, Field: field, Value: value, Reason: "an account id is exactly 12 digits"}
	}
	for i, a := range inv.Accounts {
		if !ValidAccountID(a.ID) {
			return badAccount(fmt.Sprintf("accounts[%d]", i), "id", a.ID)
		}
	}
	for i, c := range inv.Coverage {
		if !ValidAccountID(c.AccountID) {
			return badAccount(fmt.Sprintf("coverage[%d]", i), "account_id", c.AccountID)
		}
	}
	type place struct{ kept, file int }
	seen := make(map[string]place, len(inv.SecurityGroups))
	kept := inv.SecurityGroups[:0]
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
	}
	clear(inv.SecurityGroups[len(kept):]) // no stale copies behind the slice's end
	inv.SecurityGroups = kept
	for i, n := range inv.NetworkInterfaces {
		if !ValidAccountID(n.AccountID) {
			return badAccount(fmt.Sprintf("network_interfaces[%d]", i), "account_id", n.AccountID)
		}
	}
	for i, v := range inv.VPCs {
		if !ValidAccountID(v.AccountID) {
			return badAccount(fmt.Sprintf("vpcs[%d]", i), "account_id", v.AccountID)
		}
	}
	for i := range inv.PrefixLists {
		if err := inv.PrefixLists[i].Validate(fmt.Sprintf("prefix_lists[%d]", i)); err != nil {
			return err
		}
	}
	return nil
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

type wireGroup struct {
	SecurityGroup
	Tags       map[string]string `json:"tags"`
	Rules      []Rule            `json:"rules"`
	StaleRules []Rule            `json:"stale_rules"`
}
