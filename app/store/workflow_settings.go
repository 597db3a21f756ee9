package store

import (
	"context"
	"strconv"
	"time"

	"github.com/ecoz/ecoz/app"
)

// The centre's own norms: they are the municipality's, not federal figures, and
// the screens that show them say so.
const (
	SetRouteMinutes     = app.SetRouteMinutes
	SetCallbackAttempts = app.SetCallbackAttempts
)

func init() {
	settingDefaults[SetRouteMinutes] = "30"
	settingDefaults[SetCallbackAttempts] = "3"
}

func (s *Store) intSetting(ctx context.Context, key string) int {
	n, err := strconv.Atoi(s.Setting(ctx, key))
	if err != nil || n <= 0 {
		n, _ = strconv.Atoi(settingDefaults[key])
	}
	return n
}

// RouteNorm is the centre's own norm for routing a ticket by hand.
func (s *Store) RouteNorm(ctx context.Context) time.Duration {
	return time.Duration(s.intSetting(ctx, SetRouteMinutes)) * time.Minute
}

// CallbackAttempts is the municipality's number of failed calls after which the
// supervisor sees a ticket under «Не удалось связаться».
func (s *Store) CallbackAttempts(ctx context.Context) int {
	return s.intSetting(ctx, SetCallbackAttempts)
}

// queueKey is t's place in the working order under the centre's routing norm.
func (tx *Tx) queueKey(t *app.Ticket) (int64, error) {
	v, err := tx.cachedSetting(SetRouteMinutes)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		n, _ = strconv.Atoi(settingDefaults[SetRouteMinutes])
	}
	return t.WorkingOrderKey(time.Duration(n) * time.Minute), nil
}
