package emulator

import (
	"bytes"
	"crypto/md5"
	"database/sql"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Block blobs made of blocks: Put Block stages a block, Put Block List commits a list of
// staged and committed blocks as the blob's content, Get Block List shows both. Microsoft's
// SDKs upload large blobs and streams this way.

// maxBlocks is how many blocks a blob may commit.
const maxBlocks = 50000

// blockID reads the blockid query parameter: base64 of at most 64 bytes.
func blockID(r *blobRequest) (string, int, error) {
	id := r.query.Get("blockid")
	raw, err := base64.StdEncoding.DecodeString(id)
	if id == "" || err != nil || len(raw) > 64 {
		return "", 0, errInvalidQuery("blockid", id, "A block ID is a Base64 string of 64 bytes at most.")
	}
	return id, len(raw), nil
}

func errInvalidBlock() *blobError {
	return blobErr(http.StatusBadRequest, "InvalidBlobOrBlock", "The specified blob or block content is invalid: the block IDs of a blob must all have the same length.")
}

// putBlock serves Put Block.
func (e *Emulator) putBlock(r *blobRequest) error {
	id, idLen, err := blockID(r)
	if err != nil {
		return err
	}
	if err := refuseUnsupported(r); err != nil {
		return err
	}
	content, sum, err := e.receivedContent(r)
	if err != nil {
		return err
	}
	err = e.store.blobTx(r.Context(), r.containerKey, r.now, func(tx *sql.Tx) error {
		// Every block ID of a blob has the same length: compare with one staged and one committed.
		var other string
		err := tx.QueryRowContext(r.Context(), "SELECT block_id FROM blob_blocks WHERE container_key = ? AND blob_name = ? LIMIT 1", r.containerKey, r.blob).Scan(&other)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if b, err := blobIn(r.Context(), tx, r.containerKey, r.blob); err != nil {
			return err
		} else if other == "" && b != nil && len(b.Props.Blocks) > 0 {
			other = b.Props.Blocks[0].ID
		}
		if raw, _ := base64.StdEncoding.DecodeString(other); other != "" && len(raw) != idLen {
			return errInvalidBlock()
		}
		return putBlockRow(r.Context(), tx, r.containerKey, r.blob, id, content)
	})
	if err != nil {
		return blobStateError(err)
	}
	h := r.w.Header()
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	h.Set("x-ms-request-server-encrypted", "true")
	h.Set("Content-Length", "0")
	r.w.WriteHeader(http.StatusCreated)
	return nil
}

// blockRef is one entry of a block list: Committed, Uncommitted or Latest, and the ID.
type blockRef struct{ kind, id string }

// readBlockList reads Put Block List's XML, keeping the order of the entries.
func readBlockList(data []byte) ([]blockRef, error) {
	bad := blobErr(http.StatusBadRequest, "InvalidXmlDocument", "XML specified is not syntactically valid.")
	d := xml.NewDecoder(bytes.NewReader(data))
	var refs []blockRef
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bad
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && t.Name.Local != "BlockList":
				return nil, bad
			case depth == 2:
				switch t.Name.Local {
				case "Committed", "Uncommitted", "Latest":
				default:
					return nil, bad
				}
				var id string
				if err := d.DecodeElement(&id, &t); err != nil {
					return nil, bad
				}
				depth--
				refs = append(refs, blockRef{kind: t.Name.Local, id: strings.TrimSpace(id)})
			case depth > 2:
				return nil, bad
			}
		case xml.EndElement:
			depth--
		}
	}
	if len(refs) > maxBlocks {
		return nil, blobErr(http.StatusBadRequest, "InvalidBlockList", fmt.Sprintf("The specified block list is invalid: a blob commits %d blocks at most.", maxBlocks))
	}
	return refs, nil
}

