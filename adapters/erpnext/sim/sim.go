package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/retailsync/retailsync/internal/simkit"
)

// The custom fields retailsync adds to an ERPNext site (Frappe prefixes custom fields with custom_).
const (
	FieldExternalOrderID = "custom_external_order_id"
	FieldCorrelationID   = "custom_retailsync_correlation_id"
	FieldStoreCustomerID = "custom_store_customer_id"
)

// Datetime is Frappe's datetime format for creation and modified.
const Datetime = "2006-01-02 15:04:05.000000"

// Options configure a simulated site.
type Options struct {
	APIKey    string
	APISecret string
	// Company, Abbr and Currency name the one company; account and warehouse names end in " - Abbr".
	Company  string
	Abbr     string
	Currency string
	// Now is the site clock; tests may freeze it to make documents share a modified timestamp.
	Now    func() time.Time
	Faults simkit.Faults
	Seed   uint64
	// UniqueAsValidationError answers a duplicate value in a unique custom field as Frappe itself
	// does (417 UniqueValidationError, "... must be unique") instead of 409 DuplicateEntryError.
	UniqueAsValidationError bool
}

func (o *Options) defaults() {
	if o.Company == "" {
		o.Company = "ACME Retail"
	}
	if o.Abbr == "" {
		o.Abbr = "ACME"
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Server is a simulated ERPNext site. It is safe for concurrent use.
type Server struct {
	opts    Options
	kit     *simkit.Kit
	types   map[string]*docType
	handler http.Handler

	mu     sync.Mutex
	docs   map[string]map[string]doc // doctype -> name -> document
	series map[string]int            // naming series prefix -> last number
	denied map[string]bool           // doctypes the API user may not touch (403)
	unique uniqueIndex
}

// New returns a site with a company, its default accounts, a warehouse and the Standard Selling
// price list.
func New(opts Options) *Server {
	opts.defaults()
	s := &Server{
		opts:   opts,
		kit:    simkit.NewKit(opts.Faults, opts.Seed),
		docs:   map[string]map[string]doc{},
		series: map[string]int{},
		denied: map[string]bool{},
		unique: uniqueIndex{},
	}
	s.types = s.registry()
	s.seed()
	s.handler = s.kit.Handler(s.apiMux(), s.adminMux(), writeInjectedError)
	return s
}

// Handler serves the site's REST API and its /__sim/ admin API.
func (s *Server) Handler() http.Handler { return s.handler }

// Kit exposes fault injection and request accounting.
func (s *Server) Kit() *simkit.Kit { return s.kit }

// Start serves on ln until ctx is done, then shuts down gracefully.
func (s *Server) Start(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			return err
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// Account returns the full name of an account or warehouse of the company ("Debtors" -> "Debtors - ACME").
func (s *Server) Account(short string) string { return short + " - " + s.opts.Abbr }

func (s *Server) seed() {
	s.put("Company", doc{"company_name": s.opts.Company, "abbr": s.opts.Abbr, "default_currency": s.opts.Currency})
	for _, a := range [][2]string{
		{"Debtors", "Receivable"}, {"Sales", "Income Account"}, {"Cash", "Cash"},
		{"Bank", "Bank"}, {"Discount Allowed", "Expense Account"},
	} {
		s.addAccount(s.Account(a[0]), a[1])
	}
	s.addWarehouse(s.Account("Stores"))
	s.put("Price List", doc{"price_list_name": "Standard Selling", "selling": 1, "currency": s.opts.Currency})
}

// put stores a new document as the ERP itself would (no API validation), naming and stamping it.
func (s *Server) put(doctype string, d doc) doc {
	dt := s.types[doctype]
	d["doctype"] = doctype
	if d.str("name") == "" {
		d["name"] = s.newName(dt, d)
	}
	if _, ok := d["docstatus"]; !ok {
		d["docstatus"] = 0
	}
	now := s.now()
	d["creation"], d["modified"] = now, now
	d["owner"], d["modified_by"] = "Administrator", "Administrator"
	s.stampChildren(dt, d)
	s.store(doctype, d)
	return d
}

func (s *Server) get(doctype, name string) (doc, bool) {
	d, ok := s.docs[doctype][name]
	return d, ok
}

func (s *Server) touch(d doc) { d["modified"] = s.now() }

func (s *Server) now() string { return s.opts.Now().UTC().Format(Datetime) }

func (s *Server) today() string { return s.opts.Now().UTC().Format(time.DateOnly) }

// newName names a document: by naming series, by a field, or by a random hash.
func (s *Server) newName(dt *docType, d doc) string {
	switch {
	case dt != nil && dt.series != "":
		prefix, digits := s.seriesPrefix(dt.series)
		s.series[prefix]++
		return fmt.Sprintf("%s%0*d", prefix, digits, s.series[prefix])
	case dt != nil && dt.nameField != "" && d.str(dt.nameField) != "":
		return d.str(dt.nameField)
	default:
		b := make([]byte, 5)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
}

// seriesPrefix expands ".YYYY." and counts the #s of a series ("SHIPMENT-.#####" -> "SHIPMENT-", 5);
// a series without #s gets five digits, as Frappe does.
func (s *Server) seriesPrefix(series string) (string, int) {
	digits := strings.Count(series, "#")
	if digits == 0 {
		digits = 5
	}
	p := strings.ReplaceAll(series, ".YYYY.", s.opts.Now().UTC().Format("2006"))
	p = strings.TrimRight(strings.ReplaceAll(p, ".", ""), "#")
	return p, digits
}

// stampChildren gives child rows the bookkeeping fields Frappe gives them.
func (s *Server) stampChildren(dt *docType, d doc) {
	if dt == nil {
		return
	}
	for field, child := range dt.tables {
		for i, row := range d.rows(field) {
			if row.str("name") == "" {
				row["name"] = s.newName(nil, row)
			}
			row["idx"] = i + 1
			row["parent"], row["parenttype"], row["parentfield"] = d["name"], dt.name, field
			row["doctype"] = child
			row["docstatus"] = d["docstatus"]
		}
	}
}

func (s *Server) addAccount(name, accountType string) {
	root := map[string]string{"Receivable": "Asset", "Bank": "Asset", "Cash": "Asset", "Income Account": "Income", "Tax": "Liability", "Expense Account": "Expense"}[accountType]
	s.put("Account", doc{"name": name, "account_name": strings.TrimSuffix(name, " - "+s.opts.Abbr), "account_type": accountType, "root_type": root, "company": s.opts.Company, "is_group": 0})
}

func (s *Server) addWarehouse(name string) {
	s.put("Warehouse", doc{"name": name, "warehouse_name": strings.TrimSuffix(name, " - "+s.opts.Abbr), "company": s.opts.Company, "is_group": 0})
}
