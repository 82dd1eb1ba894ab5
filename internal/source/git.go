package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/mlbom/autopilot/internal/asset"
	"github.com/mlbom/autopilot/internal/hub"
	"github.com/mlbom/autopilot/internal/redact"
)

// Layout under Spec.WorkDir, one directory per remote URL so retries reuse
// what an earlier attempt fetched:
//
//	git/<name>-<hash of URL>/shallow.git   depth-1 fetches of branches and tags
//	git/<name>-<hash of URL>/full.git      full history, made only when a commit
//	                                       that is no branch or tag tip is asked for
//	git/<name>-<hash of URL>/trees/<sha>/  the files of one commit, written once
//
// Two stores because go-git cannot deepen a shallow store in place. Trees
// are immutable once renamed into place, so concurrent scans of different
// refs never see each other's checkouts.

var hexRef = regexp.MustCompile(`^[0-9a-fA-F]{4,40}$`)

// gitRemote is a remote URL without credentials plus the ways to
// authenticate against it, tried in order.
type gitRemote struct {
	url     string
	auths   []transport.AuthMethod // nil entry: anonymous
	secrets []string               // strings to scrub from any error text
}

func newGitRemote(src string, opts Options) (gitRemote, error) {
	token := opts.GitToken
	r := gitRemote{url: src, auths: []transport.AuthMethod{nil}}
	if token != "" {
		r.secrets = append(r.secrets, token)
	}
	lower := strings.ToLower(src)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return r, nil
	}
	u, err := url.Parse(src)
	if err != nil || u.Host == "" {
		return r, invalidf("malformed git URL %s", redact.URL(src))
	}
	if u.User != nil {
		// Credentials typed into the URL move to auth so they are never
		// written to the clone's config or shown in errors.
		pass, _ := u.User.Password()
		user := u.User.Username()
		r.secrets = append(r.secrets, pass, user)
		u.User = nil
		r.url = u.String()
		r.auths = []transport.AuthMethod{&githttp.BasicAuth{Username: user, Password: pass}}
		return r, nil
	}
	if c := opts.URLCredentials; c != nil && strings.EqualFold(c.Host, u.Host) {
		// The same, for credentials the CLI took out of the URL before the
		// URL went anywhere; the user chose to send them to this host.
		r.secrets = append(r.secrets, c.Password, c.Username)
		r.auths = []transport.AuthMethod{&githttp.BasicAuth{Username: c.Username, Password: c.Password}}
		return r, nil
	}
	if token == "" || u.Scheme != "https" {
		return r, nil // never send a token in clear text
	}
	user := opts.GitUsername
	if user == "" {
		user = tokenUser(u.Hostname())
	}
	tok := &githttp.BasicAuth{Username: user, Password: token}
	if strings.EqualFold(u.Hostname(), "github.com") {
		r.auths = []transport.AuthMethod{tok}
	} else {
		// Like git's credential helpers: offer the token only to a host that
		// asks for authentication, so scanning a public repository elsewhere
		// does not hand it out.
		r.auths = []transport.AuthMethod{nil, tok}
	}
	return r, nil
}

