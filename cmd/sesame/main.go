// Command sesame runs the Sesame server and its operator commands.
package main

import (
	"context"
	"os"

	"github.com/sesame-sso/sesame/internal/app"
)

func main() {
	os.Exit(app.Main(context.Background(), app.Env{Args: os.Args[1:], Stdout: os.Stdout, Stderr: os.Stderr}))
}
