package target

import (
	"fmt"
	"strings"
	"testing"
)

// TestFoldIndexFindsAsToLowerWould: a resource is found by its string in any case, as a map
// by lower-cased strings would find it, also where two strings share a hash and where they
// are not ASCII.
func TestFoldIndexFindsAsToLowerWould(t *testing.T) {
	keys := []string{
		"/subscriptions/S/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet",
		"/subscriptions/S/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn",
		"Network::Subnet rg::vnet::Straße",
		"Network::Subnet rg::vnet::ÉTÉ",
		"Network::Subnet rg::vnet::İ", // lower-cased: i and a combining dot, two runes
		"",
	}
	others := []string{"/subscriptions/S/resourceGroups/rg", "Network::Subnet rg::vnet::strasse", "network::subnet rg::vnet::été2", "x", "Network::Subnet rg::vnet::i\u0307"}
	for _, hash := range []struct {
		name string
		f    func(string) uint64
	}{{"FNV-1a", foldHash}, {"every string one hash", func(string) uint64 { return 7 }}} {
		x := newFoldIndex(0, keyOf)
		x.hash = hash.f
		byLower := map[string]*Resource{}
		for _, k := range keys {
			r := &Resource{Key: k}
			x.put(r)
			byLower[strings.ToLower(k)] = r
		}
		for _, k := range append(keys, others...) {
			for _, asked := range []string{k, strings.ToUpper(k), strings.ToLower(k)} {
				if got, want := x.get(asked), byLower[strings.ToLower(asked)]; got != want {
					t.Errorf("%s: get(%q) = %v, want %v", hash.name, asked, describe(got), describe(want))
				}
			}
		}
		again := &Resource{Key: strings.ToUpper(keys[1])}
		x.put(again)
		if got := x.get(keys[1]); got != again {
			t.Errorf("%s: put of a string in another case did not replace the first: %v", hash.name, describe(got))
		}
	}
	var nilIndex *foldIndex
	if nilIndex.get("x") != nil {
		t.Error("an index not made yet found something")
	}
}

func TestFoldHashIsTheHashOfTheLowerCasedString(t *testing.T) {
	for _, s := range []string{"", "ABC", "abc", "/Subscriptions/X", "Straße", "ÉTÉ été"} {
		if foldHash(s) != foldHashOf(strings.ToLower(s)) || foldHash(s) != foldHash(strings.ToUpper(s)) && strings.ToLower(strings.ToUpper(s)) == strings.ToLower(s) {
			t.Errorf("foldHash(%q) differs from the hash of its lower-cased string", s)
		}
	}
	if foldHash("abc") == foldHash("abd") {
		t.Error("two strings share a hash")
	}
}

func describe(r *Resource) string {
	if r == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", r.Key)
}
