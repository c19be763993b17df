// Package seglog is a node's append-only segment log: the durable record
// of what must survive a crash before a call is answered, written with one
// write and one fdatasync per group of records.
//
// A log is a directory of segments (seg-<sequence>.log). Each segment is
// preallocated and filled with zeros before it is used, so an append
// changes no file metadata and fdatasync costs one device flush. A record
// is a 4-byte little-endian length, a 4-byte CRC-32C of the length and the
// payload, then the payload; a zero length ends the written part of a
// segment. On open, the log is scanned, and a torn tail (a record whose
// length or checksum is wrong: a write cut short by a crash) is zeroed, so
// the log ends at the last whole group. A group never spans two segments.
//
// Several processes (nodes) may share one data directory: each log lives
// in a sub-directory (node-0, node-1, ...) that its node holds locked, so a
// node that is gone for good leaves its log to the next node that starts
// there, which reads and folds its tail.
package seglog

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/canopy-iam/canopy/internal/filelock"
)

// DefaultSegmentSize is the size of a preallocated segment.
const DefaultSegmentSize = 64 << 20

const headerSize = 8

// MaxRecord bounds one record (the appender refuses larger ones).
const MaxRecord = 8 << 20

// maxWrite bounds one Append: a crash can tear at most this much after
// the last whole record.
const maxWrite = MaxRecord + headerSize

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Pos is a position in a log: a segment's sequence number and a byte
// offset in it. Positions of one log grow with every append.
type Pos struct {
	Segment int64
	Offset  int64
}

// Less orders positions.
func (p Pos) Less(q Pos) bool {
	return p.Segment < q.Segment || p.Segment == q.Segment && p.Offset < q.Offset
}

// ErrTooLarge is returned for a record over MaxRecord or a segment.
var ErrTooLarge = errors.New("seglog: record too large")

// Log is an open segment log. Append is called by one goroutine at a time
// (the group committer); the other methods may run concurrently with it.
type Log struct {
	dir     string
	id      string
	size    int64
	lock    *os.File
	mu      sync.Mutex // guards cur, pos, spare
	cur     *os.File
	pos     Pos
	spare   chan spareResult // the next segment, being zero-filled
	scratch []byte
	damaged []Damage // what recovery skipped, for the caller to report
}

// Damage is a damaged stretch that recovery found between whole records
// and turned into padding, so that the records after it are kept: bytes
// lost at offset At of segment Path. It is either the torn record of a
// crash's last write (never acknowledged) or damage to acknowledged
// records, which are then lost; Open's caller reports it.
type Damage struct {
	Path      string
	At, Bytes int64
}

// Damaged lists what recovery skipped when the log was opened.
func (l *Log) Damaged() []Damage { return l.damaged }

type spareResult struct {
	f   *os.File
	err error
}

// Options configure Open.
type Options struct {
	// SegmentSize is the size of each segment (DefaultSegmentSize if 0).
	SegmentSize int64
}

// Open opens (creating it if needed) the first log under root that no
// running node holds, recovers it and returns it ready to append.
func Open(root string, opt Options) (*Log, error) {
	if opt.SegmentSize <= 0 {
		opt.SegmentSize = DefaultSegmentSize
	}
	if opt.SegmentSize < 2*headerSize {
		return nil, fmt.Errorf("seglog: segment size %d is too small", opt.SegmentSize)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	for i := 0; i < 1024; i++ {
		dir := filepath.Join(root, "node-"+strconv.Itoa(i))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		lf, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return nil, err
		}
		ok, err := filelock.TryLock(lf)
		if err != nil || !ok {
			lf.Close()
			if err != nil {
				return nil, err
			}
			continue
		}
		l := &Log{dir: dir, size: opt.SegmentSize, lock: lf}
		if err := l.open(); err != nil {
			l.Close()
			return nil, err
		}
		return l, nil
	}
	return nil, errors.New("seglog: every log directory under " + root + " is held by a running node")
}

// ID names the log for good (it is stored in the directory), so the store
// can keep where its fold stands even if another node takes it over.
func (l *Log) ID() string { return l.id }

// SegmentSize is the size of each segment: no group of records may be
// larger.
func (l *Log) SegmentSize() int64 { return l.size }

// Dir is the log's directory.
func (l *Log) Dir() string { return l.dir }