// SplitCredentials takes the credentials out of a git URL: user-info of an
// http(s) URL (a lone user name there is usually a token), the password of
// an ssh URL (its user name stays: ssh needs it). The clean URL is what may
// be stored, shown and put in a workflow input; cred (nil when there were
// none) may only be held in memory. Other sources pass through unchanged.
// A URL whose credentials cannot be parsed out is an error that does not
// repeat them.
func SplitCredentials(src string) (clean string, cred *Credentials, err error) {
	lower := strings.ToLower(strings.TrimSpace(src))
	if !strings.Contains(lower, "://") || strings.HasPrefix(lower, "hf://") {
		return src, nil, nil
	}
	u, perr := url.Parse(strings.TrimSpace(src))
	if perr != nil || u.Host == "" {
		if redact.URL(src) != src {
			return "", nil, invalidf("malformed git URL %s: it seems to carry credentials; give the URL without them and set MLBOM_GIT_TOKEN", redact.URL(src))
		}
		return src, nil, nil
	}
	if u.User == nil {
		return src, nil, nil
	}
	pass, hasPass := u.User.Password()
	if hasPass && strings.Contains(u.EscapedPath()+u.RawQuery, "@") {
		// https://u:p@ss/word@host/x: a password with an unescaped '/' or
		// '@'; what Go parses as the host is part of the password.
		return "", nil, invalidf("malformed git URL %s: percent-encode '@' and '/' in the password, or better, give the URL without credentials and set MLBOM_GIT_TOKEN", redact.URL(src))
	}
	cred = &Credentials{Host: u.Host, Username: u.User.Username(), Password: pass}
	switch u.Scheme {
	case "ssh", "git+ssh", "ssh+git":
		if !hasPass {
			return src, nil, nil // ssh://git@host: a user name, no secret
		}
		u.User = url.User(u.User.Username())
	default:
		u.User = nil
	}
	return u.String(), cred, nil
}

func tokenUser(host string) string {
	switch {
	case strings.EqualFold(host, "github.com"):
		return "x-access-token"
	case strings.Contains(strings.ToLower(host), "gitlab"):
		return "oauth2"
	}
	return "git"
}

// repoBaseName is the last path element of a git URL without ".git".
func repoBaseName(remote string) string {
	s := remote
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	} else if scpLike.MatchString(s) {
		s = s[strings.Index(s, ":")+1:]
	}
	s = strings.TrimRight(strings.ReplaceAll(s, "\\", "/"), "/")
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, ".git")
	if s == "" {
		return "repo"
	}
	return s
}

// safeName keeps a name usable as one directory element.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	out := strings.Trim(string(b), ".")
	if out == "" {
		out = "repo"
	}
	if len(out) > 64 {
		out = out[:64]
	}
	return out
}

func openGit(ctx context.Context, src string, spec Spec, opts Options) (_ *Tree, err error) {
	remote, err := newGitRemote(src, opts)
	if err != nil {
		return nil, err
	}
	defer func() { err = redactErr(err, remote.secrets...) }()

	base, tmp := spec.WorkDir, false
	if base == "" {
		if base, err = os.MkdirTemp("", "mlbom-git-"); err != nil {
			return nil, fmt.Errorf("work dir: %w", err)
		}
		tmp = true
		defer func() {
			if err != nil {
				os.RemoveAll(base)
			}
		}()
	}
	name := repoBaseName(remote.url)
	sum := sha256.Sum256([]byte(remote.url))
	key := filepath.Join(base, "git", safeName(name)+"-"+hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(filepath.Join(key, "trees"), 0o755); err != nil {
		return nil, fmt.Errorf("work dir: %w", err)
	}
	unlock, err := lockDir(ctx, key)
	if err != nil {
		return nil, err
	}
	defer unlock()

	refs, auth, err := listRemote(ctx, remote, opts)
	if err != nil {
		return nil, err
	}
	want, err := resolveWant(refs, spec.Ref, remote.url)
	if err != nil {
		return nil, err
	}
	repo, commit, err := fetchWant(ctx, key, remote.url, auth, want)
	if err != nil {
		return nil, err
	}
	closeStore := func() error { return nil }
	if dir, ok := storeDir(repo); ok {
		if r, c, err := openStore(dir); err == nil {
			if cm, err := r.CommitObject(commit.Hash); err == nil {
				repo, commit, closeStore = r, cm, c
			} else {
				c()
			}
		}
	}
	defer func() {
		if err != nil {
			closeStore()
		}
	}()
	dir, skipped, err := checkoutTree(ctx, repo, commit, filepath.Join(key, "trees"), opts.limits())
	if err != nil {
		return nil, err
	}
	prune(filepath.Join(key, "trees"), opts.KeepCheckouts, isCommitDir, filepath.Base(dir))
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open checkout: %w", err)
	}
	idx := newProvenanceIndex(repo, commit.Hash, "")
	t := &Tree{
		FS:         root.FS(),
		Dir:        dir,
		Kind:       "git",
		URL:        remote.url,
		Commit:     commit.Hash.String(),
		Name:       name,
		Submodules: submodulesOf(commit, ""),
		Skipped:    skipped,
		Provenance: idx.one,
		provAll:    idx.all,
	}
	if want.ref.IsBranch() || want.ref.IsTag() {
		t.Ref = want.ref.Short()
	}
	t.close = func() error {
		err := root.Close()
		if cerr := closeStore(); err == nil {
			err = cerr
		}
		if tmp {
			if rerr := os.RemoveAll(base); err == nil {
				err = rerr
			}
		}
		return err
	}
	return t, nil
}

