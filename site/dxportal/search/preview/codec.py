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

from array import array

from whoosh.codec.whoosh3 import (
    W3Codec,
    W3FieldCursor,
    W3FieldWriter,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.formats import Positions
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte

# Posting lists this long or shorter (one block of W3Codec) are kept in the term dictionary.
INLINE_LIMIT = 128


class InliningPostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) <= self._inlinelimit and not self._byteids:
            terminfo.add_block(self)
            # Without values (a field without positions), an empty value each: ListMatcher
            # would give "" (a str), which a merge of segments refuses.
            values = self._values or [b""] * len(self._ids)
            # Whole weights (term counts) as ints: 2 pickled bytes instead of 9, the same
            # number in every score (an int converts to its float exactly).
            weights = [int(w) if w.is_integer() else w for w in self._weights]
            inlined = PortalTermInfo()
            inlined.__dict__.update(terminfo.__dict__)
            inlined.set_inlined(self._ids, weights, values)
            self._terminfo = None
            return inlined
        return super().finish_postings()


DERIVED = 2  # first byte of a PortalTermInfo whose statistics come from its postings


class PortalTermInfo(W3TermInfo):
    """W3TermInfo whose inlined postings are written as varints rather than pickled (pickle
    protocol 2 spends about 30 bytes on each bytes value): the same numbers and bytes back.

    When every weight is whole (term counts: always, in this index), the term's statistics
    (total weight, document frequency, maximum weight, first and last document) are what its
    postings add up to, so only the shortest and longest length are kept beside them: the
    first byte is DERIVED instead of W3TermInfo's 23-byte header.
    """

    def to_bytes(self) -> bytes:
        if not self.is_inlined():
            return super().to_bytes()
        minlength = 0 if self._minlength is None else length_to_byte(self._minlength)
        maxlength = length_to_byte(self._maxlength)
        ids, weights, values = self._inlined
        if all(isinstance(w, int) for w in weights):
            return bytes((DERIVED, minlength, maxlength)) + encode_postings(ids, weights, values)
        head = self._struct.pack(
            1,
            self._weight,
            self._df,
            minlength,
            maxlength,
            self._maxweight,
            0xFFFFFFFF if self._minid is None else self._minid,
            0xFFFFFFFF if self._maxid is None else self._maxid,
        )
        return head + encode_postings(ids, weights, values)

    @classmethod
    def from_bytes(cls, s: bytes) -> W3TermInfo:
        if not s[0]:
            return W3TermInfo.from_bytes(s)
        info = cls()
        if s[0] == DERIVED:
            ids, weights, values = info._inlined = decode_postings(s[3:])
            info._weight, info._df = float(sum(weights)), len(ids)
            info._minlength, info._maxlength = byte_to_length(s[1]), byte_to_length(s[2])
            info._maxweight = float(max(weights))
            info._minid, info._maxid = ids[0], ids[-1]
            return info
        values = cls._struct.unpack(s[: cls._struct.size])
        info._weight, info._df = values[1], values[2]
        info._minlength, info._maxlength = byte_to_length(values[3]), byte_to_length(values[4])
        info._maxweight = values[5]
        info._minid = None if values[6] == 0xFFFFFFFF else values[6]
        info._maxid = None if values[7] == 0xFFFFFFFF else values[7]
        info._inlined = decode_postings(s[cls._struct.size :])
        return info


def encode_postings(ids, weights, values) -> bytes:
    """Count, first id and gaps, weights (varints when whole, else float32), each value's
    length and bytes."""
    gaps = [ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False))]
    whole = all(isinstance(w, int) for w in weights)
    out = [varints([len(ids), *gaps, 0 if whole else 1])]
    out.append(varints(weights) if whole else array("f", weights).tobytes())
    out.append(varints([len(value) for value in values]))
    out.extend(values)
    return b"".join(out)


