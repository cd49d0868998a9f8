package sim

import (
	"net/http"
	"net/mail"
	"strings"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

type customerInput struct {
	Email     *string                `json:"email"`
	FirstName *string                `json:"first_name"`
	LastName  *string                `json:"last_name"`
	Username  *string                `json:"username"`
	Billing   *woocommerce.Address   `json:"billing"`
	Shipping  *woocommerce.Address   `json:"shipping"`
	MetaData  []woocommerce.MetaData `json:"meta_data"`
}

func customerMeta(c woocommerce.Customer) listed {
	return listed{id: c.ID, created: c.DateCreatedGMT.Time, modified: c.DateModifiedGMT.Time, title: c.LastName + " " + c.FirstName}
}

// emailOwner returns the customer with email, other than self. Called with s.mu held.
func (s *Sim) emailOwner(email string, self int64) int64 {
	for id, c := range s.customers {
		if id != self && strings.EqualFold(c.Email, email) {
			return id
		}
	}
	return 0
}

func validEmail(e *string) *restError {
	if e == nil {
		return nil
	}
	if _, err := mail.ParseAddress(*e); err != nil {
		return invalidParam("email", "Invalid email address.")
	}
	return nil
}

// AddCustomer registers a customer as POST /customers does.
func (s *Sim) AddCustomer(c woocommerce.Customer) (woocommerce.Customer, error) {
	return result(s.createCustomerFrom(customerInput{Email: &c.Email, FirstName: &c.FirstName, LastName: &c.LastName,
		Billing: &c.Billing, Shipping: &c.Shipping}))
}

func (s *Sim) createCustomerFrom(in customerInput) (woocommerce.Customer, *restError) {
	if in.Email == nil || *in.Email == "" {
		return woocommerce.Customer{}, missingParam("email")
	}
	if e := validEmail(in.Email); e != nil {
		return woocommerce.Customer{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.emailOwner(*in.Email, 0) != 0 {
		return woocommerce.Customer{}, errf(http.StatusBadRequest, "registration-error-email-exists",
			"An account is already registered with your email address.")
	}
	c := &woocommerce.Customer{ID: s.nextOther, Role: "customer", MetaData: []woocommerce.MetaData{}}
	s.nextOther++
	c.Username = strings.Split(*in.Email, "@")[0]
	in.apply(c)
	c.DateCreated, c.DateCreatedGMT = s.stamp(s.now())
	c.DateModified, c.DateModifiedGMT = c.DateCreated, c.DateCreatedGMT
	s.customers[c.ID] = c
	s.emit("customer", "created", c.ID)
	return cloneJSON(*c), nil
}

func (in customerInput) apply(c *woocommerce.Customer) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Email, in.Email)
	set(&c.FirstName, in.FirstName)
	set(&c.LastName, in.LastName)
	set(&c.Username, in.Username)
	if in.Billing != nil {
		c.Billing = *in.Billing
	}
	if in.Shipping != nil {
		c.Shipping = *in.Shipping
		c.Shipping.Email, c.Shipping.Phone = "", ""
	}
}

func (s *Sim) updateCustomerFrom(id int64, in customerInput) (woocommerce.Customer, *restError) {
	if e := validEmail(in.Email); e != nil {
		return woocommerce.Customer{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[id]
	if !ok {
		return woocommerce.Customer{}, errf(http.StatusBadRequest, "woocommerce_rest_invalid_id", "Invalid resource ID.")
	}
	if in.Email != nil && s.emailOwner(*in.Email, id) != 0 {
		return woocommerce.Customer{}, errf(http.StatusBadRequest, "registration-error-email-exists",
			"An account is already registered with your email address.")
	}
	in.apply(c)
	c.MetaData = s.mergeMeta(c.MetaData, in.MetaData)
	c.DateModified, c.DateModifiedGMT = s.stamp(s.now())
	s.emit("customer", "updated", id)
	return cloneJSON(*c), nil
}

func (s *Sim) deleteCustomerByID(id int64, force bool) (woocommerce.Customer, *restError) {
	if !force {
		return woocommerce.Customer{}, errf(http.StatusNotImplemented, "woocommerce_rest_trash_not_supported", "Customers do not support trashing.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[id]
	if !ok {
		return woocommerce.Customer{}, errf(http.StatusNotFound, "woocommerce_rest_invalid_id", "Invalid resource ID.")
	}
	delete(s.customers, id)
	s.emit("customer", "deleted", id)
	return cloneJSON(*c), nil
}

func (s *Sim) listCustomers(w http.ResponseWriter, r *http.Request) (int, any, *restError) {
	lq, e := s.parseList(r, "name", "registered_date")
	if e != nil {
		return 0, nil, e
	}
	if !lq.q.Has("orderby") {
		lq.orderBy, lq.order = "title", "asc"
		if lq.q.Has("order") {
			lq.order = lq.q.Get("order")
		}
	}
	email := lq.q.Get("email")
	s.mu.Lock()
	var items []woocommerce.Customer
	for _, c := range s.customers {
		if email == "" || strings.EqualFold(c.Email, email) {
			items = append(items, *c)
		}
	}
	// Items share slices with the store until the page is copied, so the lock covers both.
	defer s.mu.Unlock()
	return http.StatusOK, cloneJSON(paginate(w, r, lq, items, customerMeta)), nil
}

func (s *Sim) getCustomer(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[pathID(r, "id")]
	if !ok {
		return 0, nil, errf(http.StatusNotFound, "woocommerce_rest_invalid_id", "Invalid resource ID.")
	}
	return http.StatusOK, cloneJSON(*c), nil
}

func (s *Sim) createCustomer(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in customerInput
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	c, e := s.createCustomerFrom(in)
	return http.StatusCreated, c, e
}

func (s *Sim) updateCustomer(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	var in customerInput
	if e := decodeBody(r, &in); e != nil {
		return 0, nil, e
	}
	c, e := s.updateCustomerFrom(pathID(r, "id"), in)
	return http.StatusOK, c, e
}

func (s *Sim) deleteCustomer(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	c, e := s.deleteCustomerByID(pathID(r, "id"), forceDelete(r))
	return http.StatusOK, c, e
}

func (s *Sim) batchCustomers(_ http.ResponseWriter, r *http.Request) (int, any, *restError) {
	return s.batch(r, batchOps{
		kind:   "customer",
		create: itemCreate(s.createCustomerFrom),
		update: itemUpdate(s.updateCustomerFrom),
		del:    func(id int64) (any, *restError) { return anyOf(s.deleteCustomerByID(id, true)) },
	})
}
