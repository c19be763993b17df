package audit

import "encoding/json"

// appendJSON appends the record as encoding/json writes it (same fields,
// order, omissions and escaping; TestRecordEncodingEqualsEncodingJSON
// holds the two equal), without reflection: every call builds one, and
// encoding/json spent a tenth of a GetCallerIdentity's CPU on it. The
// rare free-form parts (responseElements, accessDeniedDetail,
// eventAttributes, a session's context) still go through encoding/json.
func (r *record) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = field(b, "eventId", r.EventID, true)
	b = field(b, "eventVersion", r.EventVersion, false)
	b = field(b, "eventType", r.EventType, false)
	b = field(b, "eventCategory", r.EventCategory, false)
	b = field(b, "eventName", r.EventName, false)
	b = field(b, "eventRW", r.EventRW, false)
	b = field(b, "eventSource", r.EventSource, false)
	b = field(b, "eventTime", r.EventTime, false)
	b = field(b, "acsRegion", r.AcsRegion, false)
	b = field(b, "serviceName", r.ServiceName, false)
	b = field(b, "apiVersion", r.APIVersion, false)
	b = field(b, "requestId", r.RequestID, false)
	b = field(b, "sourceIpAddress", r.SourceIPAddress, false)
	b = field(b, "userAgent", r.UserAgent, false)
	b = append(b, `,"userIdentity":`...)
	b = r.UserIdentity.appendJSON(b)
	b = append(b, `,"requestParameters":`...)
	b = r.RequestParameters.appendJSON(b)
	if r.RequestParametersTruncated {
		b = append(b, `,"requestParametersTruncated":true`...)
	}
	if r.ResponseElements != nil {
		b = anyField(b, "responseElements", r.ResponseElements)
	}
	if a := r.AdditionalEventData; a != nil {
		b = append(b, `,"additionalEventData":{`...)
		first := true
		if a.Scheme != "" {
			b, first = field(b, "Scheme", a.Scheme, first), false
		}
		if a.IdentityVerified != "" {
			b = field(b, "IdentityVerified", a.IdentityVerified, first)
		}
		b = append(b, '}')
	}
	if r.ReferencedResources != nil {
		b = append(b, `,"referencedResources":`...)
		b = r.ReferencedResources.appendJSON(b)
	}
	if len(r.EventAttributes) > 0 {
		b = append(b, `,"eventAttributes":`...)
		b = stringMap(r.EventAttributes).appendJSON(b)
	}
	if r.ResourceType != "" {
		b = field(b, "resourceType", r.ResourceType, false)
	}
	if r.ResourceName != "" {
		b = field(b, "resourceName", r.ResourceName, false)
	}
	b = field(b, "errorCode", r.ErrorCode, false)
	b = field(b, "errorMessage", r.ErrorMessage, false)
	if r.AccessDenied != nil {
		b = anyField(b, "accessDeniedDetail", r.AccessDenied)
	}
	if r.RecipientAccountID != "" {
		b = field(b, "recipientAccountId", r.RecipientAccountID, false)
	}
	return append(b, '}')
}

func (id *identity) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = field(b, "type", id.Type, true)
	b = field(b, "accountId", id.AccountID, false)
	b = field(b, "principalId", id.PrincipalID, false)
	b = field(b, "userName", id.UserName, false)
	if id.AccessKeyID != "" {
		b = field(b, "accessKeyId", id.AccessKeyID, false)
	}
	if id.SessionContext != nil {
		b = anyField(b, "sessionContext", id.SessionContext)
	}
	return append(b, '}')
}

// field appends "name":"value", after a comma unless first. Names are
// plain ASCII and need no escaping.
func field(b []byte, name, value string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// anyField appends ,"name":<value as encoding/json writes it>. The values
// are decoded JSON, error details and fixed structs: they always encode.
func anyField(b []byte, name string, v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic("audit: encode event: " + err.Error())
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return append(b, raw...)
}
