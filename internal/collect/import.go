package collect

import (
	"bytes"
	"cmp"
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sgaudit/sgaudit/internal/jsonkeys"
	"github.com/sgaudit/sgaudit/internal/location"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// SourceCLI is the inventory source name of imported AWS CLI JSON.
const SourceCLI = "aws-cli-json"

// ErrInput is returned (wrapped) by Import and ImportReaders for input it cannot use:
// unreadable or malformed JSON, an unknown format or schema version, data
// whose account or region cannot be told, values AWS would not accept, and
// two different items with the same id.
var ErrInput = errors.New("invalid input")

// acceptedFormats is listed in the error for a file of unknown format.
const acceptedFormats = "accepted: an sgaudit inventory (sgaudit collect -o), or the JSON output of " +
	"`aws ec2 describe-security-groups`, `aws ec2 describe-network-interfaces` or " +
	"`aws ec2 describe-security-group-rules`, with the network describes verified exposure reads " +
	"(docs/inventory.md §16: describe-subnets, describe-route-tables, describe-network-acls, describe-internet-gateways, " +
	"describe-egress-only-internet-gateways, describe-addresses, elbv2 describe-load-balancers, describe-listeners, " +
	"describe-rules, describe-target-groups, describe-target-health, elb describe-load-balancers)"

// Input is one file to import: its name (for messages) and its content.
type Input struct {
	Name string
	R    io.Reader
}

// Import opens the files at paths ("-" is standard input) and imports
// them with ImportReaders.
func Import(ctx context.Context, paths []string, fallbackRegion string) (*inventory.Inventory, error) {
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
	return ImportReaders(ctx, inputs, fallbackRegion)
}

// ImportReaders reads inventories and exported AWS CLI JSON, detecting the format
// of each file, and merges them into one sorted inventory. Accepted:
//
//   - an sgaudit inventory ({"schema_version": ..., "security_groups": ...});
//   - `aws ec2 describe-security-groups` output ({"SecurityGroups": [...]});
//   - `aws ec2 describe-network-interfaces` output ({"NetworkInterfaces": [...]});
//   - `aws ec2 describe-security-group-rules` output ({"SecurityGroupRules": [...]});
//   - the network describes (import_network.go): describe-subnets,
//     -route-tables, -network-acls, -internet-gateways,
//     -egress-only-internet-gateways, -addresses, elbv2
//     describe-load-balancers, -listeners, -rules, -target-groups,
//     -target-health (with a top-level "TargetGroupArn" naming the group,
//     which the CLI's output does not say) and elb describe-load-balancers.
//     Their items take their account and region from their own ids and
//     ARNs, else from the VPC, subnet or interface of the input they
//     belong to, else from fallbackRegion.
//
// A UTF-8 byte order mark at the start of a file (PowerShell writes one)
// is skipped. A file is an inventory or AWS CLI JSON, never both; AWS CLI
// JSON holds only those lists (in the CLI's case), and a non-null
// NextToken (one page of a paginated export) is refused. Every rule record
// must match a rule of its group, given in some input; network interfaces
// need some security group in the input.
//
// AWS CLI JSON is decoded into the SDK's ec2/types structs (the CLI prints
// the API's field names) and converted by the normalizer, like a live scan.
// Its lists are decoded and normalised in batches of items, on every core
// (import_pipeline.go), so that the SDK's structs (several times the size
// of the inventory) never all sit in memory, and ctx is checked while
// decoding. Its account is the
// OwnerId, which must be an account id (12 digits) like every account id
// in it; its region comes from SecurityGroupArn (an interface's from its
// availability zone, a rule's from its group), else fallbackRegion. Each
// (account, region) found gets a coverage row "ok" whose collected kinds
// are those the files provided: without describe-network-interfaces data,
// checks that need interfaces are not judged there. A file with an empty
// list cannot say which region it covers; it counts for fallbackRegion if
// given, else for every region of the import.
//
// The same group, rule or interface given twice (the same export twice,
// or in two files) is kept once; two different ones with the same id, or
// one without an id, are an error naming both places: keeping either
// could hide a finding. Every group is then validated
// (inventory.SecurityGroup.Validate).
//
// CollectedAt is the latest of the imported inventories' and zero when
// only AWS CLI JSON was given: when it was exported is unknown.
func ImportReaders(ctx context.Context, inputs []Input, fallbackRegion string) (*inventory.Inventory, error) {
	return importReaders(ctx, inputs, fallbackRegion, false)
}

// importReaders is ImportReaders, with slowDecode for the tests of the
// fast decoder.
func importReaders(ctx context.Context, inputs []Input, fallbackRegion string, slowDecode bool) (*inventory.Inventory, error) {
	return importWith(ctx, inputs, fallbackRegion, func(im *importer) { im.slowDecode = slowDecode })
}

// importWith is ImportReaders with the importer's test settings made by set.
func importWith(ctx context.Context, inputs []Input, fallbackRegion string, set func(*importer)) (*inventory.Inventory, error) {
	im := newImporter(fallbackRegion)
	set(im)
	for _, in := range inputs {
		if err := im.read(ctx, in); err != nil {
			return nil, err
		}
	}
	if !im.anyData {
		return nil, fmt.Errorf("%w: no security groups, rules or interfaces in %s", ErrInput, inputNames(inputs))
	}
	cliInv, err := im.inventory(ctx)
	if err != nil {
		return nil, err
	}
	if err := im.checkSomeGroups(cliInv); err != nil {
		return nil, err
	}
	return mergeInventories(im.invs, cliInv, im.cliPlace)
}

// checkSomeGroups refuses an import of network interfaces without any
// security group: every check judges groups, so it would report no
// finding and "0 security groups" for an account it never saw (the groups
// export was forgotten).
func (im *importer) checkSomeGroups(cli *inventory.Inventory) error {
	if cli != nil && len(cli.SecurityGroups) == 0 && len(cli.NetworkInterfaces) == 0 && len(im.net.files) > 0 &&
		!slices.ContainsFunc(im.invs, func(n namedInventory) bool { return len(n.inv.SecurityGroups) > 0 }) {
		return fmt.Errorf("%w: %s: network data but no security group in any input: "+
			"add the describe-security-groups export of the same regions", ErrInput, im.networkFiles())
	}
	if cli == nil || len(cli.SecurityGroups) > 0 || len(cli.NetworkInterfaces) == 0 {
		return nil
	}
	for _, n := range im.invs {
		if len(n.inv.SecurityGroups) > 0 {
			return nil
		}
	}
	files := map[int32]bool{}
	for _, at := range im.interfaces {
		files[at.at.file] = true
	}
	names := make([]string, 0, len(files))
	for _, f := range slices.Sorted(maps.Keys(files)) {
		names = append(names, im.names[f])
	}
	return fmt.Errorf("%w: %s: network interfaces but no security group in any input: "+
		"add the describe-security-groups export of the same regions", ErrInput, strings.Join(names, ", "))
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

// The AWS CLI lists sgaudit reads, by their key in the CLI's output.
const (
	listGroups     = "SecurityGroups"
	listRules      = "SecurityGroupRules"
	listInterfaces = "NetworkInterfaces"
)

var cliKinds = func() map[string]string {
	m := map[string]string{
		listGroups:     inventory.KindSecurityGroups,
		listRules:      inventory.KindSecurityGroupRules,
		listInterfaces: inventory.KindNetworkInterfaces,
	}
	maps.Copy(m, networkCLIKinds) // import_network.go
	return m
}()

// chunkSize is how many normalised groups or interfaces of one (account,
// region) wait before they join the inventory (flushGroups): the size of
// the chunks they were normalised in before they were normalised item by
// item, kept so that duplicates and partitions resolve as they did.
const chunkSize = 512

// place is where an item of the AWS CLI JSON was: its file and its index
// in the file's list. Kept for every item, so it is small.
type place struct {
	file  int32 // index in importer.names
	index int32
}

// itemAt is an imported group or interface: its index in the normalised
// inventory and where it came from.
type itemAt struct {
	i  int
	at place
}

// importer gathers the input files: inventories whole, AWS CLI items as
// they are decoded.
type importer struct {
	fallback string
	names    []string // file names, by place.file
	invs     []namedInventory
	anyData  bool
	cliFiles int

	// What the decoded items are gathered into, in file order
	// (import_pipeline.go decodes and normalises them on every core): the
	// groups and interfaces in blocks until every file is read, then in
	// the normaliser's inventory.
	groupList     blockList[inventory.SecurityGroup]
	interfaceList blockList[inventory.NetworkInterface]
	n             *normalizer
	pending       map[pairKey]*pendingPair
	groups        map[string]itemAt // group id → the normalised group
	interfaces    map[string]itemAt // interface id → the normalised interface
	deferred      []deferredInterface
	records       map[string]*groupRecords // group id → its rule records
	ruleGroup     map[string]string        // rule id → its group id
	kinds         map[pairKey]map[string]bool
	partitions    map[pairKey]string
	emptyKinds    []string
	// slowDecode decodes every AWS CLI item with json v2 alone, as before
	// the fast decoder (import_fast.go), on the reading goroutine: the
	// oracle of its tests.
	slowDecode bool
	// batchItems, when not 0, is the size of the batches of the
	// pipeline (import_pipeline.go): the tests make them small.
	batchItems int
	// net holds the network lists until every file is read
	// (import_network.go).
	net importedNetwork
}

// pendingPair holds the normalised items of one (account, region) until
// a chunk is full: they join the inventory chunk by chunk, as they did
// when a chunk was normalised at once, so that which copy of a duplicate is
// kept, which error comes first and the partition a group without ARN
// takes are those of before (import_pipeline.go).
type pendingPair struct {
	groups          []inventory.SecurityGroup
	groupPlaces     []place
	groupNoARN      []bool // the group had no SecurityGroupArn: made at flush
	interfaces      []inventory.NetworkInterface
	interfacePlaces []place
}

// deferredInterface is an interface with no availability zone: its region
// is its first group's, known once every file has been read.
type deferredInterface struct {
	eni types.NetworkInterface
	at  place
}

// groupRecords are the describe-security-group-rules records of one group.
type groupRecords struct {
	account, region string // GroupOwnerId, and the region of the first record's ARN
	firstID         string // for messages
	at              place
	rules           []ruleRecord
}

// ruleRecord is what the importer keeps of a rule record until its group
// is known: what fillFromRecords matches and sets, and what tells two
// records with one id apart. A whole inventory.Rule and the SDK struct
// took four times the memory, and an export holds millions of records.
type ruleRecord struct {
	id, description string
	key, ownerless  string // Rule.Key, and ownerlessKey when it differs
	rest            string // the rest of the content: raw protocol, peer VPC, peering status
	at              place
}

func newRuleRecord(r inventory.Rule, at place) ruleRecord {
	rec := ruleRecord{id: r.ID, description: r.Description, key: r.Key(), rest: r.RawProtocol, at: at}
	if k := ownerlessKey(r); k != rec.key {
		rec.ownerless = k
	}
	if r.Peer.VPCID != "" || r.Peer.PeeringStatus != "" {
		rec.rest += "|" + r.Peer.VPCID + "|" + r.Peer.PeeringStatus
	}
	return rec
}

func (gr *groupRecords) find(id string) *ruleRecord {
	for i := range gr.rules {
		if gr.rules[i].id == id {
			return &gr.rules[i]
		}
	}
	return nil
}

func newImporter(fallback string) *importer {
	return &importer{
		fallback:   fallback,
		n:          newNormalizer(),
		pending:    map[pairKey]*pendingPair{},
		groups:     map[string]itemAt{},
		interfaces: map[string]itemAt{},
		records:    map[string]*groupRecords{},
		ruleGroup:  map[string]string{},
		kinds:      map[pairKey]map[string]bool{},
		partitions: map[pairKey]string{},
		net:        importedNetwork{healthARN: map[int32]string{}, given: map[string]bool{}, files: map[int32]bool{}},
	}
}

// utf8BOM is what PowerShell's Out-File writes before UTF-8 text.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodeOptions make the AWS CLI's field names match the SDK's Go field
// names whatever their case, as encoding/json did: a hand-edited
// "ipPermissions" must not be dropped silently.
var decodeOptions = json.MatchCaseInsensitiveNames(true)

// read detects the format of one input and imports it.
func (im *importer) read(ctx context.Context, in Input) error {
	file := int32(len(im.names))
	im.names = append(im.names, in.Name)
	lr := &lineReader{ctx: ctx, r: in.R, lastNL: -1}
	head := make([]byte, len(utf8BOM))
	n, err := io.ReadFull(lr, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return readError(ctx, in.Name, err)
	}
	s := &stream{ctx: ctx, name: in.Name, lr: lr}
	var r io.Reader = lr
	if n == len(utf8BOM) && bytes.Equal(head, utf8BOM) {
		s.bom = int64(n)
		s.delta = s.bom
	} else {
		r = io.MultiReader(bytes.NewReader(head[:n]), lr)
	}
	s.dec = jsontext.NewDecoder(r)
	return im.readStream(s, file)
}

// readStream reads the top-level object of a file. The first key that
// names a format decides it: an AWS CLI list is decoded as it streams; an
// inventory key (schema_version, security_groups) makes the whole file be
// read and decoded as an inventory.
func (im *importer) readStream(s *stream, file int32) error {
	switch k := s.dec.PeekKind(); k {
	case '{':
	case 0:
		_, err := s.dec.ReadToken()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: %s is empty; %s", ErrInput, s.name, acceptedFormats)
		}
		return s.jsonError(err)
	default:
		return fmt.Errorf("%w: %s is a JSON %s, not an object; %s", ErrInput, s.name, jsonkeys.KindName(k), acceptedFormats)
	}
	if _, err := s.dec.ReadToken(); err != nil {
		return s.jsonError(err)
	}
	// In AWS CLI JSON the only top-level keys are the lists sgaudit reads
	// (in the CLI's case) and a null NextToken: any other key is data the
	// import would skip, and a file is an inventory or CLI JSON, never
	// both. Keys before the first list are kept to name an unknown format.
	var keys, lists []string
	var unknown, targetGroupARN string
	var unknownAt, targetGroupARNAt int64
	counts := map[string]int{}
	for s.dec.PeekKind() != '}' {
		keyAt := s.dec.InputOffset() + s.delta
		tok, err := s.dec.ReadToken()
		if err != nil {
			return s.jsonError(err)
		}
		key := tok.String()
		s.names = append(s.names, key)
		if key == keyTargetGroupARN && unknown == "" {
			// What describe-target-health does not say: whose targets these are.
			if s.dec.PeekKind() != '"' {
				return s.errorAt(s.lr.skipSeparators(keyAt)+1, keyTargetGroupARN+": a target group ARN (a string) was expected")
			}
			v, err := s.dec.ReadToken()
			if err != nil {
				return s.jsonError(err)
			}
			targetGroupARN, targetGroupARNAt = v.String(), keyAt
			continue
		}
		_, isList := cliKinds[key]
		isInventory := key == "schema_version" || key == "security_groups"
		switch {
		case isList && unknown != "":
			return unknownKey(s, unknownAt, unknown)
		case isList:
			n, err := im.readList(s, file, key)
			if err != nil {
				return err
			}
			lists = append(lists, key)
			counts[key] += n
			if _, isNetwork := networkCLIKinds[key]; isNetwork {
				im.net.given[key] = true
				im.net.files[file] = true
			}
			continue
		case isInventory && len(lists) > 0:
			return bothFormats(s.name, key, lists[0])
		case isInventory:
			return im.readWhole(s, file)
		case key == "NextToken":
			if s.dec.PeekKind() != 'n' {
				return s.errorAt(s.lr.skipSeparators(keyAt)+1, "the export is one page of several (NextToken): "+
					"export without --max-items, or pass every page")
			}
		case len(lists) > 0:
			return unknownKey(s, keyAt, key)
		case unknown == "":
			unknown, unknownAt = key, keyAt
		}
		if len(keys) < maxKeysShown {
			keys = append(keys, key)
		}
		if err := s.dec.SkipValue(); err != nil {
			return s.jsonError(err)
		}
	}
	if _, err := s.dec.ReadToken(); err != nil {
		return s.jsonError(err)
	}
	// One object per file: anything after it is not what the CLI prints.
	if k := s.dec.PeekKind(); k != 0 {
		return s.errorAt(s.decOffset()+1, "malformed JSON: data after the top-level object")
	}
	if _, err := s.dec.ReadToken(); !errors.Is(err, io.EOF) {
		return s.jsonError(err)
	}
	if len(lists) == 0 {
		slices.Sort(keys)
		quoted := make([]string, len(keys))
		for i, k := range keys {
			quoted[i] = quote(k)
		}
		return fmt.Errorf("%w: %s is not a format sgaudit reads (top-level keys: %s); %s",
			ErrInput, s.name, strings.Join(quoted, ", "), acceptedFormats)
	}
	hasTargets := slices.Contains(lists, listTargetHealth)
	switch {
	case targetGroupARN != "" && !hasTargets:
		return s.errorAt(s.lr.skipSeparators(targetGroupARNAt)+1, keyTargetGroupARN+" without "+listTargetHealth+": it names the target group of a describe-target-health export")
	case hasTargets && targetGroupARN == "":
		return fmt.Errorf("%w: %s: %s without %s: describe-target-health does not say whose targets these are; "+
			"add the top-level key \"%s\": \"<the --target-group-arn you exported>\"", ErrInput, s.name, listTargetHealth, keyTargetGroupARN, keyTargetGroupARN)
	case hasTargets:
		im.net.healthARN[file] = targetGroupARN
	}
	im.cliFiles++
	for _, key := range slices.Compact(slices.Sorted(slices.Values(lists))) {
		if counts[key] == 0 {
			if kind := cliKinds[key]; kind != "" {
				im.emptyKinds = append(im.emptyKinds, kind)
			}
		} else {
			im.anyData = true
		}
	}
	return nil
}

// maxKeysShown is how many top-level keys the error for a file of unknown
// format lists.
const maxKeysShown = 10

// unknownKey is the error for a top-level key that is not an AWS CLI list.
func unknownKey(s *stream, keyAt int64, key string) error {
	return s.errorAt(s.lr.skipSeparators(keyAt)+1, fmt.Sprintf("unknown top-level key %s: AWS CLI JSON holds only %s, %s or %s, or %s",
		quote(key), listGroups, listInterfaces, listRules, networkListsJoined))
}

// bothFormats is the error for a file with an inventory key and an AWS CLI
// list: reading it as either would skip the other half.
func bothFormats(name, inventoryKey, cliKey string) error {
	return fmt.Errorf("%w: %s holds both %s (an sgaudit inventory) and %s (AWS CLI JSON): a file is one or the other",
		ErrInput, name, quote(inventoryKey), quote(cliKey))
}

// maxQuoted is how many bytes of a value from a file an error message
// shows: a message is one line, whatever the file holds.
const maxQuoted = 100

// quote is a value from a file as an error message shows it: quoted, and
// cut to maxQuoted bytes (at a character boundary) followed by "…".
func quote(v string) string {
	if len(v) <= maxQuoted {
		return strconv.Quote(v)
	}
	return strconv.Quote(strings.TrimSuffix(clip(v), "…")) + "…"
}

// clip cuts a text from a file (JSON already) to maxQuoted bytes, as quote does.
func clip(v string) string {
	if len(v) <= maxQuoted {
		return v
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "…"
}

// maxMessage bounds an error message of another package (the inventory's
// checks) that may quote a value of the file whole.
const maxMessage = 1000

// clipMessage cuts a message to maxMessage bytes, as clip does.
func clipMessage(m string) string {
	if len(m) <= maxMessage {
		return m
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(m[cut]) {
		cut--
	}
	return m[:cut] + "…"
}

// cutError is err with its message cut by clipMessage; errors.Is and As
// still see err.
func cutError(err error) error {
	if len(err.Error()) <= maxMessage {
		return err
	}
	return &clippedError{msg: clipMessage(err.Error()), err: err}
}

type clippedError struct {
	msg string
	err error
}

func (e *clippedError) Error() string { return e.msg }
func (e *clippedError) Unwrap() error { return e.err }

// plainID matches ids shown bare in messages (sg-…, sgr-…, eni-…, account
// ids): anything else goes through quote.
var plainID = regexp.MustCompile(`^[A-Za-z0-9._:/-]{1,100}$`)

// show is an id from a file as an error message shows it: bare when it
// looks like an id, else quoted and cut (quote).
func show(v string) string {
	if plainID.MatchString(v) {
		return v
	}
	return quote(v)
}

// readWhole reads the rest of a file that names an inventory key before
// any AWS CLI list, and decodes it as an inventory. lineReader kept every
// byte read so far: nothing was marked read yet.
func (im *importer) readWhole(s *stream, file int32) error {
	if _, err := io.Copy(io.Discard, s.lr); err != nil {
		return readError(s.ctx, s.name, err)
	}
	raw := s.lr.buf
	f, err := parseFile(s.name, raw, s.bom)
	if err != nil {
		return err
	}
	im.invs = append(im.invs, namedInventory{name: s.name, inv: f})
	im.anyData = true
	return nil
}

// readList decodes one AWS CLI list, an item at a time.
func (im *importer) readList(s *stream, file int32, key string) (int, error) {
	switch k := s.dec.PeekKind(); k {
	case 'n':
		_, err := s.dec.ReadToken()
		return 0, s.jsonError(err)
	case '[':
	case 0:
		_, err := s.dec.ReadToken()
		return 0, s.jsonError(err)
	default:
		return 0, s.errorAt(s.decOffset()+1, fmt.Sprintf("field %s: a JSON %s where a list was expected", key, jsonkeys.KindName(k)))
	}
	if _, err := s.dec.ReadToken(); err != nil {
		return 0, s.jsonError(err)
	}
	// Groups, interfaces and rule records are read by scanList, on every
	// core; it hands back to this loop the item it cannot take (an error,
	// mostly), from which the loop goes on as it always did, and scanList
	// again after it.
	first, resumes := 0, 0
	if im.pipelined(key) {
		n, ended, err := im.scanList(s, file, key, 0)
		if err != nil || ended {
			return n, err
		}
		first = n
	}
	for i := first; ; i++ {
		if i > first && im.pipelined(key) && resumes < maxResumes {
			resumes++
			n, ended, err := im.scanList(s, file, key, i)
			if err != nil || ended {
				return n, err
			}
			i = n
		}
		switch s.dec.PeekKind() {
		case ']', 0:
			_, err := s.dec.ReadToken()
			return i, s.jsonError(err)
		}
		if i%64 == 0 {
			if err := s.ctx.Err(); err != nil {
				return i, fmt.Errorf("read %s: %w", s.name, err)
			}
		}
		start := s.dec.InputOffset() + s.delta
		s.lr.forget(start)
		at := place{file: file, index: int32(i)}
		cur := current{s: s, list: key, index: i, start: start}
		var err error
		switch key {
		case listGroups:
			var sg types.SecurityGroup
			if err = decodeItem(s, key, i, start, groupPlan, &sg, im.slowDecode); err == nil {
				err = im.addGroup(cur, at, sg)
			}
		case listRules:
			var rec types.SecurityGroupRule
			if err = decodeItem(s, key, i, start, rulePlan, &rec, im.slowDecode); err == nil {
				err = im.addRule(cur, at, rec)
			}
		case listInterfaces:
			var eni types.NetworkInterface
			if err = decodeItem(s, key, i, start, interfacePlan, &eni, im.slowDecode); err == nil {
				err = im.addInterface(cur, at, eni)
			}
		default:
			err = im.addNetworkItem(cur, at, key)
		}
		if err != nil {
			if errors.Is(err, ErrInput) {
				return i, err
			}
			return i, s.jsonError(err)
		}
	}
}

// current is the item being decoded, for messages: "sgs.json:12:9
// (SecurityGroups[3])".
type current struct {
	s     *stream
	list  string
	index int
	start int64
}

func (c current) String() string {
	line, col := c.s.lr.position(c.s.lr.skipSeparators(c.start))
	return fmt.Sprintf("%s:%d:%d (%s[%d])", c.s.name, line, col, c.list, c.index)
}

func (c current) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInput, c, fmt.Sprintf(format, args...))
}

// where names a place: "sgs.json (SecurityGroups[3])".
func (im *importer) where(at place, list string) string {
	return fmt.Sprintf("%s (%s[%d])", im.names[at.file], list, at.index)
}

// arnProblem returns the region and partition of an item's ARN ("" when
// it has none, or none that parses), or the problem as text when they are
// not a region's or a partition's name.
func arnProblem(field, s string) (region, partition, problem string) {
	region, partition = arnRegion(s)
	if region != "" && !regionName.MatchString(region) {
		return "", "", fmt.Sprintf("%s %s: %s is not a region name", field, quote(s), quote(region))
	}
	if partition != "" && !partitionName.MatchString(partition) {
		return "", "", fmt.Sprintf("%s %s: %s is not a partition name", field, quote(s), quote(partition))
	}
	return region, partition, ""
}

// accountProblem refuses an account id that is not 12 digits, as text:
// account ids become file names (results-<id>.sarif) and ARN parts. kind
// and id name the item ("group sg-1"), shown only in the problem: an
// export has millions of account ids to check.
func accountProblem(kind, id, field, value string) string {
	if value != "" && !inventory.ValidAccountID(value) {
		return fmt.Sprintf("%s %s: %s %s: an account id is exactly 12 digits", kind, show(id), field, quote(value))
	}
	return ""
}

// groupPair checks what the import needs of a decoded group and returns
// its (account, region) and the partition of its ARN ("" without one), or
// the problem, for current.errorf. It touches no importer state, so the
// decoding workers run it (import_pipeline.go).
func groupPair(sg *types.SecurityGroup, fallback string) (k pairKey, partition, problem string) {
	id := aws.ToString(sg.GroupId)
	if id == "" {
		return k, "", "a security group without GroupId"
	}
	account := aws.ToString(sg.OwnerId)
	if account == "" {
		return k, "", fmt.Sprintf("cannot tell the account of %s: it has no OwnerId", show(id))
	}
	if p := accountProblem("group", id, "OwnerId", account); p != "" {
		return k, "", p
	}
	for _, perms := range [][]types.IpPermission{sg.IpPermissions, sg.IpPermissionsEgress} {
		for _, p := range perms {
			for _, pair := range p.UserIdGroupPairs {
				if p := accountProblem("group", id, "UserIdGroupPairs UserId", aws.ToString(pair.UserId)); p != "" {
					return k, "", p
				}
			}
		}
	}
	region, partition, problem := arnProblem("SecurityGroupArn", aws.ToString(sg.SecurityGroupArn))
	if problem != "" {
		return k, "", problem
	}
	region = cmp.Or(region, fallback)
	if region == "" {
		return k, "", fmt.Sprintf("cannot tell the region of %s: pass --region", show(id))
	}
	return pairKey{account, region}, partition, ""
}

// addGroup checks, normalises and queues one group decoded on the reading
// goroutine (the decoder of the tests, slowDecode).
func (im *importer) addGroup(cur current, at place, sg types.SecurityGroup) error {
	k, partition, problem := groupPair(&sg, im.fallback)
	if problem != "" {
		return cur.errorf("%s", problem)
	}
	nb := normaliseBatch{}
	nb.groups(k, []types.SecurityGroup{sg})
	return im.queueGroup(k, partition, nb.inv.SecurityGroups[0], sg.SecurityGroupArn == nil || *sg.SecurityGroupArn == "", at)
}

// queueGroup adds a normalised group of (account, region) k to its
// pending chunk; noARN says its ARN is to be made from the partition when
// the chunk is flushed, as normalizeRegion made it.
func (im *importer) queueGroup(k pairKey, partition string, g inventory.SecurityGroup, noARN bool, at place) error {
	if partition != "" {
		im.partitions[k] = partition
	}
	im.kind(k, inventory.KindSecurityGroups)
	p := im.pendingFor(k)
	p.groups = append(p.groups, g)
	p.groupPlaces = append(p.groupPlaces, at)
	p.groupNoARN = append(p.groupNoARN, noARN)
	if len(p.groups) >= chunkSize {
		return im.flushGroups(k)
	}
	return nil
}

// interfacePair is groupPair for an interface: deferred when its region is
// its first group's, known once every file is read.
func interfacePair(eni *types.NetworkInterface) (k pairKey, deferred bool, problem string) {
	id := aws.ToString(eni.NetworkInterfaceId)
	if id == "" {
		return k, false, "a network interface without NetworkInterfaceId"
	}
	account := aws.ToString(eni.OwnerId)
	if account == "" {
		return k, false, fmt.Sprintf("cannot tell the account of %s: it has no OwnerId", show(id))
	}
	if p := accountProblem("interface", id, "OwnerId", account); p != "" {
		return k, false, p
	}
	region := azRegion.FindString(aws.ToString(eni.AvailabilityZone))
	if region == "" {
		return k, true, ""
	}
	return pairKey{account, region}, false, ""
}

func (im *importer) addInterface(cur current, at place, eni types.NetworkInterface) error {
	k, deferred, problem := interfacePair(&eni)
	switch {
	case problem != "":
		return cur.errorf("%s", problem)
	case deferred:
		im.deferred = append(im.deferred, deferredInterface{eni: eni, at: at})
		return nil
	}
	return im.normaliseInterface(k, eni, at)
}

// normaliseInterface normalises one interface of k and queues it.
func (im *importer) normaliseInterface(k pairKey, eni types.NetworkInterface, at place) error {
	nb := normaliseBatch{}
	nb.interfaces(k, []types.NetworkInterface{eni})
	return im.queueInterface(k, nb.inv.NetworkInterfaces[0], at)
}

func (im *importer) queueInterface(k pairKey, ni inventory.NetworkInterface, at place) error {
	im.kind(k, inventory.KindNetworkInterfaces)
	p := im.pendingFor(k)
	p.interfaces = append(p.interfaces, ni)
	p.interfacePlaces = append(p.interfacePlaces, at)
	if len(p.interfaces) >= chunkSize {
		return im.flushInterfaces(k)
	}
	return nil
}

// preparedRule is what the import keeps of a rule record, and of its
// group and region, made by prepareRule on a worker (import_pipeline.go).
type preparedRule struct {
	id, gid, owner, region string
	rec                    ruleRecord
}

// prepareRule checks a decoded rule record and makes what the import
// keeps of it, or says the problem, for current.errorf. It touches no
// importer state.
func prepareRule(rec *types.SecurityGroupRule, at place) (preparedRule, string) {
	id := aws.ToString(rec.SecurityGroupRuleId)
	gid := aws.ToString(rec.GroupId)
	switch {
	case id == "":
		return preparedRule{}, "a security group rule without SecurityGroupRuleId"
	case gid == "":
		return preparedRule{}, fmt.Sprintf("rule %s has no GroupId", show(id))
	}
	if rec.IsEgress == nil {
		// AWS always says it; read as ingress, an egress rule would match
		// none of its group's rules, or the wrong one.
		return preparedRule{}, fmt.Sprintf("rule %s has no IsEgress: cannot tell an inbound from an outbound rule", show(id))
	}
	owner := aws.ToString(rec.GroupOwnerId)
	if p := accountProblem("rule", id, "GroupOwnerId", owner); p != "" {
		return preparedRule{}, p
	}
	if ref := rec.ReferencedGroupInfo; ref != nil {
		if p := accountProblem("rule", id, "ReferencedGroupInfo UserId", aws.ToString(ref.UserId)); p != "" {
			return preparedRule{}, p
		}
	}
	region, _, problem := arnProblem("SecurityGroupRuleArn", aws.ToString(rec.SecurityGroupRuleArn))
	if problem != "" {
		return preparedRule{}, problem
	}
	return preparedRule{id: id, gid: gid, owner: owner, region: region, rec: newRuleRecord(ruleFromRecord(*rec), at)}, ""
}

func (im *importer) addRule(cur current, at place, rec types.SecurityGroupRule) error {
	p, problem := prepareRule(&rec, at)
	if problem != "" {
		return cur.errorf("%s", problem)
	}
	return im.queueRule(cur, p)
}

// queueRule files a prepared rule record under its group; the same record
// given twice is kept once, two different ones with one id are an error.
func (im *importer) queueRule(cur current, p preparedRule) error {
	id, gid, owner, region, r, at := p.id, p.gid, p.owner, p.region, p.rec, p.rec.at
	if prevGroup, dup := im.ruleGroup[id]; dup {
		prev := im.records[prevGroup]
		pr := prev.find(id)
		if prevGroup == gid && pr.key == r.key && pr.rest == r.rest && pr.description == r.description && prev.account == owner {
			return nil // the same export given twice
		}
		return fmt.Errorf("%w: rule %s differs between %s and %s", ErrInput, show(id),
			im.where(pr.at, listRules), cur)
	}
	gr := im.records[gid]
	if gr == nil {
		gr = &groupRecords{account: owner, region: region, firstID: id, at: at}
		im.records[gid] = gr
	}
	gr.rules = append(gr.rules, r)
	im.ruleGroup[id] = gid
	return nil
}

func (im *importer) kind(k pairKey, kind string) {
	if im.kinds[k] == nil {
		im.kinds[k] = map[string]bool{}
	}
	im.kinds[k][kind] = true
}

func (im *importer) pendingFor(k pairKey) *pendingPair {
	p := im.pending[k]
	if p == nil {
		p = &pendingPair{}
		im.pending[k] = p
	}
	return p
}

func (im *importer) regionData(k pairKey) RegionData {
	return RegionData{
		Account: inventory.Account{ID: k.account, Partition: cmp.Or(im.partitions[k], partitionOfRegion(k.region))},
		Region:  k.region,
	}
}

// flushGroups adds the pending groups of one (account, region) to the
// inventory. A group seen before is dropped when it is the same, and an
// error when it is not. A group without ARN gets the one normalizeRegion
// made, from the partition known now.
func (im *importer) flushGroups(k pairKey) error {
	p := im.pending[k]
	if p == nil || len(p.groups) == 0 {
		return nil
	}
	partition := im.regionData(k).Account.Partition
	for j := range p.groups {
		g, at := &p.groups[j], p.groupPlaces[j]
		if p.groupNoARN[j] {
			g.ARN = "arn:" + partition + ":ec2:" + k.region + ":" + g.AccountID + ":security-group/" + g.ID
		}
		if prev, dup := im.groups[g.ID]; dup {
			if sameGroup(*im.groupList.at(prev.i), *g) {
				continue
			}
			return im.dupError("group", listGroups, g.ID, prev.at, at)
		}
		im.groups[g.ID] = itemAt{i: im.groupList.n, at: at}
		im.groupList.add(*g)
	}
	clear(p.groups)
	p.groups, p.groupPlaces, p.groupNoARN = p.groups[:0], p.groupPlaces[:0], p.groupNoARN[:0]
	return nil
}

// flushInterfaces is flushGroups for interfaces. They are normalised
// without their groups: attachments are linked once every group is read.
func (im *importer) flushInterfaces(k pairKey) error {
	p := im.pending[k]
	if p == nil || len(p.interfaces) == 0 {
		return nil
	}
	for j := range p.interfaces {
		ni, at := &p.interfaces[j], p.interfacePlaces[j]
		if prev, dup := im.interfaces[ni.ID]; dup {
			if reflect.DeepEqual(*im.interfaceList.at(prev.i), *ni) {
				continue
			}
			return im.dupError("network interface", listInterfaces, ni.ID, prev.at, at)
		}
		im.interfaces[ni.ID] = itemAt{i: im.interfaceList.n, at: at}
		im.interfaceList.add(*ni)
	}
	clear(p.interfaces)
	p.interfaces, p.interfacePlaces = p.interfaces[:0], p.interfacePlaces[:0]
	return nil
}

// blockList is a list grown by blocks: appended to one by one, 100k
// groups in one slice were copied at every growth, and the copies left
// several times the list as garbage.
type blockList[T any] struct {
	blocks [][]T
	n      int
}

const listBlock = 4096

func (l *blockList[T]) add(v T) {
	if l.n%listBlock == 0 {
		l.blocks = append(l.blocks, make([]T, 0, listBlock))
	}
	l.blocks[len(l.blocks)-1] = append(l.blocks[len(l.blocks)-1], v)
	l.n++
}

func (l *blockList[T]) at(i int) *T { return &l.blocks[i/listBlock][i%listBlock] }

// slice returns the list in one slice of its length (empty, not nil, when
// it is), and empties l.
func (l *blockList[T]) slice() []T {
	out := make([]T, 0, l.n)
	for _, b := range l.blocks {
		out = append(out, b...)
	}
	*l = blockList[T]{}
	return out
}

// dupError is the error for two different items with one id.
func (im *importer) dupError(kind, list, id string, a, b place) error {
	return fmt.Errorf("%w: %s %s differs between %s and %s", ErrInput, kind, show(id), im.where(a, list), im.where(b, list))
}

// sameGroup reports whether two normalised groups hold the same data.
func sameGroup(a, b inventory.SecurityGroup) bool {
	if !a.Rules.Equal(b.Rules) || !a.StaleRules.Equal(b.StaleRules) {
		return false
	}
	a.Rules, b.Rules, a.StaleRules, b.StaleRules = inventory.Rules{}, inventory.Rules{}, inventory.Rules{}, inventory.Rules{}
	return reflect.DeepEqual(a, b)
}

// inventory finishes the AWS CLI data once every file is read: the last
// chunks, interfaces whose region is their group's, rule ids, attachments,
// coverage. It returns nil when no CLI file was given.
func (im *importer) inventory(ctx context.Context) (*inventory.Inventory, error) {
	if im.cliFiles == 0 {
		return nil, nil
	}
	pairs := slices.SortedFunc(maps.Keys(im.pending), comparePairs)
	for _, k := range pairs {
		if err := im.flushGroups(k); err != nil {
			return nil, err
		}
	}
	// Every group is in: deferred interfaces need their regions.
	inv := im.n.inv
	inv.SecurityGroups = im.groupList.slice()
	for _, d := range im.deferred {
		account := aws.ToString(d.eni.OwnerId)
		var region string
		if len(d.eni.Groups) > 0 {
			if g, ok := im.groups[aws.ToString(d.eni.Groups[0].GroupId)]; ok {
				region = inv.SecurityGroups[g.i].Region
			}
		}
		region = cmp.Or(region, im.fallback)
		if region == "" {
			return nil, fmt.Errorf("%w: %s: cannot tell the region of %s: pass --region", ErrInput,
				im.where(d.at, listInterfaces), show(aws.ToString(d.eni.NetworkInterfaceId)))
		}
		if err := im.normaliseInterface(pairKey{account, region}, d.eni, d.at); err != nil {
			return nil, err
		}
	}
	im.deferred = nil
	for _, k := range slices.SortedFunc(maps.Keys(im.pending), comparePairs) {
		if err := im.flushInterfaces(k); err != nil {
			return nil, err
		}
	}
	im.pending = nil
	inv.NetworkInterfaces = im.interfaceList.slice()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := im.applyRecords(); err != nil {
		return nil, err
	}
	im.linkAttachments()
	inv.VPCs = importedVPCs(inv)
	if err := im.importNetwork(inv); err != nil {
		return nil, err
	}

	// An empty list ("no interfaces here") is data too, for the region it
	// was exported from: fallbackRegion if given, else every region seen.
	for k := range im.kinds {
		if im.fallback == "" || k.region == im.fallback {
			for _, kind := range im.emptyKinds {
				im.kinds[k][kind] = true
			}
		}
	}
	groupsIn := map[pairKey]int{}
	for _, g := range inv.SecurityGroups {
		groupsIn[pairKey{g.AccountID, g.Region}]++
	}
	accounts := map[string]inventory.Account{}
	var coverage []inventory.Coverage
	for _, k := range slices.SortedFunc(maps.Keys(im.kinds), comparePairs) {
		a := im.regionData(k).Account
		if _, ok := accounts[k.account]; !ok || im.partitions[k] != "" {
			accounts[k.account] = a
		}
		coverage = append(coverage, inventory.Coverage{
			AccountID:      k.account,
			Region:         k.region,
			Status:         inventory.CoverageOK,
			Collected:      sortedKeys(im.kinds[k]),
			SecurityGroups: groupsIn[k],
		})
	}
	// Linking the references between groups writes only their UsedBy,
	// which Validate does not read: both run at once, on every core.
	if err := im.linkAndValidate(); err != nil {
		return nil, err
	}
	norm := inv // mergeInventories sorts the merged inventory
	norm.Coverage = coverage
	for _, id := range slices.Sorted(maps.Keys(accounts)) {
		norm.Accounts = append(norm.Accounts, accounts[id])
	}
	norm.Source = SourceCLI
	if len(im.net.files) > 0 {
		// The network lists are checked as an inventory's are, so an
		// import that succeeds is an inventory that reads back.
		if err := norm.Check(); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInput, im.networkFiles(), cutError(err))
		}
	}
	return norm, nil
}

