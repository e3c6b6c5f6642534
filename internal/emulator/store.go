package emulator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// store keeps the emulator's resources and long-running operations in SQLite. Every change is
// one transaction; with a file, the journal is a write-ahead log, so a crash of the process
// loses no write that was acknowledged. One connection serialises access: requests are safe
// to run concurrently, and SQLite's single writer is never contended.
type store struct {
	db *sql.DB
}

// record is one stored resource.
type record struct {
	Key        string // the lower-cased ID: equal for IDs ARM takes as one resource
	ID         string // the ID as first written
	ParentKey  string
	Type       string // lower-cased full resource type
	Sub        string // lower-cased subscription ID
	Group      string // lower-cased resource group name, "" outside one
	TopLevel   bool   // starts a provider block (listed by /resources)
	APIVersion string
	Body       string // the resource as GET returns it, JSON
	// ReadyAt is when provisioning ends, and Pending the provisioning state until then
	// (Creating, Updating); GoneAt is when a deletion in progress ends (zero: none).
	ReadyAt time.Time
	Pending string
	GoneAt  time.Time
}

// operation is one long-running operation.
type operation struct {
	ID          string
	Kind        string // "put" or "delete"
	ResourceKey string
	ResourceID  string
	StartedAt   time.Time
	DoneAt      time.Time
	Status      string // the final status: Succeeded, Failed or Canceled
	Error       string // an ARM error body for a failed operation
}

const schema = `
CREATE TABLE IF NOT EXISTS resources (
	key TEXT PRIMARY KEY,
	id TEXT NOT NULL,
	parent_key TEXT NOT NULL,
	type TEXT NOT NULL,
	sub TEXT NOT NULL,
	grp TEXT NOT NULL,
	top_level INTEGER NOT NULL,
	api_version TEXT NOT NULL,
	body TEXT NOT NULL,
	ready_at INTEGER NOT NULL,
	pending TEXT NOT NULL,
	gone_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_by_parent ON resources(parent_key, type);
CREATE INDEX IF NOT EXISTS resources_by_scope ON resources(sub, grp, type);
CREATE TABLE IF NOT EXISTS operations (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	resource_key TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	started_at INTEGER NOT NULL,
	done_at INTEGER NOT NULL,
	status TEXT NOT NULL,
	error TEXT NOT NULL
);
`

// openStore opens (creating if need be) the database at path, or an in-memory one for "".
func openStore(ctx context.Context, path string) (*store, error) {
	dsn := "file::memory:"
	if path != "" {
		if err := prepareDBFile(path); err != nil {
			return nil, err
		}
		dsn = "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the emulator database %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("preparing the emulator database %s: %w", path, err)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

const recordColumns = "key, id, parent_key, type, sub, grp, top_level, api_version, body, ready_at, pending, gone_at"

func scanRecord(row interface{ Scan(...any) error }) (*record, error) {
	var r record
	var ready, gone int64
	if err := row.Scan(&r.Key, &r.ID, &r.ParentKey, &r.Type, &r.Sub, &r.Group, &r.TopLevel, &r.APIVersion, &r.Body, &ready, &r.Pending, &gone); err != nil {
		return nil, err
	}
	r.ReadyAt, r.GoneAt = fromNanos(ready), fromNanos(gone)
	return &r, nil
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// get returns the live resource with a key, nil when there is none (or its deletion ended).
func (s *store) get(ctx context.Context, key string, now time.Time) (*record, error) {
	row := s.db.QueryRowContext(ctx, "SELECT "+recordColumns+" FROM resources WHERE key = ? AND (gone_at = 0 OR gone_at > ?)", key, now.UnixNano())
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// put writes a resource, replacing one with the same key, and records an operation if given.
func (s *store) put(ctx context.Context, r *record, op *operation) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO resources ("+recordColumns+") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
			r.Key, r.ID, r.ParentKey, r.Type, r.Sub, r.Group, r.TopLevel, r.APIVersion, r.Body, nanos(r.ReadyAt), r.Pending, nanos(r.GoneAt))
		if err != nil {
			return err
		}
		return insertOperation(ctx, tx, op)
	})
}

