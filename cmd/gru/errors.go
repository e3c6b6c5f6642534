package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gru-iac/gru"
	"github.com/gru-iac/gru/internal/catalog"
)

// errorJSON is how an error is written with --json: {"error": {...}}, with the location and
// resource of a problem in the project when there is one.
type errorJSON struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	// Code says what kind of error it is: a problem's code in the project (gru.Problem: syntax,
	// bad-dependency, invalid-property, ...), a filter's (unknown-type, unknown-group,
	// no-match), "unknown-type" (a type name), "confirmation-needed" (apply or destroy without
	// -f where gru does not ask), "declined" (the answer was not yes), "usage" (flags,
	// arguments), "offline", else "error".
	Code     string `json:"code"`
	Message  string `json:"message"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Resource string `json:"resource,omitempty"`
	Path     string `json:"path,omitempty"`
	// Problems are all of a project's problems when there are several (the fields above are
	// the first's); Suggestions the values a filter could have named.
	Problems    []gru.Problem `json:"problems,omitempty"`
	Suggestions []string      `json:"suggestions,omitempty"`
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

// codedError is an error of the command line with its JSON code.
type codedError struct{ code, msg string }

func (e *codedError) Error() string { return e.msg }

func detailOf(err error) errorDetail {
	d := errorDetail{Code: "error", Message: err.Error()}
	var pe *gru.ProjectError
	var fe *gru.FilterError
	var ce *codedError
	var ut *catalog.UnknownTypeError
	switch {
	case errors.As(err, &ce):
		d.Code = ce.code
	case errors.As(err, &ut):
		d.Code, d.Suggestions = "unknown-type", ut.Suggestions
	case errors.As(err, &pe) && len(pe.Problems) > 0:
		first := pe.Problems[0]
		d.Code, d.File, d.Line, d.Column, d.Resource, d.Path = first.Code, first.File, first.Line, first.Column, first.Resource, first.Path
		if d.Code == "" {
			d.Code = "project"
		}
		if len(pe.Problems) > 1 {
			d.Problems = pe.Problems
		}
	case errors.As(err, &fe):
		d.Code, d.Suggestions = fe.Code, fe.Suggestions
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