// listRemote asks the remote for its refs (git ls-remote), trying each auth
// method in turn while the server asks for credentials. The auth that
// worked is used for the fetch.
func listRemote(ctx context.Context, remote gitRemote, opts Options) ([]*plumbing.Reference, transport.AuthMethod, error) {
	lctx, cancel := withTimeout(ctx, opts)
	defer cancel()
	rem := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{remote.url}})
	var lastErr error
	for _, auth := range remote.auths {
		refs, err := rem.ListContext(lctx, &git.ListOptions{Auth: auth})
		if err == nil {
			return refs, auth, nil
		}
		lastErr = err
		if !errors.Is(err, transport.ErrAuthenticationRequired) && !errors.Is(err, transport.ErrRepositoryNotFound) {
			break // only an auth challenge (or GitHub's 404-for-private) warrants the next method
		}
	}
	return nil, nil, classifyGitErr(lastErr, "list refs of "+remote.url)
}

// classifyGitErr marks what retrying cannot fix as ErrInvalid.
func classifyGitErr(err error, what string) error {
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, transport.ErrRepositoryNotFound), errors.Is(err, git.ErrRepositoryNotExists):
		return invalidWrap(err, "%s: repository not found (check the URL; a private repository needs MLBOM_GIT_TOKEN)", what)
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed),
		errors.Is(err, transport.ErrInvalidAuthMethod):
		return invalidWrap(err, "%s: access denied (set MLBOM_GIT_TOKEN to a token that can read it)", what)
	case errors.Is(err, exec.ErrNotFound):
		return invalidWrap(err, "%s: file:// URLs need the git program (git-upload-pack) installed; or scan the work tree by its path", what)
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return invalidWrap(err, "%s: the repository is empty", what)
	case errors.Is(err, git.NoMatchingRefSpecError{}), errors.Is(err, plumbing.ErrReferenceNotFound):
		return invalidWrap(err, "%s: unknown ref", what)
	case strings.Contains(msg, "unable to authenticate"), strings.Contains(msg, "knownhosts"),
		strings.Contains(msg, "not a git repository"), strings.Contains(msg, "does not appear to be a git repository"):
		return invalidWrap(err, "%s", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// gitWant is what to fetch: a remote ref and the hash it advertises, or a
// bare commit (ref empty) that is no branch or tag tip.
type gitWant struct {
	ref    plumbing.ReferenceName
	hash   plumbing.Hash
	commit string
}

func resolveWant(refs []*plumbing.Reference, ref, remoteURL string) (gitWant, error) {
	byName := make(map[plumbing.ReferenceName]*plumbing.Reference, len(refs))
	for _, r := range refs {
		byName[r.Name()] = r
	}
	follow := func(r *plumbing.Reference) *plumbing.Reference {
		for i := 0; i < 5 && r != nil && r.Type() == plumbing.SymbolicReference; i++ {
			r = byName[r.Target()]
		}
		return r
	}
	if ref == "" {
		head := byName[plumbing.HEAD]
		if head == nil {
			return gitWant{}, invalidf("%s advertises no HEAD: give a branch or tag", remoteURL)
		}
		if head.Type() == plumbing.SymbolicReference {
			if t := follow(head); t != nil {
				return gitWant{ref: head.Target(), hash: t.Hash()}, nil
			}
		}
		// Without the symref capability, pick the branch HEAD points at.
		var names []string
		for _, r := range refs {
			if r.Name().IsBranch() && r.Type() == plumbing.HashReference && r.Hash() == head.Hash() {
				names = append(names, string(r.Name()))
			}
		}
		sort.Slice(names, func(i, j int) bool { return rankBranch(names[i]) < rankBranch(names[j]) })
		if len(names) > 0 {
			return gitWant{ref: plumbing.ReferenceName(names[0]), hash: head.Hash()}, nil
		}
		return gitWant{commit: head.Hash().String()}, nil
	}
	var candidates []plumbing.ReferenceName
	if strings.HasPrefix(ref, "refs/") {
		candidates = append(candidates, plumbing.ReferenceName(ref))
	}
	candidates = append(candidates, plumbing.NewBranchReferenceName(ref), plumbing.NewTagReferenceName(ref))
	for _, c := range candidates {
		if r := follow(byName[c]); r != nil {
			return gitWant{ref: c, hash: r.Hash()}, nil
		}
	}
	if hexRef.MatchString(ref) {
		sha := strings.ToLower(ref)
		if len(sha) == 40 {
			// A tip sha can be fetched shallowly through its ref.
			for _, r := range refs {
				if r.Type() == plumbing.HashReference && r.Hash().String() == sha && (r.Name().IsBranch() || r.Name().IsTag()) {
					return gitWant{ref: r.Name(), hash: r.Hash(), commit: sha}, nil
				}
			}
		}
		return gitWant{commit: sha}, nil
	}
	return gitWant{}, invalidf("unknown ref %q: no branch or tag of that name in %s", ref, remoteURL)
}

func rankBranch(name string) string {
	switch name {
	case "refs/heads/main":
		return "0"
	case "refs/heads/master":
		return "1"
	}
	return "2" + name
}

// fetchWant makes the wanted commit available locally, fetching as little
// as possible, and returns the store holding it.
func fetchWant(ctx context.Context, key, remoteURL string, auth transport.AuthMethod, want gitWant) (*git.Repository, *object.Commit, error) {
	fullDir, shallowDir := filepath.Join(key, "full.git"), filepath.Join(key, "shallow.git")
	haveFull := dirExists(fullDir)

	if want.ref != "" {
		dir, depth := shallowDir, 1
		if haveFull {
			dir, depth = fullDir, 0
		}
		repo, err := ensureRepo(dir, remoteURL)
		if err != nil {
			return nil, nil, err
		}
		if c, err := peelCommit(repo, want.hash); err == nil {
			return repo, c, nil // already fetched by an earlier attempt
		}
		spec := config.RefSpec("+" + string(want.ref) + ":" + string(want.ref))
		if want.ref == plumbing.HEAD {
			spec = "+HEAD:refs/remotes/origin/HEAD"
		}
		if err := fetch(ctx, repo, auth, []config.RefSpec{spec}, depth, git.NoTags); err != nil {
			return nil, nil, classifyGitErr(err, "fetch "+want.ref.Short()+" from "+remoteURL)
		}
		c, err := peelCommit(repo, want.hash)
		if err != nil {
			return nil, nil, fmt.Errorf("fetch %s from %s: %s not received: %w", want.ref.Short(), remoteURL, want.hash, err)
		}
		return repo, c, nil
	}

	// A bare commit: look in what we have, then try a shallow fetch of the
	// exact sha (servers that allow it), then fall back to full history.
	for _, dir := range []string{fullDir, shallowDir} {
		if !dirExists(dir) {
			continue
		}
		if repo, err := git.PlainOpen(dir); err == nil {
			if c, err := lookupCommit(repo, want.commit); err == nil {
				return repo, c, nil
			}
		}
	}
	if len(want.commit) == 40 && !haveFull {
		repo, err := ensureRepo(shallowDir, remoteURL)
		if err != nil {
			return nil, nil, err
		}
		spec := config.RefSpec("+" + want.commit + ":refs/mlbom/" + want.commit)
		if err := fetch(ctx, repo, auth, []config.RefSpec{spec}, 1, git.NoTags); err == nil {
			if c, err := lookupCommit(repo, want.commit); err == nil {
				return repo, c, nil
			}
		} else if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("fetch %s from %s: %w", want.commit, remoteURL, err)
		}
	}
	repo, err := ensureRepo(fullDir, remoteURL)
	if err != nil {
		return nil, nil, err
	}
	specs := []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}
	if err := fetch(ctx, repo, auth, specs, 0, git.AllTags); err != nil {
		return nil, nil, classifyGitErr(err, "fetch history of "+remoteURL)
	}
	c, err := lookupCommit(repo, want.commit)
	if err != nil {
		return nil, nil, invalidf("unknown ref %q: no such commit in %s", want.commit, remoteURL)
	}
	return repo, c, nil
}

