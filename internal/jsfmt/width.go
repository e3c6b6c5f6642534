package jsfmt

import "unicode"

// stringWidth is how many columns a text takes, as prettier counts them (its string-width):
// one per character, none for control characters and combining marks, two for the wide
// characters of East Asian scripts and for emoji.
func stringWidth(s string) int {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// UTF16Len is the length of a string in UTF-16 code units, JavaScript's String length.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// StringWidth is the width of a text in columns, as Node.js and prettier measure it: wide
// East Asian characters and emoji take two, combining marks and control characters none.
func StringWidth(s string) int { return stringWidth(s) }

func runeWidth(r rune) int {
	switch {
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return 0
	case r >= 0x300 && r <= 0x36f, r == 0x200b, r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef:
		return 0
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		return 0
	case isWide(r):
		return 2
	}
	return 1
}

// isWide reports the East Asian wide and fullwidth characters, and emoji presented as such.
func isWide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f ||
		r == 0x2329 || r == 0x232a ||
		r >= 0x231a && r <= 0x231b ||
		r >= 0x23e9 && r <= 0x23ec || r == 0x23f0 || r == 0x23f3 ||
		r >= 0x25fd && r <= 0x25fe ||
		r >= 0x2614 && r <= 0x2615 ||
		r >= 0x2648 && r <= 0x2653 ||
		r == 0x267f || r == 0x2693 || r == 0x26a1 || r >= 0x26aa && r <= 0x26ab ||
		r >= 0x26bd && r <= 0x26be || r >= 0x26c4 && r <= 0x26c5 || r == 0x26ce || r == 0x26d4 ||
		r == 0x26ea || r >= 0x26f2 && r <= 0x26f3 || r == 0x26f5 || r == 0x26fa || r == 0x26fd ||
		r == 0x2705 || r >= 0x270a && r <= 0x270b || r == 0x2728 || r == 0x274c || r == 0x274e ||
		r >= 0x2753 && r <= 0x2755 || r == 0x2757 || r >= 0x2795 && r <= 0x2797 || r == 0x27b0 ||
		r == 0x27bf || r >= 0x2b1b && r <= 0x2b1c || r == 0x2b50 || r == 0x2b55 ||
		r >= 0x2e80 && r <= 0x303e ||
		r >= 0x3041 && r <= 0x33ff ||
		r >= 0x3400 && r <= 0x4dbf ||
		r >= 0x4e00 && r <= 0x9fff ||
		r >= 0xa000 && r <= 0xa4cf ||
		r >= 0xa960 && r <= 0xa97f ||
		r >= 0xac00 && r <= 0xd7a3 ||
		r >= 0xf900 && r <= 0xfaff ||
		r >= 0xfe10 && r <= 0xfe19 ||
		r >= 0xfe30 && r <= 0xfe6f ||
		r >= 0xff00 && r <= 0xff60 ||
		r >= 0xffe0 && r <= 0xffe6 ||
		r >= 0x1f004 && r <= 0x1f004 || r == 0x1f0cf || r == 0x1f18e || r >= 0x1f191 && r <= 0x1f19a ||
		r >= 0x1f200 && r <= 0x1f251 ||
		r >= 0x1f300 && r <= 0x1f64f ||
		r >= 0x1f680 && r <= 0x1f6ff ||
		r >= 0x1f900 && r <= 0x1f9ff ||
		r >= 0x1fa70 && r <= 0x1faff ||
		r >= 0x20000 && r <= 0x2fffd ||
		r >= 0x30000 && r <= 0x3fffd)
}
