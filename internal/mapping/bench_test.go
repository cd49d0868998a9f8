package mapping

import (
	"testing"
	"time"
)

// BenchmarkMapSKU measures each way a SKU is mapped; every order line and stock update pays it.
func BenchmarkMapSKU(b *testing.B) {
	m := mustCompile(b, acmeSpec())
	for _, bc := range []struct{ name, sku string }{
		{"table", "HOODIE-BLK-M"},
		{"pattern", "WC-CAP-RED"},
		{"expression", "MUG-WHT"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				if _, err := m.MapSKU(bc.sku); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "skus/s")
		})
	}
}
