package jsfmt

import "strings"

// The layout algebra prettier prints with (after Wadler's "prettier printer"): text,
// concatenations, groups that print on one line when they fit and else break their lines,
// indentation, and lines that are spaces, nothing or newlines depending on their group.
// printDoc lays a document out in a width the way prettier's printer does, so that the
// printer of this package, which builds the documents prettier builds for the same code,
// writes what prettier writes.

type doc interface{}

// concat is a sequence of documents.
type concat []doc

// group prints its contents flat when they fit in the rest of the line, else broken. A group
// with expanded states (prettier's conditionalGroup) tries each state in turn.
type group struct {
	contents doc
	brk      bool
	expanded []doc
	id       int // for ifBreak and indentIfBreak; 0 for none
}

type indent struct{ contents doc }

// line is a space (soft: nothing) in a flat group and a newline in a broken one; hard lines
// always break.
type line struct{ soft, hard bool }

type ifBreak struct {
	breakContents, flatContents doc
	groupID                     int
}

type indentIfBreak struct {
	contents doc
	groupID  int
}

// fill puts as many parts on a line as fit: content, separator, content...
type fill []doc

type breakParent struct{}

var (
	docLine     = line{}
	docSoftline = line{soft: true}
	docHardline = concat{line{hard: true}, breakParent{}}
)

// willBreak reports a document holding a forced break (a broken group or a hard line), as
// prettier's willBreak does (the states of conditional groups beyond the first are not seen).
func willBreak(d doc) bool {
	switch x := d.(type) {
	case concat:
		for _, p := range x {
			if willBreak(p) {
				return true
			}
		}
	case fill:
		for _, p := range x {
			if willBreak(p) {
				return true
			}
		}
	case *group:
		return x.brk || willBreak(x.contents)
	case indent:
		return willBreak(x.contents)
	case indentIfBreak:
		return willBreak(x.contents)
	case ifBreak:
		return willBreak(x.breakContents) || willBreak(x.flatContents)
	case line:
		return x.hard
	case breakParent:
		return true
	}
	return false
}

// propagateBreaks breaks every group holding a forced break, but for conditional groups, as
// prettier does before printing.
func propagateBreaks(d doc) {
	visited := map[*group]bool{}
	var stack []*group
	breakTop := func() {
		if n := len(stack); n > 0 {
			if g := stack[n-1]; g.expanded == nil && !g.brk {
				g.brk = true
			}
		}
	}
	var walk func(d doc)
	walk = func(d doc) {
		switch x := d.(type) {
		case concat:
			for _, p := range x {
				walk(p)
			}
		case fill:
			for _, p := range x {
				walk(p)
			}
		case *group:
			stack = append(stack, x)
			if !visited[x] {
				visited[x] = true
				if x.expanded != nil {
					for _, s := range x.expanded {
						walk(s)
					}
				} else {
					walk(x.contents)
				}
			}
			stack = stack[:len(stack)-1]
			if x.brk {
				breakTop()
			}
		case indent:
			walk(x.contents)
		case indentIfBreak:
			walk(x.contents)
		case ifBreak:
			walk(x.breakContents)
			walk(x.flatContents)
		case breakParent:
			breakTop()
		}
	}
	walk(d)
}

type mode int

const (
	modeBreak mode = iota + 1
	modeFlat
)

type command struct {
	indent int
	mode   mode
	doc    doc
}

// printer lays documents out.
type printer struct {
	width     int
	groupMode map[int]mode
}

