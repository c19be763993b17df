package store

import (
	"testing"
	"time"
)

// An event's Sensitive flag survives the binary form whichever way its
// record is written: the flags byte of a compact record, the marker of a
// JSON one. Nothing else in a compact record can set it.
func TestSensitiveDataSurvivesTheBinaryForm(t *testing.T) {
	for _, c := range []struct {
		data []byte
		want bool
	}{
		{[]byte{CompactRecord, CompactSensitive, 0}, true},
		{[]byte{CompactRecord, 0, 0}, false},
		{append([]byte{CompactRecord, 0}, SensitiveMarker...), false}, // the marker as a parameter's bytes
		{[]byte(`{"a":1,` + SensitiveMarker + `}`), true},
		{[]byte(`{"a":1}`), false},
		{[]byte{CompactRecord}, false},
		{nil, false},
	} {
		e := Event{ID: "r", Time: time.Unix(1.7e9, 0), Data: c.data}
		got, _, err := ReadEvent(AppendEvent(nil, &e))
		if err != nil || got.Sensitive != c.want || SensitiveData(c.data) != c.want {
			t.Errorf("data %q: decoded Sensitive %v, SensitiveData %v (%v); want %v", c.data, got.Sensitive, SensitiveData(c.data), err, c.want)
		}
	}
}
