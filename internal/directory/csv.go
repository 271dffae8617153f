package directory

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
)

// CSV format of ACL templates (SPEC.md §2): a header line
// module,category,acl,type,value and one row per value.
var csvHeader = []string{"module", "category", "acl", "type", "value"}

// maxCSVRows bounds an import.
const maxCSVRows = 10000

// ParseTemplateCSV reads template values from CSV and checks every row
// against the catalog. The first bad row is reported by its line number and
// nothing is returned.
func ParseTemplateCSV(r io.Reader, catalog []model.ACL) ([]model.ACLValue, error) {
	byRef := make(map[model.ACLRef]model.ACL, len(catalog))
	for _, a := range catalog {
		byRef[a.Ref()] = a
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, model.Invalid("csv", "empty file: expected header %s", strings.Join(csvHeader, ","))
	}
	if err != nil {
		return nil, model.Invalid("csv", "line 1: %v", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	if len(header) != len(csvHeader) {
		return nil, model.Invalid("csv", "line 1: header must be %s", strings.Join(csvHeader, ","))
	}
	for i, h := range header {
		if !strings.EqualFold(strings.TrimSpace(h), csvHeader[i]) {
			return nil, model.Invalid("csv", "line 1: header must be %s", strings.Join(csvHeader, ","))
		}
	}
	var out []model.ACLValue
	seen := map[model.ACLRef]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, model.Invalid("csv", "line %d: %v", pe.Line, pe.Err)
			}
			return nil, model.Invalid("csv", "%v", err)
		}
		line, _ := cr.FieldPos(0)
		if len(out) >= maxCSVRows {
			return nil, model.Invalid("csv", "more than %d rows", maxCSVRows)
		}
		if len(rec) != len(csvHeader) {
			return nil, model.Invalid("csv", "line %d: expected %d fields, got %d", line, len(csvHeader), len(rec))
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		v := model.ACLValue{Module: rec[0], Name: rec[2], Value: rec[4]}
		acl, ok := byRef[v.Ref()]
		if !ok {
			return nil, model.Invalid("csv", "line %d: unknown ACL %s", line, v.Ref())
		}
		if !strings.EqualFold(acl.Category, rec[1]) {
			return nil, model.Invalid("csv", "line %d: ACL %s is in category %q, not %q", line, v.Ref(), acl.Category, rec[1])
		}
		if string(acl.Type) != strings.ToLower(rec[3]) {
			return nil, model.Invalid("csv", "line %d: ACL %s has type %s, not %q", line, v.Ref(), acl.Type, rec[3])
		}
		if acl.Type == model.ACLBoolean {
			v.Value = strings.ToLower(v.Value)
		}
		if err := validateValue(byRef, v); err != nil {
			var me *model.Error
			if errors.As(err, &me) {
				return nil, model.Invalid("csv", "line %d: %s", line, me.Message)
			}
			return nil, err
		}
		if prev, dup := seen[v.Ref()]; dup {
			return nil, model.Invalid("csv", "line %d: ACL %s already set on line %d", line, v.Ref(), prev)
		}
		seen[v.Ref()] = line
		out = append(out, v)
	}
	return out, nil
}

// TemplateCSV writes a template's values as CSV.
func TemplateCSV(t model.Template, catalog []model.ACL) ([]byte, error) {
	byRef := make(map[model.ACLRef]model.ACL, len(catalog))
	for _, a := range catalog {
		byRef[a.Ref()] = a
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(csvHeader); err != nil {
		return nil, err
	}
	for _, v := range t.Values {
		a := byRef[v.Ref()]
		if err := w.Write([]string{v.Module, a.Category, v.Name, string(a.Type), v.Value}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return buf.Bytes(), nil
}

// ExportTemplateCSV exports one template.
func (s *Service) ExportTemplateCSV(ctx context.Context, a Actor, id string) (model.Template, []byte, error) {
	t, err := s.GetTemplate(ctx, a, id)
	if err != nil {
		return t, nil, err
	}
	acls, err := s.store.ListACLs(ctx, "")
	if err != nil {
		return t, nil, err
	}
	b, err := TemplateCSV(t, acls)
	return t, b, err
}

// ImportTemplateCSV replaces a template's values with the CSV's (all or
// nothing).
func (s *Service) ImportTemplateCSV(ctx context.Context, a Actor, id string, r io.Reader) (model.Template, error) {
	acls, err := s.store.ListACLs(ctx, "")
	if err != nil {
		return model.Template{}, err
	}
	vals, err := ParseTemplateCSV(r, acls)
	if err != nil {
		return model.Template{}, err
	}
	return s.UpdateTemplate(ctx, a, id, func(t model.Template) (model.Template, error) {
		t.Values = vals
		return t, nil
	})
}
