package inventory

import "fmt"

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
}

// Error reads "group sg-1, rule sgr-2: cidr "0.0.0.0/00": not canonical".
func (e *ValueError) Error() string {
	where := "group " + e.GroupID
	switch {
	case e.RuleID != "":
		where += ", rule " + e.RuleID
	case e.Rule >= 0:
		where += fmt.Sprintf(", rule #%d", e.Rule+1)
	}
	return fmt.Sprintf("%s: %s %q: %s", where, e.Field, e.Value, e.Reason)
}

// Validate checks every value of g that AWS constrains: account id, and
// each rule's protocol, ports and peer. It returns a *ValueError for the
// first bad value.
func (g *SecurityGroup) Validate() error {
	if !ValidAccountID(g.AccountID) {
		return &ValueError{GroupID: g.ID, Rule: -1, Field: "account_id", Value: g.AccountID, Reason: "an account id is exactly 12 digits"}
	}
	return nil // TODO(values helper): rules
}
