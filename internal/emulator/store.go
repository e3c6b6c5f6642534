package emulator

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// store keeps the emulator's resources, the references between them and the long-running
// operations in SQLite. Every change is one transaction; with a file, the journal is a
// write-ahead log, so a crash of the process loses no write that was acknowledged. One
// connection writes, so SQLite's single writer is never contended; with a file, reads go
// through a pool of their own and run beside the writes.
//
// Every lookup a request makes is by index, so a request costs the same in a store of ten
// resources or of a million: by key, by parent, by scope, by type and name (global names),
// by the target of a reference (in-use checks). Rows of ended deletions and operations long
// over are purged as writes go by.
type store struct {
	db     *sql.DB // the writer (and the reader, in memory)
	reader *sql.DB
	// clock is the emulator's; purgedAt is when the last purge ran by it (UnixNano), so that
	// writes purge at most once a second.
	clock    func() time.Time
	purgedAt atomic.Int64
	// statements are the reader's prepared statements by query (prepared): SQLite parses a
	// query once, not on each of the hundreds of requests a listing makes.
	statements sync.Map
}

// prepared is the reader's statement of a query, prepared once.
func (s *store) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.statements.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.reader.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if first, raced := s.statements.LoadOrStore(q, st); raced {
		st.Close()
		return first.(*sql.Stmt), nil
	}
	return st, nil
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
	// Refs are the keys of the resources the body references, in what a client can write:
	// they hold those resources in use. Nil (a record read back) leaves the stored ones as
	// they are.
	Refs []string
	// ReadyAt is when provisioning ends, and Pending the provisioning state until then
	// (Creating, Updating; "": the state shown does not change); GoneAt is when a deletion in
	// progress ends (zero: none), Pending then the state shown until it does (Deleting).
	ReadyAt time.Time
	Pending string
	GoneAt  time.Time
	// env is the body's envelope once read (see storedEnvelope).
	env *storedEnvelope
	// short marks a record read with its envelope for body (store.topLevel): what /resources
	// lists of it, its properties left out.
	short bool
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
CREATE TABLE IF NOT EXISTS refs (
	from_key TEXT NOT NULL,
	to_key TEXT NOT NULL,
	PRIMARY KEY (from_key, to_key)
) WITHOUT ROWID;
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

// indexes come after migrate, which adds the columns older databases lack.
const indexes = `
DROP INDEX IF EXISTS resources_by_parent;
CREATE INDEX IF NOT EXISTS resources_by_parent_key ON resources(parent_key, type, key);
CREATE INDEX IF NOT EXISTS resources_by_scope ON resources(sub, grp, type);
CREATE INDEX IF NOT EXISTS resources_by_name ON resources(type, name);
CREATE INDEX IF NOT EXISTS resources_by_type ON resources(sub, type, key);
CREATE INDEX IF NOT EXISTS resources_top_level ON resources(sub, top_level, key);
CREATE INDEX IF NOT EXISTS resources_top_level_in_group ON resources(sub, grp, top_level, key);
CREATE INDEX IF NOT EXISTS resources_gone ON resources(gone_at) WHERE gone_at <> 0;
CREATE INDEX IF NOT EXISTS refs_by_target ON refs(to_key);
CREATE INDEX IF NOT EXISTS operations_by_end ON operations(done_at);
`

// blobSchema holds the blob service's data: the blobs of each container (by the container's
// key; the content comes last in the row, so that a listing reads no content), the blocks
// staged for them and not yet committed, and each account's blob service properties (by the
// account's key). Their rows go when the resource
// that holds them does.
const blobSchema = `
CREATE TABLE IF NOT EXISTS blobs (
	container_key TEXT NOT NULL,
	name TEXT NOT NULL,
	size INTEGER NOT NULL,
	props TEXT NOT NULL,
	content BLOB NOT NULL,
	PRIMARY KEY (container_key, name)
);
CREATE TABLE IF NOT EXISTS blob_blocks (
	container_key TEXT NOT NULL,
	blob_name TEXT NOT NULL,
	block_id TEXT NOT NULL,
	size INTEGER NOT NULL,
	content BLOB NOT NULL,
	PRIMARY KEY (container_key, blob_name, block_id)
);
CREATE TABLE IF NOT EXISTS blob_services (
	account_key TEXT PRIMARY KEY,
	properties TEXT NOT NULL
);
`

