package emulator

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// The blob service's rows: blobs by container key and name, the uncommitted blocks of block
// blobs, and each account's blob service properties. A write checks, in its transaction, that
// the container (or account) it writes under is a live resource, so that no row outlives the
// resource that holds it (store.remove and store.purge delete them with it).

// blobProps are what the service keeps of a blob besides its content.
type blobProps struct {
	ContentType        string `json:"contentType,omitempty"`
	ContentEncoding    string `json:"contentEncoding,omitempty"`
	ContentLanguage    string `json:"contentLanguage,omitempty"`
	ContentDisposition string `json:"contentDisposition,omitempty"`
	CacheControl       string `json:"cacheControl,omitempty"`
	ContentMD5         []byte `json:"contentMD5,omitempty"`
	// Metadata are name-value pairs, names lower-cased (HTTP does not keep their case), sorted.
	Metadata   [][2]string `json:"metadata,omitempty"`
	ETag       string      `json:"etag"`
	Created    int64       `json:"created"`  // UnixNano
	Modified   int64       `json:"modified"` // UnixNano
	AccessTier string      `json:"accessTier,omitempty"`
	// Blocks are the committed blocks, in order, when the blob was made by Put Block List.
	Blocks []committedBlock `json:"blocks,omitempty"`
}

type committedBlock struct {
	ID   string `json:"id"`
	Size int64  `json:"size"`
}

// blobEntry is a stored blob without its content.
type blobEntry struct {
	Name  string
	Size  int64
	Props blobProps
}

// errNoContainer and errContainerDeleting say why a blob write found no live container;
// errNoAccount that an account is gone.
var (
	errNoContainer       = errors.New("the container does not exist")
	errContainerDeleting = errors.New("the container is being deleted")
	errNoAccount         = errors.New("the account does not exist")
)

// querier is what reads need of a connection pool or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// liveState reads whether a resource is live at now: errNoContainer when there is none (or its
// deletion ended), errContainerDeleting while it is being deleted.
func liveState(ctx context.Context, q querier, key string, now time.Time) error {
	var gone int64
	err := q.QueryRowContext(ctx, "SELECT gone_at FROM resources WHERE key = ?", key).Scan(&gone)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return errNoContainer
	case err != nil:
		return err
	case gone != 0 && gone <= now.UnixNano():
		return errNoContainer
	case gone != 0:
		return errContainerDeleting
	}
	return nil
}

// blobTx runs fn in a write transaction once the container is found live.
func (s *store) blobTx(ctx context.Context, containerKey string, now time.Time, fn func(tx *sql.Tx) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := liveState(ctx, tx, containerKey, now); err != nil {
			return err
		}
		return fn(tx)
	})
}

func scanBlob(name string, size int64, props string) (*blobEntry, error) {
	b := &blobEntry{Name: name, Size: size}
	if err := json.Unmarshal([]byte(props), &b.Props); err != nil {
		return nil, err
	}
	return b, nil
}

// blobIn reads a blob's entry (nil when there is none).
func blobIn(ctx context.Context, q querier, containerKey, name string) (*blobEntry, error) {
	var size int64
	var props string
	err := q.QueryRowContext(ctx, "SELECT size, props FROM blobs WHERE container_key = ? AND name = ?", containerKey, name).Scan(&size, &props)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return scanBlob(name, size, props)
}

// blobWithContent reads a blob and count bytes of its content from offset (count < 0: to the
// end), in one read: the content is the entry's. Nil when there is no blob.
func (s *store) blobWithContent(ctx context.Context, containerKey, name string, offset, count int64) (*blobEntry, []byte, error) {
	part, args := "substr(content, ?, ?)", []any{offset + 1, count, containerKey, name}
	switch {
	case offset == 0 && count < 0:
		part, args = "content", args[2:]
	case count < 0:
		part, args = "substr(content, ?)", append(args[:1], args[2:]...)
	}
	var size int64
	var props string
	var content []byte
	err := s.reader.QueryRowContext(ctx, "SELECT size, props, "+part+" FROM blobs WHERE container_key = ? AND name = ?", args...).Scan(&size, &props, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	b, err := scanBlob(name, size, props)
	return b, content, err
}

// blob reads a blob's entry from the store (nil when there is none).
func (s *store) blob(ctx context.Context, containerKey, name string) (*blobEntry, error) {
	return blobIn(ctx, s.reader, containerKey, name)
}

// blobContentIn reads a blob's whole content in a transaction.
func blobContentIn(ctx context.Context, tx *sql.Tx, containerKey, name string) ([]byte, error) {
	var content []byte
	err := tx.QueryRowContext(ctx, "SELECT content FROM blobs WHERE container_key = ? AND name = ?", containerKey, name).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return content, err
}

// putBlobRow writes a blob, replacing one of the same name; content nil keeps the stored one
// (a change of properties or metadata). Writing a blob discards its uncommitted blocks.
func putBlobRow(ctx context.Context, tx *sql.Tx, containerKey string, b *blobEntry, content []byte) error {
	props, err := json.Marshal(b.Props)
	if err != nil {
		return err
	}
	if content == nil {
		_, err = tx.ExecContext(ctx, "UPDATE blobs SET props = ? WHERE container_key = ? AND name = ?", string(props), containerKey, b.Name)
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO blobs (container_key, name, size, props, content) VALUES (?, ?, ?, ?, ?)",
		containerKey, b.Name, int64(len(content)), string(props), content); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM blob_blocks WHERE container_key = ? AND blob_name = ?", containerKey, b.Name)
	return err
}

// deleteBlobRow deletes a blob and its uncommitted blocks.
func deleteBlobRow(ctx context.Context, tx *sql.Tx, containerKey, name string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM blobs WHERE container_key = ? AND name = ?", containerKey, name); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM blob_blocks WHERE container_key = ? AND blob_name = ?", containerKey, name)
	return err
}

