package catalog

// Rights of module cas over the message templates (R-MSG-1), held at the
// root context; boolean ACLs of catalog.yaml (category Messaging).
const (
	MessageTemplatesRead   = "Message templates - Read"
	MessageTemplatesManage = "Message templates - Manage"
)
