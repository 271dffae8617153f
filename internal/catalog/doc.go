// Package catalog holds the ACL catalog Sesame ships (catalog.yaml,
// embedded): the modules portal, rm, bm and cas with their rights by
// category (R-ACL-1), and the parser for catalogs of modules registered
// later. cas.go names the cas rights the admin API checks (R-USR-4).
package catalog