// schemaVersion is the store's layout (SQLite's user_version): 2 added resources.name and refs,
// 3 the blob service's tables, 4 resources.envelope.
const schemaVersion = 4

// openStore opens (creating if need be) the database at path, or an in-memory one for "".
func openStore(ctx context.Context, path string, clock func() time.Time) (*store, error) {
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
	s := &store{db: db, reader: db, clock: clock}
	if err := s.prepare(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("preparing the emulator database %s: %w", path, err)
	}
	if path != "" {
		// Each reader's page cache (kept outside Go's heap) is small: listings read each page
		// once, and the system's file cache serves it again; 2 MB each held 8 MB of a plan of
		// 10,000 resources.
		reader, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)&_pragma=cache_size(-256)")
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("opening the emulator database %s: %w", path, err)
		}
		// Reads are CPU work in this process (the pure-Go SQLite): more connections than
		// processors add page caches, not speed.
		readers := min(4, runtime.GOMAXPROCS(0))
		reader.SetMaxOpenConns(readers)
		reader.SetMaxIdleConns(readers)
		s.reader = reader
	}
	return s, nil
}

// prepare creates the tables, brings an older database to the current layout, and indexes.
func (s *store) prepare(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, schema); err != nil {
		return err
	}
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version < schemaVersion {
		if err := s.migrate(ctx, version); err != nil {
			return fmt.Errorf("bringing the database to layout %d: %w", schemaVersion, err)
		}
	}
	_, err := s.db.ExecContext(ctx, indexes)
	return err
}

// migrate brings a database of an older layout (0: a new one) to the current one, each step
// in turn, in one transaction. It writes first, so that processes opening the database at once
// wait for each other (busy_timeout) rather than fail upgrading a read, and reads the layout
// again once it holds the lock: another may have brought it up to date meanwhile.
func (s *store) migrate(ctx context.Context, from int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE resources SET key = key WHERE 0"); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&from); err != nil {
			return err
		}
		if from >= schemaVersion {
			return nil
		}
		if from < 2 {
			if err := migrateTo2(ctx, tx); err != nil {
				return err
			}
		}
		if from < 3 {
			if _, err := tx.ExecContext(ctx, blobSchema); err != nil {
				return err
			}
		}
		if from < 4 {
			if err := migrateTo4(ctx, tx); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
		return err
	})
}

// migrateTo2 adds the name column (filled from the keys) to a database written before it; the
// references of bodies stored before refs existed are found again.
func migrateTo2(ctx context.Context, tx *sql.Tx) error {
	if err := addColumn(ctx, tx, "name"); err != nil {
		return err
	}
	return eachBody(ctx, tx, func(key, body string) error {
		if _, err := tx.ExecContext(ctx, "UPDATE resources SET name = ? WHERE key = ?", lastName(key), key); err != nil {
			return err
		}
		var decoded any
		json.Unmarshal([]byte(body), &decoded)
		return insertRefs(ctx, tx, key, referenceKeys(referencesIn(key, decoded)))
	})
}

// migrateTo4 adds the envelope column (a body's top-level values but properties and
// systemData, what /resources lists), filled from the stored bodies.
func migrateTo4(ctx context.Context, tx *sql.Tx) error {
	if err := addColumn(ctx, tx, "envelope"); err != nil {
		return err
	}
	return eachBody(ctx, tx, func(key, body string) error {
		_, err := tx.ExecContext(ctx, "UPDATE resources SET envelope = ? WHERE key = ?", (&record{Body: body}).shortBody(), key)
		return err
	})
}

// addColumn adds a text column to the resources table, unless it has it.
func addColumn(ctx context.Context, tx *sql.Tx, name string) error {
	var has int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info('resources') WHERE name = ?", name).Scan(&has); err != nil || has > 0 {
		return err
	}
	_, err := tx.ExecContext(ctx, "ALTER TABLE resources ADD COLUMN "+name+" TEXT NOT NULL DEFAULT ''")
	return err
}

