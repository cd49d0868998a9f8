package mapping

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/retailsync/retailsync/api/v1alpha1"
)

const (
	// MaxStatusErrors is how many errors status.errors keeps (the schema's maxItems).
	MaxStatusErrors = 50
	// maxStatusMessage is the schema's maxLength of status.errors[*].message.
	maxStatusMessage = 1024
)

// StatusErrors turns Compile's errors into status.errors: the first MaxStatusErrors, each message
// cut to the schema's limit, and the total count for status.errorCount.
func StatusErrors(errs field.ErrorList) ([]v1alpha1.MappingSetError, int32) {
	out := make([]v1alpha1.MappingSetError, 0, min(len(errs), MaxStatusErrors))
	for _, e := range errs[:min(len(errs), MaxStatusErrors)] {
		out = append(out, v1alpha1.MappingSetError{Path: e.Field, Message: truncate(e.ErrorBody(), maxStatusMessage)})
	}
	return out, int32(len(errs))
}

// truncate cuts s to at most n bytes without splitting a UTF-8 character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "..."
	cut := n - len(ellipsis)
	for cut > 0 && s[cut]&0xC0 == 0x80 { // continuation byte
		cut--
	}
	return s[:cut] + ellipsis
}

// Validate compiles the spec and returns only its errors: the MappingSet controller's check.
func Validate(name string, spec *v1alpha1.MappingSetSpec) field.ErrorList {
	_, errs := Compile(name, spec)
	return errs
}
