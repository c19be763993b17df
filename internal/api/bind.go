package api

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn/signature"
)

// The binder turns request parameters into an action's typed input. Input
// structs name their parameters with `param:"Name"` tags; `param:"Name,required"`
// refuses a request without it. Supported field types: string, *string, bool,
// *bool, int, *int, []string (Name.1, Name.2 ...) and slices of structs whose
// string fields are tagged too (Name.1.Key, Name.1.Value ...).
//
// Unknown parameters are ignored, as the cloud does (SDKs send extras such as
// AkProxySuffix), except a parameter that differs from a declared one only by
// case: that is refused, so "username" can never shadow "UserName".

type fieldKind uint8

const (
	kindString fieldKind = iota
	kindStringPtr
	kindBool
	kindBoolPtr
	kindInt
	kindIntPtr
	kindStringList
	kindStructList
)

type field struct {
	name     string
	index    []int // struct field index path (through embedded structs)
	pos      int   // position in binder.ordered (bit in the "seen" mask)
	kind     fieldKind
	required bool
	sub      *binder // element binder for struct lists
}

type binder struct {
	typ     reflect.Type
	fields  map[string]*field // by wire name
	folded  map[string]string // lower-case wire name -> wire name
	ordered []*field
}

func newBinder(t reflect.Type) (*binder, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("input type %s is not a struct", t)
	}
	b := &binder{typ: t, fields: map[string]*field{}, folded: map[string]string{}}
	if err := b.addFields(t, nil); err != nil {
		return nil, err
	}
	return b, nil
}

// addFields adds the parameters of struct t, found at index path prefix.
func (b *binder) addFields(t reflect.Type, prefix []int) error {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		index := append(prefix[:len(prefix):len(prefix)], i)
		tag, ok := sf.Tag.Lookup("param")
		if !ok && sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			if err := b.addFields(sf.Type, index); err != nil {
				return err
			}
			continue
		}
		if !ok {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		f := &field{name: name, index: index, pos: len(b.ordered), required: opts == "required"}
		switch ft := sf.Type; {
		case ft.Kind() == reflect.String:
			f.kind = kindString
		case ft.Kind() == reflect.Bool:
			f.kind = kindBool
		case ft.Kind() == reflect.Int:
			f.kind = kindInt
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.String:
			f.kind = kindStringPtr
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Bool:
			f.kind = kindBoolPtr
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Int:
			f.kind = kindIntPtr
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
			f.kind = kindStringList
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			sub, err := newBinder(ft.Elem())
			if err != nil {
				return err
			}
			f.kind, f.sub = kindStructList, sub
		default:
			return fmt.Errorf("field %s: unsupported type %s", sf.Name, sf.Type)
		}
		if f.pos >= 64 {
			return fmt.Errorf("more than 64 parameters in %s", b.typ)
		}
		if _, dup := b.folded[strings.ToLower(name)]; dup {
			return fmt.Errorf("parameter %s declared twice in %s", name, b.typ)
		}
		b.fields[name] = f
		b.folded[strings.ToLower(name)] = name
		b.ordered = append(b.ordered, f)
	}
	return nil
}

// IsCommonParam reports whether a parameter belongs to the gateway: it is
// never business input. A switch, not a map: every parameter of every call
// is looked up twice, and a switch on constant strings costs no hashing.
func IsCommonParam(name string) bool {
	switch name {
	case "Action", "Version", "Format", "Timestamp", "SignatureMethod",
		"SignatureVersion", "SignatureType", "SignatureNonce", "AccessKeyId",
		"Signature", "SecurityToken", "RegionId", "AkProxySuffix":
		return true
	}
	return false
}

