package loadtest

import (
	"cmp"
	"html"
	"net/url"
	"regexp"
	"strings"
)

// htmlForm is one <form> of a page, as a browser would submit it: its
// method, its action resolved against the page URL, and its controls.
// Pages come from html/template (quoted, escaped attribute values), so a
// tag-level scan is enough; no script runs.
type htmlForm struct {
	Method, Action string
	Inputs         []htmlInput
}

// htmlInput is one <input>, <button> or <select>/<textarea> of a form.
type htmlInput struct {
	Tag, Type, Name, Value string
	Checked                bool
}

var (
	formRE  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form\s*>`)
	fieldRE = regexp.MustCompile(`(?is)<(input|button|select|textarea)\b([^>]*)>`)
	attrRE  = regexp.MustCompile(`(?is)([a-z_:][-a-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
)

// attrs reads a tag's attributes (names lower-cased, values unescaped).
func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(a[1])
		if _, dup := m[name]; dup {
			continue // the first one counts, as in a browser
		}
		m[name] = html.UnescapeString(a[2] + a[3] + a[4])
	}
	return m
}

// parseForms returns the forms of page, whose URL is base.
func parseForms(page []byte, base *url.URL) []htmlForm {
	var out []htmlForm
	for _, fm := range formRE.FindAllSubmatch(page, -1) {
		fa := attrs(string(fm[1]))
		f := htmlForm{Method: strings.ToUpper(fa["method"]), Action: base.String()}
		if f.Method == "" {
			f.Method = "GET"
		}
		if act, ok := fa["action"]; ok && act != "" {
			if u, err := base.Parse(act); err == nil {
				f.Action = u.String()
			}
		}
		for _, m := range fieldRE.FindAllSubmatch(fm[2], -1) {
			a := attrs(string(m[2]))
			in := htmlInput{Tag: strings.ToLower(string(m[1])), Type: strings.ToLower(a["type"]), Name: a["name"], Value: a["value"]}
			_, in.Checked = a["checked"]
			if _, disabled := a["disabled"]; disabled {
				continue
			}
			switch in.Tag {
			case "input":
				if in.Type == "" {
					in.Type = "text"
				}
			case "button":
				if in.Type == "" {
					in.Type = "submit"
				}
			}
			f.Inputs = append(f.Inputs, in)
		}
		out = append(out, f)
	}
	return out
}

// textTypes are the input types a person types a name or a code into.
var textTypes = map[string]bool{"text": true, "tel": true, "number": true, "email": true, "search": true}

// visibleText lists the controls a person types into (not hidden, not a
// password, not a button or a box to tick).
func (f htmlForm) visibleText() []htmlInput {
	var out []htmlInput
	for _, in := range f.Inputs {
		if in.Name != "" && (in.Tag == "input" && textTypes[in.Type] || in.Tag == "textarea") {
			out = append(out, in)
		}
	}
	return out
}

// byType lists the named inputs of one type.
func (f htmlForm) byType(typ string) []htmlInput {
	var out []htmlInput
	for _, in := range f.Inputs {
		if in.Tag == "input" && in.Type == typ && in.Name != "" {
			out = append(out, in)
		}
	}
	return out
}

// values is what the browser posts before the user types anything: the
// hidden fields, ticked boxes, and the first named submit button (the one
// pressing Enter submits with).
func (f htmlForm) values() url.Values {
	v := url.Values{}
	button := false
	for _, in := range f.Inputs {
		if in.Name == "" {
			continue
		}
		switch {
		case in.Tag == "input" && in.Type == "hidden":
			v.Add(in.Name, in.Value)
		case in.Tag == "input" && (in.Type == "checkbox" || in.Type == "radio") && in.Checked:
			v.Add(in.Name, cmp.Or(in.Value, "on"))
		case (in.Tag == "button" || in.Tag == "input") && in.Type == "submit" && !button:
			button = true
			v.Add(in.Name, in.Value)
		}
	}
	return v
}

// passwordForm is the POST form with a password input and one visible
// text input (the login name), if the page has one.
func passwordForm(forms []htmlForm) (htmlForm, bool) {
	for _, f := range forms {
		if f.Method == "POST" && len(f.byType("password")) == 1 && len(f.visibleText()) == 1 {
			return f, true
		}
	}
	return htmlForm{}, false
}

// codeForm is the POST form with exactly one visible text input (the
// one-time code) and no password input. The field names are the page's:
// nothing but "the one non-hidden text input" is assumed.
func codeForm(forms []htmlForm) (htmlForm, bool) {
	for _, f := range forms {
		if f.Method == "POST" && len(f.byType("password")) == 0 && len(f.visibleText()) == 1 {
			return f, true
		}
	}
	return htmlForm{}, false
}
