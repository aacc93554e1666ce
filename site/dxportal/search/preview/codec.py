"""Whoosh's own on-disk format (W3Codec), written with less work and fewer bytes.

Most terms of the index are word pairs found in one or two pages. Whoosh 2.7 writes every
term's postings as a block of their own in the postings file (a header, a pickled block
summary and a zlib-compressed pickle of the postings): about 50 bytes and three pickles or
compressions for a posting or two. W3Codec can instead keep a short posting list inside the
term's entry in the term dictionary ("inlining"), but Whoosh-Reloaded 2.7.5 never does:
``W3PostingsWriter.finish_postings`` inlines fewer than ``inlinelimit`` postings (so none with
the default of 1) and then calls ``set_inline``, which W3TermInfo does not have (it is
``set_inlined``). ``InliningPostingsWriter`` fixes both; the reader side already reads inlined
postings (a ListMatcher), with the same weights and values, so scores do not change.

When a segment is written, Whoosh reads each posting's field length from the just-written
length column, one Python call chain per posting, to keep each block's shortest and longest
length. ``LengthsFieldWriter`` reads each field's column once instead (the same bytes).

The codec object is pickled into the index's table of contents, so an index written with it
is read with it: this module's names are part of the index format (INDEX_VERSION).
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter

# Posting lists this long or shorter are kept in the term dictionary.
INLINE_LIMIT = 4


class InliningPostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) <= self._inlinelimit and not self._byteids:
            terminfo.add_block(self)
            # Without values (a field without positions), an empty value each: ListMatcher
            # would give "" (a str), which a merge of segments refuses.
            values = self._values or [b""] * len(self._ids)
            terminfo.set_inlined(self._ids, self._weights, values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class ColumnLengths:
    """``doc_field_length`` of a per-document reader, each field's column read once."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.columns: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        column = self.columns.get(fieldname)
        if column is None:
            count = self.reader.doc_count_all()
            length = self.reader.doc_field_length
            column = [length(doc, fieldname, default) for doc in range(count)]
            self.columns[fieldname] = column
        return column[docnum] if docnum < len(column) else default


class LengthsFieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        super().add_postings(schema, ColumnLengths(lengths) if lengths else lengths, items)


class PortalCodec(W3Codec):
    """W3Codec with short posting lists inlined and field lengths read once per field."""

    def __init__(self, blocklimit: int = 128, compression: int = 3,
                 inlinelimit: int = INLINE_LIMIT) -> None:  # fmt: skip
        super().__init__(blocklimit, compression, inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def field_writer(self, storage, segment):
        return LengthsFieldWriter(self, storage, segment)
