package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gru-iac/gru"
)

// errorJSON is how an error is written with --json: {"error": {...}}, with the location and
// resource of a problem in the project when there is one.
type errorJSON struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	// Code says what kind of error it is: "usage" (flags, arguments), "offline", "error".
	Code     string `json:"code"`
	Message  string `json:"message"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Resource string `json:"resource,omitempty"`
	Path     string `json:"path,omitempty"`
}

// writeError writes a command's error: "gru: message" on stderr, or, with --json, the JSON
// error on stdout, where a script reads the command's output.
func writeError(stdout, stderr io.Writer, err error, asJSON bool) {
	if !asJSON {
		fmt.Fprintf(stderr, "gru: %v\n", err)
		return
	}
	writeJSON(stdout, errorJSON{Error: detailOf(err)})
}

func detailOf(err error) errorDetail {
	d := errorDetail{Code: "error", Message: err.Error()}
	switch {
	case errors.Is(err, gru.ErrOffline):
		d.Code = "offline"
	case isUsage(err):
		d.Code = "usage"
	}
	return d
}

// isUsage reports cobra's errors of flags and arguments.
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "invalid argument", "flag needs an argument", "accepts ", "requires at least", "requires at most"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
