package message

// Preview checks an unsaved template of type t (Validate) and renders it
// with each placeholder standing for itself ("«Name»"), so an admin sees
// the message before saving it (the console's message editor).
func Preview(t Type, tpl Template) (Rendered, error) {
	if err := Validate(t, tpl); err != nil {
		return Rendered{}, err
	}
	data := map[string]string{}
	for _, p := range placeholders[t] {
		data[p] = "«" + p + "»"
	}
	return render(tpl, data)
}