func fetch(ctx context.Context, repo *git.Repository, auth transport.AuthMethod, specs []config.RefSpec, depth int, tags git.TagMode) error {
	err := repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "origin",
		RefSpecs:   specs,
		Depth:      depth,
		Auth:       auth,
		Tags:       tags,
		Force:      true,
	})
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return err
}

// ensureRepo opens the bare store at dir, creating it (with an origin
// remote and no credentials in its config) when absent.
func ensureRepo(dir, remoteURL string) (*git.Repository, error) {
	repo, err := git.PlainOpen(dir)
	if err != nil {
		if !errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("open %s: %w", dir, err)
		}
		if repo, err = git.PlainInit(dir, true); err != nil {
			return nil, fmt.Errorf("init %s: %w", dir, err)
		}
	}
	if _, err := repo.Remote("origin"); errors.Is(err, git.ErrRemoteNotFound) {
		if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{remoteURL}}); err != nil {
			return nil, fmt.Errorf("init %s: %w", dir, err)
		}
	}
	return repo, nil
}

// peelCommit follows annotated tags to the commit they name.
func peelCommit(repo *git.Repository, h plumbing.Hash) (*object.Commit, error) {
	for i := 0; i < 10; i++ {
		obj, err := repo.Object(plumbing.AnyObject, h)
		if err != nil {
			return nil, err
		}
		switch o := obj.(type) {
		case *object.Commit:
			return o, nil
		case *object.Tag:
			h = o.Target
		default:
			return nil, fmt.Errorf("%s is a %s, not a commit", h, obj.Type())
		}
	}
	return nil, fmt.Errorf("tag chain at %s too long", h)
}

