package collect

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// The import of the AWS CLI's groups and interfaces on every core
// (docs/performance.md, "Import on both cores"). The reading goroutine
// only finds each item's bytes (jsontext checks their syntax as it reads
// them) and hands them over in batches; a pool of GOMAXPROCS workers
// decodes them by the plans of import_fast.go, checks what groupPair and
// interfacePair check, and normalises them; the reading goroutine takes
// the batches back in file order and queues their items (queueGroup,
// queueInterface) as it would have one by one. So the inventory, the
// first error (in file order, whichever worker finishes first) and every
// message are those of decoding the items one after the other: errors are
// said on the reading goroutine, which holds the file's bytes from the
// oldest item in flight on (lineReader.forget), for their line and column.

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
// workers: groups and interfaces, unless the tests decode with json v2.
func (im *importer) pipelined(key string) bool {
	return !im.slowDecode && (key == listGroups || key == listInterfaces)
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
	var (
		sgs  []types.SecurityGroup
		enis []types.NetworkInterface
	)
	for j, it := range b.items {
		raw, i := b.buf[it.lo:it.hi], b.first+j
		var r itemResult
		switch b.key {
		case listGroups:
			var sg types.SecurityGroup
			if b.err = decodeRaw(c, raw, it.at, groupPlan, &sg, b.key, i); b.err != nil {
				break
			}
			if r.k, r.partition, b.problem = groupPair(&sg, fallback); b.problem != "" {
				break
			}
			r.noARN, r.i = aws.ToString(sg.SecurityGroupArn) == "", len(sgs)
			sgs = append(sgs, sg)
		case listInterfaces:
			var eni types.NetworkInterface
			if b.err = decodeRaw(c, raw, it.at, interfacePlan, &eni, b.key, i); b.err != nil {
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
	var nb normaliseBatch
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

// queueBatch queues the items of a decoded batch, in order, and returns
// the error of the first that failed.
func (im *importer) queueBatch(s *stream, b *itemBatch) error {
	for j, r := range b.res[:b.n] {
		at := place{file: b.file, index: int32(b.first + j)}
		var err error
		switch {
		case b.key == listGroups:
			err = im.queueGroup(r.k, r.partition, b.groups[r.i], r.noARN, at)
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
		if errors.Is(b.err, ErrInput) {
			return b.err
		}
		return s.jsonError(b.err)
	}
	cur := current{s: s, list: b.key, index: b.first + b.n, start: b.items[b.n].start}
	return cur.errorf("%s", b.problem)
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
