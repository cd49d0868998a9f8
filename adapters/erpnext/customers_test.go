package erpnext_test

import (
	"sync"
	"testing"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/internal/failure"
)

func TestEnsureCustomerFindsByStoreIDThenEmail(t *testing.T) {
	e := newEnv(t)
	jane, created, err := e.client.EnsureCustomer(ctx(t), erpnext.Customer{CustomerName: "Jane Doe", EmailID: "jane@example.com", StoreCustomerID: "woo-cust-7", CustomerType: "Individual"})
	e.must(err)
	if !created || jane.Name != "Jane Doe" {
		t.Fatalf("first ensure: created %v %+v", created, jane)
	}
	again, created, err := e.client.EnsureCustomer(ctx(t), erpnext.Customer{CustomerName: "Jane D.", StoreCustomerID: "woo-cust-7"})
	e.must(err)
	if created || again.Name != jane.Name {
		t.Errorf("by store id: created %v name %q, want the existing %q", created, again.Name, jane.Name)
	}
	byEmail, created, err := e.client.EnsureCustomer(ctx(t), erpnext.Customer{CustomerName: "Jane", EmailID: "jane@example.com"})
	e.must(err)
	if created || byEmail.Name != jane.Name {
		t.Errorf("by email: created %v name %q", created, byEmail.Name)
	}
	// A different person with the same name is a different customer, named "Jane Doe - 1" by ERPNext.
	other, created, err := e.client.EnsureCustomer(ctx(t), erpnext.Customer{CustomerName: "Jane Doe", StoreCustomerID: "woo-cust-8"})
	e.must(err)
	if !created || other.Name != "Jane Doe - 1" {
		t.Errorf("namesake: created %v name %q", created, other.Name)
	}
}

func TestEnsureCustomerRefusesWhatItCannotMatch(t *testing.T) {
	e := newEnv(t)
	for _, c := range []erpnext.Customer{{CustomerName: "No Keys"}, {StoreCustomerID: "woo-1"}} {
		if _, _, err := e.client.EnsureCustomer(ctx(t), c); !failure.IsPermanent(err) {
			t.Errorf("EnsureCustomer(%+v) = %v, want a permanent validation error", c, err)
		}
	}
	if n := len(e.site.Names("Customer")); n != 0 {
		t.Errorf("%d customers created", n)
	}
}

func TestEnsureCustomerUnderARaceCreatesOne(t *testing.T) {
	e := newEnv(t)
	const workers = 8
	names := make(chan string, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			c, _, err := e.client.EnsureCustomer(ctx(t), erpnext.Customer{CustomerName: "Race Winner", StoreCustomerID: "woo-cust-race"})
			if err != nil {
				t.Error(err)
				return
			}
			names <- c.Name
		})
	}
	wg.Wait()
	close(names)
	for n := range names {
		if n != "Race Winner" {
			t.Errorf("a worker got customer %q", n)
		}
	}
	if got := e.site.Names("Customer"); len(got) != 1 {
		t.Errorf("customers = %v, want one", got)
	}
}
