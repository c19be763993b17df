//go:build race

package signature

// raceEnabled: the race detector adds allocations of its own (sync.Pool
// drops items at random under -race), so allocation counts are not checked.
const raceEnabled = true
