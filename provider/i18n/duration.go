package i18n

import (
	"fmt"
	"time"
)

// durationUnits holds how each locale says a number of minutes, hours or
// days.
func durationUnits() Catalogue {
	return Catalogue{
		"minute":  {EN: "%d minute", ZH: "%d 分钟"},
		"minutes": {EN: "%d minutes", ZH: "%d 分钟"},
		"hour":    {EN: "%d hour", ZH: "%d 小时"},
		"hours":   {EN: "%d hours", ZH: "%d 小时"},
		"days":    {EN: "%d days", ZH: "%d 天"},
	}
}

// InWords says how long something stays valid, in the largest unit that
// says it exactly: "3 days", "24 hours", "90 minutes". It rounds down to
// the minute, never below one, so a page or a mail never promises more
// time than there is.
func InWords(loc Locale, d time.Duration) string {
	minutes := max(int(d/time.Minute), 1)
	n, unit := minutes, "minute"
	switch {
	case minutes%(24*60) == 0 && minutes >= 2*24*60:
		// From two days on: "1 day" would read as "until tomorrow",
		// where "24 hours" is exact.
		n, unit = minutes/(24*60), "day"
	case minutes%60 == 0:
		n, unit = minutes/60, "hour"
	}
	if n != 1 {
		unit += "s"
	}
	// Every unit has both texts, and Lookup gives English for any
	// locale but Chinese.
	t, _ := durationUnits().Lookup(loc, unit)
	return fmt.Sprintf(t, n)
}
