// Package audit records every API call as an ActionTrail event and answers
// LookupEvents. Events of calls that wrote state are stored in the same
// transaction as the write; the others go through a group-commit appender.
package audit

import (
	"encoding/json"
	"time"

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
	RequestID   string
	Time        time.Time
	Product     string // serviceName, e.g. "Ram"
	Version     string
	Action      string
	Write       bool
	Host        string
	SourceIP    string
	UserAgent   string
	Caller      *model.Principal  // nil when the caller could not be identified
	AccessKeyID string            // the key named by the request, even if unknown
	Params      map[string]string // owned by this event: Event may add to it
	ErrorCode   string
	ErrorMsg    string
	Denied      any // AccessDeniedDetail of a refusal, if any
	// Recipient, when set, is the account whose trail gets this copy of
	// the event; by default the caller's.
	Recipient string
	// EventType is "" for an API call (ApiCall), ConsoleOperation for a
	// call the console made for a signed-in person.
	EventType string
}

// record is the ActionTrail event shape (field names are ActionTrail's).
type record struct {
	EventID           string            `json:"eventId"`
	EventVersion      string            `json:"eventVersion"`
	EventType         string            `json:"eventType"`
	EventCategory     string            `json:"eventCategory"`
	EventName         string            `json:"eventName"`
	EventRW           string            `json:"eventRW"`
	EventSource       string            `json:"eventSource"`
	EventTime         string            `json:"eventTime"`
	AcsRegion         string            `json:"acsRegion"`
	ServiceName       string            `json:"serviceName"`
	APIVersion        string            `json:"apiVersion"`
	RequestID         string            `json:"requestId"`
	SourceIPAddress   string            `json:"sourceIpAddress"`
	UserAgent         string            `json:"userAgent"`
	UserIdentity      identity          `json:"userIdentity"`
	RequestParameters map[string]string `json:"requestParameters"`
	ErrorCode         string            `json:"errorCode"`
	ErrorMessage      string            `json:"errorMessage"`
	AccessDenied      any               `json:"accessDeniedDetail,omitempty"`
	// RecipientAccountID is the account whose trail holds this copy of
	// the event (the caller's, or a role's owner for its AssumeRole).
	RecipientAccountID string `json:"recipientAccountId,omitempty"`
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
}

// RW is the eventRW value of a call.
func RW(write bool) string {
	if write {
		return "Write"
	}
	return "Read"
}

// Event builds the stored event of a call.
func Event(c *Call) store.Event {
	rec := record{
		EventID: c.RequestID, EventVersion: "1", EventType: "ApiCall", EventCategory: "Management",
		EventName: c.Action, EventRW: RW(c.Write), EventSource: c.Host,
		EventTime: c.Time.UTC().Format(TimeLayout), AcsRegion: "cn-hangzhou", ServiceName: c.Product,
		APIVersion: c.Version, RequestID: c.RequestID, SourceIPAddress: c.SourceIP, UserAgent: c.UserAgent,
		RequestParameters: c.Params, ErrorCode: c.ErrorCode, ErrorMessage: c.ErrorMsg, AccessDenied: c.Denied,
	}
	if c.EventType != "" {
		rec.EventType = c.EventType
	}
	ev := store.Event{ID: c.RequestID, Time: c.Time, EventName: c.Action, ServiceName: c.Product,
		EventRW: rec.EventRW, AccessKeyID: c.AccessKeyID, ErrorCode: c.ErrorCode}
	rec.UserIdentity.AccessKeyID = c.AccessKeyID
	if p := c.Caller; p != nil {
		rec.UserIdentity.Type = p.AuditType()
		rec.UserIdentity.AccountID = p.AccountID
		rec.UserIdentity.PrincipalID = p.PrincipalID()
		rec.UserIdentity.UserName = p.AuditUserName()
		ev.AccountID = p.AccountID
		ev.UserName = p.AuditUserName()
		if p.Kind == model.Root {
			ev.UserName = RootUser
		}
		if s := p.Session; s != nil {
			rec.UserIdentity.SessionContext = sessionOf(p)
			// ActionTrail's gateway extras for STS callers (Params is the
			// event's own map: the caller builds one per event).
			if rec.RequestParameters == nil {
				rec.RequestParameters = map[string]string{}
			}
			rec.RequestParameters["stsTokenPrincipalName"] = s.RoleName + "/" + s.SessionName
			rec.RequestParameters["stsTokenPlayerUid"] = s.Source.AccountID
		}
	}
	if c.Recipient != "" {
		ev.AccountID = c.Recipient
	}
	rec.RecipientAccountID = ev.AccountID
	data, err := json.Marshal(&rec)
	if err != nil {
		// Every field is a string or a map of strings: Marshal cannot fail.
		panic("audit: encode event: " + err.Error())
	}
	ev.Data = data
	return ev
}

func sessionOf(p *model.Principal) *sessionContext {
	s := p.Session
	var sc sessionContext
	sc.Attributes.MFAAuthenticated = "false"
	if p.MFAPresent {
		sc.Attributes.MFAAuthenticated = "true"
	}
	sc.Attributes.CreationDate = s.Issued.UTC().Format(TimeLayout)
	sc.SessionIssuer.Type, sc.SessionIssuer.PrincipalID = "role", s.RoleID
	sc.SessionIssuer.ARN, sc.SessionIssuer.AccountID = model.RoleARN(p.AccountID, s.RoleName), p.AccountID
	sc.SessionIssuer.UserName = s.RoleName
	sc.SourceIdentity.Type, sc.SourceIdentity.AccountID = s.Source.Type, s.Source.AccountID
	sc.SourceIdentity.PrincipalID, sc.SourceIdentity.ARN = s.Source.PrincipalID, s.Source.ARN
	return &sc
}
