package cache

import "testing"

func TestDropsByKeyAccountAndAll(t *testing.T) {
	c := New[int]()
	_, gen, _ := c.Get("a1")
	c.Put(gen, "acct1", "a1", 1)
	c.Put(gen, "acct1", "a2", 2)
	c.Put(gen, "acct2", "b1", 3)
	if v, _, ok := c.Get("a1"); !ok || v != 1 {
		t.Fatalf("a1 = %d, %v", v, ok)
	}
	c.Drop("a1")
	if _, _, ok := c.Get("a1"); ok {
		t.Fatal("dropped key still cached")
	}
	_, gen, _ = c.Get("a1")
	c.Put(gen, "acct1", "a1", 1)
	c.DropAccount("acct1")
	for _, k := range []string{"a1", "a2"} {
		if _, _, ok := c.Get(k); ok {
			t.Fatalf("%s survived its account's invalidation", k)
		}
	}
	if _, _, ok := c.Get("b1"); !ok {
		t.Fatal("another account's entry was dropped")
	}
	c.DropAll()
	if _, _, ok := c.Get("b1"); ok {
		t.Fatal("DropAll kept an entry")
	}
}

func TestPutAfterInvalidationIsIgnored(t *testing.T) {
	c := New[int]()
	_, gen, _ := c.Get("k")
	c.DropAccount("elsewhere") // any invalidation while "k" was loading
	c.Put(gen, "acct", "k", 1)
	if _, _, ok := c.Get("k"); ok {
		t.Fatal("a value loaded across an invalidation was kept")
	}
}
