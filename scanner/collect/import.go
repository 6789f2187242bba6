package collect

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// SourceCLI is the inventory source name of imported AWS CLI JSON.
const SourceCLI = "aws-cli-json"

// ErrInput is returned (wrapped) by Import and ImportReaders for input it cannot use:
// unreadable or malformed JSON, an unknown format or schema version, or
// data whose account or region cannot be told.
var ErrInput = errors.New("invalid input")

// acceptedFormats is listed in the error for a file of unknown format.
const acceptedFormats = "accepted: an sgaudit inventory (sgaudit collect -o), or the JSON output of " +
	"`aws ec2 describe-security-groups`, `aws ec2 describe-network-interfaces` or " +
	"`aws ec2 describe-security-group-rules`"

// Input is one file to import: its name (for messages) and its content.
type Input struct {
	Name string
	R    io.Reader
}

// Import opens the files at paths ("-" is standard input) and imports
// them with ImportReaders.
func Import(paths []string, fallbackRegion string) (*inventory.Inventory, error) {
	inputs := make([]Input, 0, len(paths))
	for _, p := range paths {
		if p == "-" {
			inputs = append(inputs, Input{Name: "<stdin>", R: os.Stdin})
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
		defer f.Close()
		inputs = append(inputs, Input{Name: p, R: f})
	}
	return ImportReaders(inputs, fallbackRegion)
}

// ImportReaders reads inventories and exported AWS CLI JSON, detecting the format
// of each file, and merges them into one sorted inventory. Accepted:
//
//   - an sgaudit inventory ({"schema_version": ..., "security_groups": ...});
//   - `aws ec2 describe-security-groups` output ({"SecurityGroups": [...]});
//   - `aws ec2 describe-network-interfaces` output ({"NetworkInterfaces": [...]});
//   - `aws ec2 describe-security-group-rules` output ({"SecurityGroupRules": [...]}).
//
// AWS CLI JSON is decoded into the SDK's ec2/types structs (the CLI prints
// the API's field names) and converted by the normalizer, like a live scan. Its
// account is the OwnerId; its region comes from SecurityGroupArn (an
// interface's from its availability zone, a rule's from its group), else
// fallbackRegion. Each (account, region) found gets a coverage row "ok"
// whose collected kinds are those the files provided: without
// describe-network-interfaces data, checks that need interfaces are not
// judged there. A file with an empty list cannot say which region it
// covers; it counts for fallbackRegion if given, else for every region of
// the import.
//
// CollectedAt is the latest of the imported inventories' and zero when
// only AWS CLI JSON was given: when it was exported is unknown.
func ImportReaders(inputs []Input, fallbackRegion string) (*inventory.Inventory, error) {
	var (
		invs    []namedInventory
		cli     cliData
		anyData bool
	)
	for _, in := range inputs {
		raw, err := io.ReadAll(in.R)
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %w", ErrInput, in.Name, err)
		}
		f, err := parseFile(in.Name, raw)
		if err != nil {
			return nil, err
		}
		if f.inventory != nil {
			invs = append(invs, namedInventory{name: in.Name, inv: f.inventory})
			anyData = true
			continue
		}
		cli.add(in.Name, f)
		anyData = anyData || len(f.doc.SecurityGroups)+len(f.doc.SecurityGroupRules)+len(f.doc.NetworkInterfaces) > 0
	}
	if !anyData {
		return nil, fmt.Errorf("%w: no security groups, rules or interfaces in %s", ErrInput, inputNames(inputs))
	}

	cliInv, err := cli.inventory(fallbackRegion)
	if err != nil {
		return nil, err
	}
	return mergeInventories(invs, cliInv)
}

func inputNames(inputs []Input) string {
	names := make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = in.Name
	}
	if len(names) == 0 {
		return "the input (no files given)"
	}
	return strings.Join(names, ", ")
}

// cliDoc is the union of the AWS CLI outputs sgaudit reads. Field names
// are the CLI's; encoding/json fills the SDK types by their field names.
type cliDoc struct {
	SecurityGroups     []types.SecurityGroup     `json:"SecurityGroups"`
	SecurityGroupRules []types.SecurityGroupRule `json:"SecurityGroupRules"`
	NetworkInterfaces  []types.NetworkInterface  `json:"NetworkInterfaces"`
}