// eachBody gives every stored resource's key and body to fn, a few hundred read at a time (a
// database of thousands is not held whole), each batch read before fn writes.
func eachBody(ctx context.Context, tx *sql.Tx, fn func(key, body string) error) error {
	const batch = 500
	for after := ""; ; {
		rows, err := tx.QueryContext(ctx, "SELECT key, body FROM resources WHERE key > ? ORDER BY key LIMIT ?", after, batch)
		if err != nil {
			return err
		}
		var keys, bodies []string
		for rows.Next() {
			var key, body string
			if err := rows.Scan(&key, &body); err != nil {
				rows.Close()
				return err
			}
			keys, bodies = append(keys, key), append(bodies, body)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range keys {
			if err := fn(keys[i], bodies[i]); err != nil {
				return err
			}
		}
		if len(keys) < batch {
			return nil
		}
		after = keys[len(keys)-1]
	}
}

// lastName is the last segment of a key: the resource's name, lower-cased.
func lastName(key string) string { return key[strings.LastIndexByte(key, '/')+1:] }

func (s *store) close() error {
	var err error
	s.statements.Range(func(_, st any) bool {
		err = errors.Join(err, st.(*sql.Stmt).Close())
		return true
	})
	if s.reader != s.db {
		err = errors.Join(err, s.reader.Close())
	}
	return errors.Join(err, s.db.Close())
}

const recordColumns = "key, id, parent_key, type, sub, grp, top_level, api_version, body, ready_at, pending, gone_at"

// scanRecord reads a row of recordColumns, and of extra columns after them into extra.
func scanRecord(row interface{ Scan(...any) error }, extra ...any) (*record, error) {
	var r record
	var ready, gone int64
	if err := row.Scan(append([]any{&r.Key, &r.ID, &r.ParentKey, &r.Type, &r.Sub, &r.Group, &r.TopLevel, &r.APIVersion, &r.Body, &ready, &r.Pending, &gone}, extra...)...); err != nil {
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
	st, err := s.prepared(ctx, "SELECT "+recordColumns+" FROM resources WHERE key = ? AND (gone_at = 0 OR gone_at > ?)")
	if err != nil {
		return nil, err
	}
	r, err := scanRecord(st.QueryRowContext(ctx, key, now.UnixNano()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// exists reports whether a live resource has a key, and when its deletion in progress ends
// (zero: none): what a request's scope needs of its resource group and parent, without their
// bodies (a network's holds its subnets).
func (s *store) exists(ctx context.Context, key string, now time.Time) (found bool, goneAt time.Time, err error) {
	st, err := s.prepared(ctx, "SELECT gone_at FROM resources WHERE key = ? AND (gone_at = 0 OR gone_at > ?)")
	if err != nil {
		return false, time.Time{}, err
	}
	var gone int64
	switch err := st.QueryRowContext(ctx, key, now.UnixNano()).Scan(&gone); {
	case errors.Is(err, sql.ErrNoRows):
		return false, time.Time{}, nil
	case err != nil:
		return false, time.Time{}, err
	}
	return true, fromNanos(gone), nil
}

// put writes resources, replacing those with the same keys, with their references, and
// records an operation if given: all or nothing.
func (s *store) put(ctx context.Context, op *operation, recs ...*record) error {
	s.purgeNow(ctx)
	now := s.clock()
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, r := range recs {
			if err := dropEndedBlobData(ctx, tx, r, now); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO resources ("+recordColumns+", name, envelope) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
				r.Key, r.ID, r.ParentKey, r.Type, r.Sub, r.Group, r.TopLevel, r.APIVersion, r.Body, nanos(r.ReadyAt), r.Pending, nanos(r.GoneAt), lastName(r.Key), r.shortBody())
			if err != nil {
				return err
			}
			if r.Refs == nil {
				continue
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM refs WHERE from_key = ?", r.Key); err != nil {
				return err
			}
			if err := insertRefs(ctx, tx, r.Key, r.Refs); err != nil {
				return err
			}
		}
		return insertOperation(ctx, tx, op)
	})
}

// dropEndedBlobData deletes the blobs of a container, or the blob service properties of an
// account, that a record is about to replace when the row it replaces is one whose deletion
// ended but that no purge has removed yet: a container made again under the same name starts
// empty.
func dropEndedBlobData(ctx context.Context, tx *sql.Tx, r *record, now time.Time) error {
	var qs []string
	switch r.Type {
	case typeBlobContainer:
		qs = []string{"DELETE FROM blobs WHERE container_key = ?", "DELETE FROM blob_blocks WHERE container_key = ?"}
	case typeStorageAccount:
		qs = []string{"DELETE FROM blob_services WHERE account_key = ?"}
	}
	for _, q := range qs {
		if _, err := tx.ExecContext(ctx, q+" AND EXISTS (SELECT 1 FROM resources WHERE key = ? AND gone_at <> 0 AND gone_at <= ?)", r.Key, r.Key, now.UnixNano()); err != nil {
			return err
		}
	}
	return nil
}

// removeBlobData deletes the blob data held by a resource and everything below it: the blobs
// of its containers, the blob service properties of its accounts.
func removeBlobData(ctx context.Context, tx *sql.Tx, key string) error {
	for _, q := range []string{
		"DELETE FROM blobs WHERE container_key = ? OR (container_key > ? AND container_key < ?)",
		"DELETE FROM blob_blocks WHERE container_key = ? OR (container_key > ? AND container_key < ?)",
		"DELETE FROM blob_services WHERE account_key = ? OR (account_key > ? AND account_key < ?)",
	} {
		if _, err := tx.ExecContext(ctx, q, key, key+"/", key+"0"); err != nil {
			return err
		}
	}
	return nil
}

func insertRefs(ctx context.Context, tx *sql.Tx, from string, to []string) error {
	for _, k := range to {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO refs (from_key, to_key) VALUES (?, ?)", from, k); err != nil {
			return err
		}
	}
	return nil
}

// user returns the ID of a live resource outside key's subtree whose body references key or
// something below it ("" when none), and the key it references: what holds it in use.
func (s *store) user(ctx context.Context, key string, now time.Time) (string, string, error) {
	var id, used string
	err := s.reader.QueryRowContext(ctx, `SELECT r.id, f.to_key FROM refs f JOIN resources r ON r.key = f.from_key
		WHERE (f.to_key = ? OR (f.to_key > ? AND f.to_key < ?))
		AND NOT (f.from_key = ? OR (f.from_key > ? AND f.from_key < ?))
		AND (r.gone_at = 0 OR r.gone_at > ?) ORDER BY r.key LIMIT 1`,
		key, key+"/", key+"0", key, key+"/", key+"0", now.UnixNano()).Scan(&id, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return id, used, err
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
func (s *store) remove(ctx context.Context, key string, goneAt time.Time, now time.Time, op *operation, deleting string) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// Keys below key start with key + "/": the range [key/, key0) holds exactly them.
		var res sql.Result
		var err error
		if goneAt.IsZero() {
			res, err = tx.ExecContext(ctx, "DELETE FROM resources WHERE key = ? OR (key > ? AND key < ?)", key, key+"/", key+"0")
			if err == nil {
				_, err = tx.ExecContext(ctx, "DELETE FROM refs WHERE from_key = ? OR (from_key > ? AND from_key < ?)", key, key+"/", key+"0")
			}
			if err == nil {
				err = removeBlobData(ctx, tx, key)
			}
		} else {
			// The resource shows its deleting state; what is inside it shows the state it had.
			res, err = tx.ExecContext(ctx, "UPDATE resources SET gone_at = ?, pending = CASE WHEN key = ? THEN ? ELSE '' END WHERE (key = ? OR (key > ? AND key < ?)) AND (gone_at = 0 OR gone_at > ?)",
				goneAt.UnixNano(), key, deleting, key, key+"/", key+"0", now.UnixNano())
		}
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return insertOperation(ctx, tx, op)
	})
	return n, err
}