// linkAndValidate validates every group (the first error in the
// inventory's order wins) while the evidence between groups is linked
// (normalizer.finish): linking writes only the groups' UsedBy, which
// Validate does not read. Validation is split in tasks, so that both cores work
// until linking is done.
func (im *importer) linkAndValidate() error {
	groups := im.n.inv.SecurityGroups
	link := func() { im.n.finish() }
	if len(im.n.refs) == 0 && len(im.n.uses) == 0 {
		// What finish does without DescribeSecurityGroupReferences and
		// proofs of use, which the import never has, less the index
		// linkPeerReferences builds for nothing.
		link = func() { linkReferences(groups) }
	}
	const validateChunk = 4096
	invalid := make([]error, chunks(len(groups), validateChunk))
	runTasks(append([]func(){link}, chunkTasks(len(groups), validateChunk, func(c, lo, hi int) {
		for i := lo; i < hi; i++ {
			if err := groups[i].Validate(); err != nil {
				invalid[c] = fmt.Errorf("%w: %s: %w", ErrInput, im.names[im.groups[groups[i].ID].at.file], cutError(err))
				return
			}
		}
	})...))
	for _, err := range invalid {
		if err != nil {
			return err
		}
	}
	return nil
}

// chunks is how many chunks of size cover n elements.
func chunks(n, size int) int { return (n + size - 1) / size }

