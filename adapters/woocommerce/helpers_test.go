package woocommerce_test

import "github.com/shopspring/decimal"

var decimalTwo = decimal.NewFromInt(2)