// operationsKept is how long an ended operation can still be polled.
const operationsKept = time.Hour

// purgeNow purges, at most once a second: the rows of ended deletions (and their references)
// and the operations that ended over an hour ago. A failed purge is tried again later.
func (s *store) purgeNow(ctx context.Context) {
	now := s.clock()
	last := s.purgedAt.Load()
	if now.UnixNano()-last < int64(time.Second) || !s.purgedAt.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	s.purge(ctx, now)
}

// purge deletes the rows whose deletion ended before now (with the blob data they held), and
// the operations that ended operationsKept before it.
func (s *store) purge(ctx context.Context, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			"DELETE FROM refs WHERE from_key IN (SELECT key FROM resources WHERE gone_at <> 0 AND gone_at <= ?)",
			"DELETE FROM blobs WHERE container_key IN (SELECT key FROM resources WHERE gone_at <> 0 AND gone_at <= ?)",
			"DELETE FROM blob_blocks WHERE container_key IN (SELECT key FROM resources WHERE gone_at <> 0 AND gone_at <= ?)",
			"DELETE FROM blob_services WHERE account_key IN (SELECT key FROM resources WHERE gone_at <> 0 AND gone_at <= ?)",
		} {
			if _, err := tx.ExecContext(ctx, q, now.UnixNano()); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM resources WHERE gone_at <> 0 AND gone_at <= ?", now.UnixNano()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM operations WHERE done_at < ?", now.Add(-operationsKept).UnixNano())
		return err
	})
}

