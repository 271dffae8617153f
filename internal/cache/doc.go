// Package cache is Sesame's one cache mechanism for the protocol paths
// (DESIGN note 5): a per-node TTL cache whose Forget drops every entry at
// once. Caches sit next to their only reader and are forgotten through one
// path: the directory's change hook (directory.Service.OnChange), called
// after every committed change made on this node. A change made on another
// node shows within the cache's TTL.
//
// It must not import any other Sesame package.
package cache
