package erpnext_test

import (
	"fmt"
	"testing"

	"github.com/retailsync/retailsync/adapters/erpnext"
	"github.com/retailsync/retailsync/internal/failure"
)

func TestResourceCRUD(t *testing.T) {
	e := newEnv(t)
	var created erpnext.Customer
	e.must(e.client.Insert(ctx(t), "Customer", erpnext.Customer{CustomerName: "Jane Doe", EmailID: "jane@example.com"}, &created))
	if created.Name != "Jane Doe" || created.Modified == "" || created.CustomerGroup != "All Customer Groups" {
		t.Errorf("created %+v", created)
	}
	var updated erpnext.Customer
	e.must(e.client.Update(ctx(t), "Customer", created.Name, map[string]any{"mobile_no": "+1 555 0100"}, &updated))
	var read erpnext.Customer
	e.must(e.client.Get(ctx(t), "Customer", created.Name, &read))
	if read.MobileNo != "+1 555 0100" || read.EmailID != "jane@example.com" {
		t.Errorf("read back %+v", read)
	}
	e.must(e.client.Delete(ctx(t), "Customer", created.Name))
	if err := e.client.Get(ctx(t), "Customer", created.Name, &read); !erpnext.IsNotFound(err) {
		t.Errorf("after delete: %v, want not found", err)
	}
}

func TestListWithFieldsFiltersOrderAndPaging(t *testing.T) {
	e := newEnv(t)
	for i := range 25 {
		typ := "Company"
		if i%5 == 0 {
			typ = "Individual"
		}
		e.must(e.client.Insert(ctx(t), "Customer", erpnext.Customer{CustomerName: fmt.Sprintf("C%02d", i), CustomerType: typ}, nil))
	}
	var page []erpnext.Customer
	opts := erpnext.ListOptions{Fields: []string{"name", "customer_type"}, Filters: []erpnext.Filter{erpnext.Eq("customer_type", "Company")}, OrderBy: "name desc", Start: 5, PageLength: 3}
	e.must(e.client.List(ctx(t), "Customer", opts, &page))
	if len(page) != 3 || page[0].Name != "C18" || page[0].CustomerType != "Company" || page[2].Name != "C16" {
		t.Errorf("page = %+v, want C18, C17, C16 (C20 and C15 are individuals)", page)
	}
	all, err := erpnext.ListAll[erpnext.Customer](ctx(t), e.client, "Customer", erpnext.ListOptions{OrderBy: "name asc"}, 7)
	e.must(err)
	if len(all) != 25 || all[0].Name != "C00" || all[24].Name != "C24" {
		t.Errorf("ListAll read %d customers", len(all))
	}
	individuals, err := erpnext.ListAll[erpnext.Customer](ctx(t), e.client, "Customer", erpnext.ListOptions{
		OrFilters: []erpnext.Filter{erpnext.Eq("customer_type", "Individual"), erpnext.Eq("name", "C01")},
	}, 0)
	e.must(err)
	if len(individuals) != 6 {
		t.Errorf("or_filters matched %d, want 5 individuals and C01", len(individuals))
	}
}

func TestSubmitCancelAndAmend(t *testing.T) {
	e := newEnv(t)
	c := e.customer("Jane Doe", "woo-cust-1")
	var draft erpnext.SalesOrder
	so := storeOrder(c.Name, "woo-5")
	e.must(e.client.Insert(ctx(t), "Sales Order", so, &draft))
	if draft.Docstatus != erpnext.Draft || draft.Status != "Draft" {
		t.Fatalf("draft %s is %d %s", draft.Name, draft.Docstatus, draft.Status)
	}
	var submitted erpnext.SalesOrder
	e.must(e.client.Submit(ctx(t), "Sales Order", draft.Name, &submitted))
	if submitted.Docstatus != erpnext.Submitted {
		t.Errorf("submitted docstatus = %d", submitted.Docstatus)
	}
	err := e.client.Update(ctx(t), "Sales Order", draft.Name, map[string]any{"customer": "Someone Else"}, nil)
	wantFailure(t, err, failure.Permanent, failure.ReasonValidation, 417, "UpdateAfterSubmitError", "")

	if err := e.client.Amend(ctx(t), "Sales Order", draft.Name, nil, nil); !failure.IsPermanent(err) {
		t.Errorf("amending a submitted order: %v, want refused", err)
	}
	e.must(e.client.Cancel(ctx(t), "Sales Order", draft.Name))
	cancelled, err := e.client.GetSalesOrder(ctx(t), draft.Name)
	e.must(err)
	if cancelled.Docstatus != erpnext.Cancelled || cancelled.Status != "Cancelled" {
		t.Errorf("cancelled order is %d %s", cancelled.Docstatus, cancelled.Status)
	}
	// The unique external id stays on the cancelled order, so the amendment must carry a new one.
	var amended erpnext.SalesOrder
	e.must(e.client.Amend(ctx(t), "Sales Order", draft.Name, map[string]any{erpnext.FieldExternalOrderID: "woo-5/amended-1"}, &amended))
	if amended.Name != draft.Name+"-1" || amended.Docstatus != erpnext.Draft || len(amended.Items) != 2 {
		t.Errorf("amended %s docstatus %d with %d lines", amended.Name, amended.Docstatus, len(amended.Items))
	}
	wantDecimal(t, "amended grand total", amended.GrandTotal, submitted.GrandTotal)
}

func TestCallWhitelistedMethod(t *testing.T) {
	e := newEnv(t)
	var user string
	e.must(e.client.Call(ctx(t), "frappe.auth.get_logged_user", nil, &user))
	if user != "Administrator" {
		t.Errorf("logged user = %q", user)
	}
	err := e.client.Call(ctx(t), "frappe.no.such_method", nil, nil)
	wantFailure(t, err, failure.Permanent, failure.ReasonNotFound, 404, "", "")
}
