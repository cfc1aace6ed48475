package backchannel

// Observer is told how each delivery attempt ended, for metrics. It is
// called from the sender's rounds, several at once: it must be cheap and
// safe for concurrent use.
type Observer interface {
	// BackchannelDelivery is called once per attempt with one of the
	// Outcome* constants.
	BackchannelDelivery(outcome string)
}

// How a delivery attempt ended, as reported to the Observer.
const (
	// OutcomeDelivered: the client answered 2xx; the delivery is done.
	OutcomeDelivered = "delivered"
	// OutcomeRetried: the attempt failed and the delivery is due again
	// later.
	OutcomeRetried = "retried"
	// OutcomeFailed: the delivery is given up, after its last attempt or
	// because no attempt can succeed (the client has no logout URI any
	// more, or needs a sid and none is known).
	OutcomeFailed = "failed"
)

// Outcomes lists every outcome BackchannelDelivery reports.
func Outcomes() []string {
	return []string{OutcomeDelivered, OutcomeRetried, OutcomeFailed}
}

// nopObserver is the Observer of a sender configured without one.
type nopObserver struct{}

func (nopObserver) BackchannelDelivery(string) {}
