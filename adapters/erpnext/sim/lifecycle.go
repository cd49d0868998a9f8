package sim

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
)

// Every method here runs under s.mu.

func (s *Server) doctype(name string) (*docType, error) {
	dt, ok := s.types[name]
	if !ok {
		return nil, newError(http.StatusNotFound, "DoesNotExistError", "DocType %s not found", name)
	}
	if s.denied[name] {
		return nil, newError(http.StatusForbidden, "PermissionError", "Insufficient Permission for %s", name)
	}
	return dt, nil
}

func (s *Server) writable(name string) (*docType, error) {
	dt, err := s.doctype(name)
	if err != nil {
		return nil, err
	}
	if dt.apiReadOnly {
		return nil, newError(http.StatusForbidden, "PermissionError", "No permission to write %s", name)
	}
	return dt, nil
}

// writableDoc finds a document the API user may change.
func (s *Server) writableDoc(doctype, name string) (*docType, doc, error) {
	dt, err := s.writable(doctype)
	if err != nil {
		return nil, nil, err
	}
	cur, ok := s.get(doctype, name)
	if !ok {
		return nil, nil, notFound(doctype, name)
	}
	return dt, cur, nil
}

// insert is POST /api/resource/{doctype}: validate, name, and with docstatus 1 submit in the same
// request, exactly as Document.insert does.
func (s *Server) insert(doctype string, d doc) (doc, error) {
	dt, err := s.writable(doctype)
	if err != nil {
		return nil, err
	}
	status := d.int("docstatus")
	switch {
	case status == 2:
		return nil, validation("DocstatusTransitionError", "Cannot insert a cancelled document")
	case status == 1 && !dt.submittable:
		return nil, validation("ValidationError", "%s is not submittable", doctype)
	}
	d["docstatus"] = status
	d["doctype"] = doctype
	// The site names documents itself (series, field or hash) and stamps them.
	for _, k := range []string{"name", "creation", "modified", "owner", "modified_by"} {
		delete(d, k)
	}
	for field := range dt.tables {
		for _, row := range d.rows(field) {
			delete(row, "name")
		}
	}
	if from := d.str("amended_from"); from != "" {
		name, err := s.amendedName(doctype, from)
		if err != nil {
			return nil, err
		}
		d["name"] = name
	}
	if err := s.validate(dt, d, ""); err != nil {
		return nil, err
	}
	if d.str("name") == "" {
		d["name"] = s.newName(dt, d)
	}
	if dt.dedupeName {
		d["name"] = s.freeName(doctype, d.str("name"))
	}
	if _, exists := s.get(doctype, d.str("name")); exists {
		return nil, newError(http.StatusConflict, "DuplicateEntryError", "%s %s already exists", doctype, d.str("name"))
	}
	s.stampChildren(dt, d)
	if status == 1 {
		if err := runHook(dt.onSubmit, d); err != nil {
			return nil, err
		}
	}
	return s.put(doctype, d), nil
}

// amendedName is Frappe's amendment naming: the cancelled original's name with "-1", "-2", ...
func (s *Server) amendedName(doctype, from string) (string, error) {
	orig, ok := s.get(doctype, from)
	if !ok {
		return "", linkMissing(doctype, from)
	}
	if orig.int("docstatus") != 2 {
		return "", validation("ValidationError", "Only a cancelled document can be amended: %s %s", doctype, from)
	}
	base, n := from, 0
	if i := strings.LastIndex(from, "-"); i > 0 && orig.str("amended_from") != "" {
		base = from[:i]
		_, _ = fmt.Sscanf(from[i+1:], "%d", &n)
	}
	for {
		n++
		name := fmt.Sprintf("%s-%d", base, n)
		if _, taken := s.get(doctype, name); !taken {
			return name, nil
		}
	}
}

// freeName appends " - 1", " - 2" ... to a name already taken, as ERPNext names a second Customer
// with the same customer_name: which is why matching customers by name goes wrong.
func (s *Server) freeName(doctype, name string) string {
	candidate := name
	for n := 1; ; n++ {
		if _, taken := s.get(doctype, candidate); !taken {
			return candidate
		}
		candidate = fmt.Sprintf("%s - %d", name, n)
	}
}

func runHook(hook func(doc) error, d doc) error {
	if hook == nil {
		return nil
	}
	return hook(d)
}

// validate runs mandatory, link, unique and controller checks. self is the name of the document
// being saved (empty on insert), excluded from the uniqueness check.
func (s *Server) validate(dt *docType, d doc, self string) error {
	for _, m := range dt.mandatory {
		if d.str(m[0]) == "" {
			return mandatory(dt.name, m[1])
		}
	}
	if dt.validate != nil {
		if err := dt.validate(d); err != nil {
			return err
		}
	}
	for field, target := range dt.links {
		if v := d.str(field); v != "" {
			if _, ok := s.get(target, v); !ok {
				return linkMissing(target, v)
			}
		}
	}
	for _, field := range dt.unique {
		v := d.str(field)
		if v == "" {
			continue
		}
		if name, taken := s.holder(dt.name, field, v); taken && name != self {
			if s.opts.UniqueAsValidationError {
				return validation("UniqueValidationError", "%s must be unique", field)
			}
			return newError(http.StatusConflict, "DuplicateEntryError", "%s %s already exists with %s %s", dt.name, name, field, v)
		}
	}
	return nil
}

