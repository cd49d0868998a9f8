package mapping

import (
	"fmt"

	"github.com/retailsync/retailsync/api/v1alpha1"
	"github.com/retailsync/retailsync/internal/canonical"
)

// PublishProduct reports whether an ERP item goes to the store: the product.publish expression when
// the MappingSet has one, otherwise every item that is not disabled.
func (m *Mapper) PublishProduct(p *canonical.Product) (bool, error) {
	vars := func() map[string]any { return map[string]any{productVar.name: productVars(p)} }
	publish, set, err := computeField[bool](m, v1alpha1.FieldProductPublish, vars, fmt.Sprintf("product %q", p.ItemCode))
	if err != nil || set {
		return publish, err
	}
	return !p.Disabled, nil
}