// children lists the live resources of a type directly below a parent, by key, from after
// a key (for paging), at most limit of them.
func (s *store) children(ctx context.Context, parentKey, typ, after string, limit int, now time.Time) ([]*record, error) {
	return s.query(ctx, "SELECT "+recordColumns+" FROM resources WHERE parent_key = ? AND type = ? AND key > ? AND (gone_at = 0 OR gone_at > ?) ORDER BY key LIMIT ?",
		parentKey, typ, after, now.UnixNano(), limit)
}

// topLevel lists the live top-level resources of a subscription, or of one of its resource
// groups, by key, from after a key, at most limit. With short, the records' bodies are their
// envelopes (see record.short): what /resources lists, without reading the whole bodies.
func (s *store) topLevel(ctx context.Context, sub, group, after string, limit int, now time.Time, short bool) ([]*record, error) {
	columns := recordColumns + ", 0"
	if short {
		// A row an older gru wrote into this layout has no envelope: its body serves.
		columns = strings.Replace(recordColumns, "body", "CASE WHEN envelope = '' THEN body ELSE envelope END", 1) + ", envelope <> ''"
	}
	q := "SELECT " + columns + " FROM resources WHERE sub = ? AND top_level = 1 AND key > ? AND (gone_at = 0 OR gone_at > ?)"
	args := []any{sub, after, now.UnixNano()}
	if group != "" {
		q += " AND grp = ?"
		args = append(args, group)
	}
	q += " ORDER BY key LIMIT ?"
	args = append(args, limit)
	return s.queryRecords(ctx, true, q, args...)
}

// referrers lists the live resources whose bodies reference a key.
func (s *store) referrers(ctx context.Context, key string, now time.Time) ([]*record, error) {
	return s.query(ctx, "SELECT "+prefixed("r.", recordColumns)+" FROM refs f JOIN resources r ON r.key = f.from_key WHERE f.to_key = ? AND (r.gone_at = 0 OR r.gone_at > ?) ORDER BY r.key",
		key, now.UnixNano())
}

// prefixed qualifies a list of columns with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ", ")
	for i, p := range parts {
		parts[i] = alias + p
	}
	return strings.Join(parts, ", ")
}

// ofType lists the live resources of a type in a subscription, wherever they are, by key,
// from after a key, at most limit.
func (s *store) ofType(ctx context.Context, sub, typ, after string, limit int, now time.Time) ([]*record, error) {
	return s.query(ctx, "SELECT "+recordColumns+" FROM resources WHERE sub = ? AND type = ? AND key > ? AND (gone_at = 0 OR gone_at > ?) ORDER BY key LIMIT ?",
		sub, typ, after, now.UnixNano(), limit)
}

func (s *store) query(ctx context.Context, q string, args ...any) ([]*record, error) {
	return s.queryRecords(ctx, false, q, args...)
}

// queryRecords reads the records a query of recordColumns selects; with short, each row ends
// with one more column, whether its body is an envelope (record.short).
func (s *store) queryRecords(ctx context.Context, short bool, q string, args ...any) ([]*record, error) {
	st, err := s.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*record
	for rows.Next() {
		var extra []any
		var isShort bool
		if short {
			extra = append(extra, &isShort)
		}
		r, err := scanRecord(rows, extra...)
		if err != nil {
			return nil, err
		}
		r.short = isShort
		out = append(out, r)
	}
	return out, rows.Err()
}

// named lists the live resources of a type with a name, in any subscription or group.
func (s *store) named(ctx context.Context, typ, name string, now time.Time) ([]*record, error) {
	return s.query(ctx, "SELECT "+recordColumns+" FROM resources WHERE type = ? AND name = ? AND (gone_at = 0 OR gone_at > ?)",
		strings.ToLower(typ), strings.ToLower(name), now.UnixNano())
}

func (s *store) operation(ctx context.Context, id string) (*operation, error) {
	var op operation
	var started, done int64
	err := s.reader.QueryRowContext(ctx, "SELECT id, kind, resource_key, resource_id, started_at, done_at, status, error FROM operations WHERE id = ?", id).
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