// chunkTasks returns a task per chunk of size consecutive indexes of
// [0, n), the last one shorter: f(c, lo, hi) for chunk c, [lo, hi).
func chunkTasks(n, size int, f func(c, lo, hi int)) []func() {
	tasks := make([]func(), chunks(n, size))
	for c := range tasks {
		tasks[c] = func() { f(c, c*size, min((c+1)*size, n)) }
	}
	return tasks
}

// runTasks runs tasks on GOMAXPROCS goroutines, and returns when all are
// done.
func runTasks(tasks []func()) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(tasks)) {
		wg.Go(func() {
			for t := next.Add(1) - 1; t < int64(len(tasks)); t = next.Add(1) - 1 {
				tasks[t]()
			}
		})
	}
	wg.Wait()
}

// networkFiles names the files that held network lists.
func (im *importer) networkFiles() string {
	var names []string
	for _, f := range slices.Sorted(maps.Keys(im.net.files)) {
		names = append(names, im.names[f])
	}
	return strings.Join(names, ", ")
}

func comparePairs(a, b pairKey) int {
	return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.region, b.region))
}

// applyRecords gives the groups' rules the ids and descriptions of their
// describe-security-group-rules records, as the collector does
// (fillFromRecords). Unlike the collector, which reads both APIs a moment
// apart, the importer refuses a record it cannot place: its group is in no
// input, its group is of another account or region, or it matches none of
// its group's rules (the two exports were taken at different times). The
// group's own rules are what is judged, so a record left out would be a
// rule no check sees.
func (im *importer) applyRecords() error {
	inv := im.n.inv
	for _, gid := range slices.Sorted(maps.Keys(im.records)) {
		gr := im.records[gid]
		g, hasGroup := im.groups[gid]
		if !hasGroup {
			return fmt.Errorf("%w: %s: rule %s belongs to group %s, which no input holds: "+
				"add the describe-security-groups export of that region", ErrInput, im.where(gr.at, listRules), show(gr.firstID), show(gid))
		}
		sg := &inv.SecurityGroups[g.i]
		region := cmp.Or(gr.region, sg.Region)
		account := cmp.Or(gr.account, sg.AccountID)
		if account != sg.AccountID || region != sg.Region {
			return fmt.Errorf("%w: %s: rule %s of account %s region %s belongs to group %s, which %s holds in account %s region %s",
				ErrInput, im.where(gr.at, listRules), show(gr.firstID), show(account), show(region), show(gid),
				im.where(g.at, listGroups), sg.AccountID, sg.Region)
		}
		im.kind(pairKey{account, region}, inventory.KindSecurityGroupRules)
		// In rule id order, so which record takes an owner-less key is
		// the same whatever the files' order (indexRuleRecords).
		slices.SortFunc(gr.rules, func(a, b ruleRecord) int { return cmp.Compare(a.id, b.id) })
		recs := make(map[string]int, len(gr.rules))
		for i, rec := range gr.rules {
			if j, taken := recs[rec.key]; taken && gr.rules[j].key == rec.key {
				return fmt.Errorf("%w: rules %s (%s) and %s (%s) of group %s are the same rule", ErrInput,
					show(gr.rules[j].id), im.where(gr.rules[j].at, listRules), show(rec.id), im.where(rec.at, listRules), show(gid))
			}
			recs[rec.key] = i
			if rec.ownerless != "" {
				if _, taken := recs[rec.ownerless]; !taken {
					recs[rec.ownerless] = i
				}
			}
		}
		used := make([]bool, len(gr.rules))
		rules := sg.Rules.Slice()
		for i := range rules {
			j, ok := recs[rules[i].Key()]
			if !ok {
				j, ok = recs[ownerlessKey(rules[i])]
			}
			if !ok {
				continue // a rule added after the rules export: no id
			}
			rec := gr.rules[j]
			used[j] = true
			rules[i].ID = rec.id
			// As fillFromRecords: an empty description never erases the other.
			rules[i].Description = cmp.Or(rec.description, rules[i].Description)
		}
		if j := slices.Index(used, false); j >= 0 {
			rec := gr.rules[j]
			return fmt.Errorf("%w: %s: rule %s matches none of the rules of group %s in %s: "+
				"the describe-security-group-rules and describe-security-groups exports disagree (taken at different times?): export both again",
				ErrInput, im.where(rec.at, listRules), show(rec.id), show(gid), im.where(g.at, listGroups))
		}
		sg.Rules = inventory.SortedRules(rules)
	}
	im.records, im.ruleGroup = nil, nil
	return nil
}