// printDoc lays a document out in a width.
func printDoc(d doc, width int) string {
	propagateBreaks(d)
	p := &printer{width: width, groupMode: map[int]mode{}}
	var out []string
	pos := 0
	cmds := []command{{0, modeBreak, d}}
	shouldRemeasure := false
	for len(cmds) > 0 {
		c := cmds[len(cmds)-1]
		cmds = cmds[:len(cmds)-1]
		switch x := c.doc.(type) {
		case nil:
		case string:
			out = append(out, x)
			pos += stringWidth(x)
		case concat:
			for i := len(x) - 1; i >= 0; i-- {
				cmds = append(cmds, command{c.indent, c.mode, x[i]})
			}
		case indent:
			cmds = append(cmds, command{c.indent + 2, c.mode, x.contents})
		case *group:
			switch {
			case c.mode == modeFlat && !shouldRemeasure:
				m := modeFlat
				if x.brk {
					m = modeBreak
				}
				cmds = append(cmds, command{c.indent, m, x.contents})
			default:
				shouldRemeasure = false
				next := command{c.indent, modeFlat, x.contents}
				rem := p.width - pos
				if !x.brk && p.fits(next, cmds, rem, false) {
					cmds = append(cmds, next)
				} else if x.expanded != nil {
					last := x.expanded[len(x.expanded)-1]
					if x.brk {
						cmds = append(cmds, command{c.indent, modeBreak, last})
					} else {
						done := false
						for i := 1; i < len(x.expanded); i++ {
							state := command{c.indent, modeFlat, x.expanded[i]}
							if p.fits(state, cmds, rem, false) {
								cmds = append(cmds, state)
								done = true
								break
							}
						}
						if !done {
							cmds = append(cmds, command{c.indent, modeBreak, last})
						}
					}
				} else {
					cmds = append(cmds, command{c.indent, modeBreak, x.contents})
				}
			}
			if x.id != 0 {
				p.groupMode[x.id] = cmds[len(cmds)-1].mode
			}
		case fill:
			rem := p.width - pos
			if len(x) == 0 {
				break
			}
			content := x[0]
			contentFlat := command{c.indent, modeFlat, content}
			contentBreak := command{c.indent, modeBreak, content}
			contentFits := p.fits(contentFlat, nil, rem, true)
			if len(x) == 1 {
				if contentFits {
					cmds = append(cmds, contentFlat)
				} else {
					cmds = append(cmds, contentBreak)
				}
				break
			}
			whitespace := x[1]
			whitespaceFlat := command{c.indent, modeFlat, whitespace}
			whitespaceBreak := command{c.indent, modeBreak, whitespace}
			if len(x) == 2 {
				if contentFits {
					cmds = append(cmds, whitespaceFlat, contentFlat)
				} else {
					cmds = append(cmds, whitespaceBreak, contentBreak)
				}
				break
			}
			remaining := command{c.indent, c.mode, x[2:]}
			both := command{c.indent, modeFlat, concat{content, whitespace, x[2]}}
			switch {
			case p.fits(both, nil, rem, true):
				cmds = append(cmds, remaining, whitespaceFlat, contentFlat)
			case contentFits:
				cmds = append(cmds, remaining, whitespaceBreak, contentFlat)
			default:
				cmds = append(cmds, remaining, whitespaceBreak, contentBreak)
			}
		case ifBreak, indentIfBreak:
			var groupID int
			var contents doc
			m := c.mode
			if ib, ok := x.(ifBreak); ok {
				groupID = ib.groupID
			} else {
				groupID = x.(indentIfBreak).groupID
			}
			if groupID != 0 {
				m = p.groupMode[groupID]
			}
			switch ib := x.(type) {
			case ifBreak:
				if m == modeBreak {
					contents = ib.breakContents
				} else if m == modeFlat {
					contents = ib.flatContents
				}
			case indentIfBreak:
				if m == modeBreak {
					contents = indent{ib.contents}
				} else if m == modeFlat {
					contents = ib.contents
				}
			}
			if contents != nil {
				cmds = append(cmds, command{c.indent, c.mode, contents})
			}
		case line:
			if c.mode == modeFlat && !x.hard {
				if !x.soft {
					out = append(out, " ")
					pos++
				}
				break
			}
			if c.mode == modeFlat {
				shouldRemeasure = true
			}
			trimTrailing(out)
			out = append(out, "\n"+strings.Repeat(" ", c.indent))
			pos = c.indent
		case breakParent:
		}
	}
	return strings.Join(out, "")
}

// trimTrailing removes the spaces and tabs ending the text written so far (the indentation of
// a line left empty too).
func trimTrailing(out []string) {
	for i := len(out) - 1; i >= 0; i-- {
		t := strings.TrimRight(out[i], " \t")
		out[i] = t
		if t != "" {
			return
		}
	}
}

// fits reports whether a command, and the rest after it up to the first line break, fits in
// a width: flat groups inside it stay flat, broken ones (and the rest's groups, in their
// enclosing mode) end the measure at their first line.
func (p *printer) fits(next command, rest []command, width int, mustBeFlat bool) bool {
	restIdx := len(rest)
	cmds := []command{next}
	for width >= 0 {
		if len(cmds) == 0 {
			if restIdx == 0 {
				return true
			}
			restIdx--
			cmds = append(cmds, rest[restIdx])
			continue
		}
		c := cmds[len(cmds)-1]
		cmds = cmds[:len(cmds)-1]
		switch x := c.doc.(type) {
		case nil:
		case string:
			width -= stringWidth(x)
		case concat:
			for i := len(x) - 1; i >= 0; i-- {
				cmds = append(cmds, command{c.indent, c.mode, x[i]})
			}
		case fill:
			for i := len(x) - 1; i >= 0; i-- {
				cmds = append(cmds, command{c.indent, c.mode, x[i]})
			}
		case indent:
			cmds = append(cmds, command{c.indent, c.mode, x.contents})
		case indentIfBreak:
			cmds = append(cmds, command{c.indent, c.mode, x.contents})
		case *group:
			if mustBeFlat && x.brk {
				return false
			}
			m := c.mode
			if x.brk {
				m = modeBreak
			}
			contents := x.contents
			if x.expanded != nil && m == modeBreak {
				contents = x.expanded[len(x.expanded)-1]
			}
			cmds = append(cmds, command{c.indent, m, contents})
		case ifBreak:
			m := c.mode
			if x.groupID != 0 {
				m = p.groupMode[x.groupID]
				if m == 0 {
					m = modeFlat
				}
			}
			contents := x.flatContents
			if m == modeBreak {
				contents = x.breakContents
			}
			if contents != nil {
				cmds = append(cmds, command{c.indent, c.mode, contents})
			}
		case line:
			if c.mode == modeBreak || x.hard {
				return true
			}
			if !x.soft {
				width--
			}
		}
	}
	return false
}