// listBlobs reads at most limit blobs of a container whose names are after after and in
// [from, to) (to "": no end), by name, without their content.
func (s *store) listBlobs(ctx context.Context, containerKey, after, from, to string, limit int) ([]*blobEntry, error) {
	q := "SELECT name, size, props FROM blobs WHERE container_key = ? AND name > ? AND name >= ?"
	args := []any{containerKey, after, from}
	if to != "" {
		q += " AND name < ?"
		args = append(args, to)
	}
	q += " ORDER BY name LIMIT ?"
	args = append(args, limit)
	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*blobEntry
	for rows.Next() {
		var name, props string
		var size int64
		if err := rows.Scan(&name, &size, &props); err != nil {
			return nil, err
		}
		b, err := scanBlob(name, size, props)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// putBlockRow stages an uncommitted block of a blob, replacing one with the same ID.
func putBlockRow(ctx context.Context, tx *sql.Tx, containerKey, blobName, id string, content []byte) error {
	_, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO blob_blocks (container_key, blob_name, block_id, size, content) VALUES (?, ?, ?, ?, ?)",
		containerKey, blobName, id, int64(len(content)), content)
	return err
}

// uncommittedBlock is a staged block; its content is read only on commit.
type uncommittedBlock struct {
	ID   string
	Size int64
}

// uncommittedBlocks lists the staged blocks of a blob, by ID.
func uncommittedBlocks(ctx context.Context, q querier, containerKey, blobName string) ([]uncommittedBlock, error) {
	rows, err := q.QueryContext(ctx, "SELECT block_id, size FROM blob_blocks WHERE container_key = ? AND blob_name = ? ORDER BY block_id", containerKey, blobName)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []uncommittedBlock
	for rows.Next() {
		var b uncommittedBlock
		if err := rows.Scan(&b.ID, &b.Size); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// blockContent reads a staged block's content (nil, false when there is none).
func blockContent(ctx context.Context, tx *sql.Tx, containerKey, blobName, id string) ([]byte, bool, error) {
	var content []byte
	err := tx.QueryRowContext(ctx, "SELECT content FROM blob_blocks WHERE container_key = ? AND blob_name = ? AND block_id = ?", containerKey, blobName, id).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return content, err == nil, err
}

// serviceProperties reads an account's blob service properties as they were set ("" when
// never).
func (s *store) serviceProperties(ctx context.Context, accountKey string) (string, error) {
	var props string
	err := s.reader.QueryRowContext(ctx, "SELECT properties FROM blob_services WHERE account_key = ?", accountKey).Scan(&props)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return props, err
}

// setServiceProperties changes an account's blob service properties: change turns the stored
// ones ("" when never set) into the new ones, in the transaction that checks the account is live.
func (s *store) setServiceProperties(ctx context.Context, accountKey string, now time.Time, change func(stored string) (string, error)) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		switch err := liveState(ctx, tx, accountKey, now); {
		case errors.Is(err, errNoContainer), errors.Is(err, errContainerDeleting):
			return errNoAccount
		case err != nil:
			return err
		}
		var stored string
		err := tx.QueryRowContext(ctx, "SELECT properties FROM blob_services WHERE account_key = ?", accountKey).Scan(&stored)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		next, err := change(stored)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT OR REPLACE INTO blob_services (account_key, properties) VALUES (?, ?)", accountKey, next)
		return err
	})
}