func (l *Log) open() error {
	idPath := filepath.Join(l.dir, "ID")
	raw, err := os.ReadFile(idPath)
	switch {
	case err == nil:
		l.id = strings.TrimSpace(string(raw))
	case errors.Is(err, os.ErrNotExist):
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		l.id = hex.EncodeToString(b[:])
		if err := writeFileSync(idPath, []byte(l.id+"\n")); err != nil {
			return err
		}
	default:
		return err
	}
	if l.id == "" {
		return errors.New("seglog: empty log id in " + idPath)
	}
	segs, err := l.segments()
	if err != nil {
		return err
	}
	if len(segs) == 0 {
		f, err := l.create(1)
		if err != nil {
			return err
		}
		l.cur, l.pos = f, Pos{Segment: 1}
	} else {
		// The last segment may be a spare whose zero-filling a crash cut
		// short (create completes it), and the one before it may end in a
		// torn group: recover both.
		last := segs[len(segs)-1]
		f, err := l.create(last)
		if err != nil {
			return err
		}
		if len(segs) > 1 {
			if _, err := l.recover(segs[len(segs)-2]); err != nil {
				f.Close()
				return err
			}
		}
		end, err := l.recover(last)
		if err != nil {
			f.Close()
			return err
		}
		l.cur, l.pos = f, Pos{Segment: last, Offset: end}
	}
	l.prepareSpare()
	return nil
}

// recover scans segment seq and zeroes what follows its last whole
// record; it returns where the next record goes.
func (l *Log) recover(seq int64) (int64, error) {
	f, err := os.OpenFile(l.path(seq), os.O_RDWR, 0o600)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	end, err := scan(f, 0, l.size, nil)
	if err != nil {
		return 0, err
	}
	// Whole records after an unreadable one are kept: zeroing them would
	// erase acknowledged events and the nonces that refuse their replays.
	// The unreadable stretch becomes a padding frame that every reader
	// skips, and is reported.
	for {
		next, found, err := l.nextFrame(f, end)
		if err != nil {
			return 0, err
		}
		if !found {
			break
		}
		if err := writePadding(f, end, next-end); err != nil {
			return 0, err
		}
		l.damaged = append(l.damaged, Damage{Path: l.path(seq), At: end, Bytes: next - end})
		if end, err = scan(f, next, l.size, nil); err != nil {
			return 0, err
		}
	}
	// A crash can tear only the last write, which is at most maxWrite
	// bytes from end: zero that part wherever anything is written, so a
	// log read again later stops at the same place. Anything written
	// further on is not a torn write but damage to records that were
	// acknowledged: refuse to start rather than erase them.
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 1<<20)
	dirty := false
	for off := end; off < st.Size(); off += int64(len(buf)) {
		n := min(int64(len(buf)), st.Size()-off)
		if _, err := f.ReadAt(buf[:n], off); err != nil {
			return 0, err
		}
		i := slices.IndexFunc(buf[:n], func(b byte) bool { return b != 0 })
		if i < 0 {
			continue
		}
		if off+int64(i) >= end+maxWrite {
			return 0, fmt.Errorf("seglog: %s is damaged at byte %d: records follow an unreadable one, which no crash "+
				"leaves behind; move the file aside to start without them, or restore it", l.path(seq), end)
		}
		clear(buf[:n])
		if _, err := f.WriteAt(buf[:min(n, end+maxWrite-off)], off); err != nil {
			return 0, err
		}
		dirty = true
	}
	if dirty || len(l.damaged) > 0 {
		if err := f.Sync(); err != nil {
			return 0, err
		}
	}
	return end, nil
}

// paddingFlag marks a frame's length as padding: recovery's replacement
// for an unreadable stretch, skipped by every reader. Older releases read
// it as a length past MaxRecord, the end of the valid part.
const paddingFlag = 1 << 31

// maxResync bounds the records nextFrame looks for. Each candidate
// length costs a read and a checksum of that many bytes, and in random
// bytes one offset in 2^32/maxResync looks like one: with MaxRecord, a
// few MiB of garbage would take minutes. Audit records stay well below
// (an event is bounded to about 50 KiB); a larger record after damage is
// not found, and recovery falls back to zeroing or refusing, as before.
const maxResync = 256 << 10

