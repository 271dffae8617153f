package web

import (
	"time"

	"github.com/sesame-sso/sesame/internal/i18n"
)

// consoleSamples fill every branch of the console's pages (internal/console
// page data, as maps: the console's types live in a package that imports
// this one). Values carry no letters (TestNoHardCodedText).
func consoleSamples() map[string]any {
	common := func(extra map[string]any) map[string]any {
		m := map[string]any{"Active": "users", "CSRF": "0001", "Me": "0002", "Nonce": "0003",
			"Notice": i18n.M("console.done.saved"), "Problem": i18n.M("console.error.form"), "Detail": "0004"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	type opt struct {
		Value, Label string
		Selected     bool
	}
	bad := FormField{Value: "0005", Err: i18n.M("console.error.required"), Detail: "0006"}
	// samlSample is the SAML form's choices (console.samlForm); choices:
	// the metadata held several IdPs.
	samlSample := func(choices bool) map[string]any {
		m := map[string]any{"Bindings": []opt{{"0272", "console.saml.binding.redirect", false}, {"0273", "console.saml.binding.post", true}},
			"Presets":           []opt{{"", "console.saml.preset.none", false}, {"0274", "console.conn.preset.adfs", true}},
			"AllowIdPInitiated": true, "SignRequests": false, "Choices": []string(nil)}
		if choices {
			m["Choices"] = []string{"/0270", "/0271"}
		}
		return m
	}
	ctxRow := struct{ ID, Name, Type, Number string }{"0010", "0011", "account", "0012"}
	ctxs := []struct{ ID, Name, Type, Number string }{ctxRow}
	person := Form{"firstName": bad, "lastName": {Value: "0007"}, "email": bad, "phone": bad, "language": bad}
	langs := []opt{{"", "console.language.none", false}, {"0013", "console.language.de", true}}
	return map[string]any{
		"console_users": common(map[string]any{"Query": "0020", "Status": "0021",
			"Statuses": []opt{{"", "console.status.any", true}, {"0022", "console.status.active", false}},
			"Users":    []struct{ ID, Login, Name, Email, Status, Kind string }{{"0023", "0024", "0025", "0026", "active", "local"}},
			"Prev":     "/0027", "Next": "/0028"}),
		"console_users#empty": common(map[string]any{"Query": "", "Status": "", "Statuses": []opt{}, "Users": nil, "Prev": "", "Next": ""}),
		"console_user_new": common(map[string]any{"F": Form{"loginName": bad, "domain": bad, "context": bad, "status": bad, "password": bad,
			"firstName": bad, "lastName": bad, "email": bad, "phone": bad, "language": bad},
			"Domains": []opt{{"0030", "0031", true}}, "Languages": langs, "Statuses": []opt{{"0032", "console.status.draft", false}}}),
		"console_user": common(map[string]any{"U": map[string]string{"ID": "0040", "Login": "0041", "Status": "active", "Kind": "local", "Domain": "0042",
			"Created": "0043", "LastLogin": "0044", "Version": "0045"}, "F": person, "FC": Form{"add": bad}, "Delegated": false, "Connections": nil,
			"Actions": []string{"0046", "delete"}, "Contexts": ctxs,
			"Memberships": []struct{ Key, GroupID, Group, ContextID, Context string }{{"0047", "0048", "0049", "0050", "0051"}},
			"Groups":      []opt{{"0052", "0053", false}}, "Languages": langs, "KeysShown": true,
			"Keys": []struct{ ID, Name, Prefix, Created, LastUsed, Expires string }{{"0055", "0056", "0057", "0058", "0059", ""}},
			"TwoFactor": &struct {
				TOTPEnrolled      bool
				RecoveryCodesLeft int
			}{true, 3},
			"OTP": []opt{{"0065", "console.otp.sms_email", true}}, "TOTP": []opt{{"0066", "console.totp.denied", false}}}),
		"console_user#delegated": common(map[string]any{"U": map[string]string{"ID": "0040", "Login": "0041", "Status": "active", "Kind": "delegated",
			"Domain": "0042", "Created": "0043", "LastLogin": "", "Version": "0045"}, "F": person, "FC": Form{}, "Delegated": true,
			"Connections": []string{"0054"}, "Actions": nil, "Contexts": ctxs, "Memberships": nil, "Groups": nil, "Languages": langs,
			"KeysShown": false, "Keys": nil, "TwoFactor": nil, "OTP": nil, "TOTP": nil}),
		"console_user#deleted": common(map[string]any{"U": map[string]string{"ID": "0040", "Login": "0041", "Status": "deleted", "Kind": "local",
			"Domain": "0042", "Created": "0043", "LastLogin": "", "Version": "0045"}, "F": person, "FC": Form{}, "Delegated": false,
			"Connections": nil, "Actions": nil, "Contexts": nil, "Memberships": nil, "Groups": nil, "Languages": langs,
			"KeysShown": true, "Keys": nil, "TwoFactor": &struct {
				TOTPEnrolled      bool
				RecoveryCodesLeft int
			}{false, 0}, "OTP": nil, "TOTP": nil}),
		"console_apikey":      common(map[string]any{"UserID": "0062", "Name": "0063", "Key": "0064"}),
		"console_reset":       common(map[string]any{"UserID": "0067", "Login": "0068", "Password": "0069", "Sessions": 2}),
		"console_user_delete": common(map[string]any{"ID": "0060", "Name": "0061"}),
		"console_rights": common(map[string]any{"F": Form{"user": bad, "context": bad, "module": bad},
			"Modules": []opt{{"", "console.rights.all_modules", false}, {"0070", "0071", true}}, "Shown": true, "User": "0072", "Context": "0073",
			"Rights": []map[string]any{
				{"Module": "0074", "Category": "0075", "Name": "0076", "Type": "0077", "Value": "0078", "SetBy": "0079", "Assigned": true,
					"Steps": []map[string]string{{"Step": "e2", "Group": "0080", "Effect": "overwrote", "Value": "0081", "Previous": "0082"}}},
				{"Module": "0074", "Category": "0075", "Name": "0083", "Type": "0077", "Value": "", "SetBy": "", "Assigned": false, "Steps": nil},
			}}),
		"console_contexts":       common(map[string]any{"Query": "0090", "Results": ctxs, "Prev": "/0091", "Next": "/0092"}),
		"console_contexts#yours": common(map[string]any{"Query": "", "Results": nil, "Prev": "", "Next": ""}),
		"console_context": common(map[string]any{"C": ctxRow, "Path": ctxs, "Children": ctxs, "Prev": "/0100", "Next": "/0101",
			"Groups":     []struct{ ID, Name, Context, Roles string }{{"0102", "0103", "0104", "0105"}},
			"ChildTypes": []opt{{"0106", "console.type.customer", false}}, "Templates": []opt{{"", "console.group.no_template", true}, {"0107", "0108", false}},
			"Branded": true, "FChild": Form{"type": bad, "name": bad, "number": bad}, "FGroup": Form{"name": bad, "description": bad, "roles": bad, "template": bad},
			"GroupNonce": "0109", "HasPolicy": true, "PolicyValues": 7}),
		"console_context#empty": common(map[string]any{"C": ctxRow, "Path": nil, "Children": nil, "Prev": "", "Next": "", "Groups": nil,
			"ChildTypes": nil, "Templates": []opt{}, "Branded": false, "FChild": Form{}, "FGroup": Form{}, "GroupNonce": "0109",
			"HasPolicy": false, "PolicyValues": 0}),
		"console_group": common(map[string]any{"G": map[string]string{"ID": "0110", "Name": "0111", "Description": "0112", "Roles": "0113",
			"ContextID": "0114", "Context": "0115", "Version": "0116"}, "F": Form{"name": bad, "description": bad, "roles": bad}, "Module": "0117", "Query": "0118",
			"Modules": []opt{{"0117", "0117", true}},
			"Categories": []map[string]any{{"Name": "0119", "ACLs": []map[string]any{
				{"ID": "0133", "Field": "0120", "Module": "0117", "Name": "0121", "Description": "0122", "Value": "true", "Boolean": true},
				{"ID": "0134", "Field": "0123", "Module": "0117", "Name": "0124", "Description": "", "Value": "0125", "Boolean": false}}}},
			"Templates": []opt{{"", "console.group.pick_template", false}, {"0126", "0127", false}},
			"Members":   []struct{ UserID, Login, ContextID, Context, Key string }{{"0128", "0129", "0130", "0131", "0132"}},
			"More":      true, "FM": Form{"user": bad, "context": bad}, "Global": true}),
		"console_group#empty": common(map[string]any{"G": map[string]string{"ID": "0110", "Name": "0111", "Description": "", "Roles": "",
			"ContextID": "0114", "Context": "0115", "Version": "0116"}, "F": Form{}, "Module": "0117", "Query": "", "Modules": nil, "Categories": nil,
			"Templates": nil, "Members": nil, "More": false, "FM": Form{}, "Global": false}),
		"console_group_delete": common(map[string]any{"ID": "0140", "Name": "0141"}),
		"console_audit": common(map[string]any{"F": Form{"actor": bad, "target": bad, "action": bad, "since": bad, "until": bad},
			"Outcomes": []opt{{"", "console.outcome.any", false}, {"0150", "console.outcome.denied", true}},
			"Events": []struct{ Time, Actor, Action, Target, Context, IP, Outcome, Details string }{
				{"0151", "0152", "0153", "0154", "0155", "0156", "success", "0157"}},
			"Prev": "/0158", "Next": "/0159"}),
		"console_audit#empty": common(map[string]any{"F": Form{}, "Outcomes": nil, "Events": nil, "Prev": "", "Next": ""}),
		"console_templates": common(map[string]any{"Templates": []struct {
			ID, Name, Types string
			Values          int
		}{{"0170", "0171", "0172", 3}}, "F": Form{"name": bad, "description": bad},
			"Types": []opt{{"0173", "console.type.account", true}}}),
		"console_templates#empty": common(map[string]any{"Templates": nil, "F": Form{}, "Types": nil}),
		"console_template": common(map[string]any{"T": map[string]any{"ID": "0180", "Name": "0181", "Types": "0182", "Values": 1}, "Version": "0183",
			"F": Form{"name": bad, "description": bad}, "Types": []opt{{"0184", "console.type.tenant", false}},
			"Values": []struct{ Module, Name, Value string }{{"0185", "0186", "0187"}}, "CSV": "0188",
			"Preview": []map[string]any{{"Line": 2, "Module": "0189", "Category": "0190", "ACL": "0191", "Type": "0192", "Value": "0193", "Err": "0194"},
				{"Line": 3, "Module": "0189", "Category": "0190", "ACL": "0195", "Type": "0192", "Value": "0196", "Err": ""}}, "Errors": 1}),
		"console_template#ok": common(map[string]any{"T": map[string]any{"ID": "0180", "Name": "0181", "Types": "", "Values": 0}, "Version": "0183",
			"F": Form{}, "Types": nil, "Values": nil, "CSV": "0188",
			"Preview": []map[string]any{{"Line": 2, "Module": "0189", "Category": "0190", "ACL": "0191", "Type": "0192", "Value": "0193", "Err": ""}}, "Errors": 0}),
		"console_template_delete": common(map[string]any{"ID": "0197", "Name": "0198"}),
		"console_clients": common(map[string]any{"Clients": []struct{ ID, Name, Module, Protocol, Kind string }{{"0200", "0201", "0202", "oidc", "public"}},
			"F": Form{"name": bad, "module": bad, "urls": bad, "logoutUrl": bad}, "Modules": []opt{{"0203", "0204", true}},
			"Protocols": []opt{{"0205", "console.protocol.cas", true}}, "Grants": []opt{{"0206", "console.grant.refresh_token", true}}, "Public": true}),
		"console_clients#empty": common(map[string]any{"Clients": nil, "F": Form{}, "Modules": nil, "Protocols": nil, "Grants": nil, "Public": false}),
		"console_client": common(map[string]any{"C": map[string]string{"ID": "0210", "Name": "0211", "Module": "0212", "Protocol": "oidc", "Kind": "confidential"},
			"URLs": []string{"/0213"}, "Grants": []string{"refresh_token"}, "Logout": "/0214", "Rotate": true}),
		"console_client_secret": common(map[string]any{"ID": "0220", "Name": "0221", "Secret": "0222"}),
		"console_connections": common(map[string]any{"Connections": []struct{ ID, Name, Kind, Tenant, Stage string }{{"0230", "0231", "oidc", "0232", "testing"}},
			"F":       Form{"tenant": bad, "name": bad, "discoveryUrl": bad, "clientId": bad, "clientSecret": bad, "preset": bad},
			"Presets": []opt{{"", "console.conn.preset.none", false}, {"0233", "console.conn.preset.okta", true}}, "S": samlSample(true)}),
		"console_connections#saml": common(map[string]any{"Connections": nil, "Presets": nil, "S": samlSample(false),
			"F": Form{"samlTenant": bad, "samlName": bad, "idpMetadata": bad, "metadataUrl": bad, "idpEntityId": bad, "binding": bad, "samlPreset": bad,
				"attrEmail": bad, "attrFirstName": bad, "attrLastName": bad, "attrPhone": bad}}),
		"console_connections#empty": common(map[string]any{"Connections": nil, "F": Form{}, "Presets": nil, "S": samlSample(false)}),
		"console_connection": common(map[string]any{"C": map[string]string{"ID": "0240", "Name": "0241", "Kind": "oidc", "Tenant": "0242", "Stage": "testing"},
			"Version": "0243", "RedirectURL": "/0244", "LoginURL": "/0245", "Discovery": "/0246", "ClientID": "0247", "HasSecret": true, "Preset": "okta",
			"LinkByEmail": true, "F": Form{"groups": {Value: "0248"}}, "Configured": true, "Tested": true, "Activated": false}),
		"console_connection#off": common(map[string]any{"C": map[string]string{"ID": "0240", "Name": "0241", "Kind": "oidc", "Tenant": "0242", "Stage": "off"},
			"Version": "0243", "RedirectURL": "", "LoginURL": "/0245", "Discovery": "", "ClientID": "", "HasSecret": false, "Preset": "",
			"LinkByEmail": false, "F": Form{}, "Configured": false, "Tested": false, "Activated": false}),
		"console_connection#saml": common(map[string]any{"C": map[string]string{"ID": "0240", "Name": "0241", "Kind": "saml", "Tenant": "0242", "Stage": "off"},
			"Version": "0243", "LoginURL": "/0245", "Configured": true, "Tested": false, "Activated": false,
			"F": Form{"groups": {Value: "0248"}, "idpMetadata": bad, "idpEntityId": bad, "metadataUrl": {Value: "/0261"}},
			"SAML": map[string]any{"EntityID": "/0262", "ACSURL": "/0263", "SignOnURL": "/0264", "MetadataURL": "/0265",
				"SLOURL": "/0266", "MarketplaceInit": "/0275", "MarketplaceConsume": "/0276", "IdPMetadataURL": "/0261", "Certificates": []struct {
					SHA256   string
					NotAfter time.Time
				}{{"0267", time.Date(2036, 1, 2, 0, 0, 0, 0, time.UTC)}, {"0268", time.Date(2035, 1, 2, 0, 0, 0, 0, time.UTC)}}},
			"S": samlSample(true)}),
		"console_settings": common(map[string]any{"Messages": []struct {
			Type, Language string
			Custom         bool
		}{{"welcome", "de", true}, {"otp_sms", "en", false}},
			"Policy": struct {
				MinLength                    int
				RejectPersonal, RejectCommon bool
			}{12, true, true}}),
		"console_message": common(map[string]any{"Type": "welcome", "Language": "fr", "Placeholders": []string{"0250"}, "Custom": true,
			"F": Form{"subject": bad, "text": bad, "html": bad}, "Preview": &struct{ Language, Subject, Text, HTML string }{"0251", "0252", "0253", ""}}),
		"console_message#shipped": common(map[string]any{"Type": "welcome", "Language": "fr", "Placeholders": nil, "Custom": false,
			"F": Form{}, "Preview": nil}),
		"console_branding": common(map[string]any{"F": Form{"displayName": bad, "accentColor": bad, "logo": bad},
			"Tenant": ctxRow, "LogoURL": "/0160", "Version": 3, "MaxLogoK": 256}),
	}
}