func insertOperation(ctx context.Context, tx *sql.Tx, op *operation) error {
	if op == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO operations (id, kind, resource_key, resource_id, started_at, done_at, status, error) VALUES (?,?,?,?,?,?,?,?)",
		op.ID, op.Kind, op.ResourceKey, op.ResourceID, nanos(op.StartedAt), nanos(op.DoneAt), op.Status, op.Error)
	return err
}

// remove deletes a resource and everything below it, at once (goneAt zero) or when goneAt
// comes: until then they read as deleting. It returns how many resources it marked.
func (s *store) remove(ctx context.Context, key string, goneAt time.Time, now time.Time, op *operation) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// Keys below key start with key + "/": the range [key/, key0) holds exactly them.
		var res sql.Result
		var err error
		if goneAt.IsZero() {
			res, err = tx.ExecContext(ctx, "DELETE FROM resources WHERE key = ? OR (key > ? AND key < ?)", key, key+"/", key+"0")
		} else {
			res, err = tx.ExecContext(ctx, "UPDATE resources SET gone_at = ? WHERE (key = ? OR (key > ? AND key < ?)) AND (gone_at = 0 OR gone_at > ?)",
				goneAt.UnixNano(), key, key+"/", key+"0", now.UnixNano())
		}
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return insertOperation(ctx, tx, op)
	})
	return n, err
}

// purge deletes the rows whose deletion has ended.
func (s *store) purge(ctx context.Context, now time.Time) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM resources WHERE gone_at <> 0 AND gone_at <= ?", now.UnixNano())
	return err
}

// children lists the live resources of a type directly below a parent, by key, from after
// a key (for paging), at most limit of them.
func (s *store) children(ctx context.Context, parentKey, typ, after string, limit int, now time.Time) ([]*record, error) {
	return s.query(ctx, "SELECT "+recordColumns+" FROM resources WHERE parent_key = ? AND type = ? AND key > ? AND (gone_at = 0 OR gone_at > ?) ORDER BY key LIMIT ?",
		parentKey, typ, after, now.UnixNano(), limit)
}

// topLevel lists the live top-level resources of a subscription, or of one of its resource
// groups, by key, from after a key, at most limit.
func (s *store) topLevel(ctx context.Context, sub, group, after string, limit int, now time.Time) ([]*record, error) {
	q := "SELECT " + recordColumns + " FROM resources WHERE sub = ? AND top_level = 1 AND key > ? AND (gone_at = 0 OR gone_at > ?)"
	args := []any{sub, after, now.UnixNano()}
	if group != "" {
		q += " AND grp = ?"
		args = append(args, group)
	}
	q += " ORDER BY key LIMIT ?"
	args = append(args, limit)
	return s.query(ctx, q, args...)
}

func (s *store) query(ctx context.Context, q string, args ...any) ([]*record, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// named lists the live resources of a type with a name, in any subscription or group.
func (s *store) named(ctx context.Context, typ, name string, now time.Time) ([]*record, error) {
	suffix := "/" + strings.ToLower(name)
	return s.query(ctx, "SELECT "+recordColumns+" FROM resources WHERE type = ? AND substr(key, length(key) - length(?) + 1) = ? AND (gone_at = 0 OR gone_at > ?)",
		strings.ToLower(typ), suffix, suffix, now.UnixNano())
}

func (s *store) operation(ctx context.Context, id string) (*operation, error) {
	var op operation
	var started, done int64
	err := s.db.QueryRowContext(ctx, "SELECT id, kind, resource_key, resource_id, started_at, done_at, status, error FROM operations WHERE id = ?", id).
		Scan(&op.ID, &op.Kind, &op.ResourceKey, &op.ResourceID, &started, &done, &op.Status, &op.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	op.StartedAt, op.DoneAt = fromNanos(started), fromNanos(done)
	return &op, nil
}

func (s *store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
