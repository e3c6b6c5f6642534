// Package ownership is gru's one rule for what a project manages: the tags GruCloud writes on
// what it deploys (gc-managed-by=grucloud, gc-project-name, gc-stage, gc-created-by-provider),
// and which live resources they make a project's. Plan, destroy, list and gencode all ask it.
package ownership

import (
	"strings"
)

// The ownership tags GruCloud writes on what it deploys.
const (
	TagManagedBy = "gc-managed-by"
	TagProject   = "gc-project-name"
	TagStage     = "gc-stage"
	TagProvider  = "gc-created-by-provider"
)

// ManagedByValue is the value of TagManagedBy.
const ManagedByValue = "grucloud"

// Owner is a project at a stage. The zero Owner stands for any GruCloud project.
type Owner struct {
	Project, Stage string
}

// Tags are the ownership tags to write on the owner's resources.
func (o Owner) Tags() map[string]string {
	return map[string]string{TagManagedBy: ManagedByValue, TagProject: o.Project, TagStage: o.Stage, TagProvider: "azure"}
}

// IsOwnershipTag reports one of the tags gru writes itself (every gc- tag).
func IsOwnershipTag(name string) bool {
	return strings.HasPrefix(strings.ToLower(name), "gc-")
}

// Tagged reports whether a live resource carries the owner's tags (for the zero Owner: any
// GruCloud project's). Tag names compare case-insensitively, as ARM stores them.
func (o Owner) Tagged(live map[string]any) bool {
	tags, _ := live["tags"].(map[string]any)
	return o.taggedBy(func(name string) string { return tag(tags, name) })
}

// TaggedWith is Tagged of a resource's tags alone (as a list's header has them).
func (o Owner) TaggedWith(tags map[string]string) bool {
	return o.taggedBy(func(name string) string { return tag(tags, name) })
}

// taggedBy is the rule of Tagged, given the value of a tag by name.
func (o Owner) taggedBy(tag func(name string) string) bool {
	if tag(TagManagedBy) != ManagedByValue {
		return false
	}
	if o.Project == "" {
		return true
	}
	return tag(TagProject) == o.Project && (o.Stage == "" || tag(TagStage) == o.Stage)
}

// Manages reports whether the owner manages a live resource: it carries the owner's tags, or it
// cannot carry tags (hasTags false: the type has none) and its parent is managed.
func (o Owner) Manages(live map[string]any, hasTags, parentManaged bool) bool {
	if hasTags {
		return o.Tagged(live)
	}
	return parentManaged
}

// tag is a tag's value, its name matched without case as ARM does ("" when it has none, or
// none that is a string).
func tag[V any](tags map[string]V, name string) string {
	v, ok := tags[name]
	if !ok {
		for k, x := range tags {
			if strings.EqualFold(k, name) {
				v, ok = x, true
				break
			}
		}
	}
	switch s := any(v).(type) {
	case string:
		return s
	}
	return ""
}