// parsedFile is one input file: either an inventory or CLI data, with the
// CLI lists the file actually had (an empty list still says "there were
// none", which differs from "not exported").
type parsedFile struct {
	inventory *inventory.Inventory
	doc       cliDoc
	kinds     []string
}

var cliKeys = []struct{ key, kind string }{
	{"SecurityGroups", inventory.KindSecurityGroups},
	{"SecurityGroupRules", inventory.KindSecurityGroupRules},
	{"NetworkInterfaces", inventory.KindNetworkInterfaces},
}

func parseFile(name string, raw []byte) (parsedFile, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return parsedFile{}, fmt.Errorf("%w: %s is empty; %s", ErrInput, name, acceptedFormats)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return parsedFile{}, fmt.Errorf("%w: %s is a JSON %s, not an object; %s", ErrInput, name, typeErr.Value, acceptedFormats)
		}
		return parsedFile{}, jsonError(name, raw, err)
	}
	if _, ok := top["schema_version"]; ok {
		if _, ok := top["security_groups"]; ok {
			inv, err := parseInventory(name, raw)
			return parsedFile{inventory: inv}, err
		}
	}
	var f parsedFile
	for _, k := range cliKeys {
		if _, ok := top[k.key]; ok {
			f.kinds = append(f.kinds, k.kind)
		}
	}
	if len(f.kinds) == 0 {
		return parsedFile{}, fmt.Errorf("%w: %s is not a format sgaudit reads (top-level keys: %s); %s",
			ErrInput, name, strings.Join(sortedKeys(top), ", "), acceptedFormats)
	}
	if err := json.Unmarshal(raw, &f.doc); err != nil {
		return parsedFile{}, jsonError(name, raw, err)
	}
	return f, nil
}

