package catalog

// Rights of module cas that authorize Sesame's own administration
// (R-USR-4). Each is a boolean ACL in catalog.yaml (a test checks).
const (
	CASUsersRead                 = "CAS users - Read"
	CASUsersCreateOrModify       = "CAS users - Create or Modify"
	CASUsersActivateOrDeactivate = "CAS users - Activate or Deactivate"
	CASUsersDelete               = "CAS users - Delete"
	PasswordReset                = "Password - Reset"
	CASUserGroupsRead            = "CAS user groups - Read"
	CASUserGroupsManage          = "CAS user groups - Manage"
	ACLTemplatesRead             = "ACL templates - Read"
	ACLTemplatesManage           = "ACL templates - Manage"
	AccessPoliciesManage         = "Access policies - Manage"
	ACLCatalogManage             = "ACL catalog - Manage"
	EffectiveRightsRead          = "Effective rights - Read"
	ContextsRead                 = "Contexts - Read"
	ContextsManage               = "Contexts - Manage"
	TwoFactorSettingsModify      = "2FA settings - Modify"
	IdentityProvidersManage      = "Identity providers - Manage"
	IdentityProvidersRead        = "Identity providers - Read"
	ClientsManage                = "Clients - Manage"
	AuditRead                    = "Audit - Read"
	APIKeysManage                = "API keys - Manage"
)

// AdminRights lists every constant above.
var AdminRights = []string{CASUsersRead, CASUsersCreateOrModify, CASUsersActivateOrDeactivate, CASUsersDelete,
	PasswordReset, CASUserGroupsRead, CASUserGroupsManage, ACLTemplatesRead, ACLTemplatesManage, AccessPoliciesManage,
	ACLCatalogManage, EffectiveRightsRead, ContextsRead, ContextsManage, TwoFactorSettingsModify,
	IdentityProvidersManage, IdentityProvidersRead, ClientsManage, AuditRead,
	APIKeysManage}
