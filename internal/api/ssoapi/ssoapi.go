// Package ssoapi declares the CloudSSO (cloudsso 2021-05-15) actions: one
// registry entry per action with its permission (cloudsso:<Action>), its
// resource, typed input and the darabonba-era response shape, all served
// by the cloudsso service.
//
// Wire conventions differ from RAM and RD: lists are bare JSON arrays
// under a plural key, numbers and booleans are JSON values, and paged
// lists carry NextToken/MaxResults/IsTruncated and TotalCounts. Times are
// UTC seconds (2006-01-02T15:04:05Z).
//
// Resources: directory-scoped calls act on
// acs:cloudsso:*:<caller account>:directory/<DirectoryId>; the service and
// directory-less calls (EnableService, GetServiceStatus, CreateDirectory,
// ListDirectories) on "*".
package ssoapi

import (
	"time"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
	"github.com/canopy-iam/canopy/internal/model"
)

// Product is CloudSSO 2021-05-15. The RPC front routes by version, so V3
// (x-acs-version) and V1 (Version=) clients reach it alike.
var Product = &api.Product{Code: "cloudsso", Version: "2021-05-15", Host: "cloudsso.aliyuncs.com", Prefix: "cloudsso"}

// sso declares the CloudSSO actions.
var sso = api.Products{Product}

// Register adds the CloudSSO actions to the registry.
func Register(r *api.Registry, svc *cloudsso.Service) {
	registerDirectories(r, svc)
	registerUsers(r, svc)
	registerGroups(r, svc)
	registerSettings(r, svc)
	registerAccess(r, svc)
	registerSCIM(r, svc)
}

// fmtTime is CloudSSO's time format: UTC to the second.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// anything is the resource of service-wide calls.
func anything[In any](*model.Principal, *In) string { return "*" }

// DirectoryARN names a directory for authorization and audit.
func DirectoryARN(accountID, directoryID string) string {
	if directoryID == "" {
		directoryID = "*"
	}
	return "acs:cloudsso:*:" + accountID + ":directory/" + directoryID
}

// inDirectory is embedded by every directory-scoped input.
type inDirectory struct {
	DirectoryID string `param:"DirectoryId"`
}

func (d *inDirectory) directoryID() string { return d.DirectoryID }

// directoryScoped is what directory-scoped inputs share.
type directoryScoped interface{ directoryID() string }

// onDirectory is the resource of a directory-scoped call.
func onDirectory[In any, P interface {
	*In
	directoryScoped
}](p *model.Principal, in *In) string {
	return DirectoryARN(p.AccountID, P(in).directoryID())
}

// pageIn is the paging of NextToken lists.
type pageIn struct {
	MaxResults *int   `param:"MaxResults"`
	NextToken  string `param:"NextToken"`
}

func (p pageIn) page() cloudsso.Page {
	return cloudsso.Page{MaxResults: p.MaxResults, NextToken: p.NextToken}
}

// paging is the fields of a paged list's answer.
type paging struct {
	IsTruncated bool
	NextToken   string `json:",omitempty"`
	MaxResults  int
	TotalCounts int
}

func pagingOf[T any](l cloudsso.Listed[T]) paging {
	return paging{IsTruncated: l.IsTruncated, NextToken: l.NextToken, MaxResults: l.MaxResults, TotalCounts: l.TotalCounts}
}
