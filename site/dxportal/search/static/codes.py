"""Numbers as the static index writes them: base-45 digits, the last digit of each marked.

A number below 45 is one character, below 2,025 two: about half the bytes of JSON numbers and
commas. Numbers follow one another without separators (the marked last digit ends each), so the
codes of two runs of numbers joined are the code of the two runs: a document's runs are coded
once, when it is analysed (terms.py), and a shard is their concatenation (postings.py).
search.js decodes them.
"""

from __future__ import annotations

# The digits: 90 characters that need no escaping in a JSON string; the first BASE go before
# the last digit of a number, the last BASE end it (search.js reads them so).
DIGITS = "".join(c for c in map(chr, range(0x23, 0x7F)) if c != "\\")[:90]
BASE = 45


def number_code(number: int) -> str:
    """``number`` (≥ 0) in base-45 digits, most significant first, the last one marked."""
    code = DIGITS[BASE + number % BASE]
    number //= BASE
    while number:
        code = DIGITS[number % BASE] + code
        number //= BASE
    return code


class CodeTable(list):
    """number -> number_code, for small numbers looked up by the million (counts, leads,
    position deltas); ``upto`` grows it."""

    def upto(self, largest: int) -> CodeTable:
        if len(self) <= largest:
            self.extend(map(number_code, range(len(self), largest + 1024)))
        return self


CODE = CodeTable()


class Codes(dict):
    """decimal text -> number_code, remembered."""

    def __missing__(self, decimal: str) -> str:
        code = self[decimal] = number_code(int(decimal))
        return code


CODES = Codes()


def code_numbers(decimals: str) -> str:
    """The number_code string of comma-joined decimal numbers."""
    return "".join(map(CODES.__getitem__, decimals.split(","))) if decimals else ""


def decode_numbers(code: str) -> list[int]:
    """The numbers of a number_code string."""
    numbers, value = [], 0
    for char in code:
        digit = DIGITS.find(char)
        if digit < 0:
            raise ValueError(f"not a digit of a coded number: {char!r}")
        if digit < BASE:
            value = value * BASE + digit
        else:
            numbers.append(value * BASE + digit - BASE)
            value = 0
    if value:
        raise ValueError("a coded number is cut short")
    return numbers
