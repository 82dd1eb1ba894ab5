package main

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"text/tabwriter"
	"time"

	"github.com/mlbom/autopilot/internal/auth"
	"github.com/mlbom/autopilot/internal/config"
	"github.com/mlbom/autopilot/internal/store"
)

// runToken manages the API's tokens directly in the store: the first admin
// token has to come from somewhere other than the API.
func runToken(ctx context.Context, cfg *config.Config, args []string) error {
	if len(args) == 0 {
		return withCode(exitUsage, "want create, list or revoke")
	}
	switch args[0] {
	case "create":
		return tokenCreate(ctx, cfg, args[1:])
	case "list":
		return tokenList(ctx, cfg, args[1:])
	case "revoke":
		return tokenRevoke(ctx, cfg, args[1:])
	}
	return withCode(exitUsage, "unknown token command %q: want create, list or revoke", args[0])
}

func tokenCreate(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "token create")
	role := fs.String("role", "", "viewer, operator (start scans), approver (decide exceptions) or admin (tokens, schedules)")
	name := fs.String("name", "", "who holds it; recorded with every decision made with it, never reused")
	expires := fs.String("expires", "", "RFC 3339 time or duration (e.g. 2160h) after which it stops working; default never")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return withCode(exitUsage, "token create takes flags only: --role ROLE --name NAME")
	}
	if _, err := auth.ParseRole(*role); err != nil {
		return withCode(exitUsage, "--role: %v", err)
	}
	if err := auth.CheckName(*name); err != nil {
		return withCode(exitUsage, "--name: %v", err)
	}
	now := time.Now().UTC()
	t := store.Token{Name: *name, Role: *role, CreatedAt: now, CreatedBy: "cli"}
	if u, err := user.Current(); err == nil {
		t.CreatedBy = "cli:" + u.Username
	}
	if *expires != "" {
		if d, err := time.ParseDuration(*expires); err == nil && d > 0 {
			t.Expires = now.Add(d)
		} else if at, err := time.Parse(time.RFC3339, *expires); err == nil && at.After(now) {
			t.Expires = at
		} else {
			return withCode(exitUsage, "--expires: want a future RFC 3339 time or a positive duration, got %q", *expires)
		}
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	secret := auth.NewSecret(auth.TokenPrefix)
	t.Hint = auth.Hint(secret)
	if err := db.CreateToken(ctx, t, auth.Hash(secret)); err != nil {
		if errors.Is(err, store.ErrExists) {
			return withCode(exitError, "%v", err)
		}
		return err
	}
	// The secret goes to standard output alone, so `$(mlbom token create ...)`
	// captures it; the rest is for the person at the terminal.
	fmt.Fprintln(stdoutOf(ctx), secret)
	fmt.Fprintf(stderrOf(ctx), "token %q (%s) created; it is shown this once and stored only as a hash\n", t.Name, t.Role)
	return nil
}

func tokenList(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "token list")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.ListTokens(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(ctx, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(stdoutOf(ctx), "no tokens: create one with mlbom token create --role admin --name NAME")
		return nil
	}
	tw := tabwriter.NewWriter(stdoutOf(ctx), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tTOKEN\tCREATED\tLAST USED\tSTATE")
	now := time.Now()
	for _, t := range list {
		state := "active"
		switch {
		case !t.Revoked.IsZero():
			state = "revoked " + t.Revoked.UTC().Format(time.DateOnly)
		case !t.Active(now):
			state = "expired"
		case !t.Expires.IsZero():
			state = "expires " + t.Expires.UTC().Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Role, t.Hint, t.CreatedAt.UTC().Format(time.DateOnly), dateOrDash(t.LastUsed), state)
	}
	return tw.Flush()
}

func dateOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateTime)
}

func tokenRevoke(ctx context.Context, cfg *config.Config, args []string) error {
	fs := newFlags(ctx, "token revoke")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return withCode(exitUsage, "want NAME")
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RevokeToken(ctx, pos[0], time.Now().UTC()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return withCode(exitError, "no token named %q", pos[0])
		}
		return err
	}
	fmt.Fprintf(stdoutOf(ctx), "token %s revoked; its browser sessions have ended\n", pos[0])
	return nil
}
