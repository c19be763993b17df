package iamapi

import "github.com/canopy-iam/canopy/internal/iam"

// ListIn is the input of the list calls that take nothing but paging.
type ListIn struct {
	Marker   string `param:"Marker"`
	MaxItems *int   `param:"MaxItems"`
}

// Page asks for the page the input names, with the service's defaults.
func (in *ListIn) Page() iam.PageRequest {
	return iam.PageRequest{Marker: in.Marker, MaxItems: in.MaxItems}
}

// GroupMembersIn is the input of ListUsersForGroup.
type GroupMembersIn struct {
	GroupName string `param:"GroupName,required"`
	Marker    string `param:"Marker"`
	MaxItems  *int   `param:"MaxItems"`
}

// Page asks for the page the input names, with the service's defaults.
func (in *GroupMembersIn) Page() iam.PageRequest {
	return iam.PageRequest{Marker: in.Marker, MaxItems: in.MaxItems}
}

// PageOut is the paging part of a list response.
type PageOut struct {
	IsTruncated bool
	Marker      string `json:",omitempty"`
}

// PageInfo is the paging part of the response of a page.
func PageInfo[T any](p iam.Page[T]) PageOut {
	return PageOut{IsTruncated: p.IsTruncated, Marker: p.Marker}
}

// MapAll converts a list, never returning nil: the SDKs expect a JSON
// array, not null, inside every list wrapper.
func MapAll[T, U any](in []T, f func(*T) U) []U {
	out := make([]U, len(in))
	for i := range in {
		out[i] = f(&in[i])
	}
	return out
}
