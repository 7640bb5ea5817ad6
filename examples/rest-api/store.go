package main

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Item is one thing on the list.
type Item struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Done    bool      `json:"done"`
	Updated time.Time `json:"updated"`
}

// Store keeps the items. The example's store is in memory; a service
// deployed one function per unit would give each unit its own memory, so
// there a Store is a database, provided the same way.
type Store interface {
	List() []Item
	Get(id string) (Item, bool)
	Put(Item) Item
	Delete(id string) bool
	// Purge removes the items done before cutoff and says how many.
	Purge(cutoff time.Time) int
}

// MemoryStore is a Store in memory, safe for concurrent use.
type MemoryStore struct {
	mu    sync.Mutex
	items map[string]Item
	next  int
	now   func() time.Time
}

// NewMemoryStore returns an empty store whose clock is now.
func NewMemoryStore(now func() time.Time) *MemoryStore {
	return &MemoryStore{items: map[string]Item{}, now: now}
}

func (s *MemoryStore) List() []Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Item, 0, len(s.items))
	for _, it := range s.items {
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b Item) int {
		ai, _ := strconv.Atoi(a.ID)
		bi, _ := strconv.Atoi(b.ID)
		return cmp.Compare(ai, bi)
	})
	return out
}

func (s *MemoryStore) Get(id string) (Item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[id]
	return it, ok
}

func (s *MemoryStore) Put(it Item) Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it.ID == "" {
		s.next++
		it.ID = strconv.Itoa(s.next)
	}
	it.Updated = s.now().UTC()
	s.items[it.ID] = it
	return it
}

func (s *MemoryStore) Delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.items[id]
	delete(s.items, id)
	return ok
}

func (s *MemoryStore) Purge(cutoff time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, it := range s.items {
		if it.Done && it.Updated.Before(cutoff) {
			delete(s.items, id)
			n++
		}
	}
	return n
}
