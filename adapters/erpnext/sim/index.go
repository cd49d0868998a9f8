package sim

// uniqueIndex maps (doctype, unique field, value) to the document holding the value, so that the
// uniqueness check and the lookups by external id stay O(1) as a benchmark's site grows.
type uniqueIndex map[[3]string]string

// store puts d in the site under its name and keeps the unique index in step.
func (s *Server) store(doctype string, d doc) {
	name := d.str("name")
	if old, ok := s.docs[doctype][name]; ok {
		s.unindex(doctype, old)
	}
	if s.docs[doctype] == nil {
		s.docs[doctype] = map[string]doc{}
	}
	s.docs[doctype][name] = d
	if dt := s.types[doctype]; dt != nil {
		for _, f := range dt.unique {
			if v := d.str(f); v != "" {
				s.unique[[3]string{doctype, f, v}] = name
			}
		}
	}
}

func (s *Server) unstore(doctype, name string) {
	if d, ok := s.docs[doctype][name]; ok {
		s.unindex(doctype, d)
		delete(s.docs[doctype], name)
	}
}

func (s *Server) unindex(doctype string, d doc) {
	if dt := s.types[doctype]; dt != nil {
		for _, f := range dt.unique {
			key := [3]string{doctype, f, d.str(f)}
			if s.unique[key] == d.str("name") {
				delete(s.unique, key)
			}
		}
	}
}

// holder returns the document holding value in a unique field.
func (s *Server) holder(doctype, field, value string) (string, bool) {
	name, ok := s.unique[[3]string{doctype, field, value}]
	return name, ok
}

// candidates narrows a list to the one document an "=" condition on a unique field can match;
// otherwise every document of the doctype is a candidate.
func (s *Server) candidates(dt *docType, conds []condition) map[string]doc {
	for _, c := range conds {
		v, isStr := c.value.(string)
		if c.table != "" || c.op != "=" || !isStr {
			continue
		}
		for _, f := range dt.unique {
			if f == c.field {
				out := map[string]doc{}
				if name, ok := s.holder(dt.name, f, v); ok {
					out[name] = s.docs[dt.name][name]
				}
				return out
			}
		}
	}
	return s.docs[dt.name]
}