// update is PUT /api/resource/{doctype}/{name}: it patches the document and, by the docstatus the
// patch carries, saves, submits or cancels it. Submitted documents take changes only to their
// allow_on_submit fields; cancelled ones take none.
func (s *Server) update(doctype, name string, patch doc) (doc, error) {
	dt, cur, err := s.writableDoc(doctype, name)
	if err != nil {
		return nil, err
	}
	if m := patch.str("modified"); m != "" && m != cur.str("modified") {
		return nil, validation("TimestampMismatchError", "Error: Document has been modified after you have opened it (%s, %s). Please refresh to get the latest document.", m, cur.str("modified"))
	}
	from := cur.int("docstatus")
	to := from
	if _, ok := patch["docstatus"]; ok {
		to = patch.int("docstatus")
	}
	for _, k := range []string{"name", "doctype", "creation", "modified", "owner", "modified_by", "docstatus"} {
		delete(patch, k)
	}
	switch {
	case from == 2:
		return nil, validation("ValidationError", "Cannot edit cancelled document")
	case from == 0 && to == 0, from == 0 && to == 1:
		next := cur.clone()
		maps.Copy(next, patch)
		if to == 1 && !dt.submittable {
			return nil, validation("ValidationError", "%s is not submittable", doctype)
		}
		if err := s.validate(dt, next, name); err != nil {
			return nil, err
		}
		next["docstatus"] = to
		s.stampChildren(dt, next)
		if to == 1 {
			if err := runHook(dt.onSubmit, next); err != nil {
				return nil, err
			}
		}
		s.touch(next)
		s.store(doctype, next)
		return next, nil
	case from == 1 && to == 1:
		for field, v := range patch {
			if !dt.allowOnSubmit[field] && fmt.Sprint(cur[field]) != fmt.Sprint(v) {
				return nil, validation("UpdateAfterSubmitError", "Not allowed to change %s after submission", field)
			}
		}
		next := cur.clone()
		maps.Copy(next, patch)
		if err := runHook(dt.validateAfterSubmit, next); err != nil {
			return nil, err
		}
		s.touch(next)
		s.store(doctype, next)
		return next, nil
	case from == 1 && to == 2:
		return s.cancel(doctype, name)
	default:
		return nil, validation("DocstatusTransitionError", "Cannot change docstatus from %d to %d", from, to)
	}
}

// cancel is frappe.client.cancel: only submitted documents, and only when no submitted document
// still links to this one (the controller hook checks that).
func (s *Server) cancel(doctype, name string) (doc, error) {
	dt, cur, err := s.writableDoc(doctype, name)
	if err != nil {
		return nil, err
	}
	if cur.int("docstatus") != 1 {
		return nil, validation("DocstatusTransitionError", "Cannot change docstatus from %d to 2", cur.int("docstatus"))
	}
	if err := runHook(dt.onCancel, cur); err != nil {
		return nil, err
	}
	cur["docstatus"] = 2
	if _, ok := cur["status"]; ok {
		cur["status"] = "Cancelled"
	}
	s.stampChildren(dt, cur)
	s.touch(cur)
	return cur, nil
}

// remove is DELETE: drafts only.
func (s *Server) remove(doctype, name string) error {
	_, cur, err := s.writableDoc(doctype, name)
	if err != nil {
		return err
	}
	if cur.int("docstatus") == 1 {
		return validation("ValidationError", "Submitted Record cannot be deleted. You must Cancel it first.")
	}
	s.unstore(doctype, name)
	return nil
}

// listQuery is a parsed GET /api/resource/{doctype}.
type listQuery struct {
	fields     []string
	conditions []condition
	orConds    []condition
	order      []sortKey
	start      int
	pageLength int
}

func (s *Server) list(doctype string, q listQuery) ([]doc, error) {
	dt, err := s.doctype(doctype)
	if err != nil {
		return nil, err
	}
	var matched []doc
	for _, d := range s.candidates(dt, q.conditions) {
		if matchesAll(d, q.conditions) && matchesAny(d, q.orConds) {
			matched = append(matched, d)
		}
	}
	sortDocs(matched, q.order)
	if q.start >= len(matched) {
		return []doc{}, nil
	}
	matched = matched[q.start:]
	if q.pageLength > 0 && len(matched) > q.pageLength {
		matched = matched[:q.pageLength]
	}
	out := make([]doc, len(matched))
	for i, d := range matched {
		out[i] = d.project(q.fields)
	}
	return out, nil
}

func matchesAll(d doc, cs []condition) bool {
	for _, c := range cs {
		if !c.matches(d) {
			return false
		}
	}
	return true
}

func matchesAny(d doc, cs []condition) bool {
	if len(cs) == 0 {
		return true
	}
	for _, c := range cs {
		if c.matches(d) {
			return true
		}
	}
	return false
}