// bind builds a new input value from the parameters.
func (b *binder) bind(params signature.Params) (any, error) {
	v := reflect.New(b.typ)
	if len(b.ordered) == 0 {
		return v.Interface(), nil // nothing to bind, nothing to collide with
	}
	var lists map[*field]map[int]map[string]string // field -> index -> sub-name -> value
	var seen uint64                                // bit f.pos: parameter present
	for _, p := range params {
		if IsCommonParam(p.Key) {
			continue
		}
		base, rest, dotted := strings.Cut(p.Key, ".")
		f := b.fields[base]
		if f == nil {
			if canon, clash := b.folded[strings.ToLower(base)]; clash {
				return nil, apperr.InvalidParameter("The parameter %q is not recognised; did you mean %q? Parameter names are case-sensitive.", p.Key, canon)
			}
			continue
		}
		switch {
		case f.kind == kindStringList || f.kind == kindStructList:
			if !dotted {
				return nil, apperr.InvalidParameter("The parameter %s is a list; send it as %s.1, %s.2 ...", base, base, base)
			}
			idxText, sub, _ := strings.Cut(rest, ".")
			idx, err := strconv.Atoi(idxText)
			if err != nil || idx < 1 || idx > 1000 || strconv.Itoa(idx) != idxText {
				return nil, apperr.InvalidParameter("The list index in parameter %q must be a number from 1 to 1000.", p.Key)
			}
			if (f.kind == kindStringList) != (sub == "") {
				return nil, apperr.InvalidParameter("The parameter %q is not a valid member of list %s.", p.Key, base)
			}
			if lists == nil {
				lists = map[*field]map[int]map[string]string{}
			}
			if lists[f] == nil {
				lists[f] = map[int]map[string]string{}
			}
			if lists[f][idx] == nil {
				lists[f][idx] = map[string]string{}
			}
			lists[f][idx][sub] = p.Value
		case dotted:
			continue // e.g. "UserName.x": not ours
		default:
			if err := setScalar(v.Elem().FieldByIndex(f.index), f, p.Value); err != nil {
				return nil, err
			}
			seen |= 1 << f.pos
		}
	}
	for f, items := range lists {
		if err := setList(v.Elem().FieldByIndex(f.index), f, items); err != nil {
			return nil, err
		}
		seen |= 1 << f.pos
	}
	for _, f := range b.ordered {
		if f.required && (seen&(1<<f.pos) == 0 || isEmpty(v.Elem().FieldByIndex(f.index))) {
			return nil, apperr.MissingParameter(f.name)
		}
	}
	return v.Interface(), nil
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice:
		return v.Len() == 0
	case reflect.Pointer:
		return v.IsNil()
	}
	return false
}

func setScalar(dst reflect.Value, f *field, raw string) error {
	switch f.kind {
	case kindString:
		dst.SetString(raw)
	case kindStringPtr:
		dst.Set(reflect.ValueOf(&raw))
	case kindBool, kindBoolPtr:
		var b bool
		switch raw {
		case "true":
			b = true
		case "false":
		default:
			return invalidParameter.Of(f.name).New("The parameter %s must be \"true\" or \"false\".", f.name)
		}
		if f.kind == kindBool {
			dst.SetBool(b)
		} else {
			dst.Set(reflect.ValueOf(&b))
		}
	case kindInt, kindIntPtr:
		// Only the plain decimal form is accepted, as for list indexes:
		// ParseInt also takes "+5", "05" and "-0", which no SDK sends and
		// which would give one value several spellings.
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil || strconv.FormatInt(n, 10) != raw {
			return invalidParameter.Of(f.name).New("The parameter %s must be a decimal integer written plainly, such as 5 or -5 (no sign '+', spaces or leading zeros).", f.name)
		}
		i := int(n)
		if f.kind == kindInt {
			dst.SetInt(n)
		} else {
			dst.Set(reflect.ValueOf(&i))
		}
	}
	return nil
}

// setList fills a list field; indexes must run 1..N without gaps.
func setList(dst reflect.Value, f *field, items map[int]map[string]string) error {
	idxs := make([]int, 0, len(items))
	for i := range items {
		idxs = append(idxs, i)
	}
	sort.Ints(idxs)
	for want, got := range idxs {
		if got != want+1 {
			return apperr.InvalidParameter("The list %s skips index %d; number its members 1, 2, 3 ...", f.name, want+1)
		}
	}
	out := reflect.MakeSlice(dst.Type(), len(idxs), len(idxs))
	for pos, i := range idxs {
		if f.kind == kindStringList {
			out.Index(pos).SetString(items[i][""])
			continue
		}
		elem := out.Index(pos)
		for sub, val := range items[i] {
			sf := f.sub.fields[sub]
			if sf == nil || sf.kind != kindString {
				return apperr.InvalidParameter("The parameter %s.%d.%s is not recognised.", f.name, i, sub)
			}
			elem.FieldByIndex(sf.index).SetString(val)
		}
	}
	dst.Set(out)
	return nil
}

// bindMap binds from a plain map (tests and tools).
func (b *binder) bindMap(m map[string]string) (any, error) {
	params := make(signature.Params, 0, len(m))
	for k, v := range m {
		params = append(params, signature.Param{Key: k, Value: v})
	}
	sort.Slice(params, func(i, j int) bool { return params[i].Key < params[j].Key })
	return b.bind(params)
}
