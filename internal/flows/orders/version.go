package orders

import (
	"strconv"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// statusRank breaks ties between changes made in the same second. WooCommerce stamps
// date_modified_gmt to the second, and the engine collapses a version it has already seen, so an
// order created pending and paid within one second would otherwise keep the version under which it
// was skipped, and never be created. Within a second an order moves forward through its life, so
// the status orders the changes. Two changes in one second that keep the status (an address edit)
// still share a version; the handler reads the current state, so only an edit landing after the
// job already ran in that same second waits for the order's next change or a resync.
var statusRank = map[string]int64{
	woocommerce.StatusCheckoutDraft: 1,
	woocommerce.StatusPending:       2,
	woocommerce.StatusFailed:        3,
	woocommerce.StatusOnHold:        4,
	woocommerce.StatusProcessing:    5,
	woocommerce.StatusCompleted:     6,
	woocommerce.StatusRefunded:      7,
	woocommerce.StatusCancelled:     8,
	woocommerce.StatusTrash:         9,
}

// unknownStatusRank sorts custom statuses after the known ones.
const unknownStatusRank = 10

// ranksPerSecond leaves room for the ranks inside one second of the version.
const ranksPerSecond = 100

// Version orders the changes of one order: its date_modified_gmt in seconds, then its status rank.
// Both intake paths compute it from the same two fields, so a webhook and a poll of the same change
// collapse into one job, and an older change arriving late never outranks a newer one.
func Version(modifiedGMT time.Time, status string) int64 {
	rank, ok := statusRank[status]
	if !ok {
		rank = unknownStatusRank
	}
	return modifiedGMT.UTC().Unix()*ranksPerSecond + rank
}

// Resource is the engine resource of a store order: its changes never run at once.
func Resource(orderID int64) string { return "order/" + strconv.FormatInt(orderID, 10) }

// sourceRef names a store order in the audit trail and the cross-reference cache.
func sourceRef(orderID string) string { return "woocommerce/order/" + orderID }
