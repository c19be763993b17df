package policy

import "strings"

// statement is the compiled form of one policy statement.
type statement struct {
	deny bool

	notAction   bool
	actions     []pattern    // full action patterns, ASCII case-folded
	actionParts []actionPart // the same patterns split for the service index

	anyResource bool // trust statements have no Resource element
	notResource bool
	resources   []pattern // case-sensitive

	conditions []condition   // all must hold
	principals *principalSet // trust statements only
}

// actionPart is an action pattern split at its first ':'.
type actionPart struct {
	// service is the lowered service code, or "" when the pattern cannot be
	// filed under one service ("*", or wildcards in the service code).
	service string
	name    pattern // the pattern for the API name, matched case-insensitively
}

// maxIndexedService bounds service codes kept in the index; longer ones (none
// exist) go to the unindexed bucket so lookups can lower the request's
// service code in a fixed stack buffer.
const maxIndexedService = 64

func (st *statement) setActions(raw []string) {
	st.actions = make([]pattern, 0, len(raw))
	st.actionParts = make([]actionPart, 0, len(raw))
	for _, a := range raw {
		lowered := asciiLower(a)
		st.actions = append(st.actions, compilePattern(lowered, true))
		service, name, _ := strings.Cut(lowered, ":")
		if lowered == "*" || hasWildcard(service) || len(service) > maxIndexedService {
			st.actionParts = append(st.actionParts, actionPart{})
			continue
		}
		st.actionParts = append(st.actionParts, actionPart{service: service, name: compilePattern(name, true)})
	}
}

// indexable reports whether every action of the statement names one literal
// service, so the statement can only match requests for those services.
func (st *statement) indexable() bool {
	if st.notAction { // NotAction matches every other service too
		return false
	}
	for _, part := range st.actionParts {
		if part.service == "" {
			return false
		}
	}
	return true
}
