package postgres

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Conversions between record fields and columns. The schema keeps two
// conventions: NULL is Go's zero time.Time, and a string list is a
// NOT NULL text[], empty for none.

// ts returns t as a timestamptz argument: NULL for the zero time.
func ts(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{}
	}
	return pgtype.Timestamptz{Time: t, Valid: true}
}

// timeOf returns a scanned timestamptz in UTC: the zero time for NULL.
func timeOf(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// timeDest scans a nullable timestamptz straight into a record's field:
// rows.Scan(..., into(&c.CreatedAt)).
type timeDest struct{ t *time.Time }

func into(t *time.Time) timeDest { return timeDest{t} }

// ScanTimestamptz implements pgtype.TimestamptzScanner.
func (d timeDest) ScanTimestamptz(v pgtype.Timestamptz) error {
	*d.t = timeOf(v)
	return nil
}

// list returns s as a text[] argument: an empty array for nil, never NULL.
func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// listOf returns a scanned text[]: nil when empty.
func listOf(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// codes returns hashes as a bytea[] argument: an empty array for nil.
func codes(hashes [][]byte) [][]byte {
	if hashes == nil {
		return [][]byte{}
	}
	return hashes
}