// nextFrame finds the first whole record of at most maxResync bytes that
// starts after the unreadable one at from and within the next maxWrite
// bytes, leaving room for a padding frame before it.
func (l *Log) nextFrame(f *os.File, from int64) (int64, bool, error) {
	limit := min(from+maxWrite, l.size-headerSize)
	buf := make([]byte, min(limit-from+headerSize, 1<<20))
	for base := from + headerSize + 1; base <= limit; base += int64(len(buf)) - headerSize {
		n, err := f.ReadAt(buf, base)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, false, err
		}
		for i := 0; i+headerSize <= n && base+int64(i) <= limit; i++ {
			size := int64(binary.LittleEndian.Uint32(buf[i : i+4]))
			if size == 0 || size > maxResync || base+int64(i)+headerSize+size > l.size {
				continue
			}
			if _, _, whole := readFrame(f, base+int64(i), l.size); whole {
				return base + int64(i), true, nil
			}
		}
		if n < len(buf) {
			break
		}
	}
	return 0, false, nil
}

// writePadding overwrites n bytes at off with one padding frame of zeros.
func writePadding(f *os.File, off, n int64) error {
	frame := make([]byte, n)
	binary.LittleEndian.PutUint32(frame[:4], uint32(n-headerSize)|paddingFlag)
	binary.LittleEndian.PutUint32(frame[4:8], checksum(frame[:4], frame[headerSize:]))
	_, err := f.WriteAt(frame, off)
	return err
}

// readFrame reads the frame at off: its payload (nil for padding), the
// offset after it, and whether it is whole (its length fits and its
// checksum matches); a short segment ends where it is cut.
func readFrame(f *os.File, off, size int64) (payload []byte, next int64, whole bool) {
	var hdr [headerSize]byte
	if _, err := f.ReadAt(hdr[:], off); err != nil {
		return nil, off, false
	}
	n := int64(binary.LittleEndian.Uint32(hdr[:4]))
	padding := n&paddingFlag != 0
	n &^= paddingFlag
	if n == 0 || (n > MaxRecord && !padding) || n > maxWrite || off+headerSize+n > size {
		return nil, off, false
	}
	payload = make([]byte, n)
	if _, err := f.ReadAt(payload, off+headerSize); err != nil {
		return nil, off, false
	}
	if checksum(hdr[:4], payload) != binary.LittleEndian.Uint32(hdr[4:]) {
		return nil, off, false
	}
	if padding {
		payload = nil
	}
	return payload, off + headerSize + n, true
}

// scan walks the whole records of one segment from off, calling fn (when
// not nil) with each payload and the offset after it, skipping padding,
// and returns the offset where the valid part ends.
func scan(f *os.File, off, size int64, fn func(payload []byte, next int64) error) (int64, error) {
	for off+headerSize <= size {
		payload, next, whole := readFrame(f, off, size)
		if !whole {
			return off, nil
		}
		if fn != nil && payload != nil {
			if err := fn(payload, next); err != nil {
				return off, err
			}
		}
		off = next
	}
	return off, nil
}

// appendFrame appends record r with its header. The header is written in
// place: a header array handed to the checksum escaped to the heap, one
// allocation per record.
func appendFrame(buf, r []byte) []byte {
	start := len(buf)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(r)))
	buf = binary.LittleEndian.AppendUint32(buf, checksum(buf[start:start+4], r))
	return append(buf, r...)
}

func checksum(length, payload []byte) uint32 {
	c := crc32.Update(0, castagnoli, length)
	return crc32.Update(c, castagnoli, payload)
}

// Append writes records as one group: one write, one fdatasync. It returns
// the position after the group, which is durable when Append returns nil.
func (l *Log) Append(records [][]byte) (Pos, error) {
	total := int64(0)
	for _, r := range records {
		if len(r) == 0 || len(r) > MaxRecord || int64(len(r))+headerSize > l.size {
			return Pos{}, ErrTooLarge
		}
		total += headerSize + int64(len(r))
	}
	if total > l.size || total > maxWrite {
		return Pos{}, ErrTooLarge // the committer splits groups well below this
	}
	buf := l.scratch[:0]
	for _, r := range records {
		buf = appendFrame(buf, r)
	}
	l.scratch = buf
	l.mu.Lock()
	if l.pos.Offset+total > l.size {
		if err := l.rotate(); err != nil {
			l.mu.Unlock()
			return Pos{}, err
		}
	}
	f, at := l.cur, l.pos
	l.mu.Unlock()
	if _, err := f.WriteAt(buf, at.Offset); err != nil {
		return Pos{}, err
	}
	if err := datasync(f); err != nil {
		return Pos{}, err
	}
	end := Pos{Segment: at.Segment, Offset: at.Offset + total}
	l.mu.Lock()
	l.pos = end
	l.mu.Unlock()
	if cap(l.scratch) > 16<<20 {
		l.scratch = nil // do not pin a burst's buffer
	}
	return end, nil
}