// linkAttachments records which interfaces carry which group, as
// normalizeRegion does within one region; imported interfaces are
// normalised apart from their groups, which may come in another file.
func (im *importer) linkAttachments() {
	inv := im.n.inv
	for _, ni := range inv.NetworkInterfaces {
		for _, id := range ni.GroupIDs {
			gi, ok := im.groups[id]
			if !ok {
				continue // the group's data was not given (an ENI-only import)
			}
			g := &inv.SecurityGroups[gi.i]
			if g.AccountID != ni.AccountID || g.Region != ni.Region {
				continue
			}
			g.Attachments = append(g.Attachments, inventory.Attachment{
				NetworkInterfaceID: ni.ID,
				InterfaceType:      ni.Type,
				PublicIP:           ni.PublicIP,
				Resource:           ni.Resource,
			})
			g.UsedBy = append(g.UsedBy, inventory.Evidence{Kind: inventory.UsedByENI, ID: ni.ID, Detail: ni.Resource})
		}
	}
}

// importedVPCs derives the VPCs as normalizeRegion does (every VPC with a
// group or an interface, and its interface count), once for the whole
// import: normalised chunk by chunk, a VPC would be listed once per chunk.
func importedVPCs(inv *inventory.Inventory) []inventory.VPC {
	type vpcKey struct{ account, region, id string }
	count := map[vpcKey]int{}
	for _, g := range inv.SecurityGroups {
		if g.VPCID != "" {
			count[vpcKey{g.AccountID, g.Region, g.VPCID}] += 0
		}
	}
	for _, ni := range inv.NetworkInterfaces {
		if ni.VPCID != "" {
			count[vpcKey{ni.AccountID, ni.Region, ni.VPCID}]++
		}
	}
	vpcs := make([]inventory.VPC, 0, len(count))
	for k, n := range count {
		vpcs = append(vpcs, inventory.VPC{ID: k.id, AccountID: k.account, Region: k.region, NetworkInterfaces: n})
	}
	return vpcs
}

