package seglog

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"testing"
)

func readAll(t *testing.T, l *Log) [][]byte {
	t.Helper()
	var out [][]byte
	if err := l.ReadFrom(Pos{}, func(p []byte, _ Pos) error {
		out = append(out, bytes.Clone(p))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A crash mid-write leaves a torn group: reopening drops it (and only it)
// and appends go on from the last whole group.
func TestTornTailIsTruncatedOnOpen(t *testing.T) {
	root := t.TempDir()
	l, err := Open(root, Options{SegmentSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	for g := range 5 {
		var group [][]byte
		for i := range 3 {
			group = append(group, fmt.Appendf(nil, "group %d record %d", g, i))
		}
		if _, err := l.Append(group); err != nil {
			t.Fatal(err)
		}
		want = append(want, group...)
	}
	end := l.End()
	path := l.path(end.Segment)
	l.Close()

	// A torn group: a whole first record, then a length with half its
	// payload (the checksum cannot match).
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	var torn [][]byte
	torn = append(torn, []byte("torn whole"), []byte("torn half"))
	var buf []byte
	for _, r := range torn {
		buf = appendFrame(buf, r)
	}
	if _, err := f.WriteAt(buf[:len(buf)-4], end.Offset); err != nil {
		t.Fatal(err)
	}
	f.Close()

	l, err = Open(root, Options{SegmentSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := readAll(t, l)
	// The whole first record of the torn group survives (its call was
	// never answered, but it did run); the half one is gone.
	if len(got) != len(want)+1 || !bytes.Equal(got[len(want)], torn[0]) {
		t.Fatalf("after recovery: %d records (last %q), want %d + the torn group's whole record", len(got), got[len(got)-1], len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d = %q, want %q", i, got[i], want[i])
		}
	}
	if _, err := l.Append([][]byte{[]byte("after")}); err != nil {
		t.Fatal(err)
	}
	got = readAll(t, l)
	if last := got[len(got)-1]; string(last) != "after" || len(got) != len(want)+2 {
		t.Fatalf("append after recovery: %d records, last %q", len(got), last)
	}
}

// Groups that do not fit move to the next segment; released segments go.
func TestRotationAndRelease(t *testing.T) {
	root := t.TempDir()
	l, err := Open(root, Options{SegmentSize: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rec := bytes.Repeat([]byte("x"), 1000)
	var ends []Pos
	for range 20 {
		end, err := l.Append([][]byte{rec})
		if err != nil {
			t.Fatal(err)
		}
		ends = append(ends, end)
	}
	if ends[len(ends)-1].Segment < 5 {
		t.Fatalf("20 records of 1 KB in 4 KB segments ended in segment %d", ends[len(ends)-1].Segment)
	}
	if n := len(readAll(t, l)); n != 20 {
		t.Fatalf("%d records read back, want 20", n)
	}
	if err := l.Release(ends[10]); err != nil {
		t.Fatal(err)
	}
	var rest int
	l.ReadFrom(ends[10], func([]byte, Pos) error { rest++; return nil })
	if rest != 9 {
		t.Fatalf("%d records after position %v, want 9", rest, ends[10])
	}
	if _, err := os.Stat(l.path(1)); !os.IsNotExist(err) {
		t.Fatalf("segment 1 was not released: %v", err)
	}
	if _, err := l.Append([][]byte{make([]byte, 5<<10)}); err != ErrTooLarge {
		t.Fatalf("a record larger than a segment: %v", err)
	}
}

// Two logs opened under one root (two nodes sharing --data) get two
// directories; closing one hands its directory to the next.
func TestNodesGetTheirOwnLog(t *testing.T) {
	root := t.TempDir()
	a, err := Open(root, Options{SegmentSize: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(root, Options{SegmentSize: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if a.Dir() == b.Dir() || a.ID() == b.ID() {
		t.Fatalf("two nodes share %s (%s)", a.Dir(), a.ID())
	}
	id := a.ID()
	a.Close()
	c, err := Open(root, Options{SegmentSize: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID() != id {
		t.Fatalf("the freed log %s was not taken over (got %s)", id, c.ID())
	}
	b.Close()
	c.Close()
}

// overwrite writes b at off of the segment file path, as damage does.
func overwrite(t *testing.T, path string, b []byte, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// One damaged record among acknowledged ones (a flipped byte) costs that
// record only: recovery turns it into padding, keeps the 11 records after
// it (their events and the nonces that refuse their replays) and reports
// the damage, once: a second start finds the padding and nothing else.
func TestDamageBeforeLaterRecordsCostsOnlyThatRecord(t *testing.T) {
	root := t.TempDir()
	const size = 4 * maxWrite
	l, err := Open(root, Options{SegmentSize: size})
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("r"), 200<<10) // below maxResync, far above an audit record
	for i := range 12 {
		big[0] = byte('a' + i)
		if _, err := l.Append([][]byte{big}); err != nil {
			t.Fatal(err)
		}
	}
	path := l.path(l.End().Segment)
	l.Close()
	overwrite(t, path, []byte{'X'}, headerSize+10) // the first record's payload
	for start := range 2 {
		l, err := Open(root, Options{SegmentSize: size})
		if err != nil {
			t.Fatal(err)
		}
		want := []Damage{{Path: path, At: 0, Bytes: headerSize + 200<<10}}
		if start == 1 {
			want = nil
		}
		if got := l.Damaged(); !slices.Equal(got, want) {
			t.Errorf("start %d: damage %v; want %v", start, got, want)
		}
		got := readAll(t, l)
		if len(got) != 11+start || got[0][0] != 'b' || got[10][0] != 'l' || (start == 1 && string(got[11]) != "after") {
			t.Fatalf("start %d: %d records read back; want the 11 after the damaged one (and the one appended since)", start, len(got))
		}
		if start == 0 {
			if _, err := l.Append([][]byte{[]byte("after")}); err != nil {
				t.Fatal(err)
			}
		}
		l.Close()
	}
}

// Bytes past maxWrite after the last whole record are no torn write and
// no record: a start refuses rather than erase what it cannot read.
func TestGarbageFarPastTheRecordsIsRefused(t *testing.T) {
	root := t.TempDir()
	const size = 4 * maxWrite
	l, err := Open(root, Options{SegmentSize: size})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append([][]byte{[]byte("one")}); err != nil {
		t.Fatal(err)
	}
	path := l.path(l.End().Segment)
	l.Close()
	overwrite(t, path, []byte("garbage"), maxWrite+1<<20)
	if l, err := Open(root, Options{SegmentSize: size}); err == nil {
		l.Close()
		t.Fatal("a log with unreadable bytes far past its records opened (and would have erased them)")
	}
}

// Framing a record allocates nothing beyond the group's buffer: every
// audited call frames one.
func TestAppendFrameAllocatesNothing(t *testing.T) {
	buf := make([]byte, 0, 4096)
	record := []byte("a record of some length")
	if n := testing.AllocsPerRun(100, func() { buf = appendFrame(buf[:0], record) }); n != 0 {
		t.Fatalf("%v allocations per frame", n)
	}
}

// A stray file named like a segment but not as the log names them (a
// "seg-1.log" beside seg-0000000000000001.log) is no segment: listing it
// would read segment 1 twice, and fold its records twice.
func TestAStrayNameIsNoSegment(t *testing.T) {
	root := t.TempDir()
	l, err := Open(root, Options{SegmentSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append([][]byte{[]byte("one"), []byte("two")}); err != nil {
		t.Fatal(err)
	}
	for _, stray := range []string{"seg-1.log", "seg-+1.log", "seg-01.log"} {
		if err := os.WriteFile(l.dir+"/"+stray, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got := readAll(t, l); len(got) != 2 {
		t.Fatalf("%d records read; want 2", len(got))
	}
	l.Close()
}
