// Command ferretdb-embedded runs FerretDB v1 (MongoDB wire protocol over SQLite) for the
// local stack. FerretDB's own command cannot be `go install`ed (it panics for want of a
// generated version file), so the stack embeds the library instead.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "", "directory for the SQLite databases (required)")
	// The administrator of the store, created on first start; its password comes from a file
	// so that it never shows in a process listing.
	adminUser := flag.String("admin-user", "", "require SCRAM authentication; this user is created in the admin database on first start")
	adminPasswordFile := flag.String("admin-password-file", "", "file holding the admin user's password")
	flag.Parse()
	if *dataDir == "" {
		log.Fatal("ferretdb-embedded: -data <dir> is required")
	}
	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatalf("ferretdb-embedded: bad data dir: %v", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		log.Fatalf("ferretdb-embedded: cannot create data dir: %v", err)
	}

	config := &ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	}
	if *adminUser != "" {
		pw, err := os.ReadFile(*adminPasswordFile)
		if err != nil || len(strings.TrimSpace(string(pw))) == 0 {
			log.Fatalf("ferretdb-embedded: -admin-password-file: %v", err)
		}
		config.EnableNewAuth = true
		config.SetupDatabase = "admin"
		config.SetupUsername = *adminUser
		config.SetupPassword = strings.TrimSpace(string(pw))
	}

	f, err := ferretdb.New(config)
	if err != nil {
		log.Fatalf("ferretdb-embedded: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	log.Printf("ferretdb-embedded: listening on %s, data in %s", *listen, abs)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatalf("ferretdb-embedded: %v", err)
	}
	log.Print("ferretdb-embedded: stopped")
}