// cliPlace names where a group or interface of the AWS CLI JSON came from.
func (im *importer) cliPlace(kind, id string) string {
	if at, ok := im.groups[id]; ok && kind == "group" {
		return im.where(at.at, listGroups)
	}
	if at, ok := im.interfaces[id]; ok && kind == "network interface" {
		return im.where(at.at, listInterfaces)
	}
	return "the AWS CLI JSON"
}

// stream is one file being decoded.
type stream struct {
	ctx  context.Context
	name string
	lr   *lineReader
	dec  *jsontext.Decoder
	bom  int64 // bytes skipped before the decoder's offset 0
	// delta is the lineReader offset of the decoder's offset 0: bom, until
	// scanList hands a list back to a new decoder (stream.reprime).
	delta int64
	// names are the top-level keys read, for reprime.
	names []string
	// cells is the memory of the fast decoder (import_fast.go).
	cells cells
}

// decOffset is the decoder's offset as the file's first decoder counts
// it (the byte order mark not counted).
func (s *stream) decOffset() int64 { return s.dec.InputOffset() + s.delta - s.bom }

// jsonError says where in the file decoding failed, as line and column
// (what an editor shows) and byte offset. nil stays nil.
func (s *stream) jsonError(err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := s.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return fmt.Errorf("read %s: %w", s.name, ctxErr)
	}
	var (
		semErr *json.SemanticError
		synErr *jsontext.SyntacticError
	)
	switch {
	case errors.As(err, &semErr) && semErr.JSONKind != 0 && semErr.GoType != nil:
		return s.errorAt(semErr.ByteOffset+s.delta+1, fmt.Sprintf("field %s: a JSON %s where %s was expected",
			clip(jsonkeys.Path(semErr.JSONPointer)), jsonkeys.KindName(semErr.JSONKind), semErr.GoType))
	case errors.As(err, &semErr):
		what := "a value that cannot be read"
		if semErr.Err != nil {
			what = semErr.Err.Error()
		}
		return s.errorAt(semErr.ByteOffset+s.delta+1, fmt.Sprintf("field %s: %s", clip(jsonkeys.Path(semErr.JSONPointer)), clip(what)))
	case errors.As(err, &synErr):
		what := synErr.Err.Error()
		switch {
		case errors.Is(synErr.Err, io.ErrUnexpectedEOF):
			what = "unexpected end of JSON input"
		case errors.Is(synErr.Err, jsontext.ErrDuplicateName) && synErr.JSONPointer != "":
			// encoding/json kept the last of two, which could hide rules.
			// Quoted: the key is anything the file says.
			what = fmt.Sprintf("the key %s is given twice", quote(jsonkeys.Path(synErr.JSONPointer)))
		}
		return s.errorAt(synErr.ByteOffset+s.delta+1, "malformed JSON: "+what)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return s.errorAt(s.lr.end(), "malformed JSON: unexpected end of JSON input")
	}
	return readError(s.ctx, s.name, err)
}