func lookupCommit(repo *git.Repository, sha string) (*object.Commit, error) {
	h, err := repo.ResolveRevision(plumbing.Revision(sha))
	if err != nil {
		return nil, err
	}
	return peelCommit(repo, *h)
}

// isCommitDir: a checkout directory is named after its commit sha.
func isCommitDir(name string) bool { return hub.IsCommit(name) }

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// maxSymlinkTarget bounds the blob read as a symlink target.
const maxSymlinkTarget = 4096

// checkoutTree writes the files of commit under treesDir/<sha> once and
// reuses them afterwards. Writes go through os.Root, so no tree entry can
// land outside the checkout; symlinks that would lead out of it are not
// created but reported in skipped. Submodules become empty directories.
func checkoutTree(ctx context.Context, repo *git.Repository, commit *object.Commit, treesDir string, lim limits) (string, []asset.Skip, error) {
	sha := commit.Hash.String()
	final := filepath.Join(treesDir, sha)
	sidecar := final + ".skipped.json"
	if dirExists(final) {
		touch(final)
		return final, readSkips(sidecar), nil
	}
	tree, err := commit.Tree()
	if err != nil {
		return "", nil, fmt.Errorf("checkout %s: %w", sha, err)
	}
	if err := precheck(repo, tree, lim); err != nil {
		return "", nil, fmt.Errorf("checkout %s: %w", sha, err)
	}
	removeStaleTemp(treesDir)
	tmp, err := os.MkdirTemp(treesDir, ".tmp-"+sha[:12]+"-")
	if err != nil {
		return "", nil, fmt.Errorf("checkout %s: %w", sha, err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return "", nil, fmt.Errorf("checkout %s: %w", sha, err)
	}
	defer root.Close()

	var skipped []asset.Skip
	b := newBudget(lim)
	w := object.NewTreeWalker(tree, true, nil)
	defer w.Close()
	for n := 0; ; n++ {
		name, entry, err := w.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, fmt.Errorf("checkout %s: %w", sha, err)
		}
		if n%1024 == 0 && ctx.Err() != nil {
			return "", nil, fmt.Errorf("checkout %s: %w", sha, ctx.Err())
		}
		if err := b.entry(name, entry.Hash.String()); err != nil {
			return "", nil, fmt.Errorf("checkout %s: %w", sha, err)
		}
		if !fs.ValidPath(name) || hasDotGit(name) {
			skipped = append(skipped, skipf(name, "unsafe path in git tree, not checked out"))
			continue
		}
		if err := writeEntry(repo, root, name, entry, b); err != nil {
			var se skipError
			if errors.As(err, &se) {
				skipped = append(skipped, skipf(name, "%s", se.reason))
				continue
			}
			return "", nil, fmt.Errorf("checkout %s: %s: %w", sha, name, err)
		}
	}
	if len(skipped) > 0 {
		if data, err := json.Marshal(skipped); err == nil {
			_ = os.WriteFile(sidecar, data, 0o644)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		if dirExists(final) { // another worker won the race; its copy is identical
			return final, skipped, nil
		}
		return "", nil, fmt.Errorf("checkout %s: %w", sha, err)
	}
	return final, skipped, nil
}

type skipError struct{ reason string }

func (e skipError) Error() string { return e.reason }

func writeEntry(repo *git.Repository, root *os.Root, name string, entry object.TreeEntry, b *budget) error {
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	switch entry.Mode {
	case filemode.Dir, filemode.Submodule:
		return root.MkdirAll(name, 0o755)
	case filemode.Symlink:
		target, err := readBlob(repo, entry.Hash, maxSymlinkTarget)
		if err != nil {
			return err
		}
		if symlinkEscapes(name, string(target)) {
			return skipError{fmt.Sprintf("symlink to %q leads outside the repository, not followed", target)}
		}
		return root.Symlink(string(target), name)
	case filemode.Regular, filemode.Executable, filemode.Deprecated:
		blob, err := repo.BlobObject(entry.Hash)
		if err != nil {
			return err
		}
		if err := b.add(blob.Size); err != nil {
			return err
		}
		r, err := blob.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		perm := os.FileMode(0o644)
		if entry.Mode == filemode.Executable {
			perm = 0o755
		}
		f, err := root.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, io.LimitReader(r, blob.Size)); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return skipError{fmt.Sprintf("unsupported git file mode %s", entry.Mode)}
}

func readBlob(repo *git.Repository, h plumbing.Hash, max int64) ([]byte, error) {
	blob, err := repo.BlobObject(h)
	if err != nil {
		return nil, err
	}
	r, err := blob.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, max))
}

// symlinkEscapes reports whether a link at name pointing to target resolves
// (lexically) outside the tree root.
func symlinkEscapes(name, target string) bool {
	if target == "" || strings.HasPrefix(target, "/") || strings.Contains(target, "\\") || strings.ContainsRune(target, 0) {
		return true
	}
	if len(target) >= 2 && target[1] == ':' { // Windows drive path
		return true
	}
	p := path.Clean(path.Join(path.Dir(name), target))
	return p == ".." || strings.HasPrefix(p, "../")
}

func hasDotGit(name string) bool {
	for _, el := range strings.Split(name, "/") {
		if strings.EqualFold(el, ".git") {
			return true
		}
	}
	return false
}

func skipf(p, format string, args ...any) asset.Skip {
	return asset.Skip{Path: p, Reason: fmt.Sprintf(format, args...)}
}

func readSkips(p string) []asset.Skip {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var s []asset.Skip
	if json.Unmarshal(data, &s) != nil {
		return nil
	}
	return s
}

// removeStaleTemp deletes half-written trees left by a crashed attempt. It
// runs under the directory's lock, so no live attempt owns a .tmp- entry.
func removeStaleTemp(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
