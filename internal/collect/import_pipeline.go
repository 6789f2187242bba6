package collect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// The import of the AWS CLI's groups, interfaces and rule records on
// every core (docs/performance.md, "Import on both cores"). The reading
// goroutine only finds each item's bytes (scanList) and hands them over
// in batches; GOMAXPROCS-1 workers, and the reading goroutine when it
// would wait, decode them by the plans of import_fast.go (which refuse
// whatever jsontext refuses), check them (groupPair, interfacePair,
// prepareRule) and normalise them; the reading goroutine takes the batches
// back in file order and queues their items (queueGroup, queueInterface,
// queueRule) as it would have one by one. An item the workers cannot take
// is read again by a jsontext decoder that stands where the file's would
// (stream.reprime). So the inventory, the first error (in file order,
// whichever worker finishes first) and every message are those of decoding
// the items one after the other: errors are said on the reading goroutine,
// which holds the file's bytes from the oldest item in flight on
// (lineReader.forget), for their line and column.

// Batches: a batch is at most batchItems items or batchBytes bytes, and at
// most maxInflight per worker are in flight, so the items waiting (their
// bytes, and the SDK structs of those being decoded) stay a few MB.
const (
	batchItems  = 64
	batchBytes  = 256 << 10
	maxInflight = 4
)

// itemBatch is a run of consecutive items of one list.
type itemBatch struct {
	key   string // the list
	file  int32
	first int // the index of its first item in the list
	buf   []byte
	items []batchItem

	// Set by the worker, read once done is closed.
	res     []itemResult
	groups  []inventory.SecurityGroup    // normalised, in item order
	ifaces  []inventory.NetworkInterface // normalised, in item order
	later   []types.NetworkInterface     // the deferred interfaces, in item order
	rules   []preparedRule               // the rule records, in item order
	n       int                          // res[:n] are items decoded and checked
	err     error                        // why item n could not be decoded, if n < len(items)
	problem string                       // or what its check found
	done    chan struct{}
}

// batchItem is where an item is.
type batchItem struct {
	lo, hi int   // its bytes in buf
	start  int64 // lineReader offset before its separators (current.start)
	at     int64 // decoder offset of its first byte
}

// itemResult is what the reading goroutine needs to queue an item.
type itemResult struct {
	k         pairKey
	partition string // of a group's ARN
	noARN     bool   // a group without SecurityGroupArn
	deferred  bool   // an interface whose region is its group's
	i         int    // in groups, ifaces or later
}

// pipeline decodes one list's items on the workers. Used by the reading
// goroutine only.
type pipeline struct {
	im       *importer
	s        *stream
	key      string
	file     int32
	size     int // items per batch (im.batchItems)
	workers  int
	jobs     chan *itemBatch
	wg       sync.WaitGroup
	stop     atomic.Bool
	started  bool
	inflight []*itemBatch // in file order
	cur      *itemBatch   // being filled
	free     [][]byte     // buffers of batches done
	limit    int          // most batches in flight
	cells    cells        // of the reading goroutine, when it decodes (next)
}

// pipelined reports whether the items of list key are decoded on the
// workers: groups, interfaces and rule records, unless the tests decode
// with json v2.
func (im *importer) pipelined(key string) bool {
	return !im.slowDecode && (key == listGroups || key == listInterfaces || key == listRules)
}

func (im *importer) newPipeline(s *stream, file int32, key string) *pipeline {
	// One core reads; the others decode, and so does the reading
	// goroutine when it would wait (next): as many goroutines busy as
	// cores, none of them waiting for a core the reader needs.
	workers := max(1, runtime.GOMAXPROCS(0)-1)
	size := batchItems
	if im.batchItems > 0 {
		size = im.batchItems
	}
	return &pipeline{im: im, s: s, key: key, file: file, size: size, workers: workers, limit: maxInflight * workers,
		jobs: make(chan *itemBatch, maxInflight*workers+1)}
}

// add hands over item index, read whole by jsontext (raw, valid until the
// decoder reads on).
func (p *pipeline) add(index int, start, at int64, raw []byte) error {
	b := p.cur
	if b == nil {
		b = &itemBatch{key: p.key, file: p.file, first: index, done: make(chan struct{})}
		if n := len(p.free); n > 0 {
			b.buf, p.free = p.free[n-1], p.free[:n-1]
		}
		p.cur = b
	}
	lo := len(b.buf)
	b.buf = append(b.buf, raw...)
	b.items = append(b.items, batchItem{lo: lo, hi: len(b.buf), start: start, at: at})
	if len(b.items) >= p.size || len(b.buf) >= batchBytes {
		return p.submit()
	}
	return nil
}

