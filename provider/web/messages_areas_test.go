package web

import "testing"

// TestMessageAreasDisjoint: a key is in one area of the catalogue only, so
// that no area's text silently replaces another's when they are merged.
func TestMessageAreasDisjoint(t *testing.T) {
	t.Parallel()
	seen := map[string]int{}
	for i, area := range messageAreas() {
		if len(area) == 0 {
			t.Errorf("area %d of the catalogue is empty", i)
		}
		for key := range area {
			if j, dup := seen[key]; dup {
				t.Errorf("%s is in areas %d and %d of the catalogue", key, j, i)
			}
			seen[key] = i
		}
	}
}