func parseInventory(name string, raw []byte) (*inventory.Inventory, error) {
	var probe struct {
		SchemaVersion any `json:"schema_version"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, jsonError(name, raw, err)
	}
	if v, ok := probe.SchemaVersion.(string); !ok || v != inventory.SchemaVersion {
		return nil, fmt.Errorf("%w: %s is an sgaudit inventory with schema_version %v; this sgaudit reads schema_version %q",
			ErrInput, name, jsonText(probe.SchemaVersion), inventory.SchemaVersion)
	}
	inv, err := inventory.Decode(raw)
	if err != nil {
		return nil, jsonError(name, raw, err)
	}
	return inv, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonError says where in the file JSON decoding failed, as line and
// column (what an editor shows) and byte offset.
func jsonError(name string, raw []byte, err error) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		offset    int64 = -1
		what            = err.Error()
	)
	switch {
	case errors.As(err, &syntaxErr):
		offset, what = syntaxErr.Offset, "malformed JSON: "+syntaxErr.Error()
	case errors.As(err, &typeErr):
		offset = typeErr.Offset
		what = fmt.Sprintf("field %s: a JSON %s where %s was expected", typeErr.Field, typeErr.Value, typeErr.Type)
	}
	if offset < 0 {
		return fmt.Errorf("%w: %s: %s", ErrInput, name, what)
	}
	// encoding/json reports the offset after the byte that failed (the bad
	// character, or the last byte of a value of the wrong type): point at it.
	offset = max(offset-1, 0)
	line, col := position(raw, offset)
	return fmt.Errorf("%w: %s:%d:%d (byte %d): %s", ErrInput, name, line, col, offset, what)
}

// position turns a byte offset into a 1-based line and column.
func position(raw []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(raw)))
	before := raw[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// cliData gathers the CLI files before their regions can be resolved: a
// rule's region comes from its group, which may be in another file.
type cliData struct {
	files []namedCLI
}

type namedCLI struct {
	name string
	parsedFile
}

func (c *cliData) add(name string, f parsedFile) {
	c.files = append(c.files, namedCLI{name: name, parsedFile: f})
}

// pairKey is "account/region".
type pairKey struct{ account, region string }

// azRegion matches the region prefix of an availability zone name:
// us-east-1a, us-west-2-lax-1a and us-east-1-wl1-bos-wlz-1 all start with
// their region.
var azRegion = regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-\d+`)

// inventory resolves every CLI item's account and region, groups them by
// (account, region) and normalises them. It returns nil when no CLI file
// was given.
func (c *cliData) inventory(fallbackRegion string) (*inventory.Inventory, error) {
	if len(c.files) == 0 {
		return nil, nil
	}
	pairs := map[pairKey]*RegionData{}
	partitions := map[pairKey]string{}
	kinds := map[pairKey]map[string]bool{}
	var emptyKinds []string
	get := func(k pairKey) *RegionData {
		if pairs[k] == nil {
			pairs[k] = &RegionData{Account: inventory.Account{ID: k.account}, Region: k.region}
			kinds[k] = map[string]bool{}
		}
		return pairs[k]
	}

	// Groups first: rules and interfaces borrow their groups' regions.
	groupPair := map[string]pairKey{}
	seen := map[string]bool{}
	for _, f := range c.files {
		for _, sg := range f.doc.SecurityGroups {
			id := aws.ToString(sg.GroupId)
			account := aws.ToString(sg.OwnerId)
			if account == "" {
				return nil, fmt.Errorf("%w: %s: cannot tell the account of %s: it has no OwnerId", ErrInput, f.name, id)
			}
			region, partition := arnRegion(aws.ToString(sg.SecurityGroupArn))
			region = cmp.Or(region, fallbackRegion)
			if region == "" {
				return nil, fmt.Errorf("%w: %s: cannot tell the region of %s: pass --region", ErrInput, f.name, id)
			}
			k := pairKey{account, region}
			groupPair[id] = k
			if partition != "" {
				partitions[k] = partition
			}
			if seen[k.account+"/"+k.region+"/"+id] {
				continue // the same export given twice
			}
			seen[k.account+"/"+k.region+"/"+id] = true
			d := get(k)
			d.Groups = append(d.Groups, sg)
			kinds[k][inventory.KindSecurityGroups] = true
		}
	}
	for _, f := range c.files {
		for _, rec := range f.doc.SecurityGroupRules {
			id := aws.ToString(rec.SecurityGroupRuleId)
			gk := groupPair[aws.ToString(rec.GroupId)]
			region, _ := arnRegion(aws.ToString(rec.SecurityGroupRuleArn))
			region = cmp.Or(region, gk.region, fallbackRegion)
			account := cmp.Or(aws.ToString(rec.GroupOwnerId), gk.account)
			switch {
			case region == "":
				return nil, fmt.Errorf("%w: %s: cannot tell the region of %s: pass --region", ErrInput, f.name, id)
			case account == "":
				return nil, fmt.Errorf("%w: %s: cannot tell the account of %s: it has no GroupOwnerId", ErrInput, f.name, id)
			}
			k := pairKey{account, region}
			if id != "" && seen[k.account+"/"+k.region+"/"+id] {
				continue
			}
			seen[k.account+"/"+k.region+"/"+id] = true
			d := get(k)
			d.Rules = append(d.Rules, rec)
			kinds[k][inventory.KindSecurityGroupRules] = true
		}
		for _, eni := range f.doc.NetworkInterfaces {
			id := aws.ToString(eni.NetworkInterfaceId)
			region := azRegion.FindString(aws.ToString(eni.AvailabilityZone))
			if region == "" && len(eni.Groups) > 0 {
				region = groupPair[aws.ToString(eni.Groups[0].GroupId)].region
			}
			region = cmp.Or(region, fallbackRegion)
			account := aws.ToString(eni.OwnerId)
			switch {
			case region == "":
				return nil, fmt.Errorf("%w: %s: cannot tell the region of %s: pass --region", ErrInput, f.name, id)
			case account == "":
				return nil, fmt.Errorf("%w: %s: cannot tell the account of %s: it has no OwnerId", ErrInput, f.name, id)
			}
			k := pairKey{account, region}
			if seen[k.account+"/"+k.region+"/"+id] {
				continue
			}
			seen[k.account+"/"+k.region+"/"+id] = true
			d := get(k)
			d.Interfaces = append(d.Interfaces, eni)
			kinds[k][inventory.KindNetworkInterfaces] = true
		}
		for _, kind := range f.kinds {
			if f.count(kind) == 0 {
				emptyKinds = append(emptyKinds, kind)
			}
		}
	}
	// An empty list ("no interfaces here") is data too, for the region it
	// was exported from: fallbackRegion if given, else every region seen.
	for k := range pairs {
		if fallbackRegion == "" || k.region == fallbackRegion {
			for _, kind := range emptyKinds {
				kinds[k][kind] = true
			}
		}
	}

	n := newNormalizer()
	var coverage []inventory.Coverage
	accounts := map[string]inventory.Account{}
	for k, d := range pairs {
		d.Account.Partition = cmp.Or(partitions[k], partitionOfRegion(k.region))
		if _, ok := accounts[k.account]; !ok || partitions[k] != "" {
			accounts[k.account] = d.Account
		}
		n.add(*d)
		collected := sortedKeys(kinds[k])
		coverage = append(coverage, inventory.Coverage{
			AccountID:      k.account,
			Region:         k.region,
			Status:         inventory.CoverageOK,
			Collected:      collected,
			SecurityGroups: len(d.Groups),
		})
	}
	norm := n.finish() // Import sorts the merged inventory
	norm.Coverage = coverage
	for _, a := range accounts {
		norm.Accounts = append(norm.Accounts, a)
	}
	norm.Source = SourceCLI
	return norm, nil
}

func (f parsedFile) count(kind string) int {
	switch kind {
	case inventory.KindSecurityGroups:
		return len(f.doc.SecurityGroups)
	case inventory.KindSecurityGroupRules:
		return len(f.doc.SecurityGroupRules)
	case inventory.KindNetworkInterfaces:
		return len(f.doc.NetworkInterfaces)
	}
	return 0
}

// arnRegion returns the region and partition of an ARN, or "" for both.
func arnRegion(s string) (region, partition string) {
	a, err := arn.Parse(s)
	if err != nil {
		return "", ""
	}
	return a.Region, a.Partition
}

type namedInventory struct {
	name string
	inv  *inventory.Inventory
}

// mergeInventories concatenates imported inventories and the CLI data.
// Two sources for the same (account, region) are refused: which one is
// right cannot be told, and merging them would double every group.
func mergeInventories(invs []namedInventory, cli *inventory.Inventory) (*inventory.Inventory, error) {
	if cli != nil {
		invs = append(invs, namedInventory{name: "the AWS CLI JSON", inv: cli})
	}
	out := &inventory.Inventory{
		SchemaVersion:     inventory.SchemaVersion,
		Accounts:          []inventory.Account{},
		Coverage:          []inventory.Coverage{},
		SecurityGroups:    []inventory.SecurityGroup{},
		PrefixLists:       []inventory.PrefixList{},
		NetworkInterfaces: []inventory.NetworkInterface{},
		VPCs:              []inventory.VPC{},
	}
	owner := map[pairKey]string{}
	sources := map[string]bool{}
	for _, n := range invs {
		inv := n.inv
		sources[inv.Source] = true
		if inv.CollectedAt.After(out.CollectedAt) {
			out.CollectedAt = inv.CollectedAt
		}
		for _, c := range inv.Coverage {
			k := pairKey{c.AccountID, c.Region}
			if prev, dup := owner[k]; dup {
				return nil, fmt.Errorf("%w: %s and %s both hold account %s region %s", ErrInput, prev, n.name, c.AccountID, c.Region)
			}
			owner[k] = n.name
		}
		for _, a := range inv.Accounts {
			i := slices.IndexFunc(out.Accounts, func(b inventory.Account) bool { return b.ID == a.ID })
			if i < 0 {
				out.Accounts = append(out.Accounts, a)
			} else if out.Accounts[i].Name == "" {
				out.Accounts[i].Name = a.Name
			}
		}
		out.Coverage = append(out.Coverage, inv.Coverage...)
		out.SecurityGroups = append(out.SecurityGroups, inv.SecurityGroups...)
		out.PrefixLists = append(out.PrefixLists, inv.PrefixLists...)
		out.NetworkInterfaces = append(out.NetworkInterfaces, inv.NetworkInterfaces...)
		out.VPCs = append(out.VPCs, inv.VPCs...)
	}
	// One source keeps its name; a mix says what it is made of.
	out.Source = strings.Join(sortedKeys(sources), "+")
	out.Sort()
	return out, nil
}
