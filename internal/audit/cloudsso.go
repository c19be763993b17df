package audit

import (
	"encoding/json"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// CloudSSOUserType is userIdentity.type of what a CloudSSO user does in
// the user portal (a CloudSSO user is no RAM identity).
const CloudSSOUserType = "cloudsso-user"

// PortalEvent is one thing a CloudSSO user did in the user portal: a
// sign-in attempt (EventName ConsoleSignin), or a step of it or an entry
// into a member (ChangePassword, BindMFADevice, AssumeRoleWithSAML).
type PortalEvent struct {
	RequestID   string
	Time        time.Time
	AccountID   string // the trail's account (the directory's owner, or the member entered)
	OwnerID     string // the management account owning the directory
	DirectoryID string
	UserName    string
	UserID      string // "" when no such user exists
	EventName   string
	ServiceName string
	Params      map[string]string
	MFAChecked  bool
	SourceIP    string
	UserAgent   string
	ErrorCode   string
	ErrorMsg    string
}

type portalRecord struct {
	record
	AdditionalEventData struct {
		IsMFAChecked string `json:"isMFAChecked"`
		LoginAccount string `json:"loginAccount"`
		LoginResult  string `json:"loginResult,omitempty"`
		DirectoryID  string `json:"directoryId"`
	} `json:"additionalEventData"`
}

// Portal builds the stored event of a portal action. The indexed user is
// the CloudSSO user's name, so LookupEvents User=<name> finds it.
func Portal(p *PortalEvent) store.Event {
	signin := p.EventName == ConsoleSigninType
	rw := RW(true)
	typ := ConsoleOperation
	if signin {
		typ = ConsoleSigninType
	}
	params := p.Params
	if params == nil {
		params = map[string]string{}
	}
	rec := portalRecord{record: record{
		EventID: p.RequestID, EventVersion: "1", EventType: typ, EventCategory: "Management",
		EventName: p.EventName, EventRW: rw, EventSource: "signin.alibabacloudsso.com",
		EventTime: p.Time.UTC().Format(TimeLayout), AcsRegion: DefaultRegion, ServiceName: p.ServiceName,
		RequestID: p.RequestID, SourceIPAddress: p.SourceIP, UserAgent: cut(p.UserAgent, MaxTextBytes),
		RequestParameters: sortedParams(params), ErrorCode: p.ErrorCode, ErrorMessage: cut(p.ErrorMsg, MaxTextBytes),
		RecipientAccountID: p.AccountID,
	}}
	rec.UserIdentity.Type = CloudSSOUserType
	rec.UserIdentity.AccountID = p.OwnerID
	rec.UserIdentity.PrincipalID = p.UserID
	rec.UserIdentity.UserName = p.UserName
	rec.AdditionalEventData.IsMFAChecked = "false"
	if p.MFAChecked {
		rec.AdditionalEventData.IsMFAChecked = "true"
	}
	rec.AdditionalEventData.LoginAccount = p.UserName
	rec.AdditionalEventData.DirectoryID = p.DirectoryID
	if signin {
		rec.AdditionalEventData.LoginResult = "success"
		if p.ErrorCode != "" {
			rec.AdditionalEventData.LoginResult = "fail"
		}
	}
	data, err := json.Marshal(&rec)
	if err != nil {
		panic("audit: encode portal event: " + err.Error()) // strings only: cannot fail
	}
	return store.Event{ID: p.RequestID, Time: p.Time, AccountID: p.AccountID, EventName: p.EventName,
		ServiceName: p.ServiceName, EventRW: rw, UserName: p.UserName, ErrorCode: p.ErrorCode, Data: data}
}
