package audit

import "encoding/json"

// appendJSON appends the record as encoding/json writes it (same fields,
// order, omissions and escaping; TestRecordEncodingEqualsEncodingJSON
// holds the two equal), without reflection: every call builds one, and
// encoding/json spent a tenth of a GetCallerIdentity's CPU on it. The
// rare free-form parts (responseElements, accessDeniedDetail) still go
// through encoding/json.
func (r *record) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = fields(b, []nameValue{{"eventId", r.EventID}, {"eventVersion", r.EventVersion}, {"eventType", r.EventType},
		{"eventCategory", r.EventCategory}, {"eventName", r.EventName}, {"eventRW", r.EventRW},
		{"eventSource", r.EventSource}, {"eventTime", r.EventTime}, {"acsRegion", r.AcsRegion},
		{"serviceName", r.ServiceName}, {"apiVersion", r.APIVersion}, {"requestId", r.RequestID},
		{"sourceIpAddress", r.SourceIPAddress}, {"userAgent", r.UserAgent}})
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
	if a := &r.AdditionalEventData; *a != (additionalData{}) {
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
	if r.ReferencedResources != (resources{}) {
		b = append(b, `,"referencedResources":`...)
		b = r.ReferencedResources.appendJSON(b)
	}
	if len(r.EventAttributes) > 0 {
		b = append(b, `,"eventAttributes":`...)
		b = r.EventAttributes.appendJSON(b)
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
	b = fields(b, []nameValue{{"type", id.Type}, {"accountId", id.AccountID}, {"principalId", id.PrincipalID},
		{"userName", id.UserName}})
	if id.AccessKeyID != "" {
		b = field(b, "accessKeyId", id.AccessKeyID, false)
	}
	if id.SessionContext != nil {
		b = append(b, `,"sessionContext":`...)
		b = id.SessionContext.appendJSON(b)
	}
	return append(b, '}')
}

// appendJSON writes a role session's context: every call made with STS
// credentials records one, and encoding/json's reflection over it cost
// such a call more than the rest of its record.
func (s *sessionContext) appendJSON(b []byte) []byte {
	a, i, src := &s.Attributes, &s.SessionIssuer, &s.SourceIdentity
	b = append(b, `{"attributes":{`...)
	b = fields(b, []nameValue{{"mfaAuthenticated", a.MFAAuthenticated}, {"creationDate", a.CreationDate}})
	b = append(b, `},"sessionIssuer":{`...)
	b = fields(b, []nameValue{{"type", i.Type}, {"principalId", i.PrincipalID}, {"arn", i.ARN},
		{"accountId", i.AccountID}, {"userName", i.UserName}})
	b = append(b, `},"sourceIdentity":{`...)
	b = fields(b, []nameValue{{"type", src.Type}, {"accountId", src.AccountID}, {"principalId", src.PrincipalID},
		{"arn", src.ARN}})
	return append(b, '}', '}')
}

type nameValue struct{ name, value string }

// fields appends the string fields in order, the first without a comma.
func fields(b []byte, fs []nameValue) []byte {
	for i, f := range fs {
		b = field(b, f.name, f.value, i == 0)
	}
	return b
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
