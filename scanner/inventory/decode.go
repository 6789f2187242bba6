package inventory

import "encoding/json"

// Decode reads an inventory from its JSON (`sgaudit collect -o`); the
// caller sorts it (Sort), once, after merging any others. Prefer it to json.Unmarshal into an Inventory: Rules and Tags decode
// themselves, so a wrong value inside a rule would be reported at an
// offset counted from the start of its rule list rather than of the file.
// Decode reads rules and tags as plain JSON shapes first, so that an error
// names the field and the byte offset in data.
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
	return inv, nil
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
