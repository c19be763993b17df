package directory

import (
	"strconv"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// The member page index keeps ListAccounts' page-number paging from
// growing with the directory. Members are listed in key (account id)
// order; a page N would otherwise skip (N-1)*size rows. The index cuts
// that order into runs of at most maxRun members, each named by the key
// just before it (its exclusive lower bound) and holding its count, so a
// page starts with a keyset seek to its run and skips fewer than maxRun
// rows, whatever the number of members.
//
// It lives in the Directory record (Directory.MemberPages, one short
// string: a directory of 10,000 members holds about 120 runs, 2.5 KB),
// updated in the same transaction as the members it counts. It is trusted
// only while its counts add up to Directory.Members: a change that adds
// or removes a member without going through addMember/removeMember makes
// ListAccounts fall back to skipping rows (slower, still right); the next
// join notices, drops the index and a later one rebuilds it. (Members must
// be added and removed through addMember and removeMember.)

const (
	maxRun     = 128 // a run that grows past this splits in two
	rebuildRun = 64  // run length when the index is built from scratch
)

// pageRun is one run of members: those with keys after After (exclusive)
// up to the next run's After (inclusive).
type pageRun struct {
	After string
	Count int
}

// parsePages reads "after:count;after:count..." (the first After is "").
func parsePages(s string) ([]pageRun, bool) {
	if s == "" {
		return nil, false
	}
	parts := strings.Split(s, ";")
	runs := make([]pageRun, len(parts))
	for i, p := range parts {
		after, count, ok := strings.Cut(p, ":")
		n, err := strconv.Atoi(count)
		if !ok || err != nil || n < 0 || (i == 0) != (after == "") || (i > 0 && after <= runs[i-1].After) {
			return nil, false
		}
		runs[i] = pageRun{After: after, Count: n}
	}
	return runs, true
}

func formatPages(runs []pageRun) string {
	var b strings.Builder
	for i, r := range runs {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(r.After)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(r.Count))
	}
	return b.String()
}

func totalOf(runs []pageRun) int {
	n := 0
	for _, r := range runs {
		n += r.Count
	}
	return n
}

// runOf is the index of the run that holds key.
func runOf(runs []pageRun, key string) int {
	i := 0
	for i+1 < len(runs) && runs[i+1].After < key {
		i++
	}
	return i
}

// indexJoin counts a member that has just been stored (its record
// written, d.Members already counting it) in d's page index, splitting a
// run that grew too long, or rebuilding an index that was missing or
// stale.
func indexJoin(tx store.Tx, d *Directory, key string) error {
	runs, ok := parsePages(d.MemberPages)
	if !ok || totalOf(runs) != d.Members-1 {
		// Missing or stale: rebuild for the first member, and then at
		// most once every rebuildRun joins (amortized), in case the
		// counter itself disagrees with the records for good.
		if d.Members == 1 || d.Members%rebuildRun == 0 {
			return rebuildPages(tx, d)
		}
		// Dropped until then: a stale index whose counts happen to add
		// up again later (one ghost, one member missing) must not be
		// trusted.
		d.MemberPages = ""
		return nil
	}
	i := runOf(runs, key)
	runs[i].Count++
	if runs[i].Count > maxRun {
		half := runs[i].Count / 2
		recs, err := members.Records(tx, store.Query{AccountID: d.MasterAccountID, After: runs[i].After, Offset: half - 1, Limit: 1})
		if err != nil {
			return err
		}
		if len(recs) != 1 {
			return rebuildPages(tx, d) // the run's count was wrong after all
		}
		tail := pageRun{After: recs[0].Key, Count: runs[i].Count - half}
		runs[i].Count = half
		runs = append(runs[:i+1], append([]pageRun{tail}, runs[i+1:]...)...)
	}
	d.MemberPages = formatPages(runs)
	return nil
}

// unindexMember uncounts a member whose record has just been removed
// (d.Members already decremented). Whoever removes a member calls it in
// the same transaction; otherwise the index goes stale (see above).
func unindexMember(d *Directory, key string) {
	runs, ok := parsePages(d.MemberPages)
	if !ok || totalOf(runs) != d.Members+1 {
		return // already stale: the next join rebuilds it
	}
	i := runOf(runs, key)
	if runs[i].Count--; runs[i].Count == 0 && len(runs) > 1 {
		if i == 0 {
			runs[1].After = ""
		}
		runs = append(runs[:i], runs[i+1:]...)
	}
	d.MemberPages = formatPages(runs)
}

// rebuildPages builds d's index from the member keys (one scan of the
// members, without decoding them). An index that then disagrees with
// d.Members stays unused.
func rebuildPages(tx store.Tx, d *Directory) error {
	recs, err := members.Records(tx, store.Query{AccountID: d.MasterAccountID})
	if err != nil {
		return err
	}
	runs := []pageRun{{}}
	for i := range recs {
		if runs[len(runs)-1].Count == rebuildRun {
			runs = append(runs, pageRun{After: recs[i-1].Key})
		}
		runs[len(runs)-1].Count++
	}
	d.MemberPages = formatPages(runs)
	return nil
}

// pageQuery narrows q (all members of d, in key order) to start at
// position offset: a keyset seek to the run holding it and a short skip.
// ok is false when the index cannot be trusted (the caller skips rows).
func pageQuery(d *Directory, q store.Query, offset int) (store.Query, bool) {
	runs, ok := parsePages(d.MemberPages)
	if !ok || totalOf(runs) != d.Members {
		return q, false
	}
	for _, r := range runs {
		if offset < r.Count {
			q.After, q.Offset = r.After, offset
			return q, true
		}
		offset -= r.Count
	}
	q.After, q.Offset = runs[len(runs)-1].After, runs[len(runs)-1].Count+offset // past the end: an empty page
	return q, true
}

// addMember stores a new member record and counts it, keeping the page
// index: the only way a member enters a directory's lists. The caller
// saves d.
func addMember(tx store.Tx, d *Directory, m *Member, now time.Time) error {
	if err := members.Insert(tx, d.MasterAccountID, m.AccountID, m.FolderID, m, now); err != nil {
		return err
	}
	d.Members++
	return indexJoin(tx, d, m.AccountID)
}

// removeMember deletes a member record and uncounts it, keeping the page
// index: the only way a member leaves a directory's lists. The caller
// saves d.
func removeMember(tx store.Tx, d *Directory, accountID string) error {
	if err := members.Delete(tx, d.MasterAccountID, accountID); err != nil {
		return err
	}
	d.Members--
	unindexMember(d, accountID)
	return nil
}
