// Package audit records every API call as an ActionTrail event and answers
// LookupEvents. Events of calls that wrote state are stored in the same
// transaction as the write; the others go through a group-commit appender.
package audit

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// TimeLayout is ActionTrail's eventTime format.
const TimeLayout = "2006-01-02T15:04:05Z"

// Redacted replaces the value of a secret parameter.
const Redacted = "******"

// RootUser is the indexed user (store.Event.UserName) of the root
// identity's events. The record itself says userName "root", as ActionTrail
// does, but "root" is also a valid RAM user name; no RAM user name contains
// ':', so the index never confuses the two. LookupEvents maps User=root
// here (see userFilter).
const RootUser = ":root"

// Call describes one API call for its audit event.
type Call struct {
	RequestID string
	Time      time.Time
	Product   string // serviceName, e.g. "Ram"
	Version   string
	Action    string
	Write     bool
	Sensitive bool   // a sensitive action (api.Spec.SensitiveAction)
	Host      string // the product's host: eventSource and HostId
	AcsHost   string // the host the request was sent to ("" = Host)
	Region    string // the request's RegionId ("" = DefaultRegion)
	Scheme    string // "http" or "https" ("" for a call that came over no HTTP)
	SourceIP  string
	UserAgent string
	Caller    *model.Principal // nil when the caller could not be identified
	// Claimed, for a call whose caller is nil, is the identity its
	// AccessKey stands for although the request did not prove it (a wrong
	// signature, a stale timestamp): the attempt goes to that identity's
	// trail, marked unverified and bounded tighter than a verified call.
	Claimed     *model.Principal
	AccessKeyID string            // the key named by the request, even if unknown
	Params      map[string]string // read only when SortedParams is nil
	// SortedParams are the parameters in name order, each name once, as
	// the API front holds them (no map to build). The event owns the
	// slice and may add to it: room for MaxGatewayFields more saves a copy.
	SortedParams []Param
	ErrorCode    string
	ErrorMsg     string
	Denied       any // AccessDeniedDetail of a refusal, if any
	// Resource is the ARN of what the call acted on ("" or a wildcard:
	// nothing in particular); see ResourceOf.
	Resource string
	// Response, for a write that succeeded, is its output; it is recorded
	// as responseElements with every key IsSecret names redacted.
	Response any
	// IsSecret names the parameters and response fields whose values are
	// never recorded (nil: none besides what Params already redacted).
	IsSecret func(key string) bool
	// Recipient, when set, is the account whose trail gets this copy of
	// the event; by default the caller's.
	Recipient string
	// EventType is "" for an API call (ApiCall), ConsoleOperation for a
	// call the console made for a signed-in person.
	EventType string
}

// DefaultRegion is the acsRegion of every event and the RegionId of a
// request that named none.
const DefaultRegion = "cn-hangzhou"

// Bounds on what one event keeps, so that no request can make its record
// large: a value longer than its bound is cut (at a character boundary), a
// parameter past the total is dropped, and the record says
// requestParametersTruncated. A policy document (at most 6,144
// characters) fits whole.
const (
	MaxKeyBytes      = 128      // a parameter's name
	MaxValueBytes    = 8 << 10  // a parameter's value
	MaxParamsBytes   = 32 << 10 // all parameters' names and values
	MaxTextBytes     = 1 << 10  // errorMessage, userAgent, acsHost
	MaxResponseBytes = 16 << 10 // responseElements, as JSON
	// An attempt whose caller was not proven (Claimed) keeps less: anyone
	// who knows an AccessKey id can send them.
	MaxUnverifiedValueBytes  = 256
	MaxUnverifiedParamsBytes = 2 << 10
)

