package console

import "testing"

func TestParseLogon(t *testing.T) {
	for _, c := range []struct {
		in, name, alias string
		ok              bool
	}{
		{"alice@example.onaliyun.com", "alice", "example", true},
		{"alice@Example.OnAliyun.com", "alice", "example", true},
		{"alice@example", "alice", "example", true},
		{"alice@1234567890123456.onaliyun.com", "alice", "1234567890123456", true},
		{" alice@example ", "alice", "example", true},
		{"alice", "", "", false},
		{"@example", "", "", false},
		{"alice@", "", "", false},
		{"alice@.onaliyun.com", "", "", false},
		{"a@b@c", "", "", false},
	} {
		name, alias, ok := parseLogon(c.in)
		if ok != c.ok || (ok && (name != c.name || alias != c.alias)) {
			t.Errorf("parseLogon(%q) = %q, %q, %v; want %q, %q, %v", c.in, name, alias, ok, c.name, c.alias, c.ok)
		}
	}
}
