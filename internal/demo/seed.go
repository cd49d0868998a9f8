package demo

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/retailsync/retailsync/adapters/erpnext"
	erpsim "github.com/retailsync/retailsync/adapters/erpnext/sim"
	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// erpMasterData is the chart of accounts and warehouses the sample MappingSet names
// (config/samples/retailsync_v1alpha1_mappingset.yaml): the ERP side of the demo's tenant.
var erpMasterData = struct {
	accounts   map[string]string // name -> account type
	warehouses []string
	services   []string // non-stock items (shipping charged as a line)
}{
	accounts: map[string]string{
		"Sales Tax CA - ACME": "Tax", "County Tax CA - ACME": "Tax", "Sales Tax NY - ACME": "Tax",
		"City Tax NY - ACME": "Tax", "VAT DE - ACME": "Tax", "VAT GB - ACME": "Tax",
		"Stripe Clearing - ACME": "Bank", "Bank Clearing - ACME": "Bank", "Cash Clearing - ACME": "Cash",
		"Freight Out - ACME": "Expense Account", "Discounts - ACME": "Expense Account",
		"Miscellaneous Income - ACME": "Income Account", "Gift Card Liability - ACME": "Liability",
		"Round Off - ACME": "Round Off",
	},
	warehouses: []string{"Main - ACME", "East - ACME"},
	services:   []string{"Shipping"},
}

// guestCustomer is the sample MappingSet's customers.guestCustomer.
const guestCustomer = "Web Guest"

// seedERP gives the ERP simulator the tenant's master data and one Item per store SKU (read from the
// store through the same client the workers use), with stock in the main warehouse.
func seedERP(ctx context.Context, erp *erpsim.Server, erpClient *erpnext.Client, store *woocommerce.Client) (int, error) {
	if err := erpClient.Insert(ctx, "Customer", erpnext.Customer{CustomerName: guestCustomer, CustomerType: "Individual"}, nil); err != nil {
		return 0, fmt.Errorf("creating the guest customer: %w", err)
	}
	for name, typ := range erpMasterData.accounts {
		erp.AddAccount(name, typ)
	}
	for _, wh := range erpMasterData.warehouses {
		erp.AddWarehouse(wh)
	}
	for _, svc := range erpMasterData.services {
		if err := erp.AddItem(erpsim.ItemSpec{Code: svc, Name: svc, Group: "Services", NonStock: true}); err != nil {
			return 0, err
		}
	}
	items := 0
	addItem := func(sku, name string) error {
		if sku == "" {
			return nil
		}
		if err := erp.AddItem(erpsim.ItemSpec{Code: sku, Name: name}); err != nil {
			return fmt.Errorf("adding item %s: %w", sku, err)
		}
		items++
		return erp.MoveStock(sku, erpMasterData.warehouses[0], decimal.NewFromInt(100))
	}
	for p, err := range store.Products(ctx, woocommerce.ListOptions{}) {
		if err != nil {
			return items, err
		}
		if p.Type == woocommerce.ProductVariable {
			for v, err := range store.Variations(ctx, p.ID, woocommerce.ListOptions{}) {
				if err != nil {
					return items, err
				}
				if err := addItem(v.SKU, p.Name+" "+v.SKU); err != nil {
					return items, err
				}
			}
			continue
		}
		if err := addItem(p.SKU, p.Name); err != nil {
			return items, err
		}
	}
	return items, nil
}