// record is the ActionTrail event shape (field names are ActionTrail's).
type record struct {
	EventID           string    `json:"eventId"`
	EventVersion      string    `json:"eventVersion"`
	EventType         string    `json:"eventType"`
	EventCategory     string    `json:"eventCategory"`
	EventName         string    `json:"eventName"`
	EventRW           string    `json:"eventRW"`
	EventSource       string    `json:"eventSource"`
	EventTime         string    `json:"eventTime"`
	AcsRegion         string    `json:"acsRegion"`
	ServiceName       string    `json:"serviceName"`
	APIVersion        string    `json:"apiVersion"`
	RequestID         string    `json:"requestId"`
	SourceIPAddress   string    `json:"sourceIpAddress"`
	UserAgent         string    `json:"userAgent"`
	UserIdentity      identity  `json:"userIdentity"`
	RequestParameters paramList `json:"requestParameters"`
	// RequestParametersTruncated says a parameter was cut or dropped to
	// keep the event within its bounds.
	RequestParametersTruncated bool `json:"requestParametersTruncated,omitempty"`
	ResponseElements           any  `json:"responseElements,omitempty"`
	// Values, not pointers, so that a record is built without allocating.
	AdditionalEventData additionalData `json:"additionalEventData,omitzero"`
	ReferencedResources resources      `json:"referencedResources,omitzero"`
	EventAttributes     paramList      `json:"eventAttributes,omitempty"`
	ResourceType        string         `json:"resourceType,omitempty"`
	ResourceName        string         `json:"resourceName,omitempty"`
	ErrorCode           string         `json:"errorCode"`
	ErrorMessage        string         `json:"errorMessage"`
	AccessDenied        any            `json:"accessDeniedDetail,omitempty"`
	// RecipientAccountID is the account whose trail holds this copy of
	// the event (the caller's, or a role's owner for its AssumeRole).
	RecipientAccountID string `json:"recipientAccountId,omitempty"`
	// unixTime is eventTime in Unix seconds; EventTime is written from it
	// when the record is rendered (formatTimes), not when a call makes it.
	unixTime int64
	// sensitive is the call's Call.Sensitive, which both the record's
	// eventAttributes and the store's flag (store.SensitiveData) say.
	sensitive bool
}

// additionalData is additionalEventData: the scheme the call came over, as
// ActionTrail records it, and whether its caller was proven.
type additionalData struct {
	Scheme string `json:"Scheme,omitempty"`
	// IdentityVerified is "false" for an attempt recorded in the trail of
	// the identity its AccessKey stands for, which the request did not
	// prove (Call.Claimed).
	IdentityVerified string `json:"IdentityVerified,omitempty"`
}

type identity struct {
	Type        string `json:"type"`
	AccountID   string `json:"accountId"`
	PrincipalID string `json:"principalId"`
	UserName    string `json:"userName"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	// SessionContext names, for a role session, the role and who assumed
	// it.
	SessionContext *sessionContext `json:"sessionContext,omitempty"`
}

type sessionContext struct {
	Attributes struct {
		MFAAuthenticated string `json:"mfaAuthenticated"`
		CreationDate     string `json:"creationDate"`
	} `json:"attributes"`
	SessionIssuer struct {
		Type        string `json:"type"`
		PrincipalID string `json:"principalId"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		UserName    string `json:"userName"`
	} `json:"sessionIssuer"`
	// SourceIdentity is the identity that called AssumeRole.
	SourceIdentity struct {
		Type        string `json:"type"`
		AccountID   string `json:"accountId"`
		PrincipalID string `json:"principalId"`
		ARN         string `json:"arn"`
	} `json:"sourceIdentity"`
	issued int64 // creationDate in Unix seconds (see record.unixTime)
}

// RW is the eventRW value of a call.
func RW(write bool) string {
	if write {
		return "Write"
	}
	return "Read"
}

// Event builds the stored event of a call. Its data is the record's
// compact form: nearly every event is written once and never read, so the
// JSON is rendered when LookupEvents reads it (AppendRecordJSON), not per
// call.
func Event(c *Call) store.Event {
	var rec record
	ev := build(c, &rec)
	ev.Data = rec.appendCompact(nil)
	return ev
}

// sensitiveAttributes is eventAttributes of a sensitive action.
var sensitiveAttributes = paramList{{"SensitiveAction", "true"}}