// errorAt is an error at a 1-based byte position (the byte after offset
// off-1): "name:line:col (byte N): what".
func (s *stream) errorAt(pos int64, what string) error {
	offset := max(pos-1, 0)
	line, col := s.lr.position(offset)
	return fmt.Errorf("%w: %s:%d:%d (byte %d): %s", ErrInput, s.name, line, col, offset, what)
}

func readError(ctx context.Context, name string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("read %s: %w", name, ctxErr)
	}
	return fmt.Errorf("%w: read %s: %w", ErrInput, name, err)
}

// lineReader counts what it reads, so that an error offset can be given
// as line and column without holding the file: it keeps the bytes from
// the start of the item being decoded on (forget), and the number of lines
// before them. It also stops reading when ctx is done.
type lineReader struct {
	ctx    context.Context
	r      io.Reader
	buf    []byte // the bytes read from offset base on
	base   int64
	lines  int   // newlines before base
	lastNL int64 // offset of the last newline before base, -1 if none
	err    error // what the last read returned, if not nil: how the input ended
}

func (l *lineReader) Read(p []byte) (int, error) {
	if err := l.ctx.Err(); err != nil {
		l.err = err
		return 0, err
	}
	n, err := l.r.Read(p)
	l.buf = append(l.buf, p[:n]...)
	if err != nil {
		l.err = err
	}
	return n, err
}

