// Package console serves the admin console at /console (issue 13, R-OPS-7,
// seed 001 "CMP User Management Application"): server-rendered
// html/template pages (web/templates/console_*.html, embedded; no
// JavaScript), in the user's language (internal/i18n/locales/
// console.{en,de,fr}.json).
//
// Who may enter: a live SSO session (else /login and back to the same
// URL, so an expired session returns to the page it was on) whose user may
// enter module cas — the console is Sesame's own `cas` module and admits
// by the rule every cas login passes (rights.Decider.ModuleAccess,
// R-MOD-1). What the admin sees and changes is decided by
// internal/directory, the same authorized and audited methods the admin
// API calls (Directory lists them): there is no second permission check
// here. A hidden or missing object is a 404 page, a missing right a 403
// page — an account admin's direct URL to another account's user, group or
// context shows "not found".
//
// Forms: every POST carries the session's CSRF token (session.CheckCSRF)
// on top of the server's CrossOriginProtection, because the session
// cookie is SameSite=Lax and Sec-Fetch-Site/Origin are not sent by every
// browser; forms that create carry a nonce claimed once in the store
// (nonce.go), so a double submit leads to the first result instead of a
// second object; edits carry the object's version (users and groups:
// UpdatedAt; branding: its version) and a change made meanwhile is
// refused as stale, explained, with the current state shown. Refused
// input is shown again with the error next to its field.
//
// One file per area:
//
//   - console.go: Handler, routes, the session/module/CSRF guards, errors
//     to pages;
//   - nonce.go: double-submit protection;
//   - users.go: user list (indexed search, 50 a page), create in a
//     context and domain, person data, lifecycle buttons by status
//     (R-USR-1; delete explains anonymisation first), contexts, group
//     memberships; delegated users read-only with their connections
//     (R-USR-3);
//   - rights.go: the effective rights viewer with the engine's trace
//     (R-EFF-*);
//   - contexts.go: the context tree one level at a time (lazy children,
//     paged), search by name or number, child contexts, new groups (from a
//     template);
//   - groups.go: a group's name, roles, ACL values by module and category
//     with a search (User Preferences hidden), template, members, delete;
//   - audit.go: the audit log by user, action, outcome and time;
//   - branding.go: tenant branding (display name, logo, accent colour),
//     the public logo route and Brands, which tells web.Pages which
//     tenant a page is for.
//
// It must not import sqlstore, adminapi or the protocol packages.
package console
