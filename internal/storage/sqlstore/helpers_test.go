package sqlstore

import "os"

func mkdirTemp() (string, error) { return os.MkdirTemp("", "sesame-fuzz-") }