// putBlockList serves Put Block List: the blob becomes the blocks the list names, in order.
func (e *Emulator) putBlockList(r *blobRequest) error {
	if err := refuseUnsupported(r); err != nil {
		return err
	}
	props, err := writtenProps(r, false)
	if err != nil {
		return err
	}
	if props.ContentType == "" {
		props.ContentType = "application/octet-stream"
	}
	transactional, err := md5Header(r, "Content-MD5")
	if err != nil {
		return err
	}
	// x-ms-blob-content-md5 is kept as the blob's, not checked: the blocks were, one by one.
	if props.ContentMD5, err = md5Header(r, "x-ms-blob-content-md5"); err != nil {
		return err
	}
	if err := e.containerState(r); err != nil {
		return err
	}
	data, err := readContent(r)
	if err != nil {
		return err
	}
	if err := checkMD5(transactional, md5.Sum(data)); err != nil {
		return err
	}
	refs, err := readBlockList(data)
	if err != nil {
		return err
	}
	invalid := blobErr(http.StatusBadRequest, "InvalidBlockList", "The specified block list is invalid.")
	var b *blobEntry
	err = e.store.blobTx(r.Context(), r.containerKey, r.now, func(tx *sql.Tx) error {
		ctx := r.Context()
		existing, err := blobIn(ctx, tx, r.containerKey, r.blob)
		if err != nil {
			return err
		}
		if err := checkConditions(r, existing, false); err != nil {
			return err
		}
		// The committed blocks, where they are in the current content (read when needed).
		type span struct{ offset, size int64 }
		committed := map[string]span{}
		if existing != nil {
			offset := int64(0)
			for _, blk := range existing.Props.Blocks {
				if _, seen := committed[blk.ID]; !seen {
					committed[blk.ID] = span{offset, blk.Size}
				}
				offset += blk.Size
			}
		}
		var current []byte
		var content bytes.Buffer
		var blocks []committedBlock
		for _, ref := range refs {
			var part []byte
			staged := false
			if ref.kind != "Committed" {
				data, ok, err := blockContent(ctx, tx, r.containerKey, r.blob, ref.id)
				if err != nil {
					return err
				}
				part, staged = data, ok
			}
			if !staged {
				s, ok := committed[ref.id]
				if ref.kind == "Uncommitted" || !ok {
					return invalid
				}
				if current == nil {
					if current, err = blobContentIn(ctx, tx, r.containerKey, r.blob); err != nil {
						return err
					}
				}
				if s.offset+s.size > int64(len(current)) {
					return invalid
				}
				part = current[s.offset : s.offset+s.size]
			}
			if content.Len()+len(part) > maxCommittedBytes {
				return blobErr(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", fmt.Sprintf("The blob the block list makes is larger than the emulator keeps (%d bytes).", maxCommittedBytes))
			}
			content.Write(part)
			blocks = append(blocks, committedBlock{ID: ref.id, Size: int64(len(part))})
		}
		props.Blocks = blocks
		props.ETag = e.newETag(r.now)
		props.Created, props.Modified = r.now.UnixNano(), r.now.UnixNano()
		b = &blobEntry{Name: r.blob, Size: int64(content.Len()), Props: props}
		return putBlobRow(ctx, tx, r.containerKey, b, content.Bytes())
	})
	if err != nil {
		return blobStateError(err)
	}
	writtenHeaders(r.w.Header(), b)
	r.w.Header().Set("Content-Length", "0")
	r.w.WriteHeader(http.StatusCreated)
	return nil
}

// getBlockList serves Get Block List.
func (e *Emulator) getBlockList(r *blobRequest) error {
	if err := refuseLease(r); err != nil {
		return err
	}
	which := strings.ToLower(r.query.Get("blocklisttype"))
	switch which {
	case "":
		which = "committed"
	case "committed", "uncommitted", "all":
	default:
		return errInvalidQuery("blocklisttype", r.query.Get("blocklisttype"), "committed, uncommitted or all.")
	}
	if err := e.containerState(r); err != nil {
		return err
	}
	b, err := e.store.blob(r.Context(), r.containerKey, r.blob)
	if err != nil {
		return err
	}
	staged, err := uncommittedBlocks(r.Context(), e.store.reader, r.containerKey, r.blob)
	if err != nil {
		return err
	}
	if b == nil && len(staged) == 0 {
		return errBlobNotFound()
	}
	h := r.w.Header()
	if b != nil {
		h.Set("ETag", b.Props.ETag)
		h.Set("Last-Modified", httpTime(b.Props.Modified))
		h.Set("x-ms-blob-content-length", strconv.FormatInt(b.Size, 10))
	}
	var x xmlWriter
	x.open("BlockList")
	if which != "uncommitted" {
		x.open("CommittedBlocks")
		if b != nil {
			for _, blk := range b.Props.Blocks {
				x.open("Block")
				x.elem("Name", blk.ID)
				x.elem("Size", strconv.FormatInt(blk.Size, 10))
				x.close("Block")
			}
		}
		x.close("CommittedBlocks")
	}
	if which != "committed" {
		x.open("UncommittedBlocks")
		for _, blk := range staged {
			x.open("Block")
			x.elem("Name", blk.ID)
			x.elem("Size", strconv.FormatInt(blk.Size, 10))
			x.close("Block")
		}
		x.close("UncommittedBlocks")
	}
	x.close("BlockList")
	x.send(r.w, http.StatusOK)
	return nil
}