// forget drops the bytes before off, which no error can point at any more,
// once they are many (dropping is a copy of what follows: once they are as
// many as what follows too, what is copied is at most the input again,
// when scanList holds a MB or two after off).
func (l *lineReader) forget(off int64) {
	k := off - l.base
	if k < 1<<20 || k > int64(len(l.buf)) || k < int64(len(l.buf))-k {
		return
	}
	seg := l.buf[:k]
	l.lines += bytes.Count(seg, []byte{'\n'})
	if i := bytes.LastIndexByte(seg, '\n'); i >= 0 {
		l.lastNL = l.base + int64(i)
	}
	l.buf = append(l.buf[:0], l.buf[k:]...)
	l.base = off
}

func (l *lineReader) end() int64 { return l.base + int64(len(l.buf)) }

// more reads more of the input into buf, for scanList, which reads the
// bytes there; false at the end of the input or when reading failed (err
// says which) or ctx is done.
func (l *lineReader) more() bool {
	for tries := 0; l.err == nil; tries++ {
		if err := l.ctx.Err(); err != nil {
			l.err = err
			break
		}
		if tries == 100 {
			l.err = io.ErrNoProgress // a reader that returns nothing, and no error
			break
		}
		if cap(l.buf)-len(l.buf) < 16<<10 {
			l.buf = slices.Grow(l.buf, 64<<10)
		}
		n, err := l.r.Read(l.buf[len(l.buf):cap(l.buf)])
		l.buf = l.buf[:len(l.buf)+n]
		if err != nil {
			l.err = err
		}
		if n > 0 {
			return true
		}
	}
	return false
}

// position turns a byte offset into a 1-based line and column.
func (l *lineReader) position(off int64) (line, col int) {
	off = min(max(off, l.base), l.end())
	seg := l.buf[:off-l.base]
	line = l.lines + bytes.Count(seg, []byte{'\n'}) + 1
	last := l.lastNL
	if i := bytes.LastIndexByte(seg, '\n'); i >= 0 {
		last = l.base + int64(i)
	}
	return line, int(off - last)
}

// skipSeparators returns the offset of the first byte at or after off
// that is neither white space nor a comma: where an array item starts.
func (l *lineReader) skipSeparators(off int64) int64 {
	for off < l.end() && off >= l.base && bytes.IndexByte([]byte(" \t\r\n,"), l.buf[off-l.base]) >= 0 {
		off++
	}
	return off
}

// parseFile decodes a whole file that names an inventory key. raw starts
// with bom bytes of byte order mark.
func parseFile(name string, raw []byte, bom int64) (*inventory.Inventory, error) {
	body := raw[bom:]
	var top map[string]stdjson.RawMessage
	if err := stdjson.Unmarshal(body, &top); err != nil {
		return nil, jsonError(name, raw, bom, err)
	}
	// A file is an inventory or AWS CLI JSON: the inventory decoder would
	// skip the CLI lists, with whatever groups they hold.
	for _, key := range sortedKeys(top) {
		if _, isList := cliKinds[key]; isList || key == "NextToken" {
			inventoryKey := "schema_version"
			if _, ok := top[inventoryKey]; !ok {
				inventoryKey = "security_groups"
			}
			return nil, bothFormats(name, inventoryKey, key)
		}
	}
	_, hasVersion := top["schema_version"]
	_, hasGroups := top["security_groups"]
	if !hasVersion || !hasGroups {
		return nil, fmt.Errorf("%w: %s is not a format sgaudit reads (an sgaudit inventory has both schema_version and security_groups); %s",
			ErrInput, name, acceptedFormats)
	}
	var probe struct {
		SchemaVersion any `json:"schema_version"`
	}
	if err := stdjson.Unmarshal(body, &probe); err != nil {
		return nil, jsonError(name, raw, bom, err)
	}
	if v, ok := probe.SchemaVersion.(string); !ok || v != inventory.SchemaVersion {
		return nil, fmt.Errorf("%w: %s is an sgaudit inventory with schema_version %v; this sgaudit reads schema_version %q",
			ErrInput, name, clip(jsonText(probe.SchemaVersion)), inventory.SchemaVersion)
	}
	inv, err := inventory.Decode(body)
	if err != nil {
		return nil, jsonError(name, raw, bom, err)
	}
	return inv, nil
}