// oldest is the lineReader offset of the oldest item not yet queued, or
// start when there is none: the bytes before it can be forgotten.
func (p *pipeline) oldest(start int64) int64 {
	switch {
	case len(p.inflight) > 0:
		return p.inflight[0].items[0].start
	case p.cur != nil:
		return p.cur.items[0].start
	}
	return start
}

// submit hands the batch being filled to the workers, and queues the
// oldest batches while too many are in flight.
func (p *pipeline) submit() error {
	b := p.cur
	p.cur = nil
	if !p.started {
		p.started = true
		for range p.workers {
			p.wg.Add(1)
			go p.work()
		}
	}
	p.jobs <- b
	p.inflight = append(p.inflight, b)
	for len(p.inflight) > p.limit {
		if err := p.next(); err != nil {
			return err
		}
	}
	return nil
}

// next waits for the oldest batch in flight and queues its items. While
// it is not decoded, the reading goroutine decodes the batches no worker
// has taken yet.
func (p *pipeline) next() error {
	b := p.inflight[0]
	for waiting := true; waiting; {
		select {
		case <-b.done:
			waiting = false
		case job := <-p.jobs:
			job.decode(&p.cells, p.im.fallback)
			close(job.done)
		}
	}
	p.inflight[0] = nil
	p.inflight = p.inflight[1:]
	err := p.im.queueBatch(p.s, b)
	p.free = append(p.free, b.buf[:0])
	return err
}

// drain queues every item handed over, in order, and returns the first
// error: an error found after them (a later item, the end of the list,
// ctx) is said only when they have none.
func (p *pipeline) drain() error {
	if p.cur != nil {
		if err := p.submit(); err != nil {
			return err
		}
	}
	for len(p.inflight) > 0 {
		if err := p.next(); err != nil {
			return err
		}
	}
	return nil
}

// close stops the workers, and waits for them: the batches still in
// flight are dropped. It may be called more than once.
func (p *pipeline) close() {
	if p.started {
		p.stop.Store(true)
		close(p.jobs)
		p.wg.Wait()
		p.started = false
	}
	p.inflight, p.cur = nil, nil
}

// work decodes batches until the pipeline is closed.
func (p *pipeline) work() {
	defer p.wg.Done()
	var c cells
	for b := range p.jobs {
		if !p.stop.Load() {
			b.decode(&c, p.im.fallback)
		}
		close(b.done)
	}
}

// decode decodes, checks and normalises the items of b, up to the first
// that fails.
func (b *itemBatch) decode(c *cells, fallback string) {
	b.n = len(b.items)
	// Sized once: grown by append, a batch's lists were garbage twice.
	var (
		sgs  []types.SecurityGroup
		enis []types.NetworkInterface
		nb   normaliseBatch
	)
	b.res = make([]itemResult, 0, len(b.items))
	switch b.key {
	case listGroups:
		sgs = make([]types.SecurityGroup, 0, len(b.items))
		nb.inv.SecurityGroups = make([]inventory.SecurityGroup, 0, len(b.items))
	case listRules:
		b.rules = make([]preparedRule, 0, len(b.items))
	default:
		enis = make([]types.NetworkInterface, 0, len(b.items))
		nb.inv.NetworkInterfaces = make([]inventory.NetworkInterface, 0, len(b.items))
	}
	for j, it := range b.items {
		raw := b.buf[it.lo:it.hi]
		var r itemResult
		switch b.key {
		case listGroups:
			var sg types.SecurityGroup
			if b.err = decodeUnread(c, raw, groupPlan, &sg); b.err != nil {
				break
			}
			if r.k, r.partition, b.problem = groupPair(&sg, fallback); b.problem != "" {
				break
			}
			r.noARN, r.i = aws.ToString(sg.SecurityGroupArn) == "", len(sgs)
			sgs = append(sgs, sg)
		case listRules:
			var rec types.SecurityGroupRule
			if b.err = decodeUnread(c, raw, rulePlan, &rec); b.err != nil {
				break
			}
			var p preparedRule
			if p, b.problem = prepareRule(&rec, place{file: b.file, index: int32(b.first + j)}); b.problem != "" {
				break
			}
			r.i = len(b.rules)
			b.rules = append(b.rules, p)
		case listInterfaces:
			var eni types.NetworkInterface
			if b.err = decodeUnread(c, raw, interfacePlan, &eni); b.err != nil {
				break
			}
			if r.k, r.deferred, b.problem = interfacePair(&eni); b.problem != "" {
				break
			}
			if r.deferred {
				r.i = len(b.later)
				b.later = append(b.later, eni)
			} else {
				r.i = len(enis)
				enis = append(enis, eni)
			}
		}
		if b.err != nil || b.problem != "" {
			b.n = j
			break
		}
		b.res = append(b.res, r)
	}
	// Normalised a run of one (account, region) at a time, as a chunk was.
	switch b.key {
	case listGroups:
		for lo := 0; lo < len(sgs); {
			k, hi := b.res[lo].k, lo+1
			for hi < len(sgs) && b.res[hi].k == k {
				hi++
			}
			nb.groups(k, sgs[lo:hi])
			lo = hi
		}
		b.groups = nb.inv.SecurityGroups
	case listInterfaces:
		var ks []pairKey
		for _, r := range b.res[:b.n] {
			if !r.deferred {
				ks = append(ks, r.k)
			}
		}
		for lo := 0; lo < len(enis); {
			k, hi := ks[lo], lo+1
			for hi < len(enis) && ks[hi] == k {
				hi++
			}
			nb.interfaces(k, enis[lo:hi])
			lo = hi
		}
		b.ifaces = nb.inv.NetworkInterfaces
	}
}

