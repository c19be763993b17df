// Package trailapi declares the Actiontrail 2020-07-06 actions.
package trailapi

import (
	"encoding/json"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/model"
)

// Product is Actiontrail 2020-07-06.
var Product = &api.Product{Code: "Actiontrail", Version: "2020-07-06", Host: "actiontrail.aliyuncs.com", Prefix: "actiontrail"}

// Register adds the ActionTrail actions to the registry. recent is this
// node's not yet folded events (nil: none), which LookupEvents also reads.
func Register(r *api.Registry, recent audit.Recent) {
	api.Register(r, api.Action[lookupEventsInput, lookupEventsOutput]{
		Spec: api.Spec{Products: []*api.Product{Product}, Name: "LookupEvents"},
		Resource: func(p *model.Principal, _ *lookupEventsInput) string {
			return "acs:actiontrail:*:" + p.AccountID + ":*"
		},
		Handle: func(c *api.Call, in *lookupEventsInput) (*lookupEventsOutput, error) {
			return lookupEvents(c, recent, in)
		},
	})
}

type lookupAttribute struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

type lookupEventsInput struct {
	StartTime       string            `param:"StartTime"`
	EndTime         string            `param:"EndTime"`
	NextToken       string            `param:"NextToken"`
	MaxResults      string            `param:"MaxResults"`
	Direction       string            `param:"Direction"`
	LookupAttribute []lookupAttribute `param:"LookupAttribute"`
}

type lookupEventsOutput struct {
	StartTime string
	EndTime   string
	NextToken string `json:",omitempty"`
	Events    []json.RawMessage
}

func lookupEvents(c *api.Call, recent audit.Recent, in *lookupEventsInput) (*lookupEventsOutput, error) {
	q := audit.LookupQuery{AccountID: c.AccountID(), Start: in.StartTime, End: in.EndTime, NextToken: in.NextToken,
		MaxResults: in.MaxResults, Direction: in.Direction}
	switch len(in.LookupAttribute) {
	case 0:
	case 1:
		q.Attribute, q.Value = in.LookupAttribute[0].Key, in.LookupAttribute[0].Value
	default:
		return nil, lookupOneAttribute()
	}
	res, err := audit.Lookup(c.Tx, recent, q, c.Now)
	if err != nil {
		return nil, err
	}
	return &lookupEventsOutput{StartTime: res.Start.UTC().Format(audit.TimeLayout),
		EndTime: res.End.UTC().Format(audit.TimeLayout), NextToken: res.NextToken, Events: res.Events}, nil
}

func lookupOneAttribute() error {
	return audit.CodeInvalidQuery.New("Only one LookupAttribute can be used at a time.")
}
