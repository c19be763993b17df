package policy

// The Set index. Statements are filed by the literal service code of their
// actions, so a decision only looks at statements that can match the
// request's service, plus the few that may match any service ("*",
// wildcards in the service code, NotAction).

// Set is the union of several identity policies, compiled into an index. It
// is immutable and safe for concurrent use; build it once per principal and
// set of policy versions, not per request.
type Set struct {
	policies   []*Policy
	byService  map[string]*bucket
	anyService bucket // statements that may match any service
}

// bucket holds the statements that may match one service, Deny first so a
// decision can stop at the first matching Deny.
type bucket struct {
	deny  []indexedStatement
	allow []indexedStatement
}

type indexedStatement struct {
	st *statement
	// policy and index say where st stands (its policy's position in the
	// Set, its own in the policy), to name it in a decision; int32 keeps
	// the struct small, as every decision walks these.
	policy, index int32
	// names are the statement's action-name patterns for the bucket's
	// service; nil in the unindexed bucket, which matches st.actions against
	// the full action instead.
	names []pattern
	// firstBytes has bit c set when some name pattern can match a name
	// starting with the (lowered) byte c, so most non-matching statements
	// are skipped with one bit test.
	firstBytes firstByteSet
}

// firstByteSet is a set of bytes.
type firstByteSet [4]uint64

func (f *firstByteSet) add(c byte)      { f[c>>6] |= 1 << (c & 63) }
func (f *firstByteSet) has(c byte) bool { return f[c>>6]&(1<<(c&63)) != 0 }
func (f *firstByteSet) addAll()         { *f = firstByteSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)} }

// firstBytesOf computes the firstBytes filter of a list of name patterns.
func firstBytesOf(names []pattern) firstByteSet {
	var f firstByteSet
	for i := range names {
		c, ok := names[i].firstLiteralByte()
		if !ok {
			f.addAll()
			return f
		}
		f.add(c)
		f.add(upperByte(c))
	}
	return f
}

func (b *bucket) add(is indexedStatement) {
	if is.st.deny {
		b.deny = append(b.deny, is)
	} else {
		b.allow = append(b.allow, is)
	}
}

// NewSet builds the union of ps. Nil policies are skipped, and so are trust
// policies: they say who may assume a role, not what an identity may do, so
// they must never grant anything here (use Policy.TrustsPrincipal).
func NewSet(ps ...*Policy) *Set {
	s := &Set{byService: make(map[string]*bucket)}
	for _, p := range ps {
		if p == nil || p.kind != Identity {
			continue
		}
		s.policies = append(s.policies, p)
		for i := range p.statements {
			st := &p.statements[i]
			pi, si := int32(len(s.policies)-1), int32(i)
			if !st.indexable() {
				s.anyService.add(indexedStatement{st: st, policy: pi, index: si})
				continue
			}
			s.addByService(st, pi, si)
		}
	}
	return s
}

// addByService files st under each service it names, with only the name
// patterns of that service.
func (s *Set) addByService(st *statement, pi, si int32) {
	var done []string
	for _, part := range st.actionParts {
		service := part.service
		seen := false
		for _, d := range done {
			seen = seen || d == service
		}
		if seen {
			continue
		}
		done = append(done, service)
		var names []pattern
		for _, other := range st.actionParts {
			if other.service == service {
				names = append(names, other.name)
			}
		}
		b := s.byService[service]
		if b == nil {
			b = &bucket{}
			s.byService[service] = b
		}
		b.add(indexedStatement{st: st, policy: pi, index: si, names: names, firstBytes: firstBytesOf(names)})
	}
}

// Policies returns the policies of the set (trust policies and nils removed).
func (s *Set) Policies() []*Policy {
	if s == nil {
		return nil
	}
	return append([]*Policy(nil), s.policies...)
}

// StatementRef names one statement of a Set: the index of its policy in
// the order the Set was built from, and its index in that document.
type StatementRef struct {
	Policy    int
	Statement int
}

func (is *indexedStatement) ref() StatementRef {
	return StatementRef{Policy: int(is.policy), Statement: int(is.index)}
}

// noStatement is the StatementRef of a decision no statement made.
var noStatement = StatementRef{Policy: -1, Statement: -1}

// Evaluate decides req against the union of the set's policies, with the
// same rules as Policy.Evaluate. A nil or empty set gives ImplicitDeny. It
// does not allocate, except that a Context.Extra value which is not a valid
// IP address for an IP operator costs the standard library's error value.
func (s *Set) Evaluate(req *Request) Decision {
	d, _ := s.Decide(req)
	return d
}

// Decide is Evaluate that also names the statement that decided: the Deny
// or the Allow that matched; {-1, -1} for an ImplicitDeny.
func (s *Set) Decide(req *Request) (Decision, StatementRef) {
	if s == nil {
		return ImplicitDeny, noStatement
	}
	indexed, name := s.lookup(req.Action)
	if indexed != nil {
		if is := firstIndexedMatch(indexed.deny, name, req); is != nil {
			return ExplicitDeny, is.ref()
		}
	}
	if is := firstUnindexedMatch(s.anyService.deny, req); is != nil {
		return ExplicitDeny, is.ref()
	}
	if indexed != nil {
		if is := firstIndexedMatch(indexed.allow, name, req); is != nil {
			return Allow, is.ref()
		}
	}
	if is := firstUnindexedMatch(s.anyService.allow, req); is != nil {
		return Allow, is.ref()
	}
	return ImplicitDeny, noStatement
}

// lookup finds the bucket for the action's service code and returns it with
// the API-name part of the action.
func (s *Set) lookup(action string) (*bucket, string) {
	colon := -1
	for i := 0; i < len(action); i++ {
		if action[i] == ':' {
			colon = i
			break
		}
	}
	if colon < 0 || colon > maxIndexedService || len(s.byService) == 0 {
		return nil, ""
	}
	var lowered [maxIndexedService]byte
	for i := 0; i < colon; i++ {
		lowered[i] = lowerByte(action[i])
	}
	// The string conversion in a map index does not allocate.
	return s.byService[string(lowered[:colon])], action[colon+1:]
}

// firstIndexedMatch returns the first statement of a service bucket that
// matches; name is the API-name part of the request's action.
func firstIndexedMatch(list []indexedStatement, name string, req *Request) *indexedStatement {
	for i := range list {
		is := &list[i]
		if name != "" && !is.firstBytes.has(name[0]) {
			continue
		}
		for j := range is.names {
			if is.names[j].match(name) {
				if is.st.matchesRest(req) {
					return is
				}
				break
			}
		}
	}
	return nil
}

// firstUnindexedMatch returns the first statement of the unindexed bucket
// that matches, checking its actions against the full action.
func firstUnindexedMatch(list []indexedStatement, req *Request) *indexedStatement {
	for i := range list {
		st := list[i].st
		if st.matchesAction(req.Action) && st.matchesRest(req) {
			return &list[i]
		}
	}
	return nil
}