// decodeUnread decodes an item's bytes that jsontext has not read (so
// that its errors are of no use: the reading goroutine reads the item
// again): by the plan, else by json v2 when they are not nested deeper
// than maxSkipDepth; counting from the item, json v2 would take deeper
// values than jsontext takes in the file.
func decodeUnread[T any](c *cells, raw []byte, p *structPlan, v *T) error {
	if len(raw) > 0 && raw[0] == '{' && c.decode(raw, p, unsafe.Pointer(v)) {
		return nil
	}
	if depth(raw) > maxSkipDepth {
		return errTooDeep
	}
	var zero T
	*v = zero
	return json.Unmarshal(raw, v, decodeOptions)
}

var errTooDeep = errors.New("nested too deep for the workers")

// depth returns how deep the brackets of raw nest, strings skipped.
func depth(raw []byte) int {
	d, most, inString := 0, 0, false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			d++
			most = max(most, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return most
}

// queueBatch queues the items of a decoded batch, in order, and returns
// the error of the first that failed: a *redo for one the worker could
// not decode, which the reading goroutine decodes again as it always did,
// for the error it gave.
func (im *importer) queueBatch(s *stream, b *itemBatch) error {
	for j, r := range b.res[:b.n] {
		at := place{file: b.file, index: int32(b.first + j)}
		var err error
		switch {
		case b.key == listGroups:
			err = im.queueGroup(r.k, r.partition, b.groups[r.i], r.noARN, at)
		case b.key == listRules:
			err = im.queueRule(current{s: s, list: b.key, index: b.first + j, start: b.items[j].start}, b.rules[r.i])
		case r.deferred:
			im.deferred = append(im.deferred, deferredInterface{eni: b.later[r.i], at: at})
		default:
			err = im.queueInterface(r.k, b.ifaces[r.i], at)
		}
		if err != nil {
			return err
		}
	}
	if b.n == len(b.items) {
		return nil
	}
	if b.err != nil {
		return &redo{index: b.first + b.n, start: b.items[b.n].start}
	}
	cur := current{s: s, list: b.key, index: b.first + b.n, start: b.items[b.n].start}
	return cur.errorf("%s", b.problem)
}

// redo is an item to decode on the reading goroutine: the index of the
// item, and the lineReader offset before its separators.
type redo struct {
	index int
	start int64
}

func (r *redo) Error() string { return "decode the item again" }

// maxResumes is how often scanList takes a list back after the reading
// goroutine decoded an item it could not: each time costs a new decoder
// (stream.reprime), and an input whose items all need it is read as
// before.
const maxResumes = 16

// scanList reads the items of list key from index i on, the decoder
// standing after its '[' (i == 0) or after item i-1: it finds each item's
// bytes, which the workers check and decode, and the separators between
// them. It stops at anything else: the end of the input, a value that is
// not an object, a separator that is not JSON, an item a worker could not
// decode, ctx done (at every 64th item, as readList checks it). It then
// hands the list to a new decoder that stands where the old one would
// have, with as many items read (stream.reprime), and returns the index of
// the next item; so readList goes on from there as before, and says what
// is wrong as before. At the end of the list, the decoder stands after
// its ']', and ended is true.
func (im *importer) scanList(s *stream, file int32, key string, i int) (next int, ended bool, err error) {
	p := im.newPipeline(s, file, key)
	defer p.close()
	lr := s.lr
	sep := s.dec.InputOffset() + s.delta // where the separator before item i starts
	// handBack hands the list back at item i (lineReader offset at), or
	// at the item err says to decode again; another err is the import's.
	handBack := func(err error, at int64, i int) (int, bool, error) {
		if r, ok := err.(*redo); ok {
			at, i = r.start, r.index
		} else if err != nil {
			return 0, false, err
		}
		return i, false, s.reprime(at, key, i, false)
	}
	// stop hands the list back at item i once the items before are queued.
	stop := func(at int64, i int) (int, bool, error) { return handBack(p.drain(), at, i) }
	var sc scanner
	for {
		if i%64 == 0 && s.ctx.Err() != nil {
			return stop(sep, i)
		}
		q, c := sc.skipSpace(lr, sep)
		if c == ']' {
			if err := p.drain(); err != nil {
				return handBack(err, sep, i)
			}
			return i, true, s.reprime(q+1, key, i, true)
		}
		if i > 0 {
			// After an item: a ',' first.
			if c != ',' {
				return stop(sep, i)
			}
			q, c = sc.skipSpace(lr, q+1)
		}
		if c != '{' {
			return stop(sep, i)
		}
		end, ok := sc.objectEnd(lr, q)
		if !ok {
			return stop(sep, i)
		}
		lr.forget(p.oldest(sep))
		if err := p.add(i, sep, q-s.delta, lr.buf[q-lr.base:end-lr.base]); err != nil {
			return handBack(err, sep, i)
		}
		i++
		sep = end
	}
}

// scanner finds where JSON values end in a lineReader's bytes, reading
// more as it needs. Its answers need not be right for bytes that are not
// JSON: the workers check every item whole (fastDecoder), and what they
// refuse is read again by jsontext.
type scanner struct {
	needle []byte // "\n" + indent + "}", the end of the last item
	// unindented: an object ended before any line held its '}' at its
	// indent, so the file is not indented as the CLI indents: each guess
	// would search up to a MB ahead for nothing, so objects are scanned by
	// their brackets from then on.
	unindented bool
}

// skipSpace returns the offset of the first byte at or after off that is
// not JSON white space, and that byte (0 at the end of the input).
func (sc *scanner) skipSpace(lr *lineReader, off int64) (int64, byte) {
	for {
		for off < lr.end() {
			switch c := lr.buf[off-lr.base]; c {
			case ' ', '\t', '\r', '\n':
				off++
			default:
				return off, c
			}
		}
		if !lr.more() {
			return off, 0
		}
	}
}

// objectEnd returns the offset after the object that starts at off. The
// CLI indents: an object that starts a line ends where a line holds its
// '}' at the same indent, found by bytes.Index; other JSON is scanned
// byte by byte.
func (sc *scanner) objectEnd(lr *lineReader, off int64) (int64, bool) {
	// The CLI breaks the line after an object's '{': an item on one line
	// ("jq -c" output in a list) is scanned, not searched a MB ahead for a
	// line it has not.
	for off+1 >= lr.end() && lr.more() {
	}
	if sc.unindented || off+1 >= lr.end() || (lr.buf[off+1-lr.base] != '\n' && lr.buf[off+1-lr.base] != '\r') {
		return sc.scanObject(lr, off)
	}
	indent := 0
	for o := off - 1; o >= lr.base && lr.buf[o-lr.base] == ' '; o-- {
		indent++
	}
	if nl := off - int64(indent) - 1; nl >= lr.base && lr.buf[nl-lr.base] == '\n' {
		if len(sc.needle) != indent+2 {
			sc.needle = append(append(append(sc.needle[:0], '\n'), bytes.Repeat([]byte{' '}, indent)...), '}')
		}
		for from := off; ; {
			if k := bytes.Index(lr.buf[from-lr.base:], sc.needle); k >= 0 {
				return from + int64(k+len(sc.needle)), true
			}
			from = max(off, lr.end()-int64(len(sc.needle)))
			if lr.end()-off > 1<<20 || !lr.more() {
				break // not indented after all: scan it
			}
		}
		searched := lr.end()
		end, ok := sc.scanObject(lr, off)
		if ok && end <= searched {
			sc.unindented = true
		}
		return end, ok
	}
	return sc.scanObject(lr, off)
}

// maxScanned is the most bytes of one item scanList reads: a larger item
// is handed back to the decoder, which reads it as before. What is not
// JSON is refused by jsontext at its first bad byte, but only once the
// workers have it whole: a 100 MB string of invalid UTF-8 in an item was
// read whole, copied to its batch, decoded and handed back (16 times its
// size in memory at the peak, against about once before).
const maxScanned = 8 << 20

// scanObject finds the end of the object at off by its brackets, skipping
// strings; false past maxScanned bytes.
func (sc *scanner) scanObject(lr *lineReader, off int64) (int64, bool) {
	depth := 0
	for o := off; ; {
		for o < lr.end() {
			switch lr.buf[o-lr.base] {
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return o + 1, true
				}
			case '"':
				end, ok := sc.stringEnd(lr, o, off)
				if !ok {
					return 0, false
				}
				o = end
				continue
			}
			o++
		}
		if lr.end()-off > maxScanned || !lr.more() {
			return 0, false
		}
	}
}

