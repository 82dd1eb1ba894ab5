package modelscan

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Skipped is a path Expand did not hand on for scanning, and why.
type Skipped struct {
	Path   string
	Reason string
}

// Expand turns command-line paths into the regular files to scan.
//
// A path named explicitly is followed if it is a symlink. Inside a
// directory, a symlink is followed only when its target is a regular file
// inside one of the given directories: symlinks to directories are never
// followed (no loops), and links that lead elsewhere are skipped (no
// escape). A Hugging Face cache snapshot (…/models--o--n/snapshots/REV/) is
// all links into the repository's blobs/ folder, so a root inside a
// snapshot also admits that repository folder. Named pipes, sockets and
// devices are never opened: reading one can block forever. A file reached
// twice (a link and its target) is scanned once.
//
// Explicitly named paths that cannot be scanned come back as error reports;
// what the walk passes over comes back as Skipped.
func Expand(ctx context.Context, paths []string) (files []string, problems []Report, skipped []Skipped) {
	seen := map[string]bool{}
	add := func(p, real string) {
		if !seen[real] {
			seen[real] = true
			files = append(files, p)
		}
	}
	var roots []string
	for _, p := range paths {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if st, err := os.Stat(real); err == nil && st.IsDir() {
				roots = append(roots, admitted(real)...)
			}
		}
	}
	for _, p := range paths {
		if ctx.Err() != nil {
			return
		}
		st, err := os.Stat(p) // follows a symlink named explicitly
		if err != nil {
			problems = append(problems, Report{File: p, Status: StatusError, Error: err.Error(), Findings: []Finding{}})
			continue
		}
		switch {
		case st.Mode().IsRegular():
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				real = p
			}
			add(p, real)
		case st.IsDir():
			walkErr := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if err != nil {
					problems = append(problems, Report{File: path, Status: StatusError, Error: err.Error(), Findings: []Finding{}})
					return nil
				}
				switch t := d.Type(); {
				case t.IsDir():
				case t.IsRegular():
					real, err := filepath.Abs(path)
					if err != nil {
						real = path
					}
					if r, err := filepath.EvalSymlinks(real); err == nil {
						real = r
					}
					add(path, real)
				case t&fs.ModeSymlink != 0:
					real, err := filepath.EvalSymlinks(path)
					if err != nil {
						skipped = append(skipped, Skipped{path, "broken symlink"})
						return nil
					}
					st, err := os.Stat(real)
					switch {
					case err != nil:
						skipped = append(skipped, Skipped{path, err.Error()})
					case !st.Mode().IsRegular():
						skipped = append(skipped, Skipped{path, "symlink to " + kindOf(st.Mode()) + "; only links to regular files are followed"})
					case !within(real, roots):
						skipped = append(skipped, Skipped{path, "symlink leads outside the given paths (to " + real + "); name it to scan it"})
					default:
						add(path, real)
					}
				default:
					skipped = append(skipped, Skipped{path, kindOf(t) + " is not opened"})
				}
				return nil
			})
			if walkErr != nil && ctx.Err() == nil {
				problems = append(problems, Report{File: p, Status: StatusError, Error: walkErr.Error(), Findings: []Finding{}})
			}
		default:
			problems = append(problems, Report{File: p, Status: StatusError, Findings: []Finding{},
				Error: fmt.Sprintf("scan %s: %s, not a regular file; not opened", p, kindOf(st.Mode()))})
		}
	}
	return files, problems, skipped
}

// admitted is the area a directory root admits symlink targets from: the
// root itself, and for a Hugging Face cache snapshot the repository folder
// holding its blobs.
func admitted(root string) []string {
	out := []string{root}
	parts := strings.Split(filepath.ToSlash(root), "/")
	for i := len(parts) - 1; i >= 1; i-- {
		if parts[i] == "snapshots" && (strings.HasPrefix(parts[i-1], "models--") || strings.HasPrefix(parts[i-1], "datasets--") || strings.HasPrefix(parts[i-1], "spaces--")) {
			out = append(out, filepath.FromSlash(strings.Join(parts[:i], "/")))
			break
		}
	}
	return out
}

func within(path string, roots []string) bool {
	for _, r := range roots {
		if rel, err := filepath.Rel(r, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	}
	return "special file"
}
