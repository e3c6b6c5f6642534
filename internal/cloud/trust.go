package cloud

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// runToken is a bearer token for the local cloud of one run: 32 random bytes.
func runToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("making a token for the local cloud: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