// build fills in the call's record and returns its stored event without
// its data.
func build(c *Call, rec *record) store.Event {
	maxValue, maxParams := MaxValueBytes, MaxParamsBytes
	if c.Caller == nil && c.Claimed != nil {
		maxValue, maxParams = MaxUnverifiedValueBytes, MaxUnverifiedParamsBytes
	}
	params := paramList(c.SortedParams)
	switch {
	case params == nil:
		params = sortedParams(c.Params)
	case !strictlySorted(params):
		// Not what the field promises: order it as the map it stands for.
		m := make(map[string]string, len(params))
		for _, p := range params {
			m[p.Key] = p.Value
		}
		params = sortedParams(m)
	}
	params, truncated := bound(params, maxValue, maxParams)
	*rec = record{
		EventID: c.RequestID, EventVersion: "1", EventType: "ApiCall", EventCategory: "Management",
		EventName: c.Action, EventRW: RW(c.Write), EventSource: c.Host,
		unixTime: c.Time.Unix(), AcsRegion: DefaultRegion, ServiceName: c.Product,
		APIVersion: c.Version, RequestID: c.RequestID, SourceIPAddress: c.SourceIP, UserAgent: cut(c.UserAgent, MaxTextBytes),
		RequestParametersTruncated: truncated,
		ErrorCode:                  c.ErrorCode, ErrorMessage: cut(c.ErrorMsg, MaxTextBytes), AccessDenied: c.Denied,
	}
	if rec.sensitive = c.Sensitive; rec.sensitive {
		rec.EventAttributes = sensitiveAttributes
	}
	if c.EventType != "" {
		rec.EventType = c.EventType
	}
	ev := store.Event{ID: c.RequestID, Time: c.Time, EventName: c.Action, ServiceName: c.Product,
		EventRW: rec.EventRW, AccessKeyID: cut(c.AccessKeyID, MaxKeyBytes), ErrorCode: c.ErrorCode, Sensitive: c.Sensitive}
	rec.UserIdentity.AccessKeyID = ev.AccessKeyID
	rec.AdditionalEventData.Scheme = c.Scheme
	p := c.Caller
	if p == nil && c.Claimed != nil {
		p = c.Claimed
		rec.AdditionalEventData.IdentityVerified = "false"
	}
	if p != nil {
		rec.UserIdentity.Type = p.AuditType()
		rec.UserIdentity.AccountID = p.AccountID
		rec.UserIdentity.PrincipalID = p.PrincipalID()
		rec.UserIdentity.UserName = p.AuditUserName()
		ev.AccountID = p.AccountID
		ev.UserName = rec.UserIdentity.UserName
		if p.Kind == model.Root {
			ev.UserName = RootUser
		}
		if p.Session != nil {
			rec.UserIdentity.SessionContext = sessionOf(p)
		}
	}
	var fields [MaxGatewayFields]Param
	rec.RequestParameters = withFields(params, gatewayFields(c, p, &fields))
	if typ, name := ResourceOf(c.Resource); typ != "" {
		ev.ResourceType, ev.ResourceName = typ, name
		rec.ResourceType, rec.ResourceName = typ, name
		rec.ReferencedResources = resources{typ, name}
	}
	if c.Response != nil && c.ErrorCode == "" {
		rec.ResponseElements = responseElements(c.Response, c.IsSecret)
	}
	if c.Recipient != "" {
		ev.AccountID = c.Recipient
	}
	rec.RecipientAccountID = ev.AccountID
	return ev
}

// MaxGatewayFields is how many fields the gateway adds to a call's
// parameters at most (see Call.SortedParams).
const MaxGatewayFields = 7

// gatewayFields are the fields ActionTrail's gateway records with every
// call's parameters (after bounding: they are always kept), in name order;
// p is the identity the event is recorded for.
func gatewayFields(c *Call, p *model.Principal, dst *[MaxGatewayFields]Param) []Param {
	host := c.AcsHost
	if host == "" {
		host = c.Host
	}
	region := c.Region
	if region == "" {
		region = DefaultRegion
	}
	f := append(dst[:0], Param{"AcsHost", cut(host, MaxTextBytes)}, Param{"AcsProduct", c.Product},
		Param{"HostId", c.Host}, Param{"RegionId", cut(region, MaxKeyBytes)}, Param{"RequestId", c.RequestID})
	if p != nil && p.Session != nil {
		// ActionTrail's gateway extras for STS callers.
		s := p.Session
		f = append(f, Param{"stsTokenPlayerUid", s.Source.AccountID},
			Param{"stsTokenPrincipalName", s.RoleName + "/" + s.SessionName})
	}
	return f
}

// withFields returns params (sorted, unique names) with fields (the same)
// added, a field replacing a parameter of its name; it reuses params'
// room.
func withFields(params paramList, fields []Param) paramList {
	params = slices.DeleteFunc(params, func(p Param) bool {
		for _, f := range fields {
			if f.Key == p.Key {
				return true
			}
		}
		return false
	})
	// Merge from the back, into the room past params' end.
	i, j := len(params)-1, len(fields)-1
	params = slices.Grow(params, len(fields))[:len(params)+len(fields)]
	for k := len(params) - 1; j >= 0; k-- {
		if i >= 0 && params[i].Key > fields[j].Key {
			params[k] = params[i]
			i--
		} else {
			params[k] = fields[j]
			j--
		}
	}
	return params
}

