package sim

import (
	"net/http"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

func variationMeta(v woocommerce.Variation) listed {
	return listed{id: v.ID, created: v.DateCreatedGMT.Time, modified: v.DateModifiedGMT.Time, title: v.SKU}
}

// parent returns the variable product named in the path. Called with s.mu held.
func (s *Sim) parent(id int64) (*woocommerce.Product, *restError) {
	p, ok := s.products[id]
	if !ok {
		return nil, invalidID("product", http.StatusNotFound)
	}
	return p, nil
}

// variation returns a variation of parent. Called with s.mu held.
func (s *Sim) variation(parentID, id int64, missing int) (*woocommerce.Variation, *restError) {
	v, ok := s.variations[id]
	if !ok || v.ParentID != parentID {
		return nil, invalidID("product_variation", missing)
	}
	return v, nil
}

func (s *Sim) listVariations(w http.ResponseWriter, r *http.Request) (int, any, *restError) {
	lq, e := s.parseList(r)
	if e != nil {
		return 0, nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.parent(pathID(r, "id"))
	if e != nil {
		return 0, nil, e
	}
	var items []woocommerce.Variation
	for _, vid := range p.Variations {
		items = append(items, *s.variations[vid])
	}
	return http.StatusOK, cloneJSON(paginate(w, r, lq, items, variationMeta)), nil
}

func (s *Sim) getVariation(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, e := s.variation(pathID(r, "id"), pathID(r, "vid"), http.StatusNotFound)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, cloneJSON(*v), nil
}

func (s *Sim) createVariation(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in productInput
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	v, e := s.createVariationFrom(pathID(r, "id"), in)
	return http.StatusCreated, v, e
}

func (s *Sim) createVariationFrom(parentID int64, in productInput) (woocommerce.Variation, *restError) {
	if e := in.validate(); e != nil {
		return woocommerce.Variation{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.parent(parentID)
	if e != nil {
		return woocommerce.Variation{}, e
	}
	if in.SKU != nil {
		if owner := s.skuOwner(*in.SKU, 0); owner != 0 {
			return woocommerce.Variation{}, duplicateSKU(*in.SKU, owner)
		}
	}
	v := &woocommerce.Variation{ID: s.nextPostID, ParentID: p.ID, Status: "publish",
		Attributes: in.Attributes, MetaData: []woocommerce.MetaData{},
		Price: woocommerce.BlankMoney(), RegularPrice: woocommerce.BlankMoney(), SalePrice: woocommerce.BlankMoney()}
	s.nextPostID++
	if v.Attributes == nil {
		v.Attributes = []woocommerce.Attribute{}
	}
	in.apply(variationFields(v))
	v.DateCreated, v.DateCreatedGMT = s.stamp(s.now())
	v.DateModified, v.DateModifiedGMT = v.DateCreated, v.DateCreatedGMT
	s.variations[v.ID] = v
	p.Variations = append(p.Variations, v.ID)
	s.emit("product", "created", v.ID)
	return cloneJSON(*v), nil
}

func (s *Sim) updateVariation(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in productInput
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	v, e := s.updateVariationFrom(pathID(r, "id"), pathID(r, "vid"), in)
	return http.StatusOK, v, e
}

func (s *Sim) updateVariationFrom(parentID, id int64, in productInput) (woocommerce.Variation, *restError) {
	if e := in.validate(); e != nil {
		return woocommerce.Variation{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, e := s.variation(parentID, id, http.StatusBadRequest)
	if e != nil {
		return woocommerce.Variation{}, e
	}
	if in.SKU != nil {
		if owner := s.skuOwner(*in.SKU, id); owner != 0 {
			return woocommerce.Variation{}, duplicateSKU(*in.SKU, owner)
		}
	}
	if in.Status != nil {
		v.Status = *in.Status
	}
	in.apply(variationFields(v))
	s.touchVariation(v)
	return cloneJSON(*v), nil
}

// touchVariation stamps a change; variations fire product.* webhooks with their own id.
func (s *Sim) touchVariation(v *woocommerce.Variation) {
	v.DateModified, v.DateModifiedGMT = s.stamp(s.now())
	s.emit("product", "updated", v.ID)
}

func (s *Sim) deleteVariation(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	v, e := s.deleteVariationByID(pathID(r, "id"), pathID(r, "vid"))
	return http.StatusOK, v, e
}

func (s *Sim) deleteVariationByID(parentID, id int64) (woocommerce.Variation, *restError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, e := s.variation(parentID, id, http.StatusNotFound)
	if e != nil {
		return woocommerce.Variation{}, e
	}
	delete(s.variations, id)
	if p, ok := s.products[parentID]; ok {
		for i, vid := range p.Variations {
			if vid == id {
				p.Variations = append(p.Variations[:i], p.Variations[i+1:]...)
				break
			}
		}
	}
	s.emit("product", "deleted", id)
	return cloneJSON(*v), nil
}