// stringEnd returns the offset after the string that starts at off, in
// the object that starts at item; false past maxScanned bytes of it.
func (sc *scanner) stringEnd(lr *lineReader, off, item int64) (int64, bool) {
	for o := off + 1; ; {
		if k := bytes.IndexByte(lr.buf[o-lr.base:], '"'); k >= 0 {
			q := o + int64(k)
			backslashes := 0
			for b := q - 1; b > off && lr.buf[b-lr.base] == '\\'; b-- {
				backslashes++
			}
			if backslashes%2 == 0 {
				return q + 1, true
			}
			o = q + 1
			continue
		}
		o = lr.end()
		if lr.end()-item > maxScanned || !lr.more() {
			return 0, false
		}
	}
}

// reprime gives the stream a new decoder that stands at lineReader offset
// at, as the file's decoder would after reading items items of list key
// (and its ']' when closed): the top-level keys read before, each with a
// 0, then the list with as many {}, then the file's bytes from at on. The
// decoder so knows the keys (a key given twice is refused as before), and
// where it is, for the path of an error; offsets are moved by delta.
func (s *stream) reprime(at int64, key string, items int, closed bool) error {
	lr := s.lr
	if at < lr.base || at > lr.end() {
		return fmt.Errorf("collect: scanList stopped at %d, outside %d..%d", at, lr.base, lr.end()) // a bug
	}
	b := []byte{'{'}
	for _, name := range s.names[:len(s.names)-1] {
		b, _ = jsontext.AppendQuote(b, name)
		b = append(b, ":0,"...)
	}
	b, _ = jsontext.AppendQuote(b, key)
	b = append(b, ":["...)
	for j := range items {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, "{}"...) // ends itself: the decoder reads nothing after it
	}
	if closed {
		b = append(b, ']')
	}
	var rest io.Reader = lr
	if lr.err != nil {
		rest = errorReader{lr.err}
	}
	dec := jsontext.NewDecoder(io.MultiReader(bytes.NewReader(b), bytes.NewReader(bytes.Clone(lr.buf[at-lr.base:])), rest))
	for dec.InputOffset() < int64(len(b)) {
		if _, err := dec.ReadToken(); err != nil {
			return fmt.Errorf("collect: reprime: %w", err) // a bug
		}
	}
	s.dec, s.delta = dec, at-int64(len(b))
	return nil
}

// normaliseBatch normalises decoded items into an inventory of their own,
// an (account, region) at a time, as the importer's chunks were.
type normaliseBatch struct{ inv inventory.Inventory }

// groups normalises groups of k. A group without ARN gets one of
// partitionOfRegion's partition, which flushGroups replaces.
func (nb *normaliseBatch) groups(k pairKey, sgs []types.SecurityGroup) {
	normalizeRegion(&nb.inv, RegionData{Account: inventory.Account{ID: k.account}, Region: k.region, Groups: sgs})
}

func (nb *normaliseBatch) interfaces(k pairKey, enis []types.NetworkInterface) {
	normalizeRegion(&nb.inv, RegionData{Account: inventory.Account{ID: k.account}, Region: k.region, Interfaces: enis})
}