func jsonText(v any) string {
	b, _ := stdjson.Marshal(v)
	return string(b)
}

// jsonError is stream.jsonError for a whole inventory file decoded by
// encoding/json.
func jsonError(name string, raw []byte, bom int64, err error) error {
	var (
		syntaxErr *stdjson.SyntaxError
		typeErr   *stdjson.UnmarshalTypeError
		offset    int64 = -1
		what            = clipMessage(err.Error())
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
	offset = max(offset-1, 0) + bom
	line, col := position(raw, offset)
	return fmt.Errorf("%w: %s:%d:%d (byte %d): %s", ErrInput, name, line, col, offset, what)
}

// position turns a byte offset into a 1-based line and column.
func position(raw []byte, offset int64) (line, col int) { return location.Position(raw, offset) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// pairKey is "account/region".
type pairKey struct{ account, region string }

// arnRegion returns the region and partition of an ARN, or "" for both:
// what arn.Parse finds, without the six strings it allocates for every
// item (TestARNRegion compares them).
func arnRegion(s string) (region, partition string) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return "", ""
	}
	// arn.Parse wants six sections: arn, partition, service, region,
	// account and the resource, which may hold ':' itself.
	var section [4]string
	for i := range section {
		if section[i], rest, ok = strings.Cut(rest, ":"); !ok {
			return "", ""
		}
	}
	return section[2], section[0]
}

type namedInventory struct {
	name string
	inv  *inventory.Inventory
	// cliPlace is set for the AWS CLI JSON: it names an item's file.
	cliPlace func(kind, id string) string
}

// placeIn names where an item of n was: "inv.json (security_groups[3])".
func placeIn(n namedInventory, kind, list string, j int, id string) string {
	if n.cliPlace != nil {
		return n.cliPlace(kind, id)
	}
	return fmt.Sprintf("%s (%s[%d])", n.name, list, j)
}

// mergeInventories concatenates imported inventories and the CLI data.
// Two sources for the same (account, region) are refused: which one is
// right cannot be told, and merging them would double every group. The
// same inventory given twice is read once. A group or interface without an
// id, or two with the same id, are refused too (identical copies inside one
// file are kept once): the engine tells groups apart by id, and a second
// group hidden behind the first could hide a finding. cliPlace names where
// a CLI item came from.
func mergeInventories(invs []namedInventory, cli *inventory.Inventory, cliPlace func(kind, id string) string) (*inventory.Inventory, error) {
	if cli != nil {
		invs = append(invs, namedInventory{name: "the AWS CLI JSON", inv: cli, cliPlace: cliPlace})
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
	// Sized once: grown by append, 100k groups would be copied several times.
	var nGroups, nInterfaces int
	for _, n := range invs {
		nGroups += len(n.inv.SecurityGroups)
		nInterfaces += len(n.inv.NetworkInterfaces)
	}
	out.SecurityGroups = make([]inventory.SecurityGroup, 0, nGroups)
	out.NetworkInterfaces = make([]inventory.NetworkInterface, 0, nInterfaces)
	owner := map[pairKey]string{}
	sources := map[string]bool{}
	// The AWS CLI data alone has nothing to check by id: the importer
	// keeps one group or interface per id, and none without (groupPair,
	// interfacePair, flushGroups). 100k ids in two maps were a tenth of
	// the import's last, single-core part.
	cliAlone := len(invs) == 1 && invs[0].cliPlace != nil
	var groups, interfaces map[string]mergedAt
	if !cliAlone {
		groups = make(map[string]mergedAt, nGroups) // sized once too: grown, 100k ids were rehashed several times
		interfaces = make(map[string]mergedAt, nInterfaces)
	}
	for i, n := range invs {
		inv := n.inv
		if slices.ContainsFunc(invs[:i], func(m namedInventory) bool {
			return m.cliPlace == nil && n.cliPlace == nil && reflect.DeepEqual(m.inv, inv)
		}) {
			continue // the same inventory given twice
		}
		where := func(kind, list string, j int, id string) string { return placeIn(n, kind, list, j, id) }
		sources[inv.Source] = true
		if inv.CollectedAt.After(out.CollectedAt) {
			out.CollectedAt = inv.CollectedAt
		}
		for _, c := range inv.Coverage {
			k := pairKey{c.AccountID, c.Region}
			if prev, dup := owner[k]; dup {
				return nil, fmt.Errorf("%w: %s and %s both hold account %s region %s", ErrInput, prev, n.name, show(c.AccountID), show(c.Region))
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
		if cliAlone {
			out.SecurityGroups = append(out.SecurityGroups, inv.SecurityGroups...)
			out.NetworkInterfaces = append(out.NetworkInterfaces, inv.NetworkInterfaces...)
		} else {
			for j, g := range inv.SecurityGroups {
				if g.ID == "" {
					return nil, fmt.Errorf("%w: %s: a security group without id", ErrInput, where("group", "security_groups", j, g.ID))
				}
				if prev, dup := groups[g.ID]; dup {
					if sameGroup(out.SecurityGroups[prev.i], g) && prev.source == i {
						continue
					}
					return nil, fmt.Errorf("%w: group %s differs between %s and %s", ErrInput, show(g.ID),
						placeIn(invs[prev.source], "group", "security_groups", prev.index, g.ID), where("group", "security_groups", j, g.ID))
				}
				groups[g.ID] = mergedAt{i: len(out.SecurityGroups), source: i, index: j}
				out.SecurityGroups = append(out.SecurityGroups, g)
			}
			for j, ni := range inv.NetworkInterfaces {
				if ni.ID == "" {
					return nil, fmt.Errorf("%w: %s: a network interface without id", ErrInput, where("network interface", "network_interfaces", j, ni.ID))
				}
				if prev, dup := interfaces[ni.ID]; dup {
					if reflect.DeepEqual(out.NetworkInterfaces[prev.i], ni) && prev.source == i {
						continue
					}
					return nil, fmt.Errorf("%w: network interface %s differs between %s and %s", ErrInput, show(ni.ID),
						placeIn(invs[prev.source], "network interface", "network_interfaces", prev.index, ni.ID),
						where("network interface", "network_interfaces", j, ni.ID))
				}
				interfaces[ni.ID] = mergedAt{i: len(out.NetworkInterfaces), source: i, index: j}
				out.NetworkInterfaces = append(out.NetworkInterfaces, ni)
			}
		}
		out.Coverage = append(out.Coverage, inv.Coverage...)
		out.PrefixLists = append(out.PrefixLists, inv.PrefixLists...)
		out.VPCs = append(out.VPCs, inv.VPCs...)
		// The network model (docs/inventory.md §16); Check, below or
		// in Decode, drops exact repeats and refuses conflicts.
		out.Subnets = append(out.Subnets, inv.Subnets...)
		out.RouteTables = append(out.RouteTables, inv.RouteTables...)
		out.NetworkACLs = append(out.NetworkACLs, inv.NetworkACLs...)
		out.InternetGateways = append(out.InternetGateways, inv.InternetGateways...)
		out.EgressOnlyInternetGateways = append(out.EgressOnlyInternetGateways, inv.EgressOnlyInternetGateways...)
		out.Addresses = append(out.Addresses, inv.Addresses...)
		out.LoadBalancers = append(out.LoadBalancers, inv.LoadBalancers...)
		out.TargetGroups = append(out.TargetGroups, inv.TargetGroups...)
	}
	// One source keeps its name; a mix says what it is made of.
	out.Source = strings.Join(sortedKeys(sources), "+")
	out.Sort()
	// Each input was checked on its own; what only their union shows (a
	// rule id or a prefix list given twice with two contents) is checked
	// here, or it would surface as a policy error that names no file.
	if len(invs) > 1 {
		if err := out.Check(); err != nil {
			return nil, fmt.Errorf("%w: %s together: %w", ErrInput, mergedNames(invs), cutError(err))
		}
	}
	return out, nil
}

// mergedNames lists the merged inputs for an error about their union.
func mergedNames(invs []namedInventory) string {
	names := make([]string, len(invs))
	for i, n := range invs {
		names[i] = n.name
	}
	return strings.Join(names, ", ")
}

// mergedAt is where mergeInventories took a group or interface from.
type mergedAt struct {
	i      int // in the merged list
	source int // index of its inventory
	index  int // in its inventory's list
}