def decode_postings(data: bytes) -> tuple[tuple, tuple, tuple]:
    count, position = read_varint(data, 0)
    ids, last = [], 0
    for index in range(count):
        gap, position = read_varint(data, position)
        last = gap if index == 0 else last + gap
        ids.append(last)
    kind, position = read_varint(data, position)
    if kind == 0:
        weights = []
        for _ in range(count):
            weight, position = read_varint(data, position)
            weights.append(weight)
    else:
        weights = array("f", data[position : position + 4 * count]).tolist()
        position += 4 * count
    lengths = []
    for _ in range(count):
        length, position = read_varint(data, position)
        lengths.append(length)
    values = []
    for length in lengths:
        values.append(data[position : position + length])
        position += length
    return tuple(ids), tuple(weights), tuple(values)


def read_varint(data: bytes, position: int) -> tuple[int, int]:
    number, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        number |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return number, position
        shift += 7


class PortalFieldCursor(W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return PortalTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class PortalTermsReader(W3TermsReader):
    """W3TermsReader reading PortalTermInfo (term infos not inlined are read as before)."""

    def cursor(self, fieldname, fieldobj):
        return PortalFieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder,
                                 fieldobj)  # fmt: skip

    def items(self):
        decode = self._keydecoder
        return ((decode(k), PortalTermInfo.from_bytes(v)) for k, v in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode = self._keydecoder
        start = self._keycoder(fieldname, prefix)
        return (
            (decode(k), PortalTermInfo.from_bytes(v)) for k, v in self._tindex.items_from(start)
        )

    def term_info(self, fieldname, tbytes):
        try:
            return PortalTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    # W3TermsReader reads these two from W3TermInfo's header in the file; a DERIVED term
    # info has none.
    def frequency(self, fieldname, tbytes):
        datapos, datalen = self._range_for_key(fieldname, tbytes)
        if self._dbfile.get_byte(datapos) == DERIVED:
            return PortalTermInfo.from_bytes(self._dbfile.get(datapos, datalen)).weight()
        return super().frequency(fieldname, tbytes)

    def doc_frequency(self, fieldname, tbytes):
        datapos, datalen = self._range_for_key(fieldname, tbytes)
        if self._dbfile.get_byte(datapos) == DERIVED:
            return PortalTermInfo.from_bytes(self._dbfile.get(datapos, datalen)).doc_frequency()
        return super().doc_frequency(fieldname, tbytes)


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

    def terms_reader(self, storage, segment):
        terms = segment.make_filename(self.TERMS_EXT)
        postings = segment.open_file(storage, self.POSTS_EXT)
        return PortalTermsReader(self, storage.open_file(terms), storage.file_length(terms),
                                 postings)  # fmt: skip


def varints(numbers: list[int]) -> bytes:
    out = bytearray()
    for number in numbers:
        while number >= 0x80:
            out.append((number & 0x7F) | 0x80)
            number >>= 7
        out.append(number)
    return bytes(out)


def read_varints(data: bytes) -> list[int]:
    numbers, number, shift = [], 0, 0
    for byte in data:
        number |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            numbers.append(number)
            number, shift = 0, 0
    return numbers


class CompactPositions(Positions):
    """Whoosh's Positions with each posting's positions as varints (the count, then the gaps)
    instead of a 4-byte count and a pickled list: 2 to 4 bytes for a pair found once, not 17."""

    def encode(self, poslist) -> bytes:
        gaps = [b - a for a, b in zip([0, *poslist], poslist, strict=False)]
        if len(gaps) < 0x80 and max(gaps, default=0) < 0x80:  # each varint one byte
            return bytes((len(gaps), *gaps))
        return varints([len(gaps), *gaps])

    def decode_positions(self, valuestring: bytes) -> list[int]:
        positions, position = [], 0
        for gap in read_varints(valuestring)[1:]:
            position += gap
            positions.append(position)
        return positions

    def decode_frequency(self, valuestring: bytes) -> int:
        return read_varints(valuestring[:5])[0]