// bound returns params (sorted, unique names) within the limits, and
// whether anything was cut or left out. Params within them (nearly every
// call's) are returned as they are (the event owns them); of the others,
// what fits is kept in name order, so what is kept does not depend on the
// order of arrival.
func bound(params paramList, maxValue, maxTotal int) (paramList, bool) {
	total := 0
	for _, p := range params {
		if len(p.Key) > MaxKeyBytes || len(p.Value) > maxValue {
			total = maxTotal + 1
			break
		}
		total += len(p.Key) + len(p.Value)
	}
	if total <= maxTotal {
		return params, false
	}
	out := make(paramList, 0, len(params)+MaxGatewayFields)
	kept := make(map[string]bool, len(params))
	truncated, total := false, 0
	for _, p := range params {
		k, v := p.Key, p.Value
		if len(k) > MaxKeyBytes || len(v) > maxValue {
			truncated = true
		}
		k, v = cut(k, MaxKeyBytes), cut(v, maxValue)
		if kept[k] || total+len(k)+len(v) > maxTotal {
			truncated = true
			continue
		}
		kept[k] = true
		total += len(k) + len(v)
		out = append(out, Param{k, v})
	}
	slices.SortFunc(out, compareParams) // names cut short may sort differently
	return out, truncated
}

// cut shortens s to at most n bytes without splitting a character.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// responseElements is a write's output as JSON values, secrets redacted,
// or a note when it is larger than MaxResponseBytes.
func responseElements(out any, isSecret func(string) bool) any {
	raw, err := json.Marshal(out)
	if err != nil {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	v = redact(v, isSecret)
	if raw, _ = json.Marshal(v); len(raw) > MaxResponseBytes {
		return map[string]any{"truncated": true}
	}
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		return nil // an answer of RequestId alone
	}
	return v
}

func redact(v any, isSecret func(string) bool) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if isSecret != nil && isSecret(k) {
				v[k] = Redacted
				continue
			}
			v[k] = redact(x, isSecret)
		}
	case []any:
		for i, x := range v {
			v[i] = redact(x, isSecret)
		}
	}
	return v
}

// resourceTypes names the ActionTrail resource type of each kind of
// resource ARN (acs:<service>::<account>:<kind>/<name>), by service.
var resourceTypes = map[string]map[string]string{
	"ram": {"user": "ACS::RAM::User", "group": "ACS::RAM::Group", "role": "ACS::RAM::Role",
		"policy": "ACS::RAM::Policy", "mfa": "ACS::RAM::VirtualMFADevice"},
	"resourcemanager": {"folder": "ACS::ResourceManager::Folder", "account": "ACS::ResourceManager::Account",
		"handshake": "ACS::ResourceManager::Handshake", "resourcedirectory": "ACS::ResourceManager::ResourceDirectory"},
}

// ResourceOf maps the ARN a call acted on to its event's resource type and
// name: acs:ram::<account>:user/alice is ("ACS::RAM::User", the ARN). The
// name is the whole ARN, which says the account and cannot be confused
// with an entity of the same name elsewhere. An ARN with a wildcard, or of
// no known kind, names no resource ("", "").
func ResourceOf(arn string) (typ, name string) {
	rest, ok := strings.CutPrefix(arn, "acs:")
	if !ok || strings.Contains(arn, "*") {
		return "", ""
	}
	service, rest, ok := strings.Cut(rest, ":")
	if ok {
		_, rest, ok = strings.Cut(rest, ":") // region (empty)
	}
	if ok {
		_, rest, ok = strings.Cut(rest, ":") // account
	}
	kind, _, found := strings.Cut(rest, "/")
	if typ = resourceTypes[service][kind]; !ok || !found || typ == "" {
		return "", ""
	}
	return typ, arn
}

func sessionOf(p *model.Principal) *sessionContext {
	s := p.Session
	var sc sessionContext
	sc.Attributes.MFAAuthenticated = "false"
	if p.MFAPresent {
		sc.Attributes.MFAAuthenticated = "true"
	}
	sc.issued = s.Issued.Unix()
	sc.SessionIssuer.Type, sc.SessionIssuer.PrincipalID = "role", s.RoleID
	sc.SessionIssuer.ARN, sc.SessionIssuer.AccountID = model.RoleARN(p.AccountID, s.RoleName), p.AccountID
	sc.SessionIssuer.UserName = s.RoleName
	sc.SourceIdentity.Type, sc.SourceIdentity.AccountID = s.Source.Type, s.Source.AccountID
	sc.SourceIdentity.PrincipalID, sc.SourceIdentity.ARN = s.Source.PrincipalID, s.Source.ARN
	return &sc
}
