package directory

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// decodeMember agrees with encoding/json on every member encoding/json
// writes, and takes the fast path for the ordinary ones.
func TestDecodeMemberAgreesWithEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	plain := []string{"a", "Z", "7", " ", "-", "_", ".", "/", "@", "生产", "ü", "🙂"}
	escaped := []string{`"`, `\`, "<", ">", "&", "\u2028", "\t", "\x01", "\xff"} // escaped or replaced by encoding/json
	str := func() string {
		var b strings.Builder
		for n := rng.IntN(6); n > 0; n-- {
			if rng.IntN(100) == 0 {
				b.WriteString(escaped[rng.IntN(len(escaped))])
			} else {
				b.WriteString(plain[rng.IntN(len(plain))])
			}
		}
		return b.String()
	}
	when := func() time.Time {
		switch rng.IntN(4) {
		case 0:
			return time.Time{}
		case 1:
			return time.Date(2026, 3, 1, 12, 0, 0, rng.IntN(1e9), time.FixedZone("", 8*3600))
		default:
			return time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()
		}
	}
	fast := 0
	for i := 0; i < 5000; i++ {
		m := Member{AccountID: str(), AccountName: str(), DisplayName: str(), Type: str(), JoinMethod: str(), Status: str(),
			FolderID: str(), FolderPath: str(), PayerAccountID: str(), RecordID: str(), JoinTime: when(), ModifyTime: when()}
		if rng.IntN(5) == 0 {
			m.Tags = []Tag{{Key: str(), Value: str()}}
		}
		data, err := json.Marshal(&m)
		if err != nil {
			t.Fatal(err)
		}
		var want, got Member
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if !decodeMember(data, &got) {
			continue
		}
		fast++
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s\ndecoded %+v\nwant    %+v", data, got, want)
		}
	}
	if fast < 500 {
		t.Fatalf("only %d of 5000 members took the fast path", fast)
	}
	ordinary := Member{AccountID: "1234567890123456", AccountName: "member-ab@rd-abcdef.aliyunid.com", DisplayName: "web prod",
		Type: TypeResourceAccount, JoinMethod: JoinCreated, Status: StatusCreateSuccess, FolderID: "fd-abcdefghij",
		FolderPath: "rd-abcdef/r-abcdef/fd-abcdefghij", JoinTime: time.Now().UTC(), ModifyTime: time.Now().UTC()}
	data, _ := json.Marshal(&ordinary)
	var got Member
	if !decodeMember(data, &got) || !reflect.DeepEqual(got, ordinary) {
		t.Fatalf("an ordinary member %s did not take the fast path: %+v", data, got)
	}
	// What it does not know goes to encoding/json.
	for _, s := range []string{`{}x`, `{"AccountID":1}`, `{"Unknown":"x"}`, `{"AccountID":"a" ,"Type":"b"}`, `{"JoinTime":"yesterday"}`,
		`{"AccountID":"a",}`, `{"Tags":[]}`, fmt.Sprintf(`{"AccountID":"%s"`, "x")} {
		if decodeMember([]byte(s), &Member{}) {
			t.Errorf("decodeMember accepted %s", s)
		}
	}
}

// decodeAncestors agrees with encoding/json on every folder encoding/json
// writes, and takes the fast path for the ordinary ones.
func TestDecodeAncestorsAgreesWithEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	names := []string{"root", "prod", "a", "生产", "x}y", `q"uote`, "<b>", "L5-0999"}
	fast := 0
	for i := 0; i < 3000; i++ {
		f := Folder{ID: "fd-" + strings.Repeat("a", rng.IntN(12)), Name: names[rng.IntN(len(names))], ParentID: "r-abcdef",
			Created: time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()}
		if rng.IntN(10) == 0 {
			f.ParentID = ""
		}
		for n := rng.IntN(6); n > 0; n-- {
			f.Ancestors = append(f.Ancestors, Ancestor{ID: "fd-" + strings.Repeat("b", rng.IntN(12)), Name: names[rng.IntN(len(names))],
				Created: time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()})
		}
		data, err := json.Marshal(&f)
		if err != nil {
			t.Fatal(err)
		}
		var want Folder
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := decodeAncestors(data)
		if !ok {
			continue
		}
		fast++
		if !reflect.DeepEqual(got, want.Ancestors) {
			t.Fatalf("%s\ndecoded %+v\nwant    %+v", data, got, want.Ancestors)
		}
	}
	if fast < 1000 {
		t.Fatalf("only %d of 3000 folders took the fast path", fast)
	}
	for _, s := range []string{`{"ID":"x","Ancestors":null}`, `{"ID":"x","Ancestors":[]}`, `{"ID":"x","Ancestors":[{"ID":"a","Extra":"b"}]}`,
		`{"ID":"x","Ancestors":[{"ID":"a"},]}`, `{"ID":"x","Ancestors":[{"ID":"a"}`, `[]`} {
		if _, ok := decodeAncestors([]byte(s)); ok {
			t.Errorf("decodeAncestors accepted %s", s)
		}
	}
}

func BenchmarkDecodeMember(b *testing.B) {
	now := time.Now().UTC()
	m := Member{AccountID: "1234567890123456", AccountName: "member-abcdefgh@rd-abcdef.aliyunid.com", DisplayName: "member 01234",
		Type: TypeResourceAccount, JoinMethod: JoinCreated, Status: StatusCreateSuccess, FolderID: "fd-abcdefghij",
		FolderPath: "rd-abcdef/r-abcdef/fd-abcdefghij/fd-bbcdefghij/fd-cbcdefghij/fd-dbcdefghij/fd-ebcdefghij", JoinTime: now, ModifyTime: now}
	data, _ := json.Marshal(&m)
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out Member
			if err := json.Unmarshal(data, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decodeMember", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out Member
			if !decodeMember(data, &out) {
				b.Fatal("slow path")
			}
		}
	})
}
