package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// RunConcurrent checks that races end as the contract says: of parallel
// rotations of one refresh token, or redemptions of one code, exactly one
// wins and the others get ErrConflict; parallel updates lose nothing.
// Each case runs on a fresh store, the cases in parallel.
func RunConcurrent(t *testing.T, open Opener) {
	t.Helper()
	const racers = 8
	// race runs fn in racers goroutines released together and returns
	// their errors.
	race := func(fn func(i int) error) []error {
		errs := make([]error, racers)
		var ready, done sync.WaitGroup
		start := make(chan struct{})
		for i := range racers {
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				ready.Done()
				<-start
				errs[i] = fn(i)
			}()
		}
		ready.Wait()
		close(start)
		done.Wait()
		return errs
	}
	oneWinner := func(t *testing.T, errs []error) {
		t.Helper()
		exactlyOne(t, errs, storage.ErrConflict)
	}

	concurrentLinkAndCounter(t, open, race, oneWinner)
	concurrentClaims(t, open, race)
	concurrentWebhookClaims(t, open, race)
	concurrentWorkspaces(t, open, racers, race)
	concurrentUpstreams(t, open, racers, race)
	concurrentRegistrationTokens(t, open, racers, race)

	t.Run("parallel uses of one pushed request: exactly one deletes it, the others find nothing", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		seedToken(t, s, sampleToken(storage.KindPAR, "par", "req", "app"))
		errs := race(func(int) error { return s.DeleteToken(t.Context(), storage.KindPAR, "par") })
		exactlyOne(t, errs, storage.ErrNotFound)
	})

	t.Run("parallel refresh rotations: exactly one wins, family state stays whole", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		seedToken(t, s, sampleToken(storage.KindAccessToken, "at-0", "fam", "app"))
		seedToken(t, s, sampleToken(storage.KindRefreshToken, "rt-0", "fam", "app"))
		// Each racer does what the refresh grant does in one transaction:
		// rotate, then store its new pair.
		errs := race(func(i int) error {
			return storage.InTx(t.Context(), s, func(ctx2 context.Context) error {
				if _, err := s.RotateRefreshToken(ctx2, "fam", "rt-0", time.Now(), 0); err != nil {
					return err
				}
				if err := s.CreateToken(ctx2, sampleToken(storage.KindAccessToken, fmt.Sprintf("at-%d", i+1), "fam", "app")); err != nil {
					return err
				}
				return s.CreateToken(ctx2, sampleToken(storage.KindRefreshToken, fmt.Sprintf("rt-%d", i+1), "fam", "app"))
			})
		})
		oneWinner(t, errs)
		activeRefresh := 0
		for i := range racers {
			tok, err := s.GetToken(t.Context(), storage.KindRefreshToken, fmt.Sprintf("rt-%d", i+1))
			if err == nil && tok.Active {
				activeRefresh++
			} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("get: %v", err)
			}
		}
		if activeRefresh != 1 {
			t.Fatalf("%d new refresh tokens stored, want exactly 1", activeRefresh)
		}
		if old, _ := s.GetToken(t.Context(), storage.KindRefreshToken, "rt-0"); old.Active {
			t.Fatal("rotated refresh token still active")
		}
	})

	t.Run("parallel refresh rotations within the reuse window: all succeed, every new pair stays active", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		seedToken(t, s, sampleToken(storage.KindAccessToken, "at-0", "fam", "app"))
		seedToken(t, s, sampleToken(storage.KindRefreshToken, "rt-0", "fam", "app"))
		now := time.Now()
		errs := race(func(i int) error {
			return storage.InTx(t.Context(), s, func(ctx2 context.Context) error {
				if _, err := s.RotateRefreshToken(ctx2, "fam", "rt-0", now, 10*time.Second); err != nil {
					return err
				}
				if err := s.CreateToken(ctx2, sampleToken(storage.KindAccessToken, fmt.Sprintf("at-%d", i+1), "fam", "app")); err != nil {
					return err
				}
				return s.CreateToken(ctx2, sampleToken(storage.KindRefreshToken, fmt.Sprintf("rt-%d", i+1), "fam", "app"))
			})
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("racer %d: %v", i, err)
			}
		}
		for i := range racers {
			for _, kind := range []storage.TokenKind{storage.KindAccessToken, storage.KindRefreshToken} {
				sig := fmt.Sprintf("%s-%d", map[storage.TokenKind]string{storage.KindAccessToken: "at", storage.KindRefreshToken: "rt"}[kind], i+1)
				tok, err := s.GetToken(t.Context(), kind, sig)
				must(t, err, "get "+sig)
				if !tok.Active {
					t.Errorf("%s retired by a later rotation within the window", sig)
				}
			}
		}
		if old, _ := s.GetToken(t.Context(), storage.KindAccessToken, "at-0"); old.Active {
			t.Error("the access token of the rotated pair is still active")
		}
	})

	t.Run("parallel redemptions of one code: exactly one wins", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		seedToken(t, s, sampleToken(storage.KindAuthorizeCode, "code", "req", "app"))
		oneWinner(t, race(func(int) error {
			return s.DeactivateToken(t.Context(), storage.KindAuthorizeCode, "code")
		}))
	})

	t.Run("parallel redemptions of one approved device request: exactly one wins", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		seedClient(t, s, "app")
		d := sampleDevice("dc1", "uc1", "app")
		d.Status = storage.DeviceApproved
		must(t, s.CreateDeviceAuthorization(t.Context(), d), "create")
		oneWinner(t, race(func(int) error {
			_, err := s.UpdateDeviceAuthorization(t.Context(), "dc1", func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) {
				if d.Status != storage.DeviceApproved {
					return d, storage.ErrConflict
				}
				d.Status = storage.DeviceRedeemed
				return d, nil
			})
			return err
		}))
	})

	t.Run("parallel updates of one client lose nothing", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		seedClient(t, s, "app")
		errs := race(func(i int) error {
			_, err := s.UpdateClient(t.Context(), "app", func(c storage.Client) (storage.Client, error) {
				c.RedirectURIs = append(c.RedirectURIs, fmt.Sprintf("https://chat.example/cb-%d", i))
				return c, nil
			})
			return err
		})
		for _, err := range errs {
			must(t, err, "update")
		}
		c, _ := s.GetClient(t.Context(), "app")
		if want := len(sampleClient("app").RedirectURIs) + racers; len(c.RedirectURIs) != want {
			t.Fatalf("%d redirect URIs after %d parallel appends, want %d: an update was lost", len(c.RedirectURIs), racers, want)
		}
	})

	t.Run("parallel first keys: exactly one becomes current", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		errs := race(func(i int) error {
			return s.CreateSigningKey(t.Context(), sampleKey(fmt.Sprintf("k%d", i), at(time.Duration(i)*time.Second)))
		})
		exactlyOne(t, errs, storage.ErrAlreadyExists)
	})

	t.Run("parallel first keys of two algorithms: exactly one of each becomes current", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		algs := []string{"RS256", "ES256"}
		errs := race(func(i int) error {
			return s.CreateSigningKey(t.Context(), sampleKeyOf(fmt.Sprintf("k%d", i), algs[i%2], at(time.Duration(i)*time.Second)))
		})
		won(t, errs, storage.ErrAlreadyExists)
		keys, current := currentByAlgorithm(t, s)
		same(t, "current keys per algorithm", current, map[string]int{"RS256": 1, "ES256": 1})
		if len(keys) != 2 {
			t.Fatalf("%d keys stored, want 2", len(keys))
		}
	})

	t.Run("parallel rotations leave exactly one current key", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		must(t, s.CreateSigningKey(t.Context(), sampleKey("k0", at(0))), "create")
		errs := race(func(i int) error {
			return s.RotateSigningKey(t.Context(), sampleKey(fmt.Sprintf("k%d", i+1), at(time.Duration(i+1)*time.Second)), at(time.Hour))
		})
		wins := won(t, errs, storage.ErrConflict)
		if wins == 0 {
			t.Fatal("no rotation succeeded")
		}
		keys, current := currentByAlgorithm(t, s)
		if current["ES256"] != 1 || len(keys) != wins+1 {
			t.Fatalf("%d current keys among %d after %d successful rotations, want 1 among %d", current["ES256"], len(keys), wins, wins+1)
		}
	})

	t.Run("parallel rotations of two algorithms leave exactly one current key of each", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		algs := []string{"RS256", "ES256"}
		for _, alg := range algs {
			must(t, s.CreateSigningKey(t.Context(), sampleKeyOf(alg+"-0", alg, at(0))), "create "+alg)
		}
		errs := race(func(i int) error {
			return s.RotateSigningKey(t.Context(), sampleKeyOf(fmt.Sprintf("k%d", i+1), algs[i%2], at(time.Duration(i+1)*time.Second)), at(time.Hour))
		})
		wins := won(t, errs, storage.ErrConflict)
		keys, current := currentByAlgorithm(t, s)
		same(t, "current keys per algorithm", current, map[string]int{"RS256": 1, "ES256": 1})
		if len(keys) != wins+2 {
			t.Fatalf("%d keys after %d successful rotations, want %d", len(keys), wins, wins+2)
		}
	})
}

// currentByAlgorithm lists s's signing keys and counts the current ones of
// each algorithm.
func currentByAlgorithm(t *testing.T, s storage.Store) ([]storage.SigningKey, map[string]int) {
	t.Helper()
	keys, err := s.ListSigningKeys(t.Context())
	must(t, err, "list")
	current := map[string]int{}
	for _, k := range keys {
		if k.Current() {
			current[k.Algorithm]++
		}
	}
	return keys, current
}

// won counts the racers whose error is nil; every other one must have
// lost as the contract says.
func won(t *testing.T, errs []error, lost error) int {
	t.Helper()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, lost):
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	return wins
}

// exactlyOne checks that one of errs is nil and every other one is lost:
// one racer won, the others lost as the contract says.
func exactlyOne(t *testing.T, errs []error, lost error) {
	t.Helper()
	if wins := won(t, errs, lost); wins != 1 {
		t.Fatalf("%d racers won, want exactly 1 (errors: %v)", wins, errs)
	}
}