// rotate moves to the spare segment (l.mu held). The old segment is
// complete: its remaining bytes are zeros, which end it.
func (l *Log) rotate() error {
	res := <-l.spare
	if res.err != nil {
		l.prepareSpare() // try again next time
		return res.err
	}
	old := l.cur
	l.cur, l.pos = res.f, Pos{Segment: l.pos.Segment + 1}
	old.Close()
	l.prepareSpare()
	return nil
}

// prepareSpare zero-fills the next segment in the background.
func (l *Log) prepareSpare() {
	ch := make(chan spareResult, 1)
	l.spare = ch
	seq := l.pos.Segment + 1
	go func() {
		f, err := l.create(seq)
		ch <- spareResult{f, err}
	}()
}

// create makes segment seq: size bytes of zeros, synced, its directory
// entry synced. An existing file (a spare made before a crash) is reused:
// it holds nothing but zeros, or records that recovery would have read.
func (l *Log) create(seq int64) (*os.File, error) {
	f, err := os.OpenFile(l.path(seq), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.Size() < l.size {
		zero := make([]byte, 1<<20)
		for off := st.Size(); off < l.size && err == nil; off += int64(len(zero)) {
			_, err = f.WriteAt(zero[:min(int64(len(zero)), l.size-off)], off)
		}
		if err == nil {
			err = f.Sync()
		}
		if err == nil {
			err = syncDir(l.dir)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// End is the position after the last durable record.
func (l *Log) End() Pos {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pos
}

// ReadFrom calls fn with every whole record from position from to the end
// of the log, in order, with the position after each.
func (l *Log) ReadFrom(from Pos, fn func(payload []byte, next Pos) error) error {
	segs, err := l.segments()
	if err != nil {
		return err
	}
	for _, seq := range segs {
		if seq < from.Segment {
			continue
		}
		f, err := os.Open(l.path(seq))
		if err != nil {
			return err
		}
		skip := int64(0)
		if seq == from.Segment {
			skip = from.Offset
		}
		_, err = scan(f, 0, l.size, func(payload []byte, next int64) error {
			if next <= skip {
				return nil
			}
			return fn(payload, Pos{Segment: seq, Offset: next})
		})
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// Release deletes the segments wholly before upto (their records are
// folded into the store), never the one being written.
func (l *Log) Release(upto Pos) error {
	segs, err := l.segments()
	if err != nil {
		return err
	}
	l.mu.Lock()
	cur := l.pos.Segment
	l.mu.Unlock()
	for _, seq := range segs {
		if seq >= upto.Segment || seq >= cur {
			break
		}
		if err := os.Remove(l.path(seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Close closes the log and gives its directory up to the next node.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.spare != nil {
		if res := <-l.spare; res.f != nil {
			res.f.Close()
		}
		l.spare = nil
	}
	var err error
	if l.cur != nil {
		err = l.cur.Close()
		l.cur = nil
	}
	if l.lock != nil {
		l.lock.Close() // drops the lock
		l.lock = nil
	}
	return err
}

func (l *Log) path(seq int64) string {
	return filepath.Join(l.dir, fmt.Sprintf("seg-%016d.log", seq))
}

// segments lists the segment sequence numbers present, ascending.
func (l *Log) segments() ([]int64, error) {
	ents, err := os.ReadDir(l.dir)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, "seg-") || !strings.HasSuffix(name, ".log") {
			continue
		}
		seq, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(name, "seg-"), ".log"), 10, 64)
		// Only the name path gives: a stray "seg-1.log" beside
		// seg-0000000000000001.log would list segment 1 twice and fold
		// its records twice.
		if err == nil && seq > 0 && filepath.Base(l.path(seq)) == name {
			out = append(out, seq)
		}
	}
	slices.Sort(out)
	return out, nil
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
